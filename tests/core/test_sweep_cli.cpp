// scripts/sweep.py (argument expansion, sweep files, resume decisions, the Slurm job script) through its --dry-run
// output, and scripts/aggregate.py on a hand-made sweep. Both run under Debian's /usr/bin/python3; nothing here
// starts curlrl, so the whole file takes well under a second per test.
#include <gtest/gtest.h>

#include "tests/test_util.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#ifndef CURLRL_TEST_PYTHON
#define CURLRL_TEST_PYTHON "/usr/bin/python3"
#endif

namespace {

namespace fs = std::filesystem;

// A temporary directory removed at the end of the test.
using ScratchDir = curlrl::testing::TempDir;

void write(const fs::path& p, const std::string& text) { curlrl::testing::write_text(p, text); }

std::string slurp(const fs::path& p) { return curlrl::testing::read_text(p); }

struct Result {
  int code = -1;
  std::string out;  // stdout and stderr
};

// Runs a script of scripts/ with /usr/bin/python3; `args` is appended to the command line as is (shell syntax).
Result script(const std::string& name, const std::string& args) {
  const std::string cmd = std::string(CURLRL_TEST_PYTHON) + " " +
                          (fs::path(CURLRL_SOURCE_DIR) / "scripts" / name).string() + " " + args + " 2>&1";
  Result r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) r.out.append(buf, n);
  const int status = ::pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
  }
  return out;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class SweepCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(CURLRL_TEST_PYTHON, X_OK) != 0) GTEST_SKIP() << CURLRL_TEST_PYTHON << " not found";
  }
  // --curlrl /bin/false: a dry run never starts it, and --no-validate keeps it from being asked.
  Result dry(const std::string& args) {
    return script("sweep.py", "--dry-run --no-validate --curlrl /bin/false --sweep-dir " + (tmp.path() / "sw").string() +
                                  " " + args);
  }
  ScratchDir tmp;
};

TEST_F(SweepCli, CartesianProductInHydraOrderWithRangeAndFixedKeys) {
  const Result r = dry("'seed=range(1,3)' task=cartpole_swingup,walker_walk agent.encoder_lr=1e-3,2e-4 env_steps=1000");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(has(r.out, "8 runs over seed, task, agent.encoder_lr")) << r.out;
  const auto cmds = lines_starting(r.out, "OMP_NUM_THREADS=");
  ASSERT_EQ(cmds.size(), 8u) << r.out;
  int i = 0;
  for (const char* seed : {"1", "2"}) {
    for (const char* task : {"cartpole_swingup", "walker_walk"}) {
      for (const char* lr : {"1e-3", "2e-4"}) {  // the last key varies fastest
        const std::string& c = cmds[static_cast<size_t>(i)];
        EXPECT_TRUE(has(c, "/bin/false train seed=" + std::string(seed) + " task=" + task + " agent.encoder_lr=" + lr +
                               " env_steps=1000 threads="))
            << c;
        const std::string dir = (tmp.path() / "sw" / "runs").string() + "/" + std::to_string(i) + "_seed-" + seed +
                                "_task-" + task + "_encoder_lr-" + lr;
        EXPECT_TRUE(has(c, " run_dir=" + dir)) << c;
        ++i;
      }
    }
  }
  EXPECT_FALSE(fs::exists(tmp.path() / "sw")) << "--dry-run wrote the sweep directory";
}

TEST_F(SweepCli, ThreadsPerJobSetsThreadsAndOmp) {
  const Result r = dry("--jobs 2 --threads-per-job 3 seed=1,2");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto cmds = lines_starting(r.out, "OMP_NUM_THREADS=3 ");
  ASSERT_EQ(cmds.size(), 2u) << r.out;
  EXPECT_TRUE(has(cmds[0], " threads=3 ")) << cmds[0];
  // A threads= override of the user's wins over --threads-per-job.
  const Result own = dry("seed=1 threads=5");
  ASSERT_EQ(own.code, 0) << own.out;
  ASSERT_EQ(lines_starting(own.out, "OMP_NUM_THREADS=5 ").size(), 1u) << own.out;
}

TEST_F(SweepCli, BracketsAndQuotesDoNotSplitAndChoiceWorks) {
  const Result r = dry("'augment.name=[crop,flip],[crop]' 'task=choice(cartpole_swingup,walker_walk)'");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto cmds = lines_starting(r.out, "OMP_NUM_THREADS=");
  ASSERT_EQ(cmds.size(), 4u) << r.out;
  EXPECT_TRUE(has(cmds[0], "'augment.name=[crop,flip]' task=cartpole_swingup")) << cmds[0];
  EXPECT_TRUE(has(cmds[3], "'augment.name=[crop]' task=walker_walk")) << cmds[3];
}

