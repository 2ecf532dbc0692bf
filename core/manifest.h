// The manifest of a checkpoint (train/checkpoint.h): what it holds and what it belongs to, as text.
//
//   curlrl checkpoint v2
//   file agent.pt 1234567 crc32c=0a1b2c3d        every file: name, size in bytes, CRC-32C of its contents
//   config agent.hidden_dim=1024                 the run's fingerprint: every key that fixes the tensors' shapes
//   ...                                          and meaning (core/settings.h: all but the keys a resume may change)
//   end crc32c=4e5f6071                          the CRC-32C of everything above, so the manifest checks itself
//
// Torch-free, so that its reader can be fuzzed on its own. Version 1 manifests (names and sizes only, no
// fingerprint) are still read.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace curlrl {

struct ManifestFile {
  std::string name;
  uint64_t size = 0;
  std::optional<uint32_t> crc32c;  // absent in version 1
  bool operator==(const ManifestFile&) const = default;
};

struct Manifest {
  int version = 2;
  std::vector<ManifestFile> files;
  std::map<std::string, std::string> config;  // key -> value as value_to_string writes it (empty in version 1)
  bool operator==(const Manifest&) const = default;
};

// The text of a version 2 manifest.
std::string format_manifest(const Manifest& manifest);

// Reads a manifest; anything malformed (unknown header or line, a bad number, a file name that is not a plain
// name, a duplicate, a missing or wrong end line) is a curlrl::Error starting with `where`.
Manifest parse_manifest(const std::string& text, const std::string& where);

}  // namespace curlrl
