#include "train/trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/serialize.h>
#include <torch/cuda.h>
#include <torch/utils.h>

#include <csignal>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>
#include <type_traits>
#include <utility>

#include "core/build_info.h"
#include "core/error.h"
#include "core/io.h"
#include "core/progress.h"
#include "core/run_dir.h"
#include "core/settings.h"
#include "media/video.h"
#include "train/checkpoint.h"
#include "train/evaluation.h"

namespace curlrl::train {

namespace fs = std::filesystem;

std::atomic<int> Trainer::stop_signal{0};

// The run's settings (configs/config.yaml holds only the defaults list; these are the defaults).
const config::Setting<int64_t> kSeed{"seed", 1,
                                     "random seed of the run: networks, replay sampling, augmentation and environments",
                                     {.min = 0, .max = 4294967295.0}};
const config::Setting<int64_t> kThreads{"threads", 2, "intra-op threads of LibTorch (and OpenMP); 0 leaves the library default",
                                        {.min = 0, .max = 256, .resumable = true}};

namespace {

const config::Setting<int64_t> kEnvSteps{"env_steps", 100000,
                                         "training budget in environment steps (frames, after action repeat), as the "
                                         "paper counts them",
                                         {.min = 1, .resumable = true}};
const config::Setting<int64_t> kEvalEvery{"eval_every", 10000,
                                          "evaluate every this many environment steps (0: only at the end)",
                                          {.min = 0, .resumable = true}};
const config::Setting<int64_t> kEvalEpisodes{"eval_episodes", 10, "episodes per evaluation (deterministic actions)",
                                             {.min = 1, .resumable = true}};
const config::Setting<int64_t> kCheckpointEvery{
    "checkpoint_every", 50000, "write a checkpoint every this many environment steps (0: only at the end)",
    {.min = 0, .resumable = true}};
const config::Setting<std::string> kKeepCheckpoints{
    "keep_checkpoints", "1",
    "complete checkpoints kept: the newest N (more let a run go back to an earlier one), or `all` (every checkpoint, "
    "the older ones without their replay buffer: for `curlrl interpret checkpoints=all`)",
    {.resumable = true}};
// eval.csv gets a `mode` column (and a row per mode) only when the evaluation is not just the training look, so
// that the files of ordinary runs keep their columns.
bool with_mode_column(const std::vector<envs::DistractionMode>& modes) {
  return !(modes.size() == 1 && modes.front() == envs::DistractionMode::kTrain);
}
// keep_checkpoints as write_checkpoint takes it: N, or kKeepAllCheckpoints for `all`.
int64_t keep_count(const config::Config& c) {
  const std::string text = kKeepCheckpoints(c);
  if (text == "all") return kKeepAllCheckpoints;
  int64_t n = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || n < 1 || n > 1000) {
    throw ConfigError("keep_checkpoints=" + text + ": expected a count from 1 to 1000, or all");
  }
  return n;
}
// Agent settings that only the training loop reads: the replay buffer it fills and its random-action phase.
const config::Setting<int64_t> kReplayCapacity{"agent.replay_capacity", 100000,
                                               "replay buffer capacity in agent transitions", {.min = 1}};
const config::Setting<int64_t> kInitSteps{"agent.init_steps", 1000,
                                          "agent steps of uniformly random actions before updates start", {.min = 0}};
const config::Setting<bool> kSaveReplay{"save_replay", true,
                                        "include the replay buffer in checkpoints (needed for an exact resume)",
                                        {.resumable = true}};
const config::Setting<bool> kSaveVideo{"save_video", false,
                                       "record the first evaluation episode to videos/eval_<env_steps>.mp4",
                                       {.resumable = true}};
const config::Setting<bool> kTensorboard{"tensorboard", false,
                                         "also write the logged scalars as a TensorBoard event file",
                                         {.resumable = true}};
const config::Setting<double> kProgressInterval{
    "progress_interval", 10.0, "seconds between plain progress lines when stdout is not a terminal",
    {.min = 0.1, .resumable = true}};

const std::vector<std::string> kTrainColumns = {
    "env_steps",   "agent_steps",      "episode",          "episode_return",       "critic_loss",
    "actor_loss",  "alpha_loss",       "temperature",      "entropy",              "contrastive_loss",
    "contrastive_accuracy", "q1", "steps_per_second", "wall_time"};
const std::vector<std::string> kEvalColumns = {"env_steps", "agent_steps", "episode_return", "episode_return_std",
                                               "episodes", "wall_time"};
// Update metrics averaged over an episode, with their train.csv column.
const std::map<std::string, std::string> kMetricColumns = {
    {"critic_loss", "critic_loss"},   {"actor_loss", "actor_loss"}, {"alpha_loss", "alpha_loss"},
    {"alpha", "temperature"},         {"entropy", "entropy"},       {"contrastive_loss", "contrastive_loss"},
    {"contrastive_accuracy", "contrastive_accuracy"}, {"q1", "q1"}};

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void on_signal(int sig) { Trainer::stop_signal = sig; }

// Keeps only the rows of a CSV log whose env_steps <= `env_steps` (a resumed run rewrites what came after its
// checkpoint).
void truncate_log(const fs::path& path, int64_t env_steps) {
  if (!fs::exists(path)) return;
  const std::string kept = csv_rows_up_to(read_csv(path), "env_steps", env_steps, path.string());
  if (!kept.empty()) write_file_atomic(path, kept);
}

}  // namespace

