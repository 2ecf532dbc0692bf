// Visual distractions (envs/distraction.h): the physics and the reward never change, the frame changes where the
// mode says and nowhere else, the same seed gives the same frames, and a bad video folder is one line.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <vector>

#include "core/error.h"
#include "envs/env.h"
#include "envs/task.h"
#include "media/video.h"
#include "tests/test_util.h"

namespace curlrl::envs {
namespace {

namespace fs = std::filesystem;
int kSize = 48;  // frame side; the body test sets it larger

EnvOptions options(DistractionMode mode, const std::string& video_dir = "") {
  EnvOptions o;
  o.frame_stack = 1;
  o.image_size = kSize;
  o.action_repeat = 2;
  o.render_quality = RenderQuality::kFast;
  o.distraction.mode = mode;
  o.distraction.video_dir = video_dir;
  return o;
}

struct Rollout {
  std::vector<std::vector<double>> states;
  std::vector<double> rewards;
  std::vector<std::vector<uint8_t>> frames;  // CHW
};

// `steps` agent steps of a fixed action sequence after a seeded reset; `episodes` resets first (the looks of later
// episodes are drawn too).
Rollout roll(Env& env_ref, DistractionMode mode, uint32_t seed, int steps, const std::string& video = "") {
  Env* env = &env_ref;
  env->set_distraction(options(mode, video).distraction);
  env->seed(seed);
  Rollout r;
  TimeStep ts = env->reset();
  r.frames.push_back(ts.pixels);
  r.states.push_back(env->task().state_observation());
  std::vector<float> action(static_cast<size_t>(env->spec().action_dim));
  for (int t = 0; t < steps; ++t) {
    for (size_t i = 0; i < action.size(); ++i) action[i] = static_cast<float>(std::sin(0.7 * t + static_cast<double>(i)));
    ts = env->step(action);
    r.frames.push_back(ts.pixels);
    r.states.push_back(env->task().state_observation());
    r.rewards.push_back(ts.reward);
  }
  return r;
}
Rollout roll(const std::string& task, DistractionMode mode, uint32_t seed, int steps, const std::string& video = "") {
  auto env = make_env(task, options(mode, video));
  return roll(*env, mode, seed, steps, video);
}

// Pixels inside the bodies of the "self" material (orange: red well above blue), with their four neighbours orange
// too (edge pixels are partly background: multisampling blends them with whatever is behind), in a CHW frame.
std::vector<size_t> body_pixels(const std::vector<uint8_t>& f) {
  const size_t n = static_cast<size_t>(kSize) * kSize;
  const auto orange = [&](size_t i) { return f[i] > 110 && f[i] > f[2 * n + i] + 60; };
  std::vector<size_t> out;
  for (size_t y = 1; y + 1 < static_cast<size_t>(kSize); ++y) {
    for (size_t x = 1; x + 1 < static_cast<size_t>(kSize); ++x) {
      const size_t i = y * kSize + x;
      if (orange(i) && orange(i - 1) && orange(i + 1) && orange(i - kSize) && orange(i + kSize)) out.push_back(i);
    }
  }
  return out;
}

double fraction_changed(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  const size_t n = a.size() / 3;
  size_t changed = 0;
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i] || a[n + i] != b[n + i] || a[2 * n + i] != b[2 * n + i]) ++changed;
  }
  return static_cast<double>(changed) / static_cast<double>(n);
}

TEST(Distraction, ThePhysicsAndTheRewardAreTheSameUnderEveryModeOnEveryTask) {
  kSize = 48;
  for (const auto& task : task_names()) {
    auto env = make_env(task, options(DistractionMode::kTrain));  // one environment, its look switched per mode
    const Rollout base = roll(*env, DistractionMode::kTrain, 11, 4);
    for (const auto& name : distraction_mode_names()) {
      const Rollout r = roll(*env, parse_distraction_mode(name), 11, 4);
      EXPECT_EQ(r.states, base.states) << task << " " << name;
      EXPECT_EQ(r.rewards, base.rewards) << task << " " << name;
      // (Booleans, not EXPECT_EQ on the frames: a failure would print every byte.)
      // (reacher's camera looks straight down: it sees no sky, so video_easy, which replaces only the sky, changes
      // nothing there.)
      const bool no_sky_to_replace = task == "reacher_easy" && name == "video_easy";
      if (name != "train" && !no_sky_to_replace) {
        EXPECT_TRUE(r.frames != base.frames) << task << " " << name << ": the look did not change";
      }
      // The same seed, the same frames.
      EXPECT_TRUE(roll(*env, parse_distraction_mode(name), 11, 4).frames == r.frames) << task << " " << name;
    }
  }
}

