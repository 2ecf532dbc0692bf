// File helpers that never leave a half-written file behind.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace curlrl {

// Writes `path` atomically: `write` fills a temporary file beside it, which is flushed, synced and renamed over
// `path`. If anything fails, the previous file (if any) is untouched and the temporary file removed.
void write_file_atomic(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);
void write_file_atomic(const std::filesystem::path& path, const std::string& contents);

std::string read_file(const std::filesystem::path& path);

// Takes an exclusive advisory lock (flock) on the existing file `path`, held until the process exits; returns false
// when another process holds it. (`curlrl train` locks its run's config.yaml: two processes never train one run.)
bool lock_until_exit(const std::filesystem::path& path);

// Quotes a command-line argument for a POSIX shell only when it needs it.
std::string shell_quote(const std::string& arg);

// The items separated by `sep` ("a, b, c").
std::string join(const std::vector<std::string>& items, const std::string& sep);

}  // namespace curlrl
