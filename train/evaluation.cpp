#include "train/evaluation.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "core/error.h"
#include "core/settings.h"
#include "train/trainer.h"
#include "media/video.h"

namespace curlrl::train {
namespace {
// The looks evaluations are run under (envs/distraction.h). eval.modes changes the columns of eval.csv (a `mode`
// column and one row per mode when it names anything but [train]), so it is part of a run's identity.
const config::Setting<std::string> kEvalMode{"eval.mode", "train",
                                             "the look evaluations are run under: train (as trained), color_easy, "
                                             "color_hard, video_easy, video_hard or camera",
                                             {.choices = envs::distraction_mode_names()}};
const config::Setting<std::vector<std::string>> kEvalModes{
    "eval.modes", {}, "several looks in one evaluation, one eval.csv row each (e.g. [train,color_hard]); empty: [eval.mode]",
    {.choices = envs::distraction_mode_names()}};
}  // namespace

uint32_t eval_seed(int64_t seed, int64_t env_steps) {
  return static_cast<uint32_t>(seed) ^ static_cast<uint32_t>(0x9E3779B9u * static_cast<uint64_t>(env_steps + 1));
}

EvalResult evaluate(agents::Agent& agent, envs::Env& env, int episodes, uint32_t seed, const std::string& video,
                    const envs::EnvOptions& render) {
  env.seed(seed);
  EvalResult r;
  std::unique_ptr<media::VideoWriter> writer;
  std::unique_ptr<envs::Renderer> video_renderer;  // states-mode envs have no renderer of their own
  int camera = 0;
  std::vector<uint8_t> frame;
  const auto record = [&](const envs::TimeStep& ts) {
    if (!writer) return;
    if (env.renderer()) {
      writer->add(ts.newest_frame());
    } else {
      video_renderer->render(env.task().data(), camera, frame);
      writer->add(frame);
    }
  };
  for (int e = 0; e < episodes; ++e) {
    if (e == 0 && !video.empty()) {
      const int size = env.renderer() ? env.renderer()->width() : render.image_size;
      if (!env.renderer()) {
        camera = envs::camera_id(env.task().model(), render.camera);
        video_renderer = std::make_unique<envs::Renderer>(env.task().model(), size, size,
                                                          envs::gl_backend_from_env(render.gl_backend),
                                                          render.render_quality);
        frame.resize(static_cast<size_t>(3 * size * size));
      }
      const double fps = 1.0 / (env.task().control_timestep() * env.spec().action_repeat);
      writer = std::make_unique<media::VideoWriter>(video, size, size, fps);
    }
    envs::TimeStep ts = env.reset();
    record(ts);
    double ret = 0;
    while (!ts.last) {
      ts = env.step(agent.act(ts, /*deterministic=*/true));
      ret += ts.reward;
      record(ts);
    }
    if (writer) {
      writer->close();
      writer.reset();
    }
    r.returns.push_back(ret);
  }
  double sum = 0, sq = 0;
  for (double x : r.returns) sum += x;
  r.mean = sum / episodes;
  for (double x : r.returns) sq += (x - r.mean) * (x - r.mean);
  r.std = std::sqrt(sq / episodes);
  return r;
}

EvalResult evaluate_run(agents::Agent& agent, envs::Env& env, const config::Config& config, int64_t env_steps,
                        int episodes, const std::string& video) {
  return evaluate(agent, env, episodes, eval_seed(kSeed(config), env_steps), video,
                  envs::EnvOptions::from_config(config));
}

std::vector<envs::DistractionMode> evaluation_modes(const config::Config& config) {
  std::vector<std::string> names = kEvalModes(config);
  if (names.empty()) names = {kEvalMode(config)};
  std::vector<envs::DistractionMode> modes;
  for (const auto& n : names) {
    const auto m = envs::parse_distraction_mode(n);
    if (std::find(modes.begin(), modes.end(), m) != modes.end()) {
      throw ConfigError("eval.modes names " + n + " twice");
    }
    modes.push_back(m);
  }
  return modes;
}

void check_evaluation_config(const config::Config& config) {
  const auto modes = evaluation_modes(config);
  const auto options = envs::EnvOptions::from_config(config);
  bool video = false, distracted = options.distraction.mode != envs::DistractionMode::kTrain;
  for (auto m : modes) {
    distracted = distracted || m != envs::DistractionMode::kTrain;
    video = video || m == envs::DistractionMode::kVideoEasy || m == envs::DistractionMode::kVideoHard;
  }
  const auto td = options.distraction.mode;
  video = video || td == envs::DistractionMode::kVideoEasy || td == envs::DistractionMode::kVideoHard;
  if (distracted && options.observation != envs::ObservationKind::kPixels) {
    throw ConfigError("distraction modes (eval.modes, eval.mode, task.distraction) change pixels; task.observation=" +
                      std::string(envs::observation_kind_name(options.observation)) + " has none");
  }
  if (video && !options.distraction.video_dir.empty()) envs::video_files(options.distraction.video_dir);
}

std::vector<ModeResult> evaluate_run_modes(agents::Agent& agent, envs::Env& env, const config::Config& config,
                                           int64_t env_steps, int episodes, const std::string& video,
                                           const std::vector<envs::DistractionMode>& modes) {
  const envs::EnvOptions options = envs::EnvOptions::from_config(config);
  std::vector<ModeResult> out;
  for (auto mode : modes) {
    env.set_distraction(envs::DistractionOptions::from_config(config, mode));
    std::string path = video;
    if (!path.empty() && mode != envs::DistractionMode::kTrain) {
      const auto dot = path.rfind(".mp4");
      path.insert(dot == std::string::npos ? path.size() : dot, std::string("_") + envs::distraction_mode_name(mode));
    }
    out.push_back({mode, evaluate_run(agent, env, config, env_steps, episodes, path)});
  }
  env.set_distraction(options.distraction);
  return out;
}

}  // namespace curlrl::train
