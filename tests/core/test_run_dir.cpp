#include <gtest/gtest.h>

#include <set>
#include <thread>

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
