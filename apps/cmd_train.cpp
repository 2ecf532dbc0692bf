// curlrl train: a new run, or the continuation of one (resume=RUN_DIR, or run_dir=PATH holding a checkpoint).
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <system_error>
#include <vector>

#include "apps/commands.h"
#include "core/settings.h"
#include "core/error.h"
#include "core/io.h"
#include "core/run_dir.h"
#include "core/schema.h"
#include "train/checkpoint.h"
#include "train/trainer.h"

namespace curlrl::apps {
namespace {
const config::Setting<std::string> kResume{"resume", "", "run directory to continue from its last checkpoint (empty: a new run)",
                                           {.command = "train", .resumable = true}};
const config::Setting<int64_t> kCheckpoint{
    "checkpoint", -1, "with resume: env_steps of the checkpoint to continue from (-1: the newest; see keep_checkpoints)",
    {.min = -1, .command = "train", .resumable = true}};
}  // namespace

namespace fs = std::filesystem;

namespace {

// The directories that creating `dir` (with its parents) would add, deepest first.
std::vector<fs::path> missing_dirs(const fs::path& dir) {
  std::vector<fs::path> out;
  for (fs::path p = dir; !p.empty() && !fs::exists(p); p = p.parent_path()) out.push_back(p);
  return out;
}

// The configuration of a run being resumed: its saved config.yaml plus this command line's key=value overrides of
// the keys a resume may change (KeySpec::resumable: budget, schedule, logging, resources). Any other key given with
// another value than the run's (a group choice, a size, a learning rate, the seed) is refused: the checkpoint was
// made with the run's values. Giving the run's own value again (re-running the same command) is fine.
config::Config resumed_config(const Invocation& inv, const fs::path& dir) {
  const fs::path saved = dir / "config.yaml";
  if (!fs::exists(saved)) throw Error(dir.string() + " is not a curlrl run directory (no config.yaml)");
  static const config::Schema schema = config::make_schema("train");
  config::Config c = config::Config::from_yaml_file(schema, saved.string());
  for (const auto& o : inv.overrides) {
    const std::string key = o.substr(0, o.find('='));
    if (key == "resume" || key == "run_dir") continue;
    if (config::is_group(key)) {
      if (inv.config.get(key + ".name") != c.get(key + ".name")) {
        throw ConfigError(o + ": a resumed run keeps its " + key + " (" + config::value_to_string(c.get(key + ".name")) +
                          "); start a new run instead");
      }
      continue;
    }
    const config::KeySpec* spec = schema.find(key);
    if (spec != nullptr && !spec->resumable && c.has(key) && inv.config.get(key) != c.get(key)) {
      std::vector<std::string> changeable;
      for (const auto& s : schema.keys()) {
        // (resume, run_dir, runs_root, checkpoint and init_weights say where things are, not what the run does)
        const bool place = s.key == "resume" || s.key == "run_dir" || s.key == "runs_root" || s.key == "checkpoint" ||
                           s.key == "agent.init_weights";
        if (s.resumable && !place) changeable.push_back(s.key);
      }
      throw ConfigError(o + ": a resumed run keeps its " + key + " (" + config::value_to_string(c.get(key)) +
                        "): its checkpoint was made with it; start a new run for another value (a resume may change " +
                        join(changeable, ", ") + ")");
    }
    c.set(key, inv.config.get(key));
  }
  c.set("run_dir", dir.string());
  c.set("resume", std::string());
  return c;
}

}  // namespace

int run_train(const Invocation& inv) {
  // 1. A new run or the continuation of one, and the run's configuration.
  const std::string wanted = kRunDir(inv.config);
  std::string resume = kResume(inv.config);
  if (resume.empty() && !wanted.empty() && train::latest_checkpoint(wanted)) {
    resume = wanted;  // starting in a run directory that has a checkpoint continues it
  }
  const bool resuming = !resume.empty();
  if (!resuming && kCheckpoint(inv.config) >= 0) {
    throw ConfigError("checkpoint=" + std::to_string(kCheckpoint(inv.config)) +
                      " chooses the checkpoint a resumed run continues from; it needs resume=RUN_DIR");
  }
  config::Config config = inv.config;
  if (resuming) {
    if (!train::latest_checkpoint(resume)) {
      throw Error("resume=" + resume + ": no checkpoint in " + resume + "/checkpoints");
    }
    config = resumed_config(inv, resume);
  }

  // 2. The run directory, set in the configuration. An automatic name is taken now with an atomic mkdir (two runs
  // started in the same second get two names) and given back below if the run cannot be built.
  fs::path dir;
  std::vector<fs::path> made;  // directories created here, deepest first
  if (resuming) {
    dir = resume;
  } else if (!wanted.empty()) {
    dir = wanted;
    if (fs::exists(dir / "config.yaml")) {
      throw Error("run_dir=" + wanted + " already holds a run without a checkpoint; choose another directory");
    }
  } else {
    const fs::path name = auto_run_dir(inv.config, std::chrono::system_clock::now());
    made = missing_dirs(name.parent_path());
    dir = create_unique_dir(name);
    made.insert(made.begin(), dir);
  }
  config.set("run_dir", dir.string());

  // 3. The trainer: every configuration error surfaces here, before anything of the run is written.
  train::install_stop_handlers();
  std::unique_ptr<train::Trainer> trainer;
  try {
    trainer = std::make_unique<train::Trainer>(config);
  } catch (...) {
    for (const auto& d : made) {
      std::error_code ec;
      fs::remove(d, ec);  // only removes a directory that is still empty
    }
    throw;
  }

  // 4. Continue from the latest checkpoint, or start: the run directory and its run files. The run's config.yaml
  // stays locked while this process trains, so a second `curlrl train` on the same run is refused, not interleaved.
  const auto lock_run = [&] {
    if (!lock_until_exit(dir / "config.yaml")) {
      throw Error("another curlrl process is training " + dir.string() +
                  " (its config.yaml is locked); wait for it to finish or stop it first");
    }
  };
  if (resuming) {
    lock_run();
    trainer->resume(kCheckpoint(config));
    note_resume(dir, inv.argv);
  } else {
    fs::create_directories(dir);
    write_run_files(dir, config, inv.overrides, inv.argv);
    lock_run();
    std::cout << "curlrl: training " << config.get_string("agent.name") << " on " << config.get_string("task.name")
              << " for " << config.get_int("env_steps") << " env steps; run directory " << dir.string() << std::endl;
  }

  // 5. Train.
  return trainer->run();
}

}  // namespace curlrl::apps