TEST_F(SweepCli, SweepFileSubsetOfYamlAndCommandLineWins) {
  write(tmp.path() / "sweep.yaml",
        "# comment\n"
        "seed: range(1,3)   # swept like the command line\n"
        "task: [cartpole_swingup, \"walker_walk\"]\n"
        "agent:\n"
        "  encoder_lr:\n"
        "    - 1e-3\n"
        "    - 2e-4\n"
        "  batch_size: 128\n"
        "env_steps: 5000\n");
  const Result r = dry("--sweep-file " + (tmp.path() / "sweep.yaml").string() + " env_steps=7000 seed=9");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto cmds = lines_starting(r.out, "OMP_NUM_THREADS=");
  ASSERT_EQ(cmds.size(), 4u) << r.out;  // seed fixed by the command line: 2 tasks x 2 lrs
  EXPECT_TRUE(has(cmds[0], "train seed=9 task=cartpole_swingup agent.encoder_lr=1e-3 agent.batch_size=128 "
                           "env_steps=7000 "))
      << cmds[0];
  EXPECT_TRUE(has(cmds[3], "train seed=9 task=walker_walk agent.encoder_lr=2e-4 ")) << cmds[3];

  write(tmp.path() / "bad.yaml", "seed:\n  - 1\n   - 2\n");
  const Result bad = dry("--sweep-file " + (tmp.path() / "bad.yaml").string());
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_TRUE(has(bad.out, "bad.yaml:3")) << bad.out;
}

TEST_F(SweepCli, BadArgumentsAreOneLineErrorsWithExitCode2) {
  for (const auto& [args, message] : std::vector<std::pair<std::string, std::string>>{
           {"'seed=range(1,x)'", "range() takes 1 to 3 integers"},
           {"'seed=range(3,1)'", "is empty"},
           {"run_dir=/tmp/x", "the sweep sets run_dir itself"},
           {"seed", "expected KEY=VALUE"},
           {"seed=1,,2", "empty value"},
           {"'task=[a,b'", "unbalanced"}}) {
    const Result r = dry(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out;
    EXPECT_TRUE(has(r.out, "sweep.py: error: ")) << args << "\n" << r.out;
    EXPECT_TRUE(has(r.out, message)) << args << "\n" << r.out;
  }
}

TEST_F(SweepCli, FinishedRunsAreSkippedAndResumedRunsDropGroupChoices) {
  // Two runs of a sweep whose directories exist: run 0 has a checkpoint at its budget, run 1 one short of it.
  const fs::path runs = tmp.path() / "sw" / "runs";
  for (const char* name : {"0_seed-1", "1_seed-2"}) write(runs / name / "config.yaml", "env_steps: 1000\nseed: 1\n");
  write(runs / "0_seed-1" / "checkpoints" / "env_steps_1000" / "manifest.txt", "curlrl checkpoint v1\n");
  write(runs / "1_seed-2" / "checkpoints" / "env_steps_500" / "manifest.txt", "curlrl checkpoint v1\n");
  write(runs / "1_seed-2" / "checkpoints" / "env_steps_900" / "agent.pt", "");  // no manifest: incomplete
  const Result r = dry("agent=state_sac seed=1,2 env_steps=1000 agent.hidden_dim=64");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(has(r.out, "# 0_seed-1: finished, skipped")) << r.out;
  const auto cmds = lines_starting(r.out, "OMP_NUM_THREADS=");
  ASSERT_EQ(cmds.size(), 1u) << r.out;
  // curlrl refuses group choices on resume: the command keeps every other override.
  EXPECT_TRUE(has(cmds[0], "/bin/false train seed=2 env_steps=1000 agent.hidden_dim=64 threads=")) << cmds[0];
  EXPECT_FALSE(has(cmds[0], "agent=state_sac")) << cmds[0];
}

TEST_F(SweepCli, SlurmJobArrayScript) {
  const Result r = dry("--launcher slurm --partition cpu --cpus 3 --mem 2G --time 1:00:00 --gpus 1 "
                       "--sbatch=--account=rl --setup 'module load gcc' --setup 'source /opt/env.sh' "
                       "seed=1,2 task=cartpole_swingup,walker_walk");
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* part :
       {"#!/bin/bash", "#SBATCH --array=0-3\n", "#SBATCH --cpus-per-task=3\n", "#SBATCH --partition=cpu\n",
        "#SBATCH --mem=2G\n", "#SBATCH --time=1:00:00\n", "#SBATCH --gpus=1\n", "#SBATCH --account=rl\n",
        "#SBATCH --output=", "slurm/logs/%A_%a.out", "$((SLURM_ARRAY_TASK_ID + 1))p", "/runs.txt",
        "run-one \"$SWEEP_DIR\" \"$SLURM_ARRAY_TASK_ID\"", "sbatch "}) {
    EXPECT_TRUE(has(r.out, part)) << part << "\n" << r.out;
  }
  // --setup commands run in the given order, after the task's overrides are read and before curlrl starts.
  const size_t load = r.out.find("\nmodule load gcc\n"), source = r.out.find("\nsource /opt/env.sh\n");
  ASSERT_NE(load, std::string::npos) << r.out;
  ASSERT_NE(source, std::string::npos) << r.out;
  EXPECT_LT(r.out.find("eval \"set -- $line\""), load);
  EXPECT_LT(load, source);
  EXPECT_LT(source, r.out.find("exec /usr/bin/python3"));
  // runs.txt: one line of overrides per array task, with threads= the CPUs per task.
  const auto lines = lines_starting(r.out, "seed=");
  ASSERT_EQ(lines.size(), 4u) << r.out;
  EXPECT_TRUE(has(lines[1], "seed=1 task=walker_walk threads=3 run_dir=")) << lines[1];
  EXPECT_FALSE(fs::exists(tmp.path() / "sw"));
}

