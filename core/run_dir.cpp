#include "core/run_dir.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/build_info.h"
#include "core/error.h"
#include "core/io.h"
#include "core/settings.h"

namespace fs = std::filesystem;

namespace curlrl {

const config::Setting<std::string> kRunDir{"run_dir", "",
                                           "this run's directory; empty: <runs_root>/<task>/<agent>/<date>_<time>_s<seed>",
                                           {.resumable = true}};
namespace {
const config::Setting<std::string> kRunsRoot{"runs_root", "runs", "parent folder of automatically named run directories",
                                              {.resumable = true}};

std::string command_line(const std::vector<std::string>& argv) {
  std::string cmd;
  for (size_t i = 0; i < argv.size(); ++i) cmd += (i ? " " : "") + shell_quote(argv[i]);
  return cmd;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}
}  // namespace

fs::path auto_run_dir(const config::Config& config, std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm local{};
  localtime_r(&t, &local);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%d_%H-%M-%S", &local);
  return fs::path(kRunsRoot(config)) / config.get_string("task.name") /
         config.get_string("agent.name") / (std::string(stamp) + "_s" + std::to_string(config.get_int("seed")));
}

fs::path create_unique_dir(const fs::path& wanted) {
  if (!wanted.parent_path().empty()) fs::create_directories(wanted.parent_path());
  for (int i = 0; i < 100000; ++i) {
    const fs::path candidate = i == 0 ? wanted : fs::path(wanted.string() + "_" + std::to_string(i));
    if (::mkdir(candidate.c_str(), 0755) == 0) return candidate;
    if (errno != EEXIST) throw Error("cannot create run directory " + candidate.string() + ": " + std::strerror(errno));
  }
  throw Error("cannot find a free run directory name near " + wanted.string());
}

void write_run_files(const fs::path& dir, const config::Config& config, const std::vector<std::string>& overrides,
                     const std::vector<std::string>& argv) {
  write_file_atomic(dir / "config.yaml", config.to_yaml());
  YAML::Emitter ov;
  ov << YAML::BeginSeq;
  for (const auto& o : overrides) ov << YAML::DoubleQuoted << o;
  ov << YAML::EndSeq;
  write_file_atomic(dir / "overrides.yaml", std::string(ov.c_str()) + "\n");
  const std::string cmd = command_line(argv);
  write_file_atomic(dir / "command.txt", cmd + "\n");
  write_file_atomic(dir / "info.txt", "command: " + cmd + "\ncommit: " + kBuildCommit + "\nmachine: " +
                                          machine_description() + "\nlibtorch: " + kLibTorchVersion +
                                          "\ndate: " + utc_now() + "\n");
}

void note_resume(const fs::path& dir, const std::vector<std::string>& argv) {
  const fs::path info = dir / "info.txt";
  std::string text = fs::exists(info) ? read_file(info) : std::string();
  text += "resumed: " + utc_now() + " with commit " + kBuildCommit + " on " + machine_description() + ": " +
          command_line(argv) + "\n";
  write_file_atomic(info, text);
}

}  // namespace curlrl