void install_stop_handlers() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

namespace {
void check_device(const config::Config& c) {
  if (agents::kDevice(c) == "cuda" && !torch::cuda::is_available()) {
    throw ConfigError("device=cuda but this LibTorch build sees no CUDA device");
  }
}
}  // namespace

void configure_torch(const config::Config& c) {
  check_device(c);
  if (kThreads(c) > 0) torch::set_num_threads(static_cast<int>(kThreads(c)));
  torch::manual_seed(static_cast<uint64_t>(kSeed(c)));
}

void check_run_config(const config::Config& c) {
  agents::check_agent_config(c);
  check_device(c);
  keep_count(c);
  check_evaluation_config(c);
  if (kSaveVideo(c)) media::require_video("save_video=true");
}

struct Trainer::State {
  int64_t agent_steps = 0, env_steps = 0, episode = 0, next_eval = 0, next_checkpoint = 0, last_eval_steps = -1;
  double episode_return = 0;
  std::map<std::string, double> metric_sums;
  int64_t metric_count = 0;
  std::mt19937_64 rng;
  envs::TimeStep ts;
  double wall_offset = 0;  // seconds spent before this process (resumed runs)
  double start_time = now_seconds();
  double episode_start_time = now_seconds();
  int64_t episode_start_steps = 0;
  double last_eval = NAN;
  double wall_time() const { return wall_offset + now_seconds() - start_time; }

  // The schedule's numbers that state.pt holds, by name: save and restore walk this one list (the wall time is
  // saved as wall_time() and restored into wall_offset; the metric sums and generators follow it).
  template <class Self, class Fn>
  static void for_each_number(Self& s, Fn&& fn) {
    fn("agent_steps", s.agent_steps);
    fn("env_steps", s.env_steps);
    fn("episode", s.episode);
    fn("next_eval", s.next_eval);
    fn("next_checkpoint", s.next_checkpoint);
    fn("last_eval_steps", s.last_eval_steps);
    fn("metric_count", s.metric_count);
    fn("episode_start_steps", s.episode_start_steps);
    fn("episode_return", s.episode_return);
    fn("last_eval", s.last_eval);
  }
};

MemoryNeed estimate_run_memory(const config::Config& config, const envs::EnvSpec& spec) {
  const agents::NetworkMemory net = agents::estimate_network_memory(config, spec);
  return {replay::ReplayBuffer::bytes_needed(kReplayCapacity(config), replay::ReplaySpec::of(spec)), net.networks,
          net.batch};
}

namespace {
std::string gigabytes(double bytes) {
  char text[64];
  if (bytes >= 1e12) {
    std::snprintf(text, sizeof(text), "%.1f TB", bytes / 1e12);
  } else {
    std::snprintf(text, sizeof(text), "%.1f GB", bytes / 1e9);
  }
  return text;
}
}  // namespace

void check_run_memory(const MemoryNeed& need, const config::Config& config, double available) {
  if (available <= 0 || need.total() <= available) return;
  // The key to lower: the one that sizes the largest part.
  std::string lower = "agent.batch_size";
  if (need.replay >= need.networks && need.replay >= need.batch) {
    lower = "agent.replay_capacity (" + std::to_string(kReplayCapacity(config)) + ")";
  } else if (need.networks >= need.batch) {
    lower = "agent.hidden_dim or the encoder's sizes";
  }
  throw ConfigError("this run needs about " + gigabytes(need.total()) + " of memory (replay buffer " +
                    gigabytes(need.replay) + ", networks and optimiser states " + gigabytes(need.networks) +
                    ", one update's batch " + gigabytes(need.batch) + ") and this machine has " +
                    gigabytes(available) + ": lower " + lower);
}

