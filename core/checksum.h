// CRC-32C (Castagnoli, the checksum of iSCSI, ext4 and SSE4.2's crc32 instruction) of memory and of files: what a
// checkpoint's manifest records of each file, so that damage that keeps a file's size is still found.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace curlrl {

// Continues `crc` (0 to start) over `size` bytes; crc32c("123456789") = 0xe3069283. Uses the CPU's crc32
// instruction where there is one (x86-64 with SSE4.2), a table otherwise; both give the same value.
uint32_t crc32c(uint32_t crc, const void* data, size_t size);
inline uint32_t crc32c(const std::string& bytes) { return crc32c(0, bytes.data(), bytes.size()); }

// The CRC-32C of a whole file, read in large blocks; a file that cannot be read is a curlrl::Error naming it.
uint32_t crc32c_file(const std::filesystem::path& path);

// Eight lowercase hex digits.
std::string hex32(uint32_t value);

namespace internal {
// The table-driven version on its own (the tests compare both paths).
uint32_t crc32c_portable(uint32_t crc, const void* data, size_t size);
}  // namespace internal

}  // namespace curlrl
