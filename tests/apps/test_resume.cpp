// `curlrl train resume=RUN`: which overrides a resumed run takes, and the refusals that leave the run untouched.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/io.h"
#include "tests/test_util.h"

namespace curlrl {
namespace {

using testing::run_command;
using testing::TempDir;

using testing::curlrl_command;

// Names and sizes of everything under `dir`, to show that a refused command changed nothing.
std::string listing(const std::filesystem::path& dir) {
  std::string out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    out += e.path().string() + (e.is_regular_file() ? " " + std::to_string(e.file_size()) : "") + "\n";
  }
  return out;
}

TEST(Resume, OnlyBudgetScheduleLoggingAndResourcesMayChange) {
  TempDir tmp;
  const std::string dir = (tmp / "run").string();
  const std::string run = "agent=state_sac env_steps=1000 eval_every=1000 eval_episodes=1 agent.init_steps=40 "
                          "agent.batch_size=16 agent.hidden_dim=16 checkpoint_every=1000 threads=1 "
                          "progress_interval=1000 run_dir=" + dir;
  const auto trained = run_command(curlrl_command("train " + run));
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  const std::string before = listing(dir);

  // Keys that fix what the checkpoint means: refused in one line naming the key and the run's value.
  for (const std::string o : {"agent.hidden_dim=32", "agent.actor_lr=0.5", "seed=9", "task.frame_stack=2",
                              "agent.precision=bf16"}) {
    const auto r = run_command(curlrl_command("train resume=" + dir + " " + o));
    EXPECT_EQ(r.exit_code, 2) << o << ": " << r.err;
    const std::string key = o.substr(0, o.find('='));
    EXPECT_NE(r.err.find(o + ": a resumed run keeps its " + key + " ("), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("a resume may change checkpoint_every, device, env_steps, eval_episodes"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  }
  // checkpoint= only chooses where a resume starts.
  const auto lone = run_command(curlrl_command("train checkpoint=1000 agent=state_sac"));
  EXPECT_EQ(lone.exit_code, 2);
  EXPECT_NE(lone.err.find("it needs resume=RUN_DIR"), std::string::npos) << lone.err;
  EXPECT_EQ(listing(dir), before);

  // The run's own values again (the command re-run) and the changeable keys: accepted.
  const auto resumed = run_command(curlrl_command("train " + run + " env_steps=1016 eval_episodes=2 threads=2"));
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("resuming"), std::string::npos) << resumed.out;
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(dir) / "checkpoints/env_steps_1016"));
}

}  // namespace
}  // namespace curlrl

namespace curlrl {
namespace {

TEST(Resume, ARunAnotherProcessIsTrainingIsRefused) {
  TempDir tmp;
  const std::string dir = (tmp / "run").string();
  const auto trained = run_command(curlrl_command("train agent=state_sac env_steps=200 eval_every=0 agent.init_steps=40 "
                                          "agent.batch_size=16 agent.hidden_dim=16 threads=1 run_dir=" + dir));
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  // This process plays the trainer that holds the run (as `curlrl train` holds its config.yaml while it trains).
  ASSERT_TRUE(lock_until_exit(std::filesystem::path(dir) / "config.yaml"));
  const std::string before = listing(dir);
  const auto r = run_command(curlrl_command("train resume=" + dir + " env_steps=400"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("another curlrl process is training " + dir), std::string::npos) << r.err;
  EXPECT_EQ(listing(dir), before);
}

}  // namespace
}  // namespace curlrl
