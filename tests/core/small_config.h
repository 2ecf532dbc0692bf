// A small schema and config folder, independent of the project's configs/: every value type, two or three choices
// per group, group files that choose other groups. Used by the config tests and the config fuzz targets.
#pragma once

#include <filesystem>
#include <string>

#include "core/config.h"
#include "tests/test_util.h"

namespace curlrl::testing {

inline config::Schema small_schema() {
  config::Schema s;
  s.add_int("seed", "seed", 0);
  s.add_float("lr", "learning rate", 0);
  s.add_bool("flag", "a switch");
  s.add_string("task.name", "task");
  s.add_int("task.repeat", "repeat", 1, 100);
  s.add_string("agent.name", "agent");
  s.add_int("agent.batch_size", "batch", 1);
  s.add_string("agent.mode", "mode", {"fast", "exact"});
  s.add_list("augment.name", "augmentations");
  s.add_int("augment.size", "crop size", 1);
  s.add_string("out", "output");
  s.fallback("out", std::string("default.csv"));
  return s;
}

inline void write_small_config_files(const std::filesystem::path& dir) {
  write_text(dir / "config.yaml",
             "defaults:\n  - agent: a\n  - augment: crop\n  - task: t1\nseed: 1\nlr: 0.001\nflag: false\n");
  write_text(dir / "agent/a.yaml", "agent:\n  batch_size: 512\n  mode: exact\n");
  write_text(dir / "agent/b.yaml", "defaults:\n  - augment: none\nagent:\n  batch_size: 64\n  mode: fast\n");
  write_text(dir / "augment/crop.yaml", "augment:\n  size: 84\n");
  write_text(dir / "augment/cutout.yaml", "augment:\n  size: 80\n");
  write_text(dir / "augment/none.yaml", "augment:\n  size: 100\n");
  write_text(dir / "task/t1.yaml", "task:\n  repeat: 8\n");
  write_text(dir / "task/t2.yaml", "task:\n  repeat: 2\nagent:\n  batch_size: 256\n");
}

}  // namespace curlrl::testing
