// The config tests' small configuration (tests/core/small_config.h), written once per process into a temporary
// folder for the config fuzz targets.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/config.h"
#include "tests/core/small_config.h"

namespace curlrl::fuzz {

inline const config::Schema& small_schema() {
  static const config::Schema schema = testing::small_schema();
  return schema;
}

inline void write(const std::filesystem::path& path, const std::string& text) { testing::write_text(path, text); }

// The folder, created on first use: config.yaml and one file per choice.
inline const std::filesystem::path& small_config_dir() {
  static const std::filesystem::path dir = [] {
    const auto d = std::filesystem::temp_directory_path() / ("curlrl_fuzz_" + std::to_string(::getpid()));
    testing::write_small_config_files(d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(small_config_dir(), ec);
    });
    return d;
  }();
  return dir;
}

}  // namespace curlrl::fuzz
