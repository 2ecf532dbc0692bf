// curlrl train: a new run, or the continuation of one (resume=RUN_DIR, or run_dir=PATH holding a checkpoint).
#include <chrono>
#include <filesystem>
#include <iostream>

#include "apps/commands.h"
#include "core/settings.h"
#include "core/error.h"
#include "core/run_dir.h"
#include "core/schema.h"
#include "train/checkpoint.h"
#include "train/trainer.h"

namespace curlrl::apps {
namespace {
const config::Setting<std::string> kResume{"resume", "", "run directory to continue from its last checkpoint (empty: a new run)",
                                           {.command = "train"}};
}  // namespace

namespace fs = std::filesystem;

namespace {

// The configuration of a run being resumed: its saved config.yaml plus this command line's key=value overrides
// (so that, e.g., env_steps can be raised). Group choices cannot change on resume.
config::Config resumed_config(const Invocation& inv, const fs::path& dir) {
  const fs::path saved = dir / "config.yaml";
  if (!fs::exists(saved)) throw Error(dir.string() + " is not a curlrl run directory (no config.yaml)");
  static const config::Schema schema = config::make_schema("train");
  config::Config c = config::Config::from_yaml_file(schema, saved.string());
  for (const auto& o : inv.overrides) {
    const std::string key = o.substr(0, o.find('='));
    if (key == "resume" || key == "run_dir") continue;
    if (config::is_group(key)) {
      // Repeating the run's own choice (re-running the same command) is fine; changing it is not.
      if (inv.config.get(key + ".name") != c.get(key + ".name")) {
        throw ConfigError(o + ": a resumed run keeps its " + key + " (" + config::value_to_string(c.get(key + ".name")) +
                          "); start a new run instead");
      }
      continue;
    }
    c.set(key, inv.config.get(key));
  }
  c.set("run_dir", dir.string());
  c.set("resume", std::string());
  return c;
}

}  // namespace

int run_train(const Invocation& inv) {
  fs::path dir;
  std::string resume = kResume(inv.config);
  if (resume.empty() && !kRunDir(inv.config).empty() &&
      train::latest_checkpoint(kRunDir(inv.config))) {
    resume = kRunDir(inv.config);  // starting in a run directory that has a checkpoint continues it
  }
  config::Config config = inv.config;
  if (!resume.empty()) {
    dir = resume;
    if (!train::latest_checkpoint(dir)) throw Error("resume=" + resume + ": no checkpoint found in " + resume + "/checkpoints");
    config = resumed_config(inv, dir);
  }

  // Everything is built (and the configuration checked) before the run directory is written.
  train::install_stop_handlers();
  const std::string wanted = kRunDir(inv.config);
  if (resume.empty()) {
    dir = wanted.empty() ? auto_run_dir(inv.config, std::chrono::system_clock::now()) : fs::path(wanted);
    if (!wanted.empty() && fs::exists(dir / "config.yaml")) {
      throw Error("run_dir=" + wanted + " already holds a run without a checkpoint; choose another directory");
    }
  }
  train::Trainer trainer(config, dir);
  if (!trainer.resumed()) {
    if (wanted.empty()) dir = create_unique_dir(dir);  // a fresh name even if another run started this second
    fs::create_directories(dir);
    config.set("run_dir", dir.string());
    trainer.set_run_dir(dir);
    write_run_files(dir, config, inv.overrides, inv.argv);
    std::cout << "curlrl: training " << config.get_string("agent.name") << " on " << config.get_string("task.name")
              << " for " << config.get_int("env_steps") << " env steps; run directory " << dir.string() << std::endl;
  }
  return trainer.run();
}

}  // namespace curlrl::apps
