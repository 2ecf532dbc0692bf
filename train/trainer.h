// The training run: owns the environment, the evaluation environment, the agent, the replay buffer and the logs;
// the whole schedule (random steps, updates, evaluation, checkpoints) reads top to bottom in Trainer::run().
#pragma once

#include <atomic>
#include <filesystem>
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

// Sets LibTorch's thread count and seeds its generator from the configuration.
void configure_torch(const config::Config& config);

struct EvalResult {
  double mean = 0, std = 0;
  std::vector<double> returns;
};

// Evaluates `agent` over `episodes` episodes with deterministic actions; `video` (if non-empty) receives the
// first episode as mp4.
EvalResult evaluate(agents::Agent& agent, envs::Env& env, int episodes, uint32_t seed, const std::string& video);

class Trainer {
 public:
  // Builds everything for a run in `run_dir`, restoring its latest checkpoint when it has one. Nothing is
  // written until run(), so configuration errors surface before the run directory is touched.
  Trainer(const config::Config& config, const std::filesystem::path& run_dir);
  bool resumed() const { return resumed_; }
  // Where logs and checkpoints go (a new run's directory is created after construction).
  void set_run_dir(const std::filesystem::path& dir) { run_dir_ = dir; }
  ~Trainer();
  // Trains to the budget; returns 0 when finished, 130/143 when stopped by SIGINT/SIGTERM (after a checkpoint).
  int run();

  // Set by the signal handler: finish the current step, write a checkpoint, exit.
  static std::atomic<int> stop_signal;

 private:
  struct State;
  void start_episode();
  void log_episode();
  // Writes a CSV row, and its numeric cells as TensorBoard scalars "<prefix>/<column>" at env_steps.
  void log_row(CsvWriter& csv, const std::string& prefix, const std::map<std::string, CsvWriter::Cell>& row);
  void run_evaluation();
  void save_checkpoint();
  bool restore_latest();

  config::Config config_;
  std::filesystem::path run_dir_;
  std::unique_ptr<envs::Env> env_, eval_env_;
  std::unique_ptr<agents::Agent> agent_;
  std::unique_ptr<replay::ReplayBuffer> replay_;
  std::unique_ptr<CsvWriter> train_log_, eval_log_;
  std::unique_ptr<TensorBoardWriter> tensorboard_;  // tensorboard=true: the same scalars as the CSV logs
  std::unique_ptr<State> s_;
  bool resumed_ = false;
};

// Installs SIGINT/SIGTERM handlers that set Trainer::stop_signal.
void install_stop_handlers();

}  // namespace curlrl::train
