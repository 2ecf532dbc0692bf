// TensorBoardWriter: CRC-32C check values, the TFRecord framing and both CRCs of every record (recomputed here bit by
// bit, independently of the writer's table), and a read-back of every value by scripts/tb_read.py, a decoder written
// with Python's standard library only.
#include <gtest/gtest.h>

#include "tests/test_util.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/tensorboard.h"

#ifndef CURLRL_TEST_PYTHON
#define CURLRL_TEST_PYTHON "/usr/bin/python3"
#endif

namespace curlrl {
namespace {

namespace fs = std::filesystem;

// --- helpers (self-contained) ---------------------------------------------------------------------------------

// A temporary directory removed at the end of the test.
using ScratchDir = curlrl::testing::TempDir;

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `command`; returns its exit code and stdout.
int run(const std::string& command, std::string& out) {
  out.clear();
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// CRC-32C bit by bit: the definition, not the writer's table.
uint32_t crc32c_bitwise(const std::string& data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc & 1u) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
  }
  return ~crc;
}
uint32_t mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

uint64_t le64(const std::string& s, size_t pos) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[pos + i]);
  return v;
}
uint32_t le32(const std::string& s, size_t pos) { return static_cast<uint32_t>(le64(s + std::string(4, '\0'), pos)); }

// Splits a file into its records' data, checking both CRCs of each against the bitwise computation.
std::vector<std::string> records(const std::string& file) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < file.size()) {
    EXPECT_GE(file.size() - pos, 12u) << "truncated header at " << pos;
    if (file.size() - pos < 12) break;
    const uint64_t length = le64(file, pos);
    EXPECT_EQ(le32(file, pos + 8), mask(crc32c_bitwise(file.substr(pos, 8)))) << "length CRC at " << pos;
    EXPECT_GE(file.size() - pos - 12, length + 4) << "truncated data at " << pos;
    if (file.size() - pos - 12 < length + 4) break;
    const std::string data = file.substr(pos + 12, length);
    EXPECT_EQ(le32(file, pos + 12 + length), mask(crc32c_bitwise(data))) << "data CRC at " << pos;
    out.push_back(data);
    pos += 12 + length + 4;
  }
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

fs::path tb_read_script() { return fs::path(CURLRL_SOURCE_DIR) / "scripts" / "tb_read.py"; }

bool have_python() { return ::access(CURLRL_TEST_PYTHON, X_OK) == 0; }

// --- CRC-32C -------------------------------------------------------------------------------------------------

TEST(Crc32c, KnownCheckValues) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(""), 0x00000000u);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);     // RFC 3720 B.4: 32 bytes of zeros
  EXPECT_EQ(crc32c(std::string(32, '\xFF')), 0x62A8AB43u);   // 32 bytes of ones
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);                 // 0x00, 0x01, ..., 0x1F
}

