#include "train/evaluation.h"

#include <cmath>
#include <memory>

#include "train/trainer.h"
#include "train/video.h"

namespace curlrl::train {

uint32_t eval_seed(int64_t seed, int64_t env_steps) {
  return static_cast<uint32_t>(seed) ^ static_cast<uint32_t>(0x9E3779B9u * static_cast<uint64_t>(env_steps + 1));
}

EvalResult evaluate(agents::Agent& agent, envs::Env& env, int episodes, uint32_t seed, const std::string& video,
                    const envs::EnvOptions& render) {
  env.seed(seed);
  EvalResult r;
  std::unique_ptr<VideoWriter> writer;
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
      writer = std::make_unique<VideoWriter>(video, size, size, fps);
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

}  // namespace curlrl::train
