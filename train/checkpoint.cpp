#include "train/checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <vector>

#include "core/checksum.h"
#include "core/error.h"
#include "core/io.h"
#include "core/manifest.h"

namespace curlrl::train {
namespace {

// A file of the checkpoint does not match its manifest (as opposed to a checkpoint of another run).
class DamagedCheckpoint : public Error {
 public:
  using Error::Error;
};

// One line per value: a newline inside a value (a YAML string could hold one) is written as \n.
std::string one_line(std::string value) {
  for (size_t at = value.find('\n'); at != std::string::npos; at = value.find('\n', at + 2)) value.replace(at, 1, "\\n");
  return value;
}

// The keys in the order a difference is best reported: the group choices first (they explain the rest).
std::vector<std::string> report_order(const std::map<std::string, std::string>& a,
                                      const std::map<std::string, std::string>& b) {
  std::vector<std::string> keys;
  for (const auto& entry : a) keys.push_back(entry.first);
  for (const auto& entry : b) {
    if (!a.count(entry.first)) keys.push_back(entry.first);
  }
  const auto is_choice = [](const std::string& k) { return k.size() > 5 && k.compare(k.size() - 5, 5, ".name") == 0; };
  std::stable_sort(keys.begin(), keys.end(), [&](const std::string& x, const std::string& y) {
    return is_choice(x) != is_choice(y) ? is_choice(x) : x < y;
  });
  return keys;
}

void check_fingerprint(const fs::path& folder, const std::map<std::string, std::string>& recorded,
                       const config::Config& config) {
  const auto current = run_fingerprint(config);
  const std::string fix = " (a checkpoint only continues the run that wrote it: resume that run, or start a new one)";
  for (const auto& key : report_order(recorded, current)) {
    const auto r = recorded.find(key);
    const auto c = current.find(key);
    if (r != recorded.end() && c != current.end()) {
      if (r->second == c->second) continue;
      throw Error("checkpoint " + folder.string() + " belongs to another run: it was written with " + key + "=" +
                  r->second + ", this run has " + key + "=" + c->second + fix);
    }
    if (r != recorded.end()) {
      throw Error("checkpoint " + folder.string() + " belongs to another run: it was written with " + key + "=" +
                  r->second + ", a key this run does not have" + fix);
    }
    // A key the checkpoint does not record (added to curlrl after it was written) is accepted at its default.
    const auto* spec = config.schema().find(key);
    if (spec != nullptr && spec->fallback && one_line(config::value_to_string(*spec->fallback)) == c->second) continue;
    throw Error("checkpoint " + folder.string() + " does not record " + key + ", and this run sets it to " +
                c->second + fix);
  }
}

}  // namespace

int64_t folder_env_steps(const fs::path& folder) {
  const std::string name = folder.filename().string();
  const std::string prefix = "env_steps_";
  if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size() || name.size() > prefix.size() + 18) return -1;
  int64_t n = 0;
  for (size_t i = prefix.size(); i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    n = n * 10 + (name[i] - '0');
  }
  return n;
}

namespace {
// An older checkpoint of keep_checkpoints=all without its replay buffer: the manifest without the file is written
// first (atomically), then the file goes, so a crash in between leaves a consistent checkpoint with an extra file.
void drop_replay(const fs::path& folder) {
  const fs::path replay = folder / "replay.bin";
  const fs::path manifest_file = folder / "manifest.txt";
  std::error_code ec;
  if (!fs::exists(replay, ec) || !fs::exists(manifest_file, ec)) return;
  Manifest manifest = parse_manifest(read_file(manifest_file), manifest_file.string());
  const auto it = std::find_if(manifest.files.begin(), manifest.files.end(),
                               [](const auto& f) { return f.name == "replay.bin"; });
  if (it != manifest.files.end()) {
    manifest.files.erase(it);
    write_file_atomic(manifest_file, format_manifest(manifest));
  }
  fs::remove(replay, ec);
}
}  // namespace

std::map<std::string, std::string> run_fingerprint(const config::Config& config) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : config.values()) {
    const auto* spec = config.schema().find(key);
    if (spec != nullptr && spec->resumable) continue;
    out[key] = one_line(config::value_to_string(value));
  }
  return out;
}

fs::path write_checkpoint(const fs::path& run_dir, int64_t env_steps, const CheckpointWriters& writers,
                          const std::map<std::string, std::string>& fingerprint, int64_t keep) {
  const fs::path root = run_dir / "checkpoints";
  fs::create_directories(root);
  const fs::path final_dir = root / ("env_steps_" + std::to_string(env_steps));
  const fs::path tmp = root / (".tmp_env_steps_" + std::to_string(env_steps) + "_" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  try {
    Manifest manifest;
    manifest.config = fingerprint;
    for (const auto& [name, write] : writers) {
      write(tmp / name);
      manifest.files.push_back({name, fs::file_size(tmp / name), crc32c_file(tmp / name)});
    }
    write_file_atomic(tmp / "manifest.txt", format_manifest(manifest));
    ::sync();
    if (fs::exists(final_dir)) fs::remove_all(final_dir);
    fs::rename(tmp, final_dir);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw;
  }
  // The new checkpoint is complete: the older ones beyond `keep` (and leftovers of interrupted writes) can go.
  int64_t kept = 1;
  for (const auto& folder : checkpoint_folders(run_dir)) {
    if (folder_env_steps(folder) >= env_steps) continue;
    if (keep == kKeepAllCheckpoints) {
      drop_replay(folder);
      continue;
    }
    if (kept < keep) {
      ++kept;
      continue;
    }
    std::error_code ec;
    fs::remove_all(folder, ec);
  }
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.path().filename().string().rfind(".tmp_", 0) == 0) {
      std::error_code ec;
      fs::remove_all(entry.path(), ec);
    }
  }
  return final_dir;
}