TEST(Crc32c, TableMatchesBitwiseDefinitionAndChains) {
  std::mt19937 rng(7);
  for (int n : {1, 2, 3, 7, 8, 63, 64, 1000}) {
    std::string data(static_cast<size_t>(n), '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    EXPECT_EQ(crc32c(data), crc32c_bitwise(data)) << n;
    const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
    const uint32_t head = crc32c(std::span<const uint8_t>(bytes, data.size() / 2));
    EXPECT_EQ(crc32c(std::span<const uint8_t>(bytes + data.size() / 2, data.size() - data.size() / 2), head),
              crc32c(data)) << n;
  }
  EXPECT_EQ(masked_crc32c("123456789"), mask(0xE3069283u));
}

// --- wire encoding --------------------------------------------------------------------------------------------

TEST(TensorBoardWire, VarintsAndFieldKeys) {
  const auto varint = [](uint64_t v) {
    std::string s;
    tensorboard::put_varint(s, v);
    return s;
  };
  EXPECT_EQ(varint(0), std::string("\x00", 1));
  EXPECT_EQ(varint(1), "\x01");
  EXPECT_EQ(varint(127), "\x7f");
  EXPECT_EQ(varint(128), "\x80\x01");
  EXPECT_EQ(varint(300), "\xac\x02");
  EXPECT_EQ(varint(~0ull), "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01");  // -1 as int64
  std::string s;
  tensorboard::put_bytes_field(s, 1, "ab");
  EXPECT_EQ(s, "\x0a\x02" "ab");
  s.clear();
  tensorboard::put_float_field(s, 2, 1.0f);
  EXPECT_EQ(s, std::string("\x15\x00\x00\x80\x3f", 5));
  s.clear();
  tensorboard::put_double_field(s, 1, 2.0);
  EXPECT_EQ(s, std::string("\x09\x00\x00\x00\x00\x00\x00\x00\x40", 9));
}

TEST(TensorBoardWire, FrameRecordLayout) {
  const std::string record = tensorboard::frame_record("hello");
  ASSERT_EQ(record.size(), 8u + 4u + 5u + 4u);
  EXPECT_EQ(le64(record, 0), 5u);
  EXPECT_EQ(le32(record, 8), mask(crc32c_bitwise(record.substr(0, 8))));
  EXPECT_EQ(record.substr(12, 5), "hello");
  EXPECT_EQ(le32(record, 17), mask(crc32c_bitwise("hello")));
}

// --- the writer ---------------------------------------------------------------------------------------------

struct Scalar {
  std::string tag;
  double value;
  int64_t step;
  double wall_time;
};

const std::vector<Scalar> kScalars = {
    {"eval/episode_return", 123.456, 0, 1700000000.25},
    {"train/critic_loss", 0.1, 1000, 1700000001.5},
    {"train/temperature", -3.5e-7, 1000, 1700000001.5},
    {"train/steps_per_second", 12345678.9, 250000, 1700000002.0},
    {"eval/episode_return", 0.0, 500000, 1700009999.75},
    {"big_step", 1.0, int64_t{1} << 40, 1.0},
    {"negative_step", 2.0, -5, 2.0},
};
const std::string kConfigText = "agent:\n  batch_size: 512  # \"quoted\"\ttab\ntask: {name: cartpole_swingup}\n";

fs::path write_sample(const fs::path& dir) {
  TensorBoardWriter tb(dir);
  tb.add_text("config", kConfigText, 0, 1699999999.0);
  for (const auto& s : kScalars) tb.add_scalar(s.tag, s.value, s.step, s.wall_time);
  tb.add_session_start(1000, 1700000003.0);
  tb.flush();
  return tb.path();
}

TEST(TensorBoardWriter, FileNameAndFirstEvent) {
  ScratchDir tmp;
  const fs::path file = write_sample(tmp.path() / "tb");
  const std::string name = file.filename().string();
  ASSERT_EQ(name.rfind("events.out.tfevents.", 0), 0u) << name;
  const auto parts = split(name.substr(std::strlen("events.out.tfevents.")), '.');
  ASSERT_GE(parts.size(), 2u);
  EXPECT_FALSE(parts[0].empty());
  EXPECT_EQ(parts[0].find_first_not_of("0123456789"), std::string::npos) << name;

  const auto recs = records(read_bytes(file));
  ASSERT_EQ(recs.size(), 1u + 1u + kScalars.size() + 1u);
  // Event { wall_time (fixed64, field 1), step 0 (varint, field 2), file_version "brain.Event:2" (field 3) }
  const std::string& first = recs[0];
  ASSERT_EQ(first.size(), 9u + 2u + 2u + 13u);
  EXPECT_EQ(first[0], '\x09');
  EXPECT_EQ(first.substr(9), std::string("\x10\x00\x1a\x0d" "brain.Event:2", 17));

  // A second writer in the same directory (same second) gets a file of its own.
  TensorBoardWriter other(tmp.path() / "tb");
  EXPECT_NE(other.path(), file);
  EXPECT_TRUE(fs::exists(file));
}

TEST(TensorBoardWriter, ScalarRecordBytes) {
  ScratchDir tmp;
  fs::path file;
  {
    TensorBoardWriter tb(tmp.path());
    tb.add_scalar("a", 1.0, 3, 2.0);
    file = tb.path();
  }
  const auto recs = records(read_bytes(file));
  ASSERT_EQ(recs.size(), 2u);
  // wall_time 2.0, step 3, summary { value { tag "a", simple_value 1.0f } }
  const std::string expected("\x09\x00\x00\x00\x00\x00\x00\x00\x40"
                             "\x10\x03"
                             "\x2a\x0a"
                             "\x0a\x08"
                             "\x0a\x01" "a"
                             "\x15\x00\x00\x80\x3f",
                             9 + 2 + 2 + 2 + 3 + 5);
  EXPECT_EQ(recs[1], expected);
}

TEST(TensorBoardWriter, IndependentPythonDecoderReadsEveryValue) {
  if (!have_python()) GTEST_SKIP() << CURLRL_TEST_PYTHON << " not found";
  ScratchDir tmp;
  const fs::path file = write_sample(tmp.path());
  std::string out;
  const int code = run(std::string(CURLRL_TEST_PYTHON) + " " + tb_read_script().string() + " --lines " +
                           file.string() + " 2>&1",
                       out);
  ASSERT_EQ(code, 0) << out;
  const auto lines = split(out, '\n');
  ASSERT_EQ(lines.size(), 1u + 1u + kScalars.size() + 1u) << out;

  auto f = split(lines[0], '\t');
  ASSERT_EQ(f.size(), 4u) << lines[0];
  EXPECT_EQ(f[0], "version");
  EXPECT_EQ(f[1], "0");
  EXPECT_NEAR(std::stod(f[2]), static_cast<double>(std::time(nullptr)), 60.0);
  EXPECT_EQ(f[3], "\"brain.Event:2\"");

  f = split(lines[1], '\t');
  ASSERT_EQ(f.size(), 8u) << lines[1];
  EXPECT_EQ(f[0], "text");
  EXPECT_EQ(f[1], "0");
  EXPECT_EQ(std::stod(f[2]), 1699999999.0);
  EXPECT_EQ(f[3], "\"config\"");
  EXPECT_EQ(f[4], "\"text\"");
  EXPECT_EQ(f[5], "7");   // DT_STRING
  EXPECT_EQ(f[6], "[]");  // a scalar string tensor
  EXPECT_EQ(f[7], "\"agent:\\n  batch_size: 512  # \\\"quoted\\\"\\ttab\\ntask: {name: cartpole_swingup}\\n\"");

  for (size_t i = 0; i < kScalars.size(); ++i) {
    const auto& s = kScalars[i];
    f = split(lines[2 + i], '\t');
    ASSERT_EQ(f.size(), 5u) << lines[2 + i];
    EXPECT_EQ(f[0], "scalar");
    EXPECT_EQ(std::stoll(f[1]), s.step) << s.tag;
    EXPECT_EQ(std::stod(f[2]), s.wall_time) << s.tag;
    EXPECT_EQ(f[3], "\"" + s.tag + "\"");
    // simple_value is a float32: the decoder must give back exactly the float nearest to the value.
    EXPECT_EQ(std::stod(f[4]), static_cast<double>(static_cast<float>(s.value))) << s.tag << " " << f[4];
  }
  f = split(lines.back(), '\t');
  ASSERT_EQ(f.size(), 4u) << lines.back();
  EXPECT_EQ(f[0], "session_log");
  EXPECT_EQ(f[1], "1000");
  EXPECT_EQ(f[3], "1");  // START
}

TEST(TensorBoardWriter, DecoderRejectsACorruptedRecord) {
  if (!have_python()) GTEST_SKIP() << CURLRL_TEST_PYTHON << " not found";
  ScratchDir tmp;
  const fs::path file = write_sample(tmp.path());
  std::string bytes = read_bytes(file);
  bytes[bytes.size() - 10] ^= 0x01;  // inside the last record's data
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  std::string out;
  const int code = run(std::string(CURLRL_TEST_PYTHON) + " " + tb_read_script().string() + " " + file.string() +
                           " 2>&1",
                       out);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("bad data CRC"), std::string::npos) << out;
}