TEST(Distraction, ColorHardRedrawsTheBodiesAndVideoModesKeepThem) {
  kSize = 128;  // the cart large enough to have an inside
  const Rollout base = roll("cartpole_swingup", DistractionMode::kTrain, 3, 2);
  const auto& frame = base.frames.back();
  const auto body = body_pixels(frame);
  ASSERT_GT(body.size(), 15u) << "the cart should be in view";
  const auto same_at = [&](const std::vector<uint8_t>& other) {
    const size_t n = static_cast<size_t>(kSize) * kSize;
    size_t same = 0;
    for (size_t i : body) same += frame[i] == other[i] && frame[n + i] == other[n + i] && frame[2 * n + i] == other[2 * n + i];
    return static_cast<double>(same) / static_cast<double>(body.size());
  };
  // color_hard: the bodies' colours are redrawn.
  EXPECT_LT(same_at(roll("cartpole_swingup", DistractionMode::kColorHard, 3, 2).frames.back()), 0.05);
  // video_easy: where the bodies occlude the background they are drawn exactly as trained; the sky is replaced.
  const auto easy = roll("cartpole_swingup", DistractionMode::kVideoEasy, 3, 2).frames.back();
  EXPECT_EQ(same_at(easy), 1.0);
  EXPECT_GT(fraction_changed(frame, easy), 0.2);
  // video_hard: the floor goes too, so far more changes, but the bodies stay (their edges may blend differently).
  const auto hard = roll("cartpole_swingup", DistractionMode::kVideoHard, 3, 2).frames.back();
  EXPECT_GT(same_at(hard), 0.8);
  EXPECT_GT(fraction_changed(frame, hard), fraction_changed(frame, easy) + 0.2);
  // Another seed draws another background.
  EXPECT_TRUE(roll("cartpole_swingup", DistractionMode::kVideoHard, 4, 2).frames.back() != hard);
}

TEST(Distraction, VideoBackgroundsComeFromTheFolder) {
  if (!media::has_video()) GTEST_SKIP() << "built with -DCURLRL_WITH_OPENCV=OFF: no videos";
  kSize = 48;
  testing::TempDir tmp;
  // A clip of solid colours, a new one every frame.
  {
    media::VideoWriter w((tmp / "videos" / "solid.mp4").string(), 32, 32, 10);
    for (int k = 0; k < 40; ++k) {
      std::vector<uint8_t> chw(3 * 32 * 32);
      std::fill(chw.begin(), chw.begin() + 1024, static_cast<uint8_t>(200));
      std::fill(chw.begin() + 1024, chw.begin() + 2048, static_cast<uint8_t>(5 * k));
      std::fill(chw.begin() + 2048, chw.end(), static_cast<uint8_t>(20));
      w.add(chw);
    }
    w.close();
  }
  testing::write_text(tmp / "videos" / "notes.txt", "not a video");
  const std::string folder = (tmp / "videos").string();
  ASSERT_EQ(video_files(folder), std::vector<std::string>{(tmp / "videos" / "solid.mp4").string()});
  // An unchanged folder is not scanned again: a clip cut short in place (the folder's time unchanged) is still listed.
  const std::string clip = testing::read_text(tmp / "videos" / "solid.mp4");
  fs::resize_file(tmp / "videos" / "solid.mp4", 64);
  EXPECT_EQ(video_files(folder).size(), 1u);
  // A file added (the folder's time changes) rescans it: the damaged clip is dropped, the new copy listed.
  testing::write_text(tmp / "videos" / "solid2.mp4", clip);
  EXPECT_EQ(video_files(folder), std::vector<std::string>{(tmp / "videos" / "solid2.mp4").string()});
  const Rollout r = roll("cartpole_swingup", DistractionMode::kVideoHard, 5, 1, (tmp / "videos").string());
  // The top-left pixel is background: the clip's colour (within the codec's error).
  const size_t n = static_cast<size_t>(kSize) * kSize;
  const auto& f = r.frames.front();
  EXPECT_NEAR(f[0], 200, 12);
  EXPECT_NEAR(f[2 * n], 20, 12);
  // Bad folders: one line naming the key and the folder.
  for (const auto& [dir, why] : std::vector<std::pair<fs::path, std::string>>{
           {tmp / "missing", "no such folder"}, {tmp / "empty", "empty"}, {tmp / "texts", "none of its 1 files"}}) {
    if (why == "empty") fs::create_directories(dir);
    if (why != "empty" && why != "no such folder") testing::write_text(dir / "a.mp4", "not really");
    try {
      make_env("cartpole_swingup", options(DistractionMode::kVideoEasy, dir.string()));
      ADD_FAILURE() << dir << " was accepted";
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("distraction.video_dir=" + dir.string()), std::string::npos) << what;
      EXPECT_NE(what.find(why), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  }
}

TEST(Distraction, StatesCannotBeDistracted) {
  EnvOptions o = options(DistractionMode::kColorHard);
  o.observation = ObservationKind::kStates;
  EXPECT_THROW(make_env("cartpole_swingup", o), std::invalid_argument);
  EXPECT_THROW(parse_distraction_mode("colour_hard"), std::invalid_argument);
  EXPECT_EQ(parse_distraction_mode("none"), DistractionMode::kTrain);
}

}  // namespace
}  // namespace curlrl::envs