std::vector<fs::path> checkpoint_folders(const fs::path& run_dir) {
  const fs::path root = run_dir / "checkpoints";
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return out;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory(ec) && folder_env_steps(entry.path()) >= 0) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end(),
            [](const fs::path& a, const fs::path& b) { return folder_env_steps(a) > folder_env_steps(b); });
  return out;
}

std::optional<fs::path> latest_checkpoint(const fs::path& run_dir) {
  const auto folders = checkpoint_folders(run_dir);
  if (folders.empty()) return std::nullopt;
  return folders.front();
}

void verify_checkpoint(const fs::path& folder, const config::Config& config) {
  const fs::path manifest_file = folder / "manifest.txt";
  if (!fs::exists(manifest_file)) {
    throw DamagedCheckpoint("checkpoint " + folder.string() +
                            " has no manifest.txt: it is incomplete or damaged (a finished checkpoint always has one)");
  }
  Manifest manifest;
  try {
    manifest = parse_manifest(read_file(manifest_file), manifest_file.string());
  } catch (const Error& e) {
    throw DamagedCheckpoint(e.what());
  }
  for (const auto& f : manifest.files) {
    const fs::path file = folder / f.name;
    std::error_code ec;
    const uintmax_t size = fs::file_size(file, ec);
    if (ec) throw DamagedCheckpoint("checkpoint file missing: " + file.string());
    if (size != f.size) {
      throw DamagedCheckpoint("checkpoint file " + file.string() + " is truncated or altered (" + std::to_string(size) +
                              " bytes, the manifest says " + std::to_string(f.size) + ")");
    }
    if (f.crc32c) {
      const uint32_t crc = crc32c_file(file);
      if (crc != *f.crc32c) {
        throw DamagedCheckpoint("checkpoint file " + file.string() + " is damaged: its CRC-32C is " + hex32(crc) +
                                ", the manifest says " + hex32(*f.crc32c));
      }
    }
  }
  if (manifest.version >= 2) check_fingerprint(folder, manifest.config, config);
}

fs::path usable_checkpoint(const fs::path& run_dir, int64_t env_steps, const config::Config& config) {
  const auto folders = checkpoint_folders(run_dir);
  if (folders.empty()) throw Error(run_dir.string() + " has no checkpoint (nothing in " + (run_dir / "checkpoints").string() + ")");
  auto chosen = folders.begin();
  if (env_steps >= 0) {
    chosen = std::find_if(folders.begin(), folders.end(),
                          [&](const fs::path& f) { return folder_env_steps(f) == env_steps; });
    if (chosen == folders.end()) {
      std::vector<std::string> kept;
      for (const auto& f : folders) kept.push_back(std::to_string(folder_env_steps(f)));
      throw Error(run_dir.string() + " has no checkpoint at env_steps=" + std::to_string(env_steps) +
                  " (it has: " + join(kept, ", ") + ")");
    }
  }
  try {
    verify_checkpoint(*chosen, config);
  } catch (const DamagedCheckpoint& e) {
    for (auto earlier = std::next(chosen); earlier != folders.end(); ++earlier) {
      try {
        verify_checkpoint(*earlier, config);
      } catch (const Error&) {
        continue;
      }
      throw Error(std::string(e.what()) + "; the earlier checkpoint at env_steps=" +
                  std::to_string(folder_env_steps(*earlier)) + " is intact: continue from it with checkpoint=" +
                  std::to_string(folder_env_steps(*earlier)));
    }
    throw Error(std::string(e.what()) + "; no earlier intact checkpoint is kept (keep_checkpoints=N keeps N)");
  }
  return *chosen;
}

std::vector<fs::path> set_aside_newer(const fs::path& run_dir, const fs::path& kept) {
  const int64_t steps = folder_env_steps(kept);
  std::vector<fs::path> moved;
  for (const auto& folder : checkpoint_folders(run_dir)) {
    if (folder_env_steps(folder) <= steps) continue;
    const fs::path aside = run_dir / "checkpoints" / "set_aside";
    fs::create_directories(aside);
    fs::path target = aside / folder.filename();
    for (int i = 2; fs::exists(target); ++i) target = aside / (folder.filename().string() + "_" + std::to_string(i));
    fs::rename(folder, target);
    moved.push_back(target);
  }
  return moved;
}

}  // namespace curlrl::train
