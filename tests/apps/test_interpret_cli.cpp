// `curlrl interpret` on tiny runs of a pixel agent (CURL) and a state agent: every file it promises, consistent with
// the episodes it played.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "core/csv.h"
#include "media/png.h"
#include "media/video.h"
#include "tests/test_util.h"

namespace curlrl {
namespace {

namespace fs = std::filesystem;
using testing::run_command;
using testing::TempDir;

using testing::curlrl_command;

// The columns of a CSV file by name.
std::map<std::string, std::vector<std::string>> columns(const fs::path& file) {
  const CsvTable table = read_csv(file);
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& row : table.rows) {
    for (size_t c = 0; c < table.header.size() && c < row.size(); ++c) out[table.header[c]].push_back(row[c]);
  }
  return out;
}

// The values file's own consistency: the return column is the discounted sum of the reward column (gamma 0.99),
// per episode; returns the number of episodes.
int check_values(const fs::path& file) {
  auto v = columns(file);
  const auto& episode = v["episode"];
  EXPECT_FALSE(episode.empty());
  std::map<std::string, std::vector<std::pair<double, double>>> by_episode;  // reward, return
  for (size_t i = 0; i < episode.size(); ++i) {
    by_episode[episode[i]].emplace_back(std::stod(v["reward"][i]), std::stod(v["return"][i]));
    EXPECT_LE(std::stod(v["q"][i]), std::min(std::stod(v["q1"][i]), std::stod(v["q2"][i])) + 1e-9);
  }
  for (const auto& [e, rows] : by_episode) {
    double g = 0;
    for (size_t t = rows.size(); t-- > 0;) {
      g = rows[t].first + 0.99 * g;
      EXPECT_NEAR(rows[t].second, g, 1e-9 * (1 + std::abs(g))) << "episode " << e << " step " << t;
    }
  }
  return static_cast<int>(by_episode.size());
}

TEST(InterpretCli, APixelCurlRunGetsEveryPictureAndTable) {
  TempDir tmp;
  const std::string dir = (tmp / "curl").string();
  // One cartpole episode of 125 agent steps twice over, small networks and 64x64 frames cropped to 56; every
  // checkpoint kept (the older without its replay) for the probe curve.
  const auto trained = run_command(curlrl_command(
      "train agent=curl env_steps=2000 eval_every=0 eval_episodes=1 agent.init_steps=16 agent.batch_size=8 "
      "agent.hidden_dim=32 task.image_size=64 augment.crop_size=56 checkpoint_every=1000 keep_checkpoints=all "
      "threads=1 seed=3 progress_interval=1000 run_dir=" + dir));
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  EXPECT_FALSE(fs::exists(fs::path(dir) / "checkpoints/env_steps_1000/replay.bin"));
  const auto r = run_command(curlrl_command("interpret run=" + dir + " episodes=2 smoothgrad=2 checkpoints=all"));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const fs::path out = fs::path(dir) / "interpret" / "2000";
  for (const char* f : {"saliency.png", "values.csv", "values.png", "augmentations.png", "probe.csv", "probe.png",
                        "probe_curve.csv", "probe_curve.png", "retrieval.png", "interpret.md"}) {
    ASSERT_TRUE(fs::exists(out / f)) << f << "\n" << r.out;
    EXPECT_GT(fs::file_size(out / f), 100u) << f;
  }
  // The video only where the build has videos; otherwise a note says why it is missing.
  EXPECT_EQ(fs::exists(out / "saliency.mp4"), media::has_video());
  if (media::has_video()) {
    EXPECT_GT(fs::file_size(out / "saliency.mp4"), 100u);
  } else {
    EXPECT_NE(r.out.find("saliency.mp4 was skipped: videos need OpenCV"), std::string::npos) << r.out;
  }
  // The pictures are real PNGs of the size the layout gives: values.png is two 900-pixel-wide charts, the critic's
  // (360 high) over the rewards' (220 high).
  const media::Image values_png = media::read_png((out / "values.png").string());
  EXPECT_EQ(values_png.width, 900);
  EXPECT_EQ(values_png.height, 360 + 220);
  EXPECT_EQ(check_values(out / "values.csv"), 2);
  EXPECT_EQ(columns(out / "values.csv")["step"].size(), 250u);  // 2 episodes of 125 agent steps
  auto probe = columns(out / "probe.csv");
  EXPECT_EQ(probe["variable"], (std::vector<std::string>{"cart_position", "pole_cos", "pole_sin", "cart_velocity",
                                                         "pole_angular_velocity"}));
  // Two kept checkpoints, five variables each.
  auto curve = columns(out / "probe_curve.csv");
  EXPECT_EQ(curve["env_steps"].size(), 10u);
  EXPECT_EQ(curve["env_steps"].front(), "1000");
  EXPECT_EQ(curve["env_steps"].back(), "2000");
  // The newest checkpoint's row in the curve is the probe of probe.csv (same observations, same split).
  EXPECT_NEAR(std::stod(curve["r2"].back()), std::stod(probe["r2_trained"].back()), 1e-9);
  const std::string md = testing::read_text(out / "interpret.md");
  for (const char* f : {"saliency.png", "values.png", "augmentations.png", "probe.png", "retrieval.png",
                        "probe_curve.png", "env_steps 2000", "interpret run="}) {
    EXPECT_NE(md.find(f), std::string::npos) << f;
  }
  // out= puts it elsewhere; checkpoint= picks an older one.
  const auto older = run_command(curlrl_command("interpret run=" + dir + " checkpoint=1000 episodes=1 smoothgrad=0 out=" +
                                        (tmp / "older").string()));
  ASSERT_EQ(older.exit_code, 0) << older.err;
  EXPECT_TRUE(fs::exists(tmp / "older" / "saliency.png"));
  EXPECT_NE(testing::read_text(tmp / "older" / "interpret.md").find("env_steps 1000"), std::string::npos);
  EXPECT_EQ(check_values(tmp / "older" / "values.csv"), 1);
}

TEST(InterpretCli, AStateRunGetsValuesAndTheProbeAndSaysWhatItSkipped) {
  TempDir tmp;
  const std::string dir = (tmp / "state").string();
  const auto trained = run_command(curlrl_command(
      "train agent=state_sac env_steps=1000 eval_every=1000 eval_episodes=1 agent.init_steps=40 agent.batch_size=16 "
      "agent.hidden_dim=16 checkpoint_every=1000 threads=1 progress_interval=1000 run_dir=" + dir));
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  const auto r = run_command(curlrl_command("interpret run=" + dir + " episodes=2"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("skipped"), std::string::npos) << r.out;
  const fs::path out = fs::path(dir) / "interpret" / "1000";
  for (const char* f : {"values.csv", "values.png", "probe.csv", "probe.png", "interpret.md"}) {
    EXPECT_TRUE(fs::exists(out / f)) << f;
  }
  for (const char* f : {"saliency.png", "saliency.mp4", "augmentations.png", "retrieval.png"}) {
    EXPECT_FALSE(fs::exists(out / f)) << f;
  }
  EXPECT_EQ(check_values(out / "values.csv"), 2);
  // The episodes are the run's own evaluation at that step: the first one's return is eval.csv's (one episode).
  auto values = columns(out / "values.csv");
  double first = 0;
  for (size_t i = 0; i < values["episode"].size(); ++i) {
    if (values["episode"][i] == "0") first += std::stod(values["reward"][i]);
  }
  EXPECT_NEAR(first, std::stod(columns(fs::path(dir) / "eval.csv")["episode_return"].back()), 1e-6);
  // The identity encoder's features are the state itself: the probe must read every variable back (R^2 near 1).
  // (A wrong pairing of features and states, or a wrong split, fails here.)
  auto probe = columns(out / "probe.csv");
  ASSERT_EQ(probe["r2_trained"].size(), 5u);
  for (const auto& v : probe["r2_trained"]) EXPECT_GT(std::stod(v), 0.99) << v;
}

TEST(InterpretCli, BadInputIsOneLine) {
  TempDir tmp;
  const auto none = run_command(curlrl_command("interpret"));
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.err.find("run=RUN_DIR"), std::string::npos) << none.err;
  const auto missing = run_command(curlrl_command("interpret run=" + (tmp / "nothing").string()));
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("not a curlrl run directory"), std::string::npos) << missing.err;
  const auto typo = run_command(curlrl_command("interpret run=x checkpoints=some"));
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("checkpoints"), std::string::npos) << typo.err;
}

}  // namespace
}  // namespace curlrl
