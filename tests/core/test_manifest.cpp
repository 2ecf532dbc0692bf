#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "core/manifest.h"

namespace curlrl {
namespace {

Manifest example() {
  Manifest m;
  m.files = {{"agent.pt", 1234, 0xdeadbeefu}, {"replay.bin", 3000000000ull, 0x00000001u}};
  m.config = {{"agent.hidden_dim", "1024"}, {"augment.name", "[crop, flip]"}, {"task.name", "cartpole_swingup"}};
  return m;
}

std::string error_of(const std::string& text) {
  try {
    parse_manifest(text, "m.txt");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Manifest, WritesAndReadsBack) {
  const std::string text = format_manifest(example());
  EXPECT_EQ(text.rfind("curlrl checkpoint v2\nfile agent.pt 1234 crc32c=deadbeef\n", 0), 0u) << text;
  EXPECT_NE(text.find("\nconfig augment.name=[crop, flip]\n"), std::string::npos) << text;
  EXPECT_EQ(parse_manifest(text, "m.txt"), example());
}

TEST(Manifest, ChecksItselfLineByLine) {
  const std::string text = format_manifest(example());
  // Any one changed character is found: in a size, a checksum, a fingerprint value, or the seal itself.
  for (const std::string from : {"1234", "deadbeef", "1024", "cartpole"}) {
    std::string damaged = text;
    const size_t at = damaged.find(from);
    damaged[at] = damaged[at] == '1' ? '2' : '1';
    EXPECT_NE(error_of(damaged).find("m.txt: damaged"), std::string::npos) << from << ": " << error_of(damaged);
  }
  EXPECT_NE(error_of(text.substr(0, text.find("end "))).find("no end line"), std::string::npos);
  EXPECT_NE(error_of("PK\x03\x04 binary").find("not a curlrl checkpoint manifest"), std::string::npos);
  EXPECT_NE(error_of("").find("not a curlrl checkpoint manifest"), std::string::npos);
}

TEST(Manifest, RefusesMalformedLinesEvenWhenSealed) {
  // Sealed (the end line matches) but not what curlrl writes: a path outside the folder, a duplicate, no key.
  Manifest ok = example();
  ok.files[0].name = "../agent.pt";
  EXPECT_NE(error_of(format_manifest(ok)).find("line 2 is not 'file NAME SIZE crc32c=HEX'"), std::string::npos)
      << error_of(format_manifest(ok));
  Manifest twice = example();
  twice.files[1].name = "agent.pt";
  EXPECT_NE(error_of(format_manifest(twice)).find("file agent.pt listed twice"), std::string::npos);
  Manifest no_key = example();
  no_key.config = {{"", "x"}};
  EXPECT_NE(error_of(format_manifest(no_key)).find("is not 'config KEY=VALUE'"), std::string::npos);
}

TEST(Manifest, ReadsVersionOneNamesAndSizes) {
  const Manifest m = parse_manifest("curlrl checkpoint v1\nagent.pt 10\nreplay.bin 20\n", "old");
  EXPECT_EQ(m.version, 1);
  ASSERT_EQ(m.files.size(), 2u);
  EXPECT_EQ(m.files[1].name, "replay.bin");
  EXPECT_EQ(m.files[1].size, 20u);
  EXPECT_FALSE(m.files[1].crc32c.has_value());
  EXPECT_TRUE(m.config.empty());
  EXPECT_NE(error_of("curlrl checkpoint v1\nagent.pt ten\n").find("line 2 is not 'NAME SIZE'"), std::string::npos);
  EXPECT_NE(error_of("curlrl checkpoint v1\nagent.pt 99999999999999999999\n").find("line 2"), std::string::npos);
}

}  // namespace
}  // namespace curlrl
