// Checkpoints verified by content and by the run they belong to (train/checkpoint.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agents/sac_agent.h"
#include "agents/weights.h"
#include "core/error.h"
#include "core/io.h"
#include "tests/test_util.h"
#include "tests/train/tiny_run.h"
#include "train/checkpoint.h"
#include "train/saved_run.h"
#include "train/trainer.h"

namespace curlrl::train {
namespace {

namespace fs = std::filesystem;
using ::curlrl::testing::TempDir;
using testing::tiny_state_config;

// Flips one bit of the byte in the middle of `file` (its size unchanged); flipping again restores it.
void flip_middle_byte(const fs::path& file) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  const auto middle = static_cast<std::streamoff>(fs::file_size(file) / 2);
  f.seekg(middle);
  char ch = 0;
  f.get(ch);
  f.seekp(middle);
  f.put(static_cast<char>(ch ^ 0x04));
}

// Trains a tiny run to `env_steps` and saves its config.yaml, as `curlrl train` does (eval and export read it).
void train_tiny(const std::string& dir, int64_t env_steps, const std::vector<std::string>& extra = {}) {
  const config::Config config = tiny_state_config(dir, env_steps, extra);
  Trainer t(config);
  ASSERT_EQ(t.run(), 0);
  write_file_atomic(fs::path(dir) / "config.yaml", config.to_yaml());
}

std::string resume_error(const config::Config& config, int64_t env_steps = -1) {
  try {
    Trainer t(config);
    t.resume(env_steps);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Checkpoint, AFlippedByteInAnyFileIsRefusedAndTheCheckpointKept) {
  TempDir tmp;
  const std::string dir = (tmp / "run").string();
  train_tiny(dir, 1000);
  const fs::path folder = fs::path(dir) / "checkpoints/env_steps_1000";
  const auto files = names_in(folder);
  ASSERT_EQ(files, (std::vector<std::string>{"agent.pt", "env.bin", "manifest.txt", "replay.bin", "state.pt"}));
  for (const std::string name : {"agent.pt", "state.pt", "env.bin", "replay.bin"}) {
    const auto size = fs::file_size(folder / name);
    flip_middle_byte(folder / name);
    const std::string msg = resume_error(tiny_state_config(dir, 2000));
    EXPECT_NE(msg.find(name + " is damaged: its CRC-32C is"), std::string::npos) << msg;
    EXPECT_NE(msg.find("no earlier intact checkpoint is kept"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    // Refused, not removed: the folder and the file are as they were.
    EXPECT_EQ(names_in(folder), files);
    EXPECT_EQ(fs::file_size(folder / name), size);
    // eval and export read checkpoints through the same check.
    try {
      load_saved_run(dir);
      ADD_FAILURE() << "eval read a damaged " << name;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(name + " is damaged"), std::string::npos) << e.what();
    }
    flip_middle_byte(folder / name);
  }
  EXPECT_EQ(resume_error(tiny_state_config(dir, 2000)), "");
}

TEST(Checkpoint, ADamagedLatestPointsToAnEarlierOneWhichCanBeChosen) {
  TempDir tmp;
  const std::string dir = (tmp / "run").string();
  {
    Trainer t(tiny_state_config(dir, 2000, {"keep_checkpoints=2"}));
    ASSERT_EQ(t.run(), 0);
  }
  const fs::path root = fs::path(dir) / "checkpoints";
  ASSERT_EQ(names_in(root), (std::vector<std::string>{"env_steps_1000", "env_steps_2000"}));
  flip_middle_byte(root / "env_steps_2000/replay.bin");
  const std::string msg = resume_error(tiny_state_config(dir, 3000, {"keep_checkpoints=2"}));
  EXPECT_NE(msg.find("replay.bin is damaged"), std::string::npos) << msg;
  EXPECT_NE(msg.find("continue from it with checkpoint=1000"), std::string::npos) << msg;
  // Continuing from the earlier one keeps the damaged one aside, untouched, and writes new checkpoints.
  {
    Trainer t(tiny_state_config(dir, 3000, {"keep_checkpoints=2"}));
    EXPECT_EQ(t.resume(1000).filename(), "env_steps_1000");
    ASSERT_EQ(t.run(), 0);
  }
  EXPECT_EQ(names_in(root), (std::vector<std::string>{"env_steps_2000", "env_steps_3000", "set_aside"}));
  EXPECT_EQ(names_in(root / "set_aside"), std::vector<std::string>{"env_steps_2000"});
  EXPECT_THROW(verify_checkpoint(root / "set_aside/env_steps_2000", tiny_state_config(dir, 3000)), Error);
  verify_checkpoint(root / "env_steps_2000", tiny_state_config(dir, 3000));  // the new one, intact
  // A step that has no checkpoint is named with the ones there are.
  const std::string none = resume_error(tiny_state_config(dir, 4000), 1500);
  EXPECT_NE(none.find("has no checkpoint at env_steps=1500 (it has: 3000, 2000)"), std::string::npos) << none;
}

TEST(Checkpoint, ACheckpointOfAnotherRunIsRefusedNamingTheKey) {
  TempDir tmp;
  const std::string a = (tmp / "a").string(), b = (tmp / "b").string();
  train_tiny(a, 1000, {"agent.hidden_dim=16"});
  train_tiny(b, 1000, {"agent.hidden_dim=32"});
  // b's checkpoint copied into a: same task, agent and file names, other network sizes.
  fs::remove_all(fs::path(a) / "checkpoints/env_steps_1000");
  fs::copy(fs::path(b) / "checkpoints/env_steps_1000", fs::path(a) / "checkpoints/env_steps_1000");
  const std::string msg = resume_error(tiny_state_config(a, 2000));
  EXPECT_NE(msg.find("belongs to another run: it was written with agent.hidden_dim=32, this run has "
                     "agent.hidden_dim=16"),
            std::string::npos)
      << msg;
  try {
    load_saved_run(a);
    FAIL() << "eval loaded another run's checkpoint";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("agent.hidden_dim=32"), std::string::npos) << e.what();
  }
}

TEST(Checkpoint, TheFingerprintNamesTheAgentKindFirstAndIgnoresWhatAResumeMayChange) {
  TempDir tmp;
  const config::Config curl = ::curlrl::testing::project_config({"agent=curl", "agent.hidden_dim=64"});
  const fs::path folder = write_checkpoint(tmp.path(), 10, {{"a.bin", [](const fs::path& p) {
                                                               write_file_atomic(p, std::string("abc"));
                                                             }}},
                                           run_fingerprint(curl));
  verify_checkpoint(folder, curl);
  // Keys a resume may change are not part of it.
  config::Config more = curl;
  more.set("env_steps", int64_t{5000000});
  more.set("threads", int64_t{1});
  more.set("run_dir", std::string("/elsewhere"));
  verify_checkpoint(folder, more);
  // Another agent kind: the choice is named, not the first of the many keys that follow from it.
  try {
    verify_checkpoint(folder, ::curlrl::testing::project_config({"agent=state_sac"}));
    FAIL() << "accepted another agent's checkpoint";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("written with agent.name=curl, this run has agent.name=state_sac"),
              std::string::npos)
        << e.what();
  }
  // A key the checkpoint does not record (as after an upgrade that added one) is accepted at its default only.
  auto fingerprint = run_fingerprint(curl);
  fingerprint.erase("agent.discount");
  const fs::path older = write_checkpoint(tmp / "older", 10, CheckpointWriters{}, fingerprint);
  verify_checkpoint(older, curl);
  config::Config other_discount = curl;
  other_discount.set("agent.discount", 0.5);
  EXPECT_THROW(verify_checkpoint(older, other_discount), Error);
}

TEST(Checkpoint, AMissingManifestIsNamedAndOldOnesBeyondKeepAreRemoved) {
  TempDir tmp;
  const config::Config c = ::curlrl::testing::project_config({"agent=state_sac"});
  const CheckpointWriters writers = {{"x.bin", [](const fs::path& p) { write_file_atomic(p, std::string("x")); }}};
  fs::create_directories(tmp / "checkpoints/.tmp_env_steps_7_123");  // left by a killed write
  for (int64_t steps = 1; steps <= 5; ++steps) write_checkpoint(tmp.path(), steps, writers, run_fingerprint(c), 2);
  EXPECT_EQ(names_in(tmp / "checkpoints"), (std::vector<std::string>{"env_steps_4", "env_steps_5"}));
  fs::remove(tmp / "checkpoints/env_steps_5/manifest.txt");
  try {
    usable_checkpoint(tmp.path(), -1, c);
    FAIL() << "accepted a checkpoint without a manifest";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("env_steps_5 has no manifest.txt: it is incomplete or damaged"), std::string::npos) << msg;
    EXPECT_NE(msg.find("checkpoint=4"), std::string::npos) << msg;
  }
  EXPECT_EQ(usable_checkpoint(tmp.path(), 4, c).filename(), "env_steps_4");
}

