// Helpers shared by the tests: temporary directories, the project's configuration, and running the curlrl program.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/schema.h"

namespace curlrl::testing {

// A fresh directory under the system temp dir, removed when the object goes.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("curlrl_test_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs a shell command, capturing stdout and stderr separately.
inline CommandResult run_command(const std::string& command) {
  TempDir tmp;
  const std::string full = command + " >" + (tmp / "out").string() + " 2>" + (tmp / "err").string();
  const int status = std::system(full.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_text(tmp / "out");
  r.err = read_text(tmp / "err");
  return r;
}

// The project's configuration (configs/ and every setting's default) composed with `overrides`, as
// `curlrl train key=value ...` resolves it.
inline config::Config project_config(const std::vector<std::string>& overrides = {}) {
  static const config::Schema schema = config::make_schema("train");
  return config::compose(schema, config::default_config_dir(), overrides).config;
}

#ifdef CURLRL_BINARY
inline std::string curlrl_binary() { return CURLRL_BINARY; }
// The shell command that runs curlrl with `args`.
inline std::string curlrl_command(const std::string& args) { return curlrl_binary() + " " + args; }
#endif

}  // namespace curlrl::testing
