#include "train/checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/error.h"
#include "core/io.h"

namespace curlrl::train {
namespace {

constexpr const char* kManifestHeader = "curlrl checkpoint v1";

int64_t steps_of(const fs::path& folder) {
  const std::string name = folder.filename().string();
  const std::string prefix = "env_steps_";
  if (name.rfind(prefix, 0) != 0) return -1;
  try {
    size_t used = 0;
    const int64_t n = std::stoll(name.substr(prefix.size()), &used);
    return used == name.size() - prefix.size() ? n : -1;
  } catch (...) {
    return -1;
  }
}

}  // namespace

fs::path write_checkpoint(const fs::path& run_dir, int64_t env_steps, const CheckpointWriters& writers) {
  const fs::path root = run_dir / "checkpoints";
  fs::create_directories(root);
  const fs::path final_dir = root / ("env_steps_" + std::to_string(env_steps));
  const fs::path tmp = root / (".tmp_env_steps_" + std::to_string(env_steps) + "_" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  try {
    std::string manifest = std::string(kManifestHeader) + "\n";
    for (const auto& [name, write] : writers) {
      write(tmp / name);
      manifest += name + " " + std::to_string(fs::file_size(tmp / name)) + "\n";
    }
    write_file_atomic(tmp / "manifest.txt", manifest);
    ::sync();
    if (fs::exists(final_dir)) fs::remove_all(final_dir);
    fs::rename(tmp, final_dir);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw;
  }
  // The new checkpoint is complete: older ones (and leftovers of interrupted writes) can go.
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.path() == final_dir) continue;
    const bool stale_tmp = entry.path().filename().string().rfind(".tmp_", 0) == 0;
    const int64_t n = steps_of(entry.path());
    if (stale_tmp || (n >= 0 && n < env_steps)) {
      std::error_code ec;
      fs::remove_all(entry.path(), ec);
    }
  }
  return final_dir;
}

std::optional<fs::path> latest_checkpoint(const fs::path& run_dir) {
  const fs::path root = run_dir / "checkpoints";
  if (!fs::is_directory(root)) return std::nullopt;
  std::optional<fs::path> best;
  int64_t best_n = -1;
  for (const auto& entry : fs::directory_iterator(root)) {
    const int64_t n = steps_of(entry.path());
    if (n > best_n && fs::exists(entry.path() / "manifest.txt")) best_n = n, best = entry.path();
  }
  return best;
}

void verify_checkpoint(const fs::path& folder) {
  const fs::path manifest = folder / "manifest.txt";
  if (!fs::exists(manifest)) throw Error(folder.string() + ": not a curlrl checkpoint (no manifest.txt)");
  std::istringstream in(read_file(manifest));
  std::string header;
  std::getline(in, header);
  if (header != kManifestHeader) throw Error(manifest.string() + ": not a curlrl checkpoint manifest");
  std::string name;
  uintmax_t size = 0;
  while (in >> name >> size) {
    const fs::path file = folder / name;
    if (!fs::exists(file)) throw Error("checkpoint file missing: " + file.string());
    if (fs::file_size(file) != size) {
      throw Error("checkpoint file " + file.string() + " is truncated or altered (" +
                  std::to_string(fs::file_size(file)) + " bytes, expected " + std::to_string(size) + ")");
    }
  }
}

}  // namespace curlrl::train