Trainer::Trainer(const config::Config& config)
    : config_(config), run_dir_(kRunDir(config)), s_(std::make_unique<State>()) {
  if (run_dir_.empty()) throw Error("the trainer needs the run directory: run_dir is empty in its configuration");
  check_run_config(config_);
  configure_torch(config_);
  const std::string task = config_.get_string("task.name");
  const envs::EnvOptions opts = envs::EnvOptions::from_config(config_);
  env_ = envs::make_env(task, opts);
  eval_env_ = envs::make_env(task, opts);
  env_->seed(static_cast<uint32_t>(kSeed(config_)));
  check_run_memory(estimate_run_memory(config_, env_->spec()), config_, machine_memory_bytes());
  agent_ = agents::make_agent(config_, env_->spec());
  replay_ = std::make_unique<replay::ReplayBuffer>(kReplayCapacity(config_), replay::ReplaySpec::of(env_->spec()));
  s_->rng.seed(static_cast<uint64_t>(kSeed(config_)));
  s_->next_checkpoint = kCheckpointEvery(config_) > 0 ? kCheckpointEvery(config_) : INT64_MAX;
}

Trainer::~Trainer() = default;

void Trainer::phase_done(const char* phase) const {
  if (phase_hook_) phase_hook_(phase, s_->agent_steps);
}

void Trainer::start_episode() {
  s_->ts = env_->reset();
  replay_->add_first(s_->ts.newest_item());
  s_->episode_return = 0;
  s_->metric_sums.clear();
  s_->metric_count = 0;
  s_->episode_start_time = now_seconds();
  s_->episode_start_steps = s_->env_steps;
}

void Trainer::log_episode() {
  ++s_->episode;
  const double dt = now_seconds() - s_->episode_start_time;
  std::map<std::string, CsvWriter::Cell> row = {
      {"env_steps", s_->env_steps},
      {"agent_steps", s_->agent_steps},
      {"episode", s_->episode},
      {"episode_return", s_->episode_return},
      {"steps_per_second", dt > 0 ? static_cast<double>(s_->env_steps - s_->episode_start_steps) / dt : 0.0},
      {"wall_time", s_->wall_time()}};
  if (s_->metric_count > 0) {
    for (const auto& [metric, sum] : s_->metric_sums) {
      auto it = kMetricColumns.find(metric);
      if (it != kMetricColumns.end()) row[it->second] = sum / static_cast<double>(s_->metric_count);
    }
  }
  log_row(*train_log_, "train", row);
}

void Trainer::log_row(CsvWriter& csv, const std::string& prefix, const std::map<std::string, CsvWriter::Cell>& row) {
  csv.write(row);
  if (!tensorboard_) return;
  const double unix_time = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (const auto& [column, cell] : row) {
    if (column == "env_steps") continue;
    if (const auto* d = std::get_if<double>(&cell)) tensorboard_->add_scalar(prefix + "/" + column, *d, s_->env_steps, unix_time);
    if (const auto* i = std::get_if<int64_t>(&cell)) {
      tensorboard_->add_scalar(prefix + "/" + column, static_cast<double>(*i), s_->env_steps, unix_time);
    }
  }
}

void Trainer::run_evaluation() {
  const std::string video = kSaveVideo(config_)
                                ? (run_dir_ / "videos" / ("eval_" + std::to_string(s_->env_steps) + ".mp4")).string()
                                : std::string();
  const auto modes = evaluation_modes(config_);
  const auto results = evaluate_run_modes(*agent_, *eval_env_, config_, s_->env_steps,
                                          static_cast<int>(kEvalEpisodes(config_)), video, modes);
  s_->last_eval = results.front().result.mean;
  s_->last_eval_steps = s_->env_steps;
  for (const auto& [mode, r] : results) {
    std::map<std::string, CsvWriter::Cell> row = {{"env_steps", s_->env_steps},
                                                  {"agent_steps", s_->agent_steps},
                                                  {"episode_return", r.mean},
                                                  {"episode_return_std", r.std},
                                                  {"episodes", static_cast<int64_t>(r.returns.size())},
                                                  {"wall_time", s_->wall_time()}};
    if (with_mode_column(modes)) row["mode"] = std::string(envs::distraction_mode_name(mode));
    log_row(*eval_log_, mode == modes.front() ? "eval" : std::string("eval_") + envs::distraction_mode_name(mode), row);
  }
}

