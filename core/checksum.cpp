#include "core/checksum.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

#include "core/error.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace curlrl {
namespace {

constexpr uint32_t kPolynomial = 0x82f63b78;  // the Castagnoli polynomial, bit-reversed

// tables[k][b]: the CRC of byte b followed by k zero bytes (slicing by 8: eight bytes per step).
using Tables = std::array<std::array<uint32_t, 256>, 8>;

const Tables& tables() {
  static const Tables t = [] {
    Tables out{};
    for (uint32_t b = 0; b < 256; ++b) {
      uint32_t c = b;
      for (int i = 0; i < 8; ++i) c = (c >> 1) ^ ((c & 1u) ? kPolynomial : 0u);
      out[0][b] = c;
    }
    for (int k = 1; k < 8; ++k) {
      for (uint32_t b = 0; b < 256; ++b) out[k][b] = (out[k - 1][b] >> 8) ^ out[0][out[k - 1][b] & 0xffu];
    }
    return out;
  }();
  return t;
}

uint32_t portable_update(uint32_t c, const unsigned char* p, size_t n) {
  const Tables& t = tables();
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);  // little-endian: the first byte in the low bits
    word ^= c;
    c = t[7][word & 0xff] ^ t[6][(word >> 8) & 0xff] ^ t[5][(word >> 16) & 0xff] ^ t[4][(word >> 24) & 0xff] ^
        t[3][(word >> 32) & 0xff] ^ t[2][(word >> 40) & 0xff] ^ t[1][(word >> 48) & 0xff] ^ t[0][word >> 56];
  }
  for (; n > 0; --n, ++p) c = (c >> 8) ^ t[0][(c ^ *p) & 0xffu];
  return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t hardware_update(uint32_t c, const unsigned char* p, size_t n) {
  uint64_t c64 = c;
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    c64 = _mm_crc32_u64(c64, word);
  }
  c = static_cast<uint32_t>(c64);
  for (; n > 0; --n, ++p) c = _mm_crc32_u8(c, *p);
  return c;
}

bool has_hardware_crc() {
  static const bool yes = __builtin_cpu_supports("sse4.2");
  return yes;
}
#endif

}  // namespace

namespace internal {
uint32_t crc32c_portable(uint32_t crc, const void* data, size_t size) {
  return ~portable_update(~crc, static_cast<const unsigned char*>(data), size);
}
}  // namespace internal

uint32_t crc32c(uint32_t crc, const void* data, size_t size) {
#if defined(__x86_64__)
  if (has_hardware_crc()) return ~hardware_update(~crc, static_cast<const unsigned char*>(data), size);
#endif
  return internal::crc32c_portable(crc, data, size);
}

uint32_t crc32c_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw Error("cannot read " + path.string() + ": " + std::strerror(errno));
  constexpr size_t kBlock = size_t{1} << 22;
  const std::unique_ptr<unsigned char[]> buffer(new unsigned char[kBlock]);
  uint32_t crc = 0;
  for (;;) {
    const ssize_t got = ::read(fd, buffer.get(), kBlock);
    if (got < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      throw Error("cannot read " + path.string() + ": " + std::strerror(err));
    }
    if (got == 0) break;
    crc = crc32c(crc, buffer.get(), static_cast<size_t>(got));
  }
  ::close(fd);
  return crc;
}

std::string hex32(uint32_t value) {
  static const char* digits = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, value >>= 4) out[static_cast<size_t>(i)] = digits[value & 0xfu];
  return out;
}

}  // namespace curlrl
