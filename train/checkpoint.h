// Checkpoints: everything a run needs to continue exactly where it stopped, written atomically, verified by content.
//
// Layout: <run_dir>/checkpoints/env_steps_<N>/ holding
//   agent.pt     networks, optimiser states, temperature (LibTorch archive)
//   state.pt     counters, the episode's running sums, every random generator's state
//   env.bin      the training environment's episode state (physics, frame stack, episode generator)
//   replay.bin   the replay buffer (unless save_replay=false)
//   manifest.txt every file's size and CRC-32C, and the run's fingerprint (core/manifest.h); written last
// The folder is filled under a temporary name and renamed into place, so a crash mid-write leaves the previous
// checkpoint as the latest; once a new one is complete, the older ones beyond keep_checkpoints are removed.
//
// A checkpoint is used only after its files match the manifest (size and CRC-32C) and its fingerprint matches the
// run's configuration: a damaged checkpoint or one copied from another run is refused with one line naming the file
// or the key. A damaged checkpoint is never deleted or replaced by the code that finds it.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"

namespace curlrl::train {

namespace fs = std::filesystem;

// Files to write: name -> writer into a path.
using CheckpointWriters = std::map<std::string, std::function<void(const fs::path&)>>;

// The run's fingerprint: every key of `config` that a resume may not change (config::KeySpec::resumable), with its
// value as text. It fixes the shapes and meaning of what a checkpoint holds (task, agent, encoder and their sizes,
// observation kind, seed, ...).
std::map<std::string, std::string> run_fingerprint(const config::Config& config);

// `keep` of write_checkpoint for keep_checkpoints=all.
constexpr int64_t kKeepAllCheckpoints = 0;

// Writes a checkpoint for `env_steps` under `run_dir`/checkpoints with `fingerprint` in its manifest, then removes
// complete checkpoints older than the newest `keep`; returns its folder. With kKeepAllCheckpoints every checkpoint
// stays, and the older ones lose their replay.bin (the manifest is rewritten without it first): their networks
// remain for evaluation and interpretation, the newest alone can resume.
fs::path write_checkpoint(const fs::path& run_dir, int64_t env_steps, const CheckpointWriters& writers,
                          const std::map<std::string, std::string>& fingerprint, int64_t keep = 1);

// The checkpoint folders under `run_dir` (complete or not), newest first.
std::vector<fs::path> checkpoint_folders(const fs::path& run_dir);
// The newest checkpoint folder, if any.
std::optional<fs::path> latest_checkpoint(const fs::path& run_dir);
// The env_steps a checkpoint folder is named for (-1 for a name that is not env_steps_<N>).
int64_t folder_env_steps(const fs::path& folder);

// Checks a checkpoint folder: its manifest, every file's size and CRC-32C, and (for a version 2 manifest) that its
// fingerprint matches `config`'s. Throws curlrl::Error naming the damaged file or the differing key.
void verify_checkpoint(const fs::path& folder, const config::Config& config);

// The checkpoint of `run_dir` to use: the one written at `env_steps` (-1: the newest), verified against `config`.
// When it is damaged, the error says which earlier complete checkpoint could be used instead (`checkpoint=N`).
fs::path usable_checkpoint(const fs::path& run_dir, int64_t env_steps, const config::Config& config);

// Moves the checkpoints newer than `kept` into checkpoints/set_aside/ (a run continued from an earlier checkpoint
// writes its own later ones; the old ones are kept for inspection, not deleted). Returns the new places.
std::vector<fs::path> set_aside_newer(const fs::path& run_dir, const fs::path& kept);

}  // namespace curlrl::train
