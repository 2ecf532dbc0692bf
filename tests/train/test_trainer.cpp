#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "core/csv.h"
#include "core/error.h"
#include "core/schema.h"
#include "tests/test_util.h"
#include "train/checkpoint.h"
#include "tests/train/tiny_run.h"
#include "train/trainer.h"

namespace curlrl::train {
namespace {

using ::curlrl::testing::TempDir;
using testing::tiny_state_config;

// The columns that must not depend on stopping and resuming (everything but timing).
std::vector<std::vector<std::string>> deterministic_rows(const std::filesystem::path& csv) {
  const CsvTable t = read_csv(csv);
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : t.rows) {
    std::vector<std::string> keep;
    for (size_t i = 0; i < row.size(); ++i) {
      if (t.header[i] != "wall_time" && t.header[i] != "steps_per_second") keep.push_back(row[i]);
    }
    rows.push_back(keep);
  }
  return rows;
}

TEST(Trainer, StopAndResumeLogsTheSameNumbersAsAnUninterruptedRun) {
  TempDir tmp;
  const std::string straight = (tmp / "straight").string(), split = (tmp / "split").string();
  {
    Trainer t(tiny_state_config(straight, 3000));
    ASSERT_EQ(t.run(), 0);
  }
  {
    // Stopped mid-episode (the budget 1500 ends at 1504, the next whole agent step of 8 control steps, halfway
    // through episode 2), then continued with the full budget.
    Trainer first(tiny_state_config(split, 1500));
    ASSERT_EQ(first.run(), 0);
  }
  ASSERT_TRUE(latest_checkpoint(split).has_value());
  EXPECT_EQ(latest_checkpoint(split)->filename(), "env_steps_1504");
  {
    Trainer second(tiny_state_config(split, 3000));
    EXPECT_FALSE(second.resumed());
    second.resume();
    EXPECT_TRUE(second.resumed());
    ASSERT_EQ(second.run(), 0);
  }
  const auto a_train = deterministic_rows(std::filesystem::path(straight) / "train.csv");
  const auto b_train = deterministic_rows(std::filesystem::path(split) / "train.csv");
  ASSERT_EQ(a_train.size(), 3u);
  EXPECT_EQ(a_train, b_train);
  // The split run evaluated at its budget's end (1504); that row is the only difference in eval.csv.
  auto b_eval = deterministic_rows(std::filesystem::path(split) / "eval.csv");
  const auto a_eval = deterministic_rows(std::filesystem::path(straight) / "eval.csv");
  b_eval.erase(std::remove_if(b_eval.begin(), b_eval.end(), [](const auto& r) { return r[0] == "1504"; }),
               b_eval.end());
  EXPECT_EQ(a_eval, b_eval);
  ASSERT_EQ(a_eval.size(), 4u);  // 0, 1000, 2000, 3000
}

TEST(Trainer, CorruptCheckpointsAreClearErrors) {
  TempDir tmp;
  const std::string dir = (tmp / "run").string();
  {
    Trainer t(tiny_state_config(dir, 1000));
    ASSERT_EQ(t.run(), 0);
  }
  const auto folder = *latest_checkpoint(dir);
  // Truncated file: caught by the manifest.
  const auto replay = folder / "replay.bin";
  const auto size = std::filesystem::file_size(replay);
  std::filesystem::resize_file(replay, size / 2);
  try {
    Trainer t(tiny_state_config(dir, 2000));
    t.resume();
    FAIL() << "no error for a truncated checkpoint";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
  std::filesystem::resize_file(replay, size);
  // Other content of the right size: caught by the manifest's checksum.
  const auto agent = folder / "agent.pt";
  const std::string garbage(std::filesystem::file_size(agent), 'x');
  ::curlrl::testing::write_text(agent, garbage);
  try {
    Trainer t(tiny_state_config(dir, 2000));
    t.resume();
    FAIL() << "no error for a replaced file";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("agent.pt is damaged"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(Trainer, ConstructionWritesNothingAndResumeNeedsACheckpoint) {
  TempDir tmp;
  const std::filesystem::path dir = tmp / "run";
  {
    Trainer t(tiny_state_config(dir.string(), 1000));
    EXPECT_FALSE(t.resumed());
    EXPECT_FALSE(std::filesystem::exists(dir)) << "a new run's trainer writes nothing before run()";
    try {
      t.resume();
      FAIL() << "resume() without a checkpoint did not throw";
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("no checkpoint"), std::string::npos) << msg;
      EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    }
    EXPECT_FALSE(t.resumed());
    EXPECT_FALSE(std::filesystem::exists(dir));
  }
  // A directory that exists but holds no checkpoint: the same error, and nothing written into it.
  std::filesystem::create_directories(dir);
  {
    Trainer t(tiny_state_config(dir.string(), 1000));
    EXPECT_THROW(t.resume(), Error);
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir));
  // The run directory comes from the configuration and must be set.
  config::Config no_dir = tiny_state_config(dir.string(), 1000);
  no_dir.set("run_dir", std::string());
  EXPECT_THROW({ Trainer t(no_dir); }, Error);
}

TEST(Trainer, CheckpointsAreReplacedAtomicallyAndOldOnesRemoved) {
  TempDir tmp;
  const std::string dir = (tmp / "run").string();
  Trainer t(tiny_state_config(dir, 3000));
  ASSERT_EQ(t.run(), 0);
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(dir) / "checkpoints")) {
    names.push_back(e.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"env_steps_3000"});
  verify_checkpoint(std::filesystem::path(dir) / "checkpoints/env_steps_3000", tiny_state_config(dir, 3000));
}

TEST(Trainer, SigintFinishesTheStepWritesACheckpointAndResumes) {
  TempDir tmp;
  const std::string dir = (tmp / "run").string();
  const std::string args = " train agent=state_sac env_steps=100000 eval_every=0 agent.init_steps=40 "
                           "agent.batch_size=16 agent.hidden_dim=16 threads=1 checkpoint_every=0 run_dir=" + dir;
  const std::string cmd = ::curlrl::testing::curlrl_binary() + args + " > " + (tmp / "log").string() + " 2>&1 & echo $!";
  FILE* p = popen(cmd.c_str(), "r");
  int pid = 0;
  ASSERT_EQ(fscanf(p, "%d", &pid), 1);
  pclose(p);
  // Wait until it has trained a little (train.csv gets its first episode row), then interrupt.
  for (int i = 0; i < 600; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (std::filesystem::exists(std::filesystem::path(dir) / "train.csv") &&
        read_csv(std::filesystem::path(dir) / "train.csv").rows.size() >= 1) break;
  }
  ::kill(pid, SIGINT);
  int status = 0;
  for (int i = 0; i < 600 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  (void)status;
  const std::string log = ::curlrl::testing::read_text(tmp / "log");
  EXPECT_NE(log.find("stopped by signal 2"), std::string::npos) << log;
  const auto ckpt = latest_checkpoint(dir);
  ASSERT_TRUE(ckpt.has_value()) << log;
  verify_checkpoint(*ckpt, tiny_state_config(dir, 100000, {"checkpoint_every=0", "seed=1"}));
  // Resuming with a budget just past the checkpoint finishes cleanly.
  const std::string steps = ckpt->filename().string().substr(10);
  const auto r = ::curlrl::testing::run_command(::curlrl::testing::curlrl_binary() + " train resume=" + dir +
                                      " env_steps=" + std::to_string(std::stoll(steps) + 16));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("resuming"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace curlrl::train
