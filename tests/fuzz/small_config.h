// The small configuration the config fuzz targets compose: a schema of every value type and a config folder with
// two choices per group, written once per process into a temporary folder.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/config.h"

namespace curlrl::fuzz {

inline const config::Schema& small_schema() {
  static const config::Schema schema = [] {
    config::Schema s;
    s.add_int("seed", "seed", 0, 4294967295.0);
    s.add_float("lr", "learning rate", 0);
    s.add_bool("flag", "a switch");
    s.add_string("task.name", "task", {"t1", "t2"});
    s.add_int("task.repeat", "repeat", 1, 100);
    s.add_string("agent.name", "agent", {"a", "b"});
    s.add_int("agent.batch_size", "batch", 1);
    s.add_string("agent.mode", "mode", {"fast", "exact"});
    s.add_list("augment.name", "augmentations", {"crop", "none"});
    s.add_int("augment.size", "crop size", 1);
    s.add_string("encoder.name", "encoder");
    s.add_string("out", "output");
    s.fallback("out", std::string("default.csv"));
    return s;
  }();
  return schema;
}

inline void write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// The folder, created on first use: config.yaml and one file per choice.
inline const std::filesystem::path& small_config_dir() {
  static const std::filesystem::path dir = [] {
    const auto d = std::filesystem::temp_directory_path() / ("curlrl_fuzz_" + std::to_string(::getpid()));
    write(d / "config.yaml", "defaults:\n  - agent: a\n  - augment: crop\n  - task: t1\nseed: 1\nlr: 0.001\n");
    write(d / "agent/a.yaml", "agent:\n  batch_size: 512\n  mode: exact\n");
    write(d / "agent/b.yaml", "defaults:\n  - augment: none\nagent:\n  batch_size: 64\n");
    write(d / "augment/crop.yaml", "augment:\n  size: 84\n");
    write(d / "augment/none.yaml", "augment:\n  size: 100\n");
    write(d / "task/t1.yaml", "task:\n  repeat: 8\n");
    write(d / "task/t2.yaml", "task:\n  repeat: 2\n");
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(small_config_dir(), ec);
    });
    return d;
  }();
  return dir;
}

}  // namespace curlrl::fuzz
