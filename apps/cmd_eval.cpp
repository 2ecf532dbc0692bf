// curlrl eval run=RUN_DIR [checkpoint=N] [episodes=N] [video=PATH.mp4]: evaluates one of the run's checkpoints (the newest) with the run's own
// evaluation (train/evaluation.h) and the seed of the step the checkpoint was written at, so that it reproduces
// eval.csv's row for that step (with the same number of episodes).
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "apps/commands.h"
#include "core/error.h"
#include "core/settings.h"
#include "media/video.h"
#include "train/saved_run.h"
#include "train/evaluation.h"
#include "train/trainer.h"

namespace curlrl::apps {
namespace {
const config::Setting<std::string> kRun{"run", "", "run directory whose checkpoint to evaluate", {.command = "eval"}};
const config::Setting<int64_t> kCheckpoint{"checkpoint", -1, "env_steps of the checkpoint to evaluate (-1: the newest)",
                                           {.min = -1, .command = "eval"}};
const config::Setting<int64_t> kEpisodes{"episodes", 0, "evaluation episodes (0: eval_episodes of the run)",
                                         {.min = 0, .command = "eval"}};
const config::Setting<std::string> kVideo{"video", "", "optional mp4 path for a video of the first episode",
                                          {.command = "eval"}};
}  // namespace

namespace fs = std::filesystem;

int run_eval(const Invocation& inv) {
  const std::string run = kRun(inv.config);
  if (run.empty()) throw ConfigError("eval needs run=RUN_DIR");
  if (!kVideo(inv.config).empty()) media::require_video("eval video=" + kVideo(inv.config));
  const train::SavedRun saved = train::load_saved_run(run, kCheckpoint(inv.config));
  const int64_t episodes = kEpisodes(inv.config) > 0 ? kEpisodes(inv.config) : saved.config.get_int("eval_episodes");
  // The looks to evaluate under come from this command's eval.mode / eval.modes (default: the training look).
  const auto modes = train::evaluation_modes(inv.config);
  config::Config look = saved.config;
  look.set("distraction.video_dir", inv.config.get_string("distraction.video_dir"));
  look.set("distraction.camera_scale", inv.config.get_float("distraction.camera_scale"));
  if (modes.size() != 1 || modes.front() != envs::DistractionMode::kTrain) train::check_evaluation_config(inv.config);
  for (const auto& [mode, r] : train::evaluate_run_modes(*saved.agent, *saved.env, look, saved.env_steps,
                                                         static_cast<int>(episodes), kVideo(inv.config), modes)) {
    std::printf("eval run=%s checkpoint=%s mode=%s episodes=%lld return_mean=%.3f return_std=%.3f\n", run.c_str(),
                saved.checkpoint.filename().c_str(), envs::distraction_mode_name(mode),
                static_cast<long long>(episodes), r.mean, r.std);
  }
  return 0;
}

}  // namespace curlrl::apps
