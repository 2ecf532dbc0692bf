// curlrl render task=NAME seed=N out=PATH.mp4|PATH.png [camera=..] [size=..] [eval.mode=MODE]
// A video of one random-policy episode (one frame per control step), or the first frame as PNG; eval.mode (or
// task.distraction) draws it under a distraction (envs/distraction.h).
#include <cstdio>
#include <random>

#include "apps/commands.h"
#include "core/settings.h"
#include "core/error.h"
#include "envs/egl_device.h"
#include "envs/env.h"
#include "envs/renderer.h"
#include "envs/task.h"
#include "train/evaluation.h"
#include "train/trainer.h"
#include "media/png.h"
#include "media/video.h"

namespace curlrl::apps {
namespace {
const config::Setting<std::string> kOut{"out", "", "output path: .mp4 for a random-policy episode, .png for the first frame",
                                        {.command = "render"}};
const config::Setting<std::string> kCamera{"camera", "", "camera by name or index (empty: task.camera)",
                                           {.command = "render"}};
const config::Setting<int64_t> kSize{"size", 0, "frame height and width (0: task.image_size)",
                                     {.min = 0, .max = 4096, .command = "render"}};
const config::Setting<bool> kQpos0{"qpos0", false,
                                   "render the model at its reference pose (qpos0) instead of a reset episode",
                                   {.command = "render"}};
}  // namespace

int run_render(const Invocation& inv) {
  const std::string out = kOut(inv.config);
  const bool png = out.size() > 4 && out.substr(out.size() - 4) == ".png";
  const bool mp4 = out.size() > 4 && out.substr(out.size() - 4) == ".mp4";
  if (!png && !mp4) throw ConfigError("render needs out=PATH.mp4 or out=PATH.png");
  if (mp4) media::require_video("render out=" + out);
  auto task = envs::make_task(inv.config.get_string("task.name"));
  const envs::EnvOptions env = envs::EnvOptions::from_config(inv.config);
  const int size = kSize(inv.config) > 0 ? static_cast<int>(kSize(inv.config)) : env.image_size;
  const std::string cam_name = kCamera(inv.config).empty() ? env.camera : kCamera(inv.config);
  const int camera = envs::camera_id(task->model(), cam_name);
  if (env.gl_device >= 0) envs::set_default_egl_device(env.gl_device);
  envs::Renderer renderer(task->model(), size, size, envs::gl_backend_from_env(env.gl_backend), env.render_quality);
  const int64_t seed = train::kSeed(inv.config);
  envs::NumpyRandomState env_rng(static_cast<uint32_t>(seed));
  if (kQpos0(inv.config)) {
    // The model as loaded, at its reference pose: no episode initialisation (which may edit the model, e.g. the
    // reacher's target position or the finger's hidden sites).
    mj_resetData(task->model(), task->data());
    mj_forward(task->model(), task->data());
  } else {
    task->reset(env_rng);
  }
  envs::DistractionMode mode = train::evaluation_modes(inv.config).front();
  if (mode == envs::DistractionMode::kTrain) mode = env.distraction.mode;
  envs::DistractionOptions look = envs::DistractionOptions::from_config(inv.config, mode);
  look.episode_frames = envs::Task::kStepLimit + 1;
  envs::Distraction distraction(task->model(), look, size, size);
  distraction.seed(static_cast<uint64_t>(seed));
  distraction.new_episode();
  std::vector<uint8_t> frame(static_cast<size_t>(3 * size * size));
  renderer.render(task->data(), camera, frame, &distraction);
  if (png || kQpos0(inv.config)) {
    if (!png) throw ConfigError("qpos0=true renders a single frame: use out=PATH.png");
    media::write_png(out, frame, size, size);
  } else {
    media::VideoWriter video(out, size, size, 1.0 / task->control_timestep());
    video.add(frame);
    std::mt19937_64 rng(static_cast<uint64_t>(seed));
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    std::vector<double> action(static_cast<size_t>(task->action_dim()));
    while (!task->last()) {
      for (auto& a : action) a = uniform(rng);
      task->step(action);
      renderer.render(task->data(), camera, frame, &distraction);
      video.add(frame);
    }
    video.close();
  }
  std::printf("render task=%s camera=%s size=%d mode=%s out=%s\n", task->name().c_str(), cam_name.c_str(), size,
              envs::distraction_mode_name(mode), out.c_str());
  return 0;
}

}  // namespace curlrl::apps