TEST(Checkpoint, VersionOneManifestsAreCheckedBySize) {
  TempDir tmp;
  const fs::path folder = tmp / "checkpoints/env_steps_8";
  fs::create_directories(folder);
  ::curlrl::testing::write_text(folder / "a.bin", "abcd");
  ::curlrl::testing::write_text(folder / "manifest.txt", "curlrl checkpoint v1\na.bin 4\n");
  const config::Config c = ::curlrl::testing::project_config({"agent=state_sac"});
  verify_checkpoint(folder, c);
  ::curlrl::testing::write_text(folder / "a.bin", "abc");
  EXPECT_THROW(verify_checkpoint(folder, c), Error);
}

TEST(Checkpoint, KeepAllKeepsEveryCheckpointAndOnlyTheNewestReplay) {
  TempDir tmp;
  const std::string dir = (tmp / "run").string();
  train_tiny(dir, 3000, {"keep_checkpoints=all"});
  const auto folders = checkpoint_folders(dir);
  ASSERT_EQ(folders.size(), 3u);  // 3000, 2000, 1000: nothing removed
  const config::Config c = tiny_state_config(dir, 3000, {"keep_checkpoints=all"});
  for (size_t i = 0; i < folders.size(); ++i) {
    EXPECT_EQ(fs::exists(folders[i] / "replay.bin"), i == 0) << folders[i];
    EXPECT_TRUE(fs::exists(folders[i] / "agent.pt")) << folders[i];
    // The older ones' manifests were rewritten without the replay: they verify, and load for evaluation.
    EXPECT_NO_THROW(verify_checkpoint(folders[i], c)) << folders[i];
    EXPECT_EQ(read_file(folders[i] / "manifest.txt").find("replay.bin") == std::string::npos, i != 0);
  }
  EXPECT_NO_THROW(load_saved_run(dir, 1000));
  // Without an environment of its own (interpret checkpoints=all): the same weights for the checkpoint asked for.
  const SavedRun full = load_saved_run(dir, 2000);
  const SavedRun lean = load_saved_agent(dir, 1000, full.env->spec());
  EXPECT_EQ(lean.env, nullptr);
  EXPECT_EQ(lean.env_steps, 1000);
  const SavedRun at_1000 = load_saved_run(dir, 1000);
  const auto weights = [](const SavedRun& r) {
    return agents::export_weights(dynamic_cast<agents::SacAgent&>(*r.agent));
  };
  const auto lean_w = weights(lean), full_w = weights(at_1000), later_w = weights(full);
  ASSERT_EQ(lean_w.size(), full_w.size());
  bool differs_from_later = false;
  for (const auto& [name, t] : lean_w) {
    EXPECT_TRUE(torch::equal(t, full_w.at(name))) << name;
    differs_from_later = differs_from_later || !torch::equal(t, later_w.at(name));
  }
  EXPECT_TRUE(differs_from_later);
  // Resuming needs the replay: only the newest can.
  EXPECT_NE(resume_error(c, 2000).find("keep_checkpoints=all"), std::string::npos) << resume_error(c, 2000);
  EXPECT_EQ(resume_error(c, 3000), "");
}

TEST(Checkpoint, KeepCheckpointsTakesACountOrAll) {
  EXPECT_NO_THROW(check_run_config(::curlrl::testing::project_config({"keep_checkpoints=3"})));
  EXPECT_NO_THROW(check_run_config(::curlrl::testing::project_config({"keep_checkpoints=all"})));
  for (const std::string bad : {"keep_checkpoints=0", "keep_checkpoints=some", "keep_checkpoints=2x",
                                "keep_checkpoints=1001"}) {
    try {
      check_run_config(::curlrl::testing::project_config({bad}));
      ADD_FAILURE() << bad << " was accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace curlrl::train