// `curlrl train tensorboard=true`: the event file holds eval.csv's returns and train.csv's losses at their
// environment steps, and the configuration as text. Tags: eval/<eval.csv column>, train/<train.csv column>, config.
#ifdef CURLRL_BINARY
std::vector<std::vector<std::string>> csv_rows(const fs::path& p) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(read_bytes(p));
  std::string line;
  while (std::getline(in, line)) rows.push_back(split(line + ",", ','));  // keeps a trailing empty cell
  return rows;
}

TEST(TensorBoardTrain, CurlrlTrainLogsTheCsvScalarsAndTheConfig) {
  if (!have_python()) GTEST_SKIP() << CURLRL_TEST_PYTHON << " not found";
  ScratchDir tmp;
  const fs::path run_dir = tmp.path() / "run";
  std::string out;
  const int code = run(std::string(CURLRL_BINARY) +
                           " train agent=state_sac env_steps=2000 eval_every=1000 eval_episodes=1 agent.init_steps=100"
                           " agent.batch_size=32 agent.hidden_dim=64 threads=1 tensorboard=true run_dir=" +
                           run_dir.string() + " 2>&1",
                       out);
  ASSERT_EQ(code, 0) << out;
  if (out.find("tensorboard=true is not available yet") != std::string::npos) {
    GTEST_SKIP() << "the trainer does not write TensorBoard files yet";
  }
  int files = 0;
  for (const auto& e : fs::directory_iterator(run_dir)) files += e.path().filename().string().find("tfevents") != std::string::npos;
  ASSERT_EQ(files, 1) << "expected one events.out.tfevents.* file in " << run_dir;
  ASSERT_EQ(run(std::string(CURLRL_TEST_PYTHON) + " " + tb_read_script().string() + " --lines " + run_dir.string() + " 2>&1",
                out),
            0)
      << out;
  std::map<std::pair<std::string, int64_t>, double> scalars;  // (tag, step) -> value
  bool config_text = false;
  for (const auto& line : split(out, '\n')) {
    const auto f = split(line, '\t');
    if (f.size() == 5 && f[0] == "scalar") scalars[{f[3].substr(1, f[3].size() - 2), std::stoll(f[1])}] = std::stod(f[4]);
    if (f.size() == 8 && f[0] == "text" && f[3] == "\"config\"" && f[7].find("hidden_dim: 64") != std::string::npos) {
      config_text = true;
    }
  }
  EXPECT_TRUE(config_text) << out;
  const auto check = [&](const fs::path& csv, const std::string& prefix, const std::string& column) {
    const auto rows = csv_rows(csv);
    ASSERT_GE(rows.size(), 2u) << csv;
    const auto col = std::find(rows[0].begin(), rows[0].end(), column) - rows[0].begin();
    const auto steps = std::find(rows[0].begin(), rows[0].end(), "env_steps") - rows[0].begin();
    ASSERT_LT(static_cast<size_t>(col), rows[0].size()) << column;
    int checked = 0;
    for (size_t i = 1; i < rows.size(); ++i) {
      if (rows[i].size() <= static_cast<size_t>(col) || rows[i][static_cast<size_t>(col)].empty()) continue;
      const auto key = std::make_pair(prefix + column, std::stoll(rows[i][static_cast<size_t>(steps)]));
      ASSERT_TRUE(scalars.count(key)) << key.first << " at " << key.second << "\n" << out;
      EXPECT_EQ(scalars[key], static_cast<double>(static_cast<float>(std::stod(rows[i][static_cast<size_t>(col)]))))
          << key.first << " at " << key.second;
      ++checked;
    }
    EXPECT_GT(checked, 0) << column;
  };
  check(run_dir / "eval.csv", "eval/", "episode_return");
  check(run_dir / "train.csv", "train/", "episode_return");
  check(run_dir / "train.csv", "train/", "critic_loss");
}
#endif

}  // namespace
}  // namespace curlrl
