// Evaluation under distraction modes from the command line: the trainer's eval.csv rows per mode, `curlrl eval`
// and `curlrl render` with eval.mode(s), and the one-line refusals.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "core/csv.h"
#include "media/video.h"
#include "tests/test_util.h"

namespace curlrl {
namespace {

namespace fs = std::filesystem;
using testing::run_command;
using testing::TempDir;

using testing::curlrl_command;

TEST(GeneralisationCli, TheTrainersEvaluationLogsARowPerModeAndEvalRepeatsThem) {
  TempDir tmp;
  const std::string dir = (tmp / "run").string();
  const auto trained = run_command(curlrl_command(
      "train agent=curl env_steps=1000 eval_every=1000 eval_episodes=1 agent.init_steps=16 agent.batch_size=8 "
      "agent.hidden_dim=32 task.image_size=64 augment.crop_size=56 checkpoint_every=1000 threads=1 seed=3 "
      "progress_interval=1000 eval.modes=[train,color_hard,video_hard] run_dir=" + dir));
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  const CsvTable eval = read_csv(fs::path(dir) / "eval.csv");
  ASSERT_EQ(eval.header.back(), "mode");
  // Evaluations at 0 and 1000, three modes each, in the order given.
  ASSERT_EQ(eval.rows.size(), 6u);
  std::map<std::string, std::string> at_end;  // mode -> return at 1000
  for (size_t r = 0; r < eval.rows.size(); ++r) {
    EXPECT_EQ(eval.rows[r][eval.column("mode")], (std::vector<std::string>{"train", "color_hard", "video_hard"})[r % 3]);
    if (eval.rows[r][0] == "1000") at_end[eval.rows[r][eval.column("mode")]] = eval.rows[r][eval.column("episode_return")];
  }
  // `curlrl eval` with the same modes reproduces each row (same seed rule, same episodes).
  const auto r = run_command(curlrl_command("eval run=" + dir + " episodes=1 eval.modes=[train,color_hard,video_hard]"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& [mode, ret] : at_end) {
    char expected[96];
    std::snprintf(expected, sizeof expected, "mode=%s episodes=1 return_mean=%.3f ", mode.c_str(), std::stod(ret));
    EXPECT_NE(r.out.find(expected), std::string::npos) << expected << "\n" << r.out;
  }
}

TEST(GeneralisationCli, RenderShowsAModeAndBadInputIsOneLine) {
  TempDir tmp;
  const auto plain = run_command(curlrl_command("render task=cartpole_swingup size=48 out=" + (tmp / "a.png").string()));
  const auto hard = run_command(curlrl_command("render task=cartpole_swingup size=48 eval.mode=video_hard out=" +
                                       (tmp / "b.png").string()));
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_EQ(hard.exit_code, 0) << hard.err;
  EXPECT_NE(hard.out.find("mode=video_hard"), std::string::npos) << hard.out;
  EXPECT_NE(testing::read_text(tmp / "a.png"), testing::read_text(tmp / "b.png"));
  // A state agent cannot be distracted; a typo in a mode; a video folder that is not there.
  const std::string states = "train agent=state_sac env_steps=1000 run_dir=" + (tmp / "s").string();
  for (const auto& [args, needle] : std::vector<std::pair<std::string, std::string>>{
           {states + " eval.modes=[train,color_hard]", "task.observation=states"},
           {states + " task.distraction=camera", "task.observation=states"},
           {"train eval.mode=colour_hard run_dir=" + (tmp / "t").string(), "eval.mode"},
           {"train eval.modes=[train,train] run_dir=" + (tmp / "u").string(), "twice"},
           {"train eval.modes=[video_easy] distraction.video_dir=" + (tmp / "nothing").string() + " run_dir=" +
                (tmp / "v").string(),
            // A build without videos refuses any folder first.
            "distraction.video_dir=" + (tmp / "nothing").string() +
                (media::has_video() ? ": no such folder" : ": videos need OpenCV")}}) {
    const auto bad = run_command(curlrl_command(args));
    EXPECT_NE(bad.exit_code, 0) << args;
    EXPECT_NE(bad.err.find(needle), std::string::npos) << args << ": " << bad.err;
    EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
  }
  for (const char* d : {"s", "t", "u", "v"}) EXPECT_FALSE(fs::exists(tmp / d)) << d << " was written";
}

}  // namespace
}  // namespace curlrl
