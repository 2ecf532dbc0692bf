// curlrl bench env|replay|update|update_state|train|blas|checkpoint|all: the headline speed and memory figures,
// one line each (train, a short real run, and checkpoint, a 3 GB file, only when asked for).
#include <fcntl.h>
#include <torch/utils.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include "apps/commands.h"
#include "core/settings.h"
#include "core/error.h"
#include "envs/env.h"
#include "train/evaluation.h"
#include "replay/replay_buffer.h"
#include "train/checkpoint.h"
#include "core/checksum.h"
#include "core/io.h"
#include "train/trainer.h"

namespace curlrl::apps {
namespace {
const config::Setting<std::string> kWhat{"what", "all", "what to measure",
                                         {.choices = {"env", "replay", "update", "update_state", "train", "blas",
                                                      "checkpoint", "all"},
                                          .command = "bench"}};
const config::Setting<int64_t> kIters{"iters", 0, "repetitions per measurement (0: a default per benchmark)",
                                      {.min = 0, .command = "bench"}};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Physics steps per second (mj_step with the task's semantics, no rendering) and the cost of one rendered agent
// step (action_repeat control steps plus one frame) per task, on one thread.
// One frame of the env's current state rendered plainly and under `mode`, alternately in blocks of 10 on the same
// renderer (the machine's speed drifts: side by side, the ratio of medians is what counts).
void bench_distraction(const Invocation& inv, envs::Env& env, envs::DistractionMode mode, int64_t frames) {
  const int size = static_cast<int>(env.spec().frame_shape[1]);
  envs::DistractionOptions o = envs::DistractionOptions::from_config(inv.config, mode);
  envs::Distraction distraction(env.task().model(), o, size, size);
  distraction.seed(1);
  distraction.new_episode();
  const int camera = envs::camera_id(env.task().model(), inv.config.get_string("task.camera"));
  std::vector<uint8_t> frame(static_cast<size_t>(3 * size * size));
  std::vector<double> plain, distracted;
  for (int64_t block = 0; block < std::max<int64_t>(5, frames / 10); ++block) {
    for (int which = 0; which < 2; ++which) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < 10; ++i) {
        env.renderer()->render(env.task().data(), camera, frame, which == 0 ? nullptr : &distraction);
      }
      (which == 0 ? plain : distracted).push_back(100.0 * seconds_since(t0));  // ms per frame
    }
  }
  const auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::printf("env task=%s mode=%s plain_ms_per_frame=%.3f distracted_ms_per_frame=%.3f ratio=%.2f\n",
              env.spec().task.c_str(), envs::distraction_mode_name(mode), median(plain), median(distracted),
              median(distracted) / median(plain));
  std::fflush(stdout);
}

void bench_env(const Invocation& inv, int64_t iters) {
  const int64_t agent_steps = iters > 0 ? iters : 200;
  const std::string quality = inv.config.get_string("task.render_quality");
  for (const auto& name : envs::task_names()) {
    // The task's own settings, with the render quality chosen on the command line (task.render_quality=fast).
    config::Composed c = config::compose(inv.config.schema(), inv.config_dir,
                                         {"task=" + name, "task.render_quality=" + quality});
    envs::EnvOptions opts = envs::EnvOptions::from_config(c.config);
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);

    auto task = envs::make_task(name);
    envs::NumpyRandomState task_rng(1);
    task->reset(task_rng);
    std::vector<double> a(static_cast<size_t>(task->action_dim()));
    int64_t control_steps = 0;
    auto t0 = std::chrono::steady_clock::now();
    while (seconds_since(t0) < 1.0) {
      for (auto& x : a) x = uniform(rng);
      if (task->last()) task->reset(task_rng);
      task->step(a);
      ++control_steps;
    }
    const double physics_per_s = static_cast<double>(control_steps * task->n_sub_steps()) / seconds_since(t0);

    auto env = envs::make_env(name, opts);
    env->seed(1);
    envs::TimeStep ts = env->reset();
    std::vector<float> action(static_cast<size_t>(env->spec().action_dim));
    for (int warm = 0; warm < 5; ++warm) ts = env->step(action);
    t0 = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < agent_steps; ++i) {
      for (auto& x : action) x = uniform(rng);
      if (ts.last) ts = env->reset();
      ts = env->step(action);
    }
    const double ms = 1000.0 * seconds_since(t0) / static_cast<double>(agent_steps);
    std::printf("env task=%s physics_steps_per_s=%.0f rendered_ms_per_agent_step=%.3f render_quality=%s\n",
                name.c_str(), physics_per_s, ms, quality.c_str());
    std::fflush(stdout);
    const envs::DistractionMode mode = train::evaluation_modes(inv.config).front();
    if (mode != envs::DistractionMode::kTrain) bench_distraction(inv, *env, mode, agent_steps);
  }
}

