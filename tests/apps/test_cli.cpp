// The curlrl program's command line: help, printed config, and one-line errors before anything is written.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "core/build_info.h"
#include "core/csv.h"
#include "core/schema.h"
#include "media/video.h"
#include "tests/test_util.h"

namespace curlrl {
namespace {

using testing::run_command;
using testing::TempDir;

using testing::curlrl_command;

TEST(Cli, HelpListsEveryKeyWithTypeDefaultAndMeaning) {
  const auto r = run_command(curlrl_command("train --help"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const config::Schema schema = config::make_schema("train");
  for (const auto& spec : schema.keys()) EXPECT_NE(r.out.find(spec.key), std::string::npos) << spec.key;
  EXPECT_NE(r.out.find("agent.batch_size"), std::string::npos);
  EXPECT_NE(r.out.find("int >= 1"), std::string::npos);
  EXPECT_NE(r.out.find("default 512"), std::string::npos);
  EXPECT_NE(r.out.find("transitions per update"), std::string::npos);
  // Every group's pieces, each with the keys its file sets.
  EXPECT_NE(r.out.find("\n    cartpole_swingup "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("augment.cutout_min augment.cutout_max augment.cutout_color"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("agent.drq_k agent.drq_m"), std::string::npos) << r.out;
}

TEST(Cli, PrintConfigShowsTheResolvedYamlAndExits) {
  TempDir tmp;
  const auto r = run_command("cd " + tmp.path().string() + " && " +
                             curlrl_command("train --print-config task=walker_walk agent.batch_size=256 seed=3"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("batch_size: 256"), std::string::npos);
  EXPECT_NE(r.out.find("name: walker_walk"), std::string::npos);
  EXPECT_NE(r.out.find("action_repeat: 2"), std::string::npos);
  EXPECT_NE(r.out.find("seed: 3"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(tmp / "runs"));
}

TEST(Cli, ConfigErrorsAreOneLineWithExitCode2AndWriteNothing) {
  TempDir tmp;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"agent.batchsize=3", "did you mean agent.batch_size?"},
      {"agent.batch_size=-1", "agent.batch_size=-1: expected int"},
      {"agent.actor_lr=abc", "agent.actor_lr=abc: expected float"},
      {"seed=1.5", "seed=1.5: expected int"},
      {"task=walker", "available: ball_in_cup_catch, cartpole_swingup"},
      {"encoder=identity", "encoder=identity needs state observations"},
      {"--bogus", "bogus"},
  };
  for (const auto& [arg, expected] : cases) {
    const auto r = run_command("cd " + tmp.path().string() + " && " + curlrl_command("train " + arg));
    EXPECT_EQ(r.exit_code, 2) << arg << ": " << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << arg << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << arg << ": " << r.err;
    EXPECT_FALSE(std::filesystem::exists(tmp / "runs")) << arg;
  }
}

TEST(Cli, MalformedConfigFileNamesFileAndLine) {
  TempDir tmp;
  const std::string src = config::default_config_dir();
  std::filesystem::copy(src, tmp / "configs", std::filesystem::copy_options::recursive);
  testing::write_text(tmp / "configs/task/cartpole_swingup.yaml", "task:\n  action_repeat: [8\n");
  const auto r = run_command(curlrl_command("train --print-config --config-dir " + (tmp / "configs").string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cartpole_swingup.yaml:"), std::string::npos) << r.err;
}

TEST(Cli, EvalReproducesTheRunsLastEvaluationRow) {
  // A short state-based run: evaluations at 0 and at the end (1000), the final checkpoint at 1000.
  TempDir tmp;
  const std::string dir = (tmp / "run").string();
  const auto trained = run_command(curlrl_command("train agent=state_sac env_steps=1000 eval_every=1000 eval_episodes=2 "
                                          "agent.init_steps=40 agent.batch_size=16 agent.hidden_dim=16 "
                                          "checkpoint_every=0 threads=1 seed=5 progress_interval=1000 run_dir=" +
                                          dir));
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  const CsvTable eval = read_csv(std::filesystem::path(dir) / "eval.csv");
  ASSERT_GE(eval.rows.size(), 2u);
  const auto& last = eval.rows.back();
  const std::string steps = last[eval.column("env_steps")];
  EXPECT_EQ(steps, "1000");
  char expected[64];
  std::snprintf(expected, sizeof(expected), "return_mean=%.3f ", std::stod(last[eval.column("episode_return")]));

  // `curlrl eval` on the finished run: the same evaluation, seeded for the checkpoint's step, same episode count.
  const auto r = run_command(curlrl_command("eval run=" + dir));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("checkpoint=env_steps_" + steps + " "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("episodes=2 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(expected), std::string::npos)
      << r.out << "expected " << expected << "(eval.csv: " << last[eval.column("episode_return")] << ")";
}

TEST(Cli, UnknownCommandAndListing) {
  auto r = run_command(curlrl_command("trian"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command 'trian'"), std::string::npos);
  r = run_command(curlrl_command("list tasks"));
  ASSERT_EQ(r.exit_code, 0);
  for (const std::string task :
       {"cartpole_swingup", "reacher_easy", "cheetah_run", "walker_walk", "finger_spin", "ball_in_cup_catch"}) {
    EXPECT_NE(r.out.find(task + " "), std::string::npos) << task;
  }
  EXPECT_EQ(r.out.find("ball_in_cup_catch"), 0u) << "tasks sorted by name, one line each";
  EXPECT_NE(r.out.find("Cartpole swing-up"), std::string::npos) << "with the task's summary";
  r = run_command(curlrl_command("list what=agents"));
  ASSERT_EQ(r.exit_code, 0);
  for (const std::string agent : {"curl", "drq", "pixel_sac", "rad", "state_sac"}) {
    EXPECT_NE(("\n" + r.out).find("\n" + agent + " "), std::string::npos) << agent << " in\n" << r.out;
  }
  r = run_command(curlrl_command("list colours"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("colours"), std::string::npos) << r.err;
}

TEST(Cli, VersionNamesTheCommitTheLibTorchAndWhetherThisBuildHasVideos) {
  const auto r = run_command(curlrl_command("--version"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string videos = media::video_support();
  EXPECT_EQ(r.out, std::string("curlrl ") + CURLRL_VERSION + "\ncommit: " + kBuildCommit +
                       "\nlibtorch: " + kLibTorchVersion + "\nvideos: " + videos + "\n");
  if (media::has_video()) {
    EXPECT_EQ(videos.rfind("OpenCV 4.", 0), 0u) << videos;  // Debian 12's OpenCV is 4.6
  } else {
    EXPECT_EQ(videos, "off (built with -DCURLRL_WITH_OPENCV=OFF)");
  }
  EXPECT_NE(std::string(kLibTorchVersion).find('.'), std::string::npos) << kLibTorchVersion;
}

TEST(Cli, PrintConfigRunsTheRulesTheTrainerWouldRun) {
  // A combination only the agent's rules reject (a state encoder on pixels) fails --print-config, as train would.
  auto r = run_command(curlrl_command("train --print-config encoder=identity"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("encoder=identity needs state observations"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
  r = run_command(curlrl_command("train --print-config device=cuda"));
  if (r.exit_code != 0) {  // this build has no CUDA device
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("device=cuda but this LibTorch build sees no CUDA device"), std::string::npos) << r.err;
  }
  r = run_command(curlrl_command("train --print-config agent=state_sac encoder=identity"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // The CURL head's size needs the encoder's feature count: --print-config builds the encoder to check it, and
  // says what the trainer says.
  r = run_command(curlrl_command("train --print-config agent=curl encoder=drq"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("agent.contrastive: encoder=drq gives 39200 features, so the CURL head's W would be "
                       "39200x39200"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
}

double field(const std::string& text, const std::string& key) {
  const size_t at = text.find(" " + key + "=");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + key.size() + 2));
}

TEST(Cli, BenchTrainTimesEveryPartOfTheStepAndLeavesNothingBehind) {
  const auto r = run_command(curlrl_command("bench what=train agent=state_sac agent.hidden_dim=16 agent.batch_size=8 "
                                    "agent.init_steps=20 iters=20 threads=1"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const size_t line = r.out.find("train task=cartpole_swingup agent=state_sac batch=8 threads=1 steps=20 ");
  ASSERT_NE(line, std::string::npos) << r.out;
  const std::string out = r.out.substr(line);
  const double step = field(out, "ms_per_agent_step"), update = field(out, "update_alone_ms"),
               env = field(out, "env_step_alone_ms"), ratio = field(out, "ratio");
  ASSERT_GT(step, 0);
  ASSERT_GT(update, 0);
  ASSERT_GE(env, 0);
  // The figures are printed to 0.1 ms (the ratio to 0.001): the ratio recomputed from them is exact to within
  // what that rounding allows.
  const double recomputed = step / (update + env);
  EXPECT_NEAR(ratio, recomputed, 0.0005 + recomputed * (0.05 / step + 0.1 / (update + env)));
  // The parts partition the measured window: they add up to the time per step (each printed to 0.1 ms).
  double parts = 0;
  for (const std::string part : {"bookkeeping_ms", "act_ms", "update_ms", "env_ms"}) {
    const double ms = field(out, part);
    ASSERT_GE(ms, 0) << part << " missing in " << out;
    parts += ms;
  }
  EXPECT_NEAR(parts, step, 0.26);  // five figures, each rounded to 0.05 ms at most
  // The short run's folder is removed.
  const size_t logs = r.out.find("logs:");
  ASSERT_NE(logs, std::string::npos);
  std::string train_csv = r.out.substr(logs + 5, r.out.find(',', logs) - logs - 5);
  train_csv = train_csv.substr(train_csv.find_first_not_of(' '));
  const std::string dir = std::filesystem::path(train_csv).parent_path().string();
  EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
}

}  // namespace
}  // namespace curlrl

namespace curlrl {
namespace {

TEST(Cli, SizesThatCannotBeAllocatedAreRefusedBeforeAnythingIsWritten) {
  TempDir tmp;
  const std::string dir = (tmp / "run").string();
  for (const std::string o : {"agent.replay_capacity=1e12", "agent.hidden_dim=1000000000",
                              "agent=pixel_sac encoder.feature_dim=1e9"}) {
    const auto r = testing::run_command(testing::curlrl_binary() + " train " + o + " run_dir=" + dir);
    EXPECT_EQ(r.exit_code, 2) << o << ": " << r.err;
    const size_t at = r.err.find("curlrl: error: this run needs about ");
    EXPECT_NE(at, std::string::npos) << o << ": " << r.err;
    EXPECT_EQ(r.err.find('\n', at), r.err.size() - 1) << r.err;  // one line, the last
    EXPECT_FALSE(std::filesystem::exists(dir)) << o;
  }
}

}  // namespace
}  // namespace curlrl
