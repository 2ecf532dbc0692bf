// The training run: owns the environment, the evaluation environment, the agent, the replay buffer and the logs;
// the whole schedule (random steps, updates, evaluation, checkpoints) reads top to bottom in Trainer::run().
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "agents/agent.h"
#include "core/config.h"
#include "core/csv.h"
#include "core/settings.h"
#include "core/tensorboard.h"
#include "envs/env.h"
#include "replay/replay_buffer.h"

namespace curlrl::train {

// Run settings that other commands read too (declared in train/trainer.cpp).
extern const config::Setting<int64_t> kSeed;
extern const config::Setting<int64_t> kThreads;

// Sets LibTorch's thread count and seeds its generator from the configuration (device=cuda without CUDA is a
// ConfigError).
void configure_torch(const config::Config& config);

// Every rule a training run checks before it builds anything (the agent's combination rules, the device), as a
// ConfigError: `curlrl train --print-config` runs them too, so that a sweep validated with it does not fail later.
void check_run_config(const config::Config& config);

// The memory a run of `config` needs, worked out before anything is allocated: the replay buffer
// (replay::ReplayBuffer::bytes_needed), the networks and one update (agents::estimate_network_memory).
struct MemoryNeed {
  double replay = 0, networks = 0, batch = 0;
  double total() const { return replay + networks + batch; }
};
MemoryNeed estimate_run_memory(const config::Config& config, const envs::EnvSpec& spec);
// A ConfigError when `need` exceeds `available` bytes (0: unknown, no check), with the estimate, its parts and the
// key to lower in the message.
void check_run_memory(const MemoryNeed& need, const config::Config& config, double available);

// The env_steps a checkpoint folder (see train/checkpoint.h) was written at, read from its state.pt.
int64_t checkpoint_env_steps(const std::filesystem::path& folder);

class Trainer {
 public:
  // Builds everything for the run in the configuration's run_dir (which must be set): environments, agent, replay
  // buffer. It writes nothing and restores nothing, so configuration errors surface before the run directory is
  // touched; a new run starts from step 0, a continued one calls resume() next.
  explicit Trainer(const config::Config& config);
  // Restores the run directory's checkpoint written at `env_steps` (-1: the newest) after verifying it against the
  // configuration (train/checkpoint.h): counters, agent, replay, environment, generators; drops log rows written
  // after it. Checkpoints newer than the one used are moved to checkpoints/set_aside/. Throws curlrl::Error when
  // there is none or it is damaged or another run's. Call once, before run(); returns the folder used.
  std::filesystem::path resume(int64_t env_steps = -1);
  bool resumed() const { return resumed_; }
  ~Trainer();
  // Trains to the budget; returns 0 when finished, 130/143 when stopped by SIGINT/SIGTERM (after a checkpoint).
  int run();

  // Set by the signal handler: finish the current step, write a checkpoint, exit.
  static std::atomic<int> stop_signal;

  // Called at the end of each part of a training step with its name and the agent steps done so far:
  // "bookkeeping" (episode ends, evaluation, checkpoints), "act", "update", "env" (the environment step, the replay
  // and the progress line). The trainer keeps no clock: `curlrl bench train` times the parts through this hook.
  using PhaseHook = std::function<void(const char* phase, int64_t agent_steps)>;
  void set_phase_hook(PhaseHook hook) { phase_hook_ = std::move(hook); }
  agents::Agent& agent() { return *agent_; }
  const replay::ReplayBuffer& replay() const { return *replay_; }

 private:
  struct State;
  void start_episode();
  void log_episode();
  // Writes a CSV row, and its numeric cells as TensorBoard scalars "<prefix>/<column>" at env_steps.
  void log_row(CsvWriter& csv, const std::string& prefix, const std::map<std::string, CsvWriter::Cell>& row);
  void run_evaluation();
  void save_checkpoint();

  config::Config config_;
  std::filesystem::path run_dir_;
  std::unique_ptr<envs::Env> env_, eval_env_;
  std::unique_ptr<agents::Agent> agent_;
  std::unique_ptr<replay::ReplayBuffer> replay_;
  std::unique_ptr<CsvWriter> train_log_, eval_log_;
  std::unique_ptr<TensorBoardWriter> tensorboard_;  // tensorboard=true: the same scalars as the CSV logs
  std::unique_ptr<State> s_;
  bool resumed_ = false;
  PhaseHook phase_hook_;
  void phase_done(const char* phase) const;
};

// Installs SIGINT/SIGTERM handlers that set Trainer::stop_signal.
void install_stop_handlers();

}  // namespace curlrl::train