void Trainer::save_checkpoint() {
  CheckpointWriters w;
  w["agent.pt"] = [&](const fs::path& p) {
    torch::serialize::OutputArchive a;
    agent_->save(a);
    a.save_to(p.string());
  };
  w["state.pt"] = [&](const fs::path& p) {
    torch::serialize::OutputArchive a;
    State::for_each_number(std::as_const(*s_), [&](const char* key, auto value) {
      a.write(key, torch::tensor({value}, std::is_same_v<decltype(value), int64_t> ? torch::kInt64 : torch::kFloat64));
    });
    a.write("wall_time", torch::tensor({s_->wall_time()}, torch::kFloat64));
    for (const auto& [k, v] : s_->metric_sums) a.write("metric/" + k, torch::tensor({v}, torch::kFloat64));
    std::ostringstream rng;
    rng << s_->rng;
    const std::string text = rng.str();
    a.write("rng", torch::from_blob(const_cast<char*>(text.data()), {static_cast<int64_t>(text.size())},
                                    torch::kUInt8).clone());
    auto gen = at::detail::getDefaultCPUGenerator();
    {
      std::lock_guard<std::mutex> lock(gen.mutex());
      a.write("torch_rng", gen.get_state());
    }
    a.save_to(p.string());
  };
  w["env.bin"] = [&](const fs::path& p) { write_file_atomic(p, env_->save_state()); };
  if (kSaveReplay(config_)) {
    w["replay.bin"] = [&](const fs::path& p) {
      write_file_atomic(p, [&](std::ostream& out) { replay_->save(out); });
    };
  }
  write_checkpoint(run_dir_, s_->env_steps, w, run_fingerprint(config_), keep_count(config_));
}

int64_t checkpoint_env_steps(const fs::path& folder) {
  const fs::path file = folder / "state.pt";
  try {
    torch::serialize::InputArchive a;
    a.load_from(file.string());
    torch::Tensor t;
    a.read("env_steps", t);
    return t.item<int64_t>();
  } catch (const std::exception& e) {
    const std::string msg = e.what();
    throw Error("cannot read env_steps from " + file.string() + ": " + first_line(msg));
  }
}

fs::path Trainer::resume(int64_t env_steps) {
  const std::optional<fs::path> folder = usable_checkpoint(run_dir_, env_steps, config_);
  const auto fail = [&](const std::string& what) -> Error {
    return Error("cannot resume from " + folder->string() + ": " + what);
  };
  try {
    torch::serialize::InputArchive agent_archive;
    agent_archive.load_from((*folder / "agent.pt").string());
    agent_->load(agent_archive);

    torch::serialize::InputArchive a;
    a.load_from((*folder / "state.pt").string());
    State::for_each_number(*s_, [&](const char* key, auto& value) {
      torch::Tensor t;
      a.read(key, t);
      value = t.item<std::remove_reference_t<decltype(value)>>();
    });
    torch::Tensor wall;
    a.read("wall_time", wall);
    s_->wall_offset = wall.item<double>();
    for (const auto& [metric, column] : kMetricColumns) {
      torch::Tensor t;
      if (a.try_read("metric/" + metric, t)) s_->metric_sums[metric] = t.item<double>();
    }
    torch::Tensor rng;
    a.read("rng", rng);
    std::istringstream rng_in(std::string(static_cast<const char*>(rng.data_ptr()), rng.numel()));
    rng_in >> s_->rng;
    torch::Tensor torch_rng;
    a.read("torch_rng", torch_rng);
    auto gen = at::detail::getDefaultCPUGenerator();
    {
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_state(torch_rng);
    }
    env_->load_state(read_file(*folder / "env.bin"));
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    std::string msg = e.what();
    throw fail(first_line(msg));
  }
  const fs::path replay_file = *folder / "replay.bin";
  if (fs::exists(replay_file)) {
    std::ifstream in(replay_file, std::ios::binary);
    replay_->load(in);
  } else {
    throw fail("it holds no replay buffer (save_replay=false, or an older checkpoint of keep_checkpoints=all); an "
               "exact resume needs it");
  }
  s_->ts = env_->current_observation();  // the restored frame stack or state the loop continues from
  truncate_log(run_dir_ / "train.csv", s_->env_steps);
  truncate_log(run_dir_ / "eval.csv", s_->env_steps);
  resumed_ = true;
  std::cout << "curlrl: resuming " << run_dir_.string() << " from env_steps=" << s_->env_steps << std::endl;
  for (const auto& moved : set_aside_newer(run_dir_, *folder)) {
    std::cerr << "curlrl: a later checkpoint was set aside (kept, not used): " << moved.string() << std::endl;
  }
  return *folder;
}