// Bytes per stored pixel transition at capacity 100,000 with 100x100 frames, filled with real-size frames.
void bench_replay(int64_t iters) {
  const int64_t capacity = iters > 0 ? iters : 100000;
  replay::ReplaySpec spec{envs::ObservationKind::kPixels, {3, 100, 100}, 3, 6};
  replay::ReplayBuffer buffer(capacity, spec);
  std::vector<uint8_t> frame(3 * 100 * 100, 7);
  std::vector<float> action(6, 0.5f);
  const auto t0 = std::chrono::steady_clock::now();
  buffer.add_first(frame);
  for (int64_t i = 0; i < capacity; ++i) {
    if (i % 500 == 499) buffer.add_first(frame);  // episodes of 500 agent steps (walker, finger)
    frame[static_cast<size_t>(i % frame.size())] = static_cast<uint8_t>(i);
    buffer.add(action, 1.0f, 1.0f, frame);
  }
  const double fill = seconds_since(t0);
  std::printf("replay capacity=%lld bytes_per_transition=%.1f frame_bytes=%zu ratio=%.4f held=%lld fill_s=%.2f\n",
              static_cast<long long>(capacity), static_cast<double>(buffer.memory_bytes()) / capacity,
              frame.size(), static_cast<double>(buffer.memory_bytes()) / capacity / frame.size(),
              static_cast<long long>(buffer.size()), fill);
}

// What content verification costs: a checkpoint holding one file of `iters` MiB (default 3072, the size of a full
// replay buffer of 100x100 frames) written to the temporary folder, then verified from disk (its pages dropped from
// the cache first) and again from the page cache; and the CRC-32C rate in memory.
void bench_checkpoint(const config::Config& config, int64_t iters) {
  namespace fs = std::filesystem;
  const int64_t mib = iters > 0 ? iters : 3072;
  const fs::path dir = fs::temp_directory_path() / ("curlrl_bench_checkpoint_" + std::to_string(::getpid()));
  std::vector<char> block(size_t{1} << 20);
  std::mt19937_64 rng(1);
  for (auto& ch : block) ch = static_cast<char>(rng());
  try {
    auto t0 = std::chrono::steady_clock::now();
    const fs::path folder = train::write_checkpoint(
        dir, 1, {{"replay.bin", [&](const fs::path& p) {
                    write_file_atomic(p, [&](std::ostream& out) {
                      for (int64_t i = 0; i < mib; ++i) {
                        block[0] = static_cast<char>(i);
                        out.write(block.data(), static_cast<std::streamsize>(block.size()));
                      }
                    });
                  }}},
        train::run_fingerprint(config));
    const double write_s = seconds_since(t0);
    const int fd = ::open((folder / "replay.bin").c_str(), O_RDONLY);
    if (fd >= 0) {
      ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
      ::close(fd);
    }
    t0 = std::chrono::steady_clock::now();
    train::verify_checkpoint(folder, config);
    const double cold_s = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    train::verify_checkpoint(folder, config);
    const double warm_s = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    uint32_t crc = 0;
    for (int i = 0; i < 1024; ++i) crc = crc32c(crc, block.data(), block.size());
    const double crc_gib_per_s = 1.0 / seconds_since(t0);
    std::printf("checkpoint file_mib=%lld write_s=%.2f verify_s=%.2f verify_cached_s=%.2f crc32c_gib_per_s=%.1f%s\n",
                static_cast<long long>(mib), write_s, cold_s, warm_s, crc_gib_per_s, crc == 1 ? " " : "");
  } catch (...) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    throw;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace

int run_bench(const Invocation& inv) {
  const std::string what = kWhat(inv.config);
  const int64_t iters = kIters(inv.config);
  if (what == "env" || what == "all") {
    torch::set_num_threads(1);
    bench_env(inv, iters);
  }
  if (what == "replay" || what == "all") bench_replay(iters);
  torch::set_num_threads(train::kThreads(inv.config) > 0 ? static_cast<int>(train::kThreads(inv.config)) : 2);
  if (what == "blas") bench_matmul();
  if (what == "update" || what == "all") bench_update(inv.config, iters);
  if (what == "update_state") bench_state_updates(iters);  // the MLPs alone: a quick check of the state SAC path
  if (what == "train") bench_train(inv.config, iters);
  if (what == "checkpoint") bench_checkpoint(inv.config, iters);
  return 0;
}

}  // namespace curlrl::apps
