// Checkpoints: everything a run needs to continue exactly where it stopped, written atomically.
//
// Layout: <run_dir>/checkpoints/env_steps_<N>/ holding
//   agent.pt     networks, optimiser states, temperature (LibTorch archive)
//   state.pt     counters, the episode's running sums, every random generator's state
//   env.bin      the training environment's episode state (physics, frame stack, episode generator)
//   replay.bin   the replay buffer (unless save_replay=false)
//   manifest.txt names and sizes of the files above; written last
// The folder is filled under a temporary name and renamed into place, so a crash mid-write leaves the previous
// checkpoint as the latest; older checkpoints are removed after a new one is complete.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace curlrl::train {

namespace fs = std::filesystem;

// Files to write: name -> writer into a path.
using CheckpointWriters = std::map<std::string, std::function<void(const fs::path&)>>;

// Writes a checkpoint for `env_steps` under `run_dir`/checkpoints; returns its folder.
fs::path write_checkpoint(const fs::path& run_dir, int64_t env_steps, const CheckpointWriters& writers);

// The newest complete checkpoint folder under `run_dir`, if any.
std::optional<fs::path> latest_checkpoint(const fs::path& run_dir);

// Checks a checkpoint folder against its manifest (every file present with its recorded size); throws
// curlrl::Error naming the problem for a truncated, missing or foreign checkpoint.
void verify_checkpoint(const fs::path& folder);

}  // namespace curlrl::train