int Trainer::run() {
  const int64_t budget = kEnvSteps(config_);
  const int64_t eval_every = kEvalEvery(config_);
  const int64_t checkpoint_every = kCheckpointEvery(config_);
  const int64_t init_steps = kInitSteps(config_);
  const int action_dim = env_->spec().action_dim;
  State& s = *s_;
  if (s.env_steps >= budget) {
    std::cout << "curlrl: run already finished (env_steps=" << s.env_steps << ")" << std::endl;
    return 0;
  }
  fs::create_directories(run_dir_);
  train_log_ = std::make_unique<CsvWriter>(run_dir_ / "train.csv", kTrainColumns, resumed_);
  std::vector<std::string> eval_columns = kEvalColumns;
  if (with_mode_column(evaluation_modes(config_))) eval_columns.push_back("mode");
  eval_log_ = std::make_unique<CsvWriter>(run_dir_ / "eval.csv", eval_columns, resumed_);
  if (kTensorboard(config_)) {
    tensorboard_ = std::make_unique<TensorBoardWriter>(run_dir_);
    const double unix_time =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (resumed_) tensorboard_->add_session_start(s_->env_steps, unix_time);
    tensorboard_->add_text("config", "```\n" + config_.to_yaml() + "```", s_->env_steps, unix_time);
  }
  if (!resumed_) start_episode();
  Progress progress(budget, std::cout, Progress::stdout_is_terminal(), kProgressInterval(config_));
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);

  while (true) {
    // Bookkeeping at the current step: episode end, evaluation, budget, checkpoint, stop request.
    if (s.ts.last) {
      log_episode();
      start_episode();
    }
    const bool eval_due = s.env_steps >= s.next_eval;
    const bool at_end = s.env_steps >= budget;
    if (eval_due || (at_end && s.last_eval_steps != s.env_steps)) run_evaluation();  // plus one at the end
    if (eval_due) s.next_eval = eval_every > 0 ? s.next_eval + eval_every : INT64_MAX;
    if (at_end) break;
    if (s.env_steps >= s.next_checkpoint) {
      save_checkpoint();
      s.next_checkpoint += checkpoint_every;
    }
    if (stop_signal != 0) {
      save_checkpoint();
      progress.finish();
      std::cout << "curlrl: stopped by signal " << stop_signal << " at env_steps=" << s.env_steps
                << "; checkpoint written. Continue with: curlrl train resume=" << run_dir_.string() << std::endl;
      return 128 + stop_signal;
    }
    phase_done("bookkeeping");

    // Act: uniformly random actions for the first init_steps agent steps, then the stochastic policy.
    std::vector<float> action(static_cast<size_t>(action_dim));
    if (s.agent_steps < init_steps) {
      for (auto& a : action) a = uniform(s.rng);
    } else {
      action = agent_->act(s.ts, /*deterministic=*/false);
    }
    phase_done("act");

    // Update: one per agent step once the random phase is over (before stepping, as the reference does).
    if (s.agent_steps >= init_steps) {
      const agents::Metrics m = agent_->update(*replay_, s.agent_steps, s.rng);
      for (const auto& [name, value] : m) {
        if (!std::isfinite(value)) {
          throw Error(name + " became " + (std::isnan(value) ? "NaN" : "infinite") + " at agent step " +
                      std::to_string(s.agent_steps) + " (env step " + std::to_string(s.env_steps) +
                      "); training stopped, the last good checkpoint is kept in " + (run_dir_ / "checkpoints").string());
        }
        s.metric_sums[name] += value;
      }
      ++s.metric_count;
    }
    phase_done("update");

    // Step the environment and store the transition (time limits are not terminal: not_done = 1).
    envs::TimeStep next = env_->step(action);
    replay_->add(action, static_cast<float>(next.reward), 1.0f, next.newest_item());
    s.episode_return += next.reward;
    s.agent_steps += 1;
    s.env_steps += next.control_steps;
    s.ts = std::move(next);
    progress.update(s.env_steps, std::isnan(s.last_eval) ? "" : "last eval " + std::to_string(s.last_eval).substr(0, 7));
    phase_done("env");
  }
  save_checkpoint();
  progress.finish();
  std::cout << "curlrl: finished " << s.env_steps << " env steps; last evaluation return " << s.last_eval
            << "\n  logs:        " << (run_dir_ / "train.csv").string() << ", " << (run_dir_ / "eval.csv").string()
            << "\n  checkpoint:  " << (run_dir_ / "checkpoints").string() << std::endl;
  return 0;
}

}  // namespace curlrl::train
