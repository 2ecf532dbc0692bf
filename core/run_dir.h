// The run directory: runs/<task>/<agent>/<YYYY-MM-DD_HH-MM-SS>_s<seed>/ (or run_dir=PATH), holding the resolved
// config.yaml, overrides.yaml, command.txt and info.txt before training starts, then logs, checkpoints and videos.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/settings.h"

namespace curlrl {

// run_dir=PATH (empty: the automatic name below).
extern const config::Setting<std::string> kRunDir;

// The automatic name for a run started at `when`: <root>/<task>/<agent>/<YYYY-MM-DD_HH-MM-SS>_s<seed>.
std::filesystem::path auto_run_dir(const config::Config& config, std::chrono::system_clock::time_point when);

// Creates a fresh directory at `wanted`; if it exists already, at `wanted`_1, `wanted`_2, ... (mkdir is atomic, so
// two runs started in the same second never share a directory). Returns the directory created.
std::filesystem::path create_unique_dir(const std::filesystem::path& wanted);

// Writes config.yaml, overrides.yaml, command.txt and info.txt into `dir` (each atomically). info.txt says how the
// run was made: "command:", "commit:" (core/build_info.h), "machine:", "libtorch:" and "date:" lines.
void write_run_files(const std::filesystem::path& dir, const config::Config& config,
                     const std::vector<std::string>& overrides, const std::vector<std::string>& argv);

// Appends a "resumed: <date> with commit <c> on <machine>: <command>" line to the run's info.txt (atomically).
void note_resume(const std::filesystem::path& dir, const std::vector<std::string>& argv);

}  // namespace curlrl
