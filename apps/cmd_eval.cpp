// curlrl eval run=RUN_DIR [episodes=N] [video=PATH.mp4]: evaluates the run's latest checkpoint with the run's own
// evaluation (train/evaluation.h) and the seed of the step the checkpoint was written at, so that it reproduces
// eval.csv's row for that step (with the same number of episodes).
#include <torch/serialize.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "apps/commands.h"
#include "core/settings.h"
#include "core/error.h"
#include "core/schema.h"
#include "train/checkpoint.h"
#include "train/evaluation.h"
#include "train/trainer.h"

namespace curlrl::apps {
namespace {
const config::Setting<std::string> kRun{"run", "", "run directory whose last checkpoint to evaluate", {.command = "eval"}};
const config::Setting<int64_t> kEpisodes{"episodes", 0, "evaluation episodes (0: eval_episodes of the run)",
                                         {.min = 0, .command = "eval"}};
const config::Setting<std::string> kVideo{"video", "", "optional mp4 path for a video of the first episode",
                                          {.command = "eval"}};
}  // namespace

namespace fs = std::filesystem;

int run_eval(const Invocation& inv) {
  const std::string run = kRun(inv.config);
  if (run.empty()) throw ConfigError("eval needs run=RUN_DIR");
  if (!fs::exists(fs::path(run) / "config.yaml")) throw Error(run + " is not a curlrl run directory (no config.yaml)");
  static const config::Schema schema = config::make_schema("train");
  const config::Config config = config::Config::from_yaml_file(schema, (fs::path(run) / "config.yaml").string());
  const auto folder = train::latest_checkpoint(run);
  if (!folder) throw Error(run + " has no checkpoint to evaluate");
  train::verify_checkpoint(*folder);
  const int64_t env_steps = train::checkpoint_env_steps(*folder);

  train::configure_torch(config);
  auto env = envs::make_env(config.get_string("task.name"), envs::EnvOptions::from_config(config));
  auto agent = agents::make_agent(config, env->spec());
  try {
    torch::serialize::InputArchive archive;
    archive.load_from((*folder / "agent.pt").string());
    agent->load(archive);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    const std::string msg = e.what();
    throw Error("cannot read " + (*folder / "agent.pt").string() + ": " + msg.substr(0, msg.find('\n')));
  }
  const int64_t episodes = kEpisodes(inv.config) > 0 ? kEpisodes(inv.config)
                                                              : config.get_int("eval_episodes");
  const auto r =
      train::evaluate_run(*agent, *env, config, env_steps, static_cast<int>(episodes), kVideo(inv.config));
  std::printf("eval run=%s checkpoint=%s episodes=%lld return_mean=%.3f return_std=%.3f\n", run.c_str(),
              folder->filename().c_str(), static_cast<long long>(episodes), r.mean, r.std);
  return 0;
}

}  // namespace curlrl::apps
