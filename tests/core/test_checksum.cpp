#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/checksum.h"
#include "core/error.h"
#include "tests/test_util.h"

namespace curlrl {
namespace {

// The definition, one bit at a time: reflected CRC with polynomial 0x1EDC6F41 (0x82F63B78 reversed), initial value
// and final xor 0xFFFFFFFF.
uint32_t crc32c_bitwise(const std::string& bytes) {
  uint32_t c = 0xffffffffu;
  for (const unsigned char b : bytes) {
    c ^= b;
    for (int i = 0; i < 8; ++i) c = (c >> 1) ^ ((c & 1u) ? 0x82f63b78u : 0u);
  }
  return ~c;
}

TEST(Checksum, PublishedCheckValues) {
  // The catalogue's check value and the iSCSI test patterns (RFC 3720, appendix B.4).
  EXPECT_EQ(crc32c(std::string("123456789")), 0xe3069283u);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62a8ab43u);
  std::string ascending(32, '\0');
  for (int i = 0; i < 32; ++i) ascending[static_cast<size_t>(i)] = static_cast<char>(i);
  EXPECT_EQ(crc32c(ascending), 0x46dd794eu);
  EXPECT_EQ(crc32c(std::string()), 0u);
}

TEST(Checksum, FastPathsAgreeWithTheBitwiseDefinitionAtAnyLengthAndAlignment) {
  std::mt19937 rng(7);
  std::string buffer(4099, '\0');
  for (auto& ch : buffer) ch = static_cast<char>(rng());
  for (size_t offset : {0u, 1u, 3u, 7u}) {
    for (size_t length : {0u, 1u, 7u, 8u, 9u, 63u, 64u, 1000u, 4092u}) {
      const std::string piece = buffer.substr(offset, length);
      const uint32_t expected = crc32c_bitwise(piece);
      EXPECT_EQ(crc32c(0, buffer.data() + offset, length), expected) << offset << " " << length;
      EXPECT_EQ(internal::crc32c_portable(0, buffer.data() + offset, length), expected) << offset << " " << length;
    }
  }
  // Continuing a CRC over pieces gives the CRC of the whole.
  const uint32_t whole = crc32c(buffer);
  uint32_t pieces = crc32c(0, buffer.data(), 1000);
  pieces = crc32c(pieces, buffer.data() + 1000, 5);
  pieces = crc32c(pieces, buffer.data() + 1005, buffer.size() - 1005);
  EXPECT_EQ(pieces, whole);
}

TEST(Checksum, FilesAcrossReadBlocksAndOneFlippedBit) {
  testing::TempDir tmp;
  std::mt19937 rng(3);
  std::string data((size_t{1} << 22) + 12345, '\0');  // more than one 4 MiB read block
  for (auto& ch : data) ch = static_cast<char>(rng());
  testing::write_text(tmp / "f.bin", data);
  EXPECT_EQ(crc32c_file(tmp / "f.bin"), crc32c_bitwise(data));
  data[data.size() / 2] ^= 0x10;
  testing::write_text(tmp / "f.bin", data);
  EXPECT_EQ(crc32c_file(tmp / "f.bin"), crc32c_bitwise(data));
  EXPECT_THROW(crc32c_file(tmp / "missing.bin"), Error);
  EXPECT_EQ(hex32(0x0a1b2c3du), "0a1b2c3d");
}

}  // namespace
}  // namespace curlrl