TEST_F(SweepCli, AggregateTableAtTargetOrLastCommonStep) {
  // A hand-made sweep: two seeds evaluated to 100k (one further, to 150k), and one seed that stopped at 40k.
  const fs::path sw = tmp.path() / "agg_sweep";
  const auto run = [&](const std::string& name, const std::string& task, int seed, const std::string& evals) {
    write(sw / name / "config.yaml", "agent:\n  batch_size: 128\n  name: curl\neval_episodes: 10\nenv_steps: 500000\n"
                                     "seed: " + std::to_string(seed) + "\ntask:\n  action_repeat: 8\n  name: " + task +
                                         "\n");
    write(sw / name / "eval.csv", "env_steps,agent_steps,episode_return,episode_return_std,episodes,wall_time\n" + evals);
  };
  run("a", "cartpole_swingup", 1, "0,0,1,0,10,1\n50000,1,300,0,10,2\n100000,2,500,0,10,3\n150000,3,700,0,10,4\n");
  run("b", "cartpole_swingup", 2, "0,0,3,0,10,1\n50000,1,400,0,10,2\n100000,2,700,0,10,3\n");
  run("c", "walker_walk", 1, "0,0,5,0,10,1\n20000,1,50,0,10,2\n40000,2,80,0,10,3\n");
  const Result r = script("aggregate.py", sw.string() + " --name t --out-root " + (tmp.path() / "results").string());
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string csv = slurp(tmp.path() / "results" / "t" / "summary.csv");
  // cartpole at 100k: mean(500, 700) = 600, population std 100; at 500k the last common step is still 100k: empty.
  EXPECT_TRUE(has(csv, "cartpole_swingup,curl,,100000,100000,2,600.0,100.0,500.0 700.0,")) << csv;
  EXPECT_TRUE(has(csv, "cartpole_swingup,curl,,500000,,2,,,,")) << csv;
  EXPECT_TRUE(has(csv, "walker_walk,curl,,100000,40000,1,80.0,0.0,80.0,")) << csv;
  // The published numbers sit beside ours (CURL Table 1 cartpole 100k: 582 +- 146; DrQ 759 +- 92).
  EXPECT_TRUE(has(csv, "582.0,146.0")) << csv;
  EXPECT_TRUE(has(csv, "759.0,92.0")) << csv;
  const std::string md = slurp(tmp.path() / "results" / "t" / "summary.md");
  EXPECT_TRUE(has(md, "| cartpole_swingup | curl | 2 | 600 ± 100 | — |")) << md;
  EXPECT_TRUE(has(md, "| walker_walk | curl | 1 | 80 ± 0 *at 40000* | — |")) << md;
}

}  // namespace
