#include <gtest/gtest.h>

#include <cstdio>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "core/build_info.h"
#include "core/io.h"
#include "core/run_dir.h"
#include "core/schema.h"
#include "tests/test_util.h"

namespace curlrl {
namespace {

using testing::TempDir;

config::Config project_config(const std::vector<std::string>& overrides) {
  static const config::Schema schema = config::make_schema("train");
  return config::compose(schema, config::default_config_dir(), overrides).config;
}

TEST(RunDir, AutomaticNameHasTaskAgentTimestampAndSeed) {
  const config::Config c = project_config({"task=walker_walk", "seed=3", "runs_root=/r"});
  std::tm tm{};
  tm.tm_year = 2026 - 1900;
  tm.tm_mon = 10;
  tm.tm_mday = 22;
  tm.tm_hour = 14;
  tm.tm_min = 5;
  tm.tm_sec = 9;
  tm.tm_isdst = -1;
  const auto when = std::chrono::system_clock::from_time_t(std::mktime(&tm));
  EXPECT_EQ(auto_run_dir(c, when).string(), "/r/walker_walk/curl/2026-11-22_14-05-09_s3");
}

TEST(RunDir, RunsStartedInTheSameSecondNeverShareADirectory) {
  TempDir tmp;
  const auto wanted = tmp / "runs/task/agent/2026-01-01_00-00-00_s1";
  std::vector<std::filesystem::path> made(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < made.size(); ++i) threads.emplace_back([&, i] { made[i] = create_unique_dir(wanted); });
  for (auto& t : threads) t.join();
  std::set<std::string> unique;
  for (const auto& p : made) {
    EXPECT_TRUE(std::filesystem::is_directory(p));
    unique.insert(p.string());
  }
  EXPECT_EQ(unique.size(), made.size());
  EXPECT_TRUE(unique.count(wanted.string()));
  EXPECT_TRUE(unique.count(wanted.string() + "_1"));
}

TEST(RunDir, RunFilesHoldConfigOverridesAndCommand) {
  TempDir tmp;
  const std::vector<std::string> overrides = {"seed=4", "task=reacher_easy"};
  const config::Config c = project_config(overrides);
  write_run_files(tmp.path(), c, overrides, {"curlrl", "train", "seed=4", "task=reacher_easy", "out=a b"});
  static const config::Schema schema = config::make_schema("train");
  EXPECT_EQ(config::Config::from_yaml_file(schema, (tmp / "config.yaml").string()), c);
  EXPECT_EQ(testing::read_text(tmp / "overrides.yaml"), "- \"seed=4\"\n- \"task=reacher_easy\"\n");
  EXPECT_EQ(testing::read_text(tmp / "command.txt"), "curlrl train seed=4 task=reacher_easy 'out=a b'\n");
}

// The output of a shell command, without its trailing newline.
std::string shell_output(const std::string& cmd) {
  std::string out;
  if (FILE* pipe = ::popen(cmd.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof(buf), pipe)) out += buf;
    ::pclose(pipe);
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(RunDir, InfoTxtNamesCommandCommitMachineAndDateAndRecordsResumes) {
  TempDir tmp;
  const config::Config c = project_config({});
  write_run_files(tmp.path(), c, {}, {"curlrl", "train", "seed=1"});
  const std::string info = testing::read_text(tmp / "info.txt");
  std::istringstream in(info);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 5u) << info;
  EXPECT_EQ(lines[0], "command: curlrl train seed=1");
  // The commit this binary was built from: a commit of the source tree ("-dirty" when it had changes), which may
  // be older than HEAD when the tree was committed to without a rebuild.
  EXPECT_EQ(lines[1], "commit: " + std::string(kBuildCommit));
  const std::string src = CURLRL_SOURCE_DIR;
  if (!shell_output("git -C '" + src + "' rev-parse --short=12 HEAD 2>/dev/null").empty()) {
    const std::string hash = std::string(kBuildCommit).substr(0, std::string(kBuildCommit).find('-'));
    EXPECT_EQ(hash.size(), 12u) << kBuildCommit;
    EXPECT_EQ(shell_output("git -C '" + src + "' cat-file -t " + hash + " 2>/dev/null"), "commit") << kBuildCommit;
  } else {
    EXPECT_EQ(lines[1].rfind("commit: unknown", 0), 0u) << lines[1];
  }
  EXPECT_NE(lines[2].find(std::to_string(std::thread::hardware_concurrency()) + " cores"), std::string::npos)
      << lines[2];
  EXPECT_NE(lines[2].find(" GiB"), std::string::npos) << lines[2];
  EXPECT_EQ(lines[3].rfind("libtorch: ", 0), 0u);
  EXPECT_GT(lines[3].size(), std::string("libtorch: ").size()) << "the LibTorch version is recorded";
  EXPECT_TRUE(std::regex_match(lines[4], std::regex(R"(date: \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)"))) << lines[4];

  note_resume(tmp.path(), {"curlrl", "train", "resume=run"});
  const std::string after = testing::read_text(tmp / "info.txt");
  ASSERT_EQ(after.rfind(info, 0), 0u) << "the original lines stay";
  const std::string added = after.substr(info.size());
  EXPECT_EQ(added.rfind("resumed: ", 0), 0u) << added;
  EXPECT_NE(added.find(" with commit " + std::string(kBuildCommit) + " on "), std::string::npos) << added;
  EXPECT_NE(added.find(": curlrl train resume=run\n"), std::string::npos) << added;
}

TEST(Io, AtomicWriteKeepsThePreviousFileWhenTheWriterFails) {
  TempDir tmp;
  const auto path = tmp / "file.txt";
  write_file_atomic(path, "old contents");
  EXPECT_THROW(write_file_atomic(path, [](std::ostream& out) {
                 out << "partial";
                 throw std::runtime_error("disk full");
               }),
               std::runtime_error);
  EXPECT_EQ(read_file(path), "old contents");
  // No temporary file is left behind.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(tmp.path())) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST(Io, ShellQuoteOnlyWhenNeeded) {
  EXPECT_EQ(shell_quote("agent.batch_size=128"), "agent.batch_size=128");
  EXPECT_EQ(shell_quote("augment=[crop,cutout]"), "augment=[crop,cutout]");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote(""), "''");
}

}  // namespace
}  // namespace curlrl
