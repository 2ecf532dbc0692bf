// The Env wrapper: action repeat, frame stacking, pixels and states, seeding, saved episode state.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "envs/env.h"

namespace curlrl::envs {
namespace {

EnvOptions states(int repeat) {
  EnvOptions o;
  o.observation = envs::ObservationKind::kStates;
  o.action_repeat = repeat;
  return o;
}

EnvOptions pixels(int repeat, int size = 32) {
  EnvOptions o;
  o.observation = envs::ObservationKind::kPixels;
  o.action_repeat = repeat;
  o.image_size = size;
  o.frame_stack = 3;
  return o;
}

TEST(Env, TimeStepsCarryTheirObservationKindAndTheItemTheReplayStores) {
  auto state_env = make_env("cartpole_swingup", states(2));
  EXPECT_EQ(state_env->spec().observation, ObservationKind::kStates);
  state_env->reset();
  const TimeStep s = state_env->step(std::vector<float>{0.1f});
  EXPECT_EQ(s.observation, ObservationKind::kStates);
  const ObservationItem state_item = s.newest_item();
  const auto* state = std::get_if<std::span<const float>>(&state_item);
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(std::vector<float>(state->begin(), state->end()), s.state);

  auto pixel_env = make_env("cartpole_swingup", pixels(2, 16));
  EXPECT_EQ(pixel_env->spec().observation, ObservationKind::kPixels);
  pixel_env->reset();
  const TimeStep p = pixel_env->step(std::vector<float>{0.1f});
  EXPECT_EQ(p.observation, ObservationKind::kPixels);
  const ObservationItem frame_item = p.newest_item();
  const auto* frame = std::get_if<std::span<const uint8_t>>(&frame_item);
  ASSERT_NE(frame, nullptr);
  ASSERT_EQ(frame->size(), 3u * 16 * 16);
  EXPECT_TRUE(std::equal(frame->begin(), frame->end(), p.pixels.end() - 3 * 16 * 16));  // the newest of the stack
  EXPECT_EQ(parse_observation_kind("states"), ObservationKind::kStates);
  EXPECT_STREQ(observation_kind_name(ObservationKind::kPixels), "pixels");
  EXPECT_THROW(parse_observation_kind("voxels"), std::invalid_argument);
}

TEST(Env, ActionRepeatSumsTheRewardsOfItsControlSteps) {
  auto env = make_env("cartpole_swingup", states(4));
  env->seed(3);
  env->reset();
  auto task = make_task("cartpole_swingup");  // the same task stepped by hand
  NumpyRandomState rng(3);
  task->reset(rng);
  const std::vector<float> a = {0.7f};
  const std::vector<double> ad = {static_cast<double>(0.7f)};  // the env passes the float action on
  for (int t = 0; t < 5; ++t) {
    const TimeStep ts = env->step(a);
    double expected = 0;
    for (int r = 0; r < 4; ++r) expected += task->step(ad);
    EXPECT_DOUBLE_EQ(ts.reward, expected);
    EXPECT_EQ(ts.control_steps, 4);
    const auto s = task->state_observation();
    for (size_t i = 0; i < s.size(); ++i) EXPECT_FLOAT_EQ(ts.state[i], static_cast<float>(s[i]));
  }
}

TEST(Env, ActionRepeatStopsAtTheEpisodeEnd) {
  auto env = make_env("cartpole_swingup", states(3));  // 1000 = 333 x 3 + 1
  env->seed(0);
  TimeStep ts = env->reset();
  EXPECT_TRUE(ts.first);
  int agent_steps = 0, control_steps = 0;
  while (!ts.last) {
    ts = env->step(std::vector<float>{0.0f});
    ++agent_steps;
    control_steps += ts.control_steps;
  }
  EXPECT_EQ(agent_steps, 334);
  EXPECT_EQ(control_steps, 1000);
  EXPECT_EQ(ts.control_steps, 1);
  EXPECT_EQ(ts.discount, 1.0);  // a time limit, not a terminal state
  EXPECT_THROW(env->step(std::vector<float>{0.0f}), std::logic_error);
}

TEST(Env, FrameStackStartsWithTheFirstFrameRepeatedAndShiftsByOne) {
  auto env = make_env("cartpole_swingup", pixels(8));
  env->seed(1);
  const TimeStep first = env->reset();
  const size_t frame = 3 * 32 * 32;
  ASSERT_EQ(first.pixels.size(), 3 * frame);
  ASSERT_EQ(env->spec().observation_shape, (std::vector<int64_t>{9, 32, 32}));
  for (int k = 1; k < 3; ++k) {
    EXPECT_TRUE(std::equal(first.pixels.begin(), first.pixels.begin() + frame, first.pixels.begin() + k * frame));
  }
  const TimeStep second = env->step(std::vector<float>{1.0f});
  // [f0, f0, f1]: the two older frames are the previous stack's two newest.
  EXPECT_TRUE(std::equal(second.pixels.begin(), second.pixels.begin() + 2 * frame, first.pixels.begin() + frame));
  const auto newest = second.newest_frame();
  EXPECT_TRUE(std::equal(newest.begin(), newest.end(), second.pixels.begin() + 2 * frame));
  EXPECT_FALSE(std::equal(newest.begin(), newest.end(), first.pixels.begin()));  // the cart moved
}

TEST(Env, IdenticalSeedsGiveIdenticalPixelsAndDifferentSeedsDiffer) {
  std::vector<std::vector<uint8_t>> last;
  for (uint32_t seed : {5u, 5u, 6u}) {
    auto env = make_env("walker_walk", pixels(2));
    env->seed(seed);
    TimeStep ts = env->reset();
    for (int t = 0; t < 5; ++t) ts = env->step(std::vector<float>(6, 0.3f));
    last.push_back(ts.pixels);
  }
  EXPECT_EQ(last[0], last[1]);
  EXPECT_NE(last[0], last[2]);
}

// Pixels of the bodies' "self" material (orange: red well above blue).
int body_pixels(const std::vector<uint8_t>& frame, int size) {
  const int plane = size * size;
  int n = 0;
  for (int i = 0; i < plane; ++i) n += frame[i] > 120 && frame[i] > frame[2 * plane + i] + 60;
  return n;
}

TEST(Env, CameraZeroKeepsCheetahAndWalkerInViewWhileTheyMoveForward) {
  for (const char* name : {"cheetah_run", "walker_walk"}) {
    auto task = make_task(name);
    Renderer renderer(task->model(), 64, 64);
    std::vector<uint8_t> frame(3 * 64 * 64);
    const int rootx = mj_name2id(task->model(), mjOBJ_JOINT, "rootx");
    ASSERT_GE(rootx, 0);
    int counts[2];
    for (int i = 0; i < 2; ++i) {
      mj_resetData(task->model(), task->data());
      task->data()->qpos[task->model()->jnt_qposadr[rootx]] = i == 0 ? 0.0 : 20.0;  // 20 m further forward
      mj_forward(task->model(), task->data());
      renderer.render(task->data(), 0, frame);
      counts[i] = body_pixels(frame, 64);
    }
    EXPECT_GT(counts[0], 50) << name;
    EXPECT_NEAR(counts[1], counts[0], counts[0] / 4) << name;  // the camera followed the body
  }
}

TEST(Env, FastRenderQualityStaysWithinAFractionOfALevelOfTheReference) {
  // Every task at a reset state, camera 0, 100 x 100: the fast look (coarser spheres and capsules, smaller
  // shadow map) against the reference look, mean absolute difference over all pixels and channels.
  for (const std::string& name : task_names()) {
    auto task = make_task(name);
    NumpyRandomState rng(3);
    task->reset(rng);
    std::vector<uint8_t> reference(3 * 100 * 100), fast(3 * 100 * 100);
    using Target = std::pair<RenderQuality, std::vector<uint8_t>*>;
    for (auto [quality, out] : {Target{RenderQuality::kReference, &reference},
                                Target{RenderQuality::kFast, &fast}}) {
      Renderer(task->model(), 100, 100, GlBackend::kAuto, quality).render(task->data(), 0, *out);
    }
    double total = 0;
    for (size_t i = 0; i < fast.size(); ++i) total += std::abs(int{fast[i]} - int{reference[i]});
    const double mean = total / static_cast<double>(fast.size());
    EXPECT_LT(mean, 0.6) << name;
    EXPECT_GT(mean, 0.0) << name << ": identical, so the fast path changed nothing";
  }
}

TEST(Env, SavedEpisodeStateContinuesIdentically) {
  auto a = make_env("finger_spin", pixels(2));
  a->seed(2);
  a->reset();
  for (int t = 0; t < 7; ++t) a->step(std::vector<float>{0.5f, -0.5f});
  const std::string state = a->save_state();
  auto b = make_env("finger_spin", pixels(2));
  b->load_state(state);
  EXPECT_EQ(b->current_observation().pixels, a->current_observation().pixels);
  for (int t = 0; t < 5; ++t) {
    const TimeStep ta = a->step(std::vector<float>{-1.0f, 1.0f});
    const TimeStep tb = b->step(std::vector<float>{-1.0f, 1.0f});
    EXPECT_EQ(ta.reward, tb.reward);
    EXPECT_EQ(ta.pixels, tb.pixels);
  }
  EXPECT_EQ(a->task().steps_in_episode(), b->task().steps_in_episode());
  EXPECT_THROW(b->load_state("garbage"), std::runtime_error);
  auto c = make_env("cartpole_swingup", pixels(8));
  EXPECT_THROW(c->load_state(state), std::runtime_error);  // another task's state
}

TEST(Env, BadActionsAreErrorsNamingTheProblem) {
  auto env = make_env("reacher_easy", states(4));
  env->seed(0);
  env->reset();
  try {
    env->step(std::vector<float>{0.1f});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("expected 2"), std::string::npos) << e.what();
  }
  try {
    env->step(std::vector<float>{0.1f, NAN});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("component 1 is NaN"), std::string::npos) << e.what();
  }
  // Finite out-of-range actions pass through (MuJoCo clamps the force).
  EXPECT_NO_THROW(env->step(std::vector<float>{5.0f, -3.0f}));
}

}  // namespace
}  // namespace curlrl::envs
