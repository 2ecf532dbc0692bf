// `curlrl bench train`: a short real training run (the configured task, agent and batch size) after its random
// phase has filled the replay buffer, timed part by part through the trainer's phase hook, against the update
// alone (on the run's own agent and replay, in the same process) and a rendered environment step alone. The ratio
// it prints, training time per agent step / (update + environment step), is what a long run loses to everything
// else.
#include <torch/utils.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>

#include "apps/commands.h"
#include "core/run_dir.h"
#include "envs/env.h"
#include "train/trainer.h"

namespace curlrl::apps {
namespace {

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

}  // namespace

void bench_train(const config::Config& config, int64_t steps) {
  const int64_t measured = steps > 0 ? steps : 40;
  const int64_t warm = 3;  // the first updates build oneDNN's kernels and grow the heap
  const int64_t init_steps = config.get_int("agent.init_steps");
  const envs::EnvOptions env_options = envs::EnvOptions::from_config(config);
  const std::string task = config.get_string("task.name");

  config::Config c = config;
  const std::filesystem::path dir =
      create_unique_dir(std::filesystem::temp_directory_path() / "curlrl-bench-train");
  c.set("run_dir", dir.string());
  c.set("env_steps", (init_steps + warm + measured) * env_options.action_repeat);
  c.set("eval_every", int64_t{0});
  c.set("eval_episodes", int64_t{1});
  c.set("checkpoint_every", int64_t{0});
  c.set("save_replay", false);
  c.set("progress_interval", 1e9);

  // 1. The training loop, timed per part over the measured steps.
  std::map<std::string, double> part_seconds;
  double window_start = 0, window_end = 0, part_start = 0;
  {
    train::Trainer trainer(c);
    const int64_t first = init_steps + warm;  // the measured agent steps: first .. first + measured - 1
    trainer.set_phase_hook([&](const char* phase, int64_t agent_steps) {
      const double now = now_s();
      const std::string name = phase;
      const int64_t step = name == "env" ? agent_steps - 1 : agent_steps;  // "env" comes after the step's count
      if (name == "env" && step == first - 1) window_start = now;
      if (step >= first && step < first + measured) {
        part_seconds[name] += now - part_start;
        if (name == "env") window_end = now;
      }
      part_start = now;
    });
    std::fflush(stdout);
    trainer.run();

    // 2. The update alone: the run's agent on the run's replay, same process, same threads.
    std::mt19937_64 rng(2);
    auto& agent = trainer.agent();
    const int64_t updates = std::max<int64_t>(measured / 2, 6);
    const double t0 = now_s();
    for (int64_t i = 0; i < updates; ++i) agent.update(trainer.replay(), init_steps + warm + measured + i, rng);
    part_seconds["update_alone"] = (now_s() - t0) / static_cast<double>(updates);
  }
  std::filesystem::remove_all(dir);

  // 3. A rendered environment step alone (action repeat control steps and one frame), random actions.
  auto env = envs::make_env(task, env_options);
  env->seed(1);
  envs::TimeStep ts = env->reset();
  std::vector<float> action(static_cast<size_t>(env->spec().action_dim));
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  const int64_t env_steps = 200;
  const double t0 = now_s();
  for (int64_t i = 0; i < env_steps; ++i) {
    for (auto& a : action) a = uniform(rng);
    if (ts.last) ts = env->reset();
    ts = env->step(action);
  }
  const double env_alone = (now_s() - t0) / static_cast<double>(env_steps);

  const double per_step = (window_end - window_start) / static_cast<double>(measured);
  const double update_alone = part_seconds["update_alone"];
  std::printf("train task=%s agent=%s batch=%lld threads=%d steps=%lld ms_per_agent_step=%.1f update_alone_ms=%.1f "
              "env_step_alone_ms=%.1f ratio=%.3f\n",
              task.c_str(), config.get_string("agent.name").c_str(),
              static_cast<long long>(config.get_int("agent.batch_size")), torch::get_num_threads(),
              static_cast<long long>(measured), 1000 * per_step, 1000 * update_alone, 1000 * env_alone,
              per_step / (update_alone + env_alone));
  std::printf("  parts of a training step:");
  for (const char* part : {"bookkeeping", "act", "update", "env"}) {
    std::printf(" %s_ms=%.1f", part, 1000 * part_seconds[part] / static_cast<double>(measured));
  }
  std::printf("\n");
  std::fflush(stdout);
}

}  // namespace curlrl::apps
