#include <gtest/gtest.h>

#include <sstream>

#include "replay/replay_buffer.h"

namespace curlrl::replay {
namespace {

// Frames of 3x2x2 bytes whose every byte is the frame's id: easy to recognise after reconstruction.
std::vector<uint8_t> frame(uint8_t id) { return std::vector<uint8_t>(12, id); }

std::vector<int> stack_ids(const ReplayBuffer& b, int64_t i, bool next) {
  std::vector<const uint8_t*> items(static_cast<size_t>(b.spec().frame_stack));
  if (next) b.next_obs_frames(i, items.data());
  else b.obs_frames(i, items.data());
  std::vector<int> ids;
  for (auto* p : items) ids.push_back(p[0]);
  return ids;
}

constexpr auto kPixels = envs::ObservationKind::kPixels;
constexpr auto kStates = envs::ObservationKind::kStates;

ReplaySpec pixel_spec() { return ReplaySpec{kPixels, {3, 2, 2}, 3, 2}; }

TEST(Replay, StacksAreRebuiltAcrossEpisodeBoundariesAsFrameStackingDoes) {
  ReplayBuffer b(100, pixel_spec());
  const std::vector<float> a = {0.1f, -0.2f};
  // Episode 1: first frame 10, then 11, 12, 13. Episode 2: first frame 20, then 21.
  b.add_first(frame(10));
  for (uint8_t f : {11, 12, 13}) b.add(a, 1.0f, 1.0f, frame(f));
  b.add_first(frame(20));
  b.add(a, 0.5f, 1.0f, frame(21));
  ASSERT_EQ(b.size(), 4);
  // Independently: the stack at time t of an episode is frames t-2..t, clamped at the first frame.
  EXPECT_EQ(stack_ids(b, 0, false), (std::vector<int>{10, 10, 10}));
  EXPECT_EQ(stack_ids(b, 0, true), (std::vector<int>{10, 10, 11}));
  EXPECT_EQ(stack_ids(b, 1, false), (std::vector<int>{10, 10, 11}));
  EXPECT_EQ(stack_ids(b, 1, true), (std::vector<int>{10, 11, 12}));
  EXPECT_EQ(stack_ids(b, 2, false), (std::vector<int>{10, 11, 12}));
  EXPECT_EQ(stack_ids(b, 2, true), (std::vector<int>{11, 12, 13}));
  EXPECT_EQ(stack_ids(b, 3, false), (std::vector<int>{20, 20, 20}));  // nothing of episode 1 leaks in
  EXPECT_EQ(stack_ids(b, 3, true), (std::vector<int>{20, 20, 21}));
  EXPECT_FLOAT_EQ(b.reward(3), 0.5f);
  EXPECT_FLOAT_EQ(b.action(3)[1], -0.2f);
}

TEST(Replay, RingKeepsTheNewestTransitionsWithIntactStacks) {
  ReplayBuffer b(5, pixel_spec());
  const std::vector<float> a = {0, 0};
  b.add_first(frame(0));
  for (int f = 1; f <= 20; ++f) b.add(a, static_cast<float>(f), 1.0f, frame(static_cast<uint8_t>(f)));
  ASSERT_EQ(b.size(), 5);
  for (int64_t i = 0; i < 5; ++i) {
    const int newest = 16 + static_cast<int>(i);
    EXPECT_FLOAT_EQ(b.reward(i), static_cast<float>(newest));
    EXPECT_EQ(stack_ids(b, i, true), (std::vector<int>{newest - 2, newest - 1, newest}));
    EXPECT_EQ(stack_ids(b, i, false), (std::vector<int>{newest - 3, newest - 2, newest - 1}));
  }
}

TEST(Replay, StatesAreStoredAsFloats) {
  ReplayBuffer b(10, ReplaySpec{kStates, {3}, 1, 1});
  const std::vector<float> s0 = {1.5f, 2.5f, -3.0f}, s1 = {4.0f, 5.0f, 6.25f};
  b.add_first(s0);
  b.add(std::vector<float>{0.3f}, 2.0f, 1.0f, s1);
  const auto obs = b.obs_state(0), next = b.next_obs_state(0);
  EXPECT_EQ(std::vector<float>(obs.begin(), obs.end()), s0);
  EXPECT_EQ(std::vector<float>(next.begin(), next.end()), s1);
  EXPECT_THROW(b.add(std::vector<float>{0.3f}, 2.0f, 1.0f, std::vector<float>{1.0f}), std::invalid_argument);
}

TEST(Replay, ItemsAreTypedByTheBuffersObservationKind) {
  // A state buffer takes states and hands out states; frames in or out are errors, and the other way round.
  ReplayBuffer states(10, ReplaySpec{kStates, {2}, 1, 1});
  const std::vector<float> s0 = {1.0f, 2.0f}, s1 = {3.0f, 4.0f};
  const std::vector<uint8_t> eight_bytes(8, 7);  // the size of two floats: only the kind tells them apart
  EXPECT_THROW(states.add_first(eight_bytes), std::invalid_argument);
  states.add_first(envs::ObservationItem(std::span<const float>(s0)));  // as TimeStep::newest_item() hands it
  states.add(std::vector<float>{0.5f}, 1.0f, 1.0f, envs::ObservationItem(std::span<const float>(s1)));
  EXPECT_THROW(states.add(std::vector<float>{0.5f}, 1.0f, 1.0f, eight_bytes), std::invalid_argument);
  const uint8_t* frame_out = nullptr;
  EXPECT_THROW(states.obs_frames(0, &frame_out), std::logic_error);
  EXPECT_EQ(states.size(), 1);
  EXPECT_EQ(states.next_obs_state(0)[1], 4.0f);

  ReplayBuffer pixels(10, pixel_spec());
  const std::vector<float> three_floats(3, 1.0f);  // 12 bytes, the size of one 3x2x2 frame
  EXPECT_THROW(pixels.add_first(three_floats), std::invalid_argument);
  pixels.add_first(frame(1));
  pixels.add(std::vector<float>{0, 0}, 0, 1, frame(2));
  EXPECT_THROW(pixels.obs_state(0), std::logic_error);
  EXPECT_EQ(stack_ids(pixels, 0, true), (std::vector<int>{1, 1, 2}));
}

TEST(Replay, TheSpecOfAnEnvironmentTakesItsObservationKindAndShapes) {
  envs::EnvSpec pixel_env;
  pixel_env.observation = kPixels;
  pixel_env.action_dim = 6;
  pixel_env.observation_shape = {9, 84, 84};
  pixel_env.frame_shape = {3, 84, 84};
  pixel_env.frame_stack = 3;
  const ReplaySpec p = ReplaySpec::of(pixel_env);
  EXPECT_EQ(p.observation, kPixels);
  EXPECT_EQ(p.item_shape, (std::vector<int64_t>{3, 84, 84}));  // one frame per item, not the stack
  EXPECT_EQ(p.frame_stack, 3);
  EXPECT_EQ(p.action_dim, 6);
  envs::EnvSpec state_env;
  state_env.observation = kStates;
  state_env.action_dim = 1;
  state_env.observation_shape = {5};
  const ReplaySpec s = ReplaySpec::of(state_env);
  EXPECT_EQ(s.observation, kStates);
  EXPECT_EQ(s.item_shape, (std::vector<int64_t>{5}));
  EXPECT_EQ(s.frame_stack, 1);
}

TEST(Replay, SamplingIsDeterministicUnderASeedAndUniform) {
  ReplayBuffer b(1000, pixel_spec());
  b.add_first(frame(0));
  for (int f = 0; f < 1000; ++f) b.add(std::vector<float>{0, 0}, 0, 1, frame(1));
  std::mt19937_64 r1(42), r2(42), r3(43);
  const auto s1 = b.sample(4000, r1);
  EXPECT_EQ(s1, b.sample(4000, r2));
  EXPECT_NE(s1, b.sample(4000, r3));
  std::vector<int> counts(10, 0);
  for (auto i : s1) {
    ASSERT_GE(i, 0);
    ASSERT_LT(i, 1000);
    counts[static_cast<size_t>(i / 100)]++;
  }
  for (int c : counts) EXPECT_NEAR(c, 400, 80);  // ~5 sigma for a binomial(4000, 0.1)
}

TEST(Replay, MemoryPerPixelTransitionIsAboutOneFrame) {
  const int64_t capacity = 2000;
  ReplayBuffer b(capacity, ReplaySpec{kPixels, {3, 100, 100}, 3, 6});
  const double per = static_cast<double>(b.memory_bytes()) / capacity;
  EXPECT_LE(per, 1.1 * 30000);
  EXPECT_GE(per, 30000);
}

TEST(Replay, SaveLoadRoundTripAndForeignData) {
  ReplayBuffer b(7, pixel_spec());
  b.add_first(frame(1));
  for (uint8_t f = 2; f < 12; ++f) b.add(std::vector<float>{f * 0.1f, 0}, f, 1, frame(f));
  std::stringstream ss;
  b.save(ss);
  ReplayBuffer c(7, pixel_spec());
  c.load(ss);
  ASSERT_EQ(c.size(), b.size());
  for (int64_t i = 0; i < b.size(); ++i) {
    EXPECT_EQ(stack_ids(c, i, false), stack_ids(b, i, false));
    EXPECT_EQ(stack_ids(c, i, true), stack_ids(b, i, true));
    EXPECT_EQ(c.reward(i), b.reward(i));
    EXPECT_EQ(c.action(i)[0], b.action(i)[0]);
  }
  std::stringstream full;
  b.save(full);
  std::stringstream cut(full.str().substr(0, full.str().size() / 2));
  ReplayBuffer d(7, pixel_spec());
  EXPECT_THROW(d.load(cut), std::runtime_error);
  std::stringstream foreign("this is not a replay buffer at all");
  EXPECT_THROW(d.load(foreign), std::runtime_error);
  ReplayBuffer other(8, pixel_spec());
  std::stringstream again(full.str());
  EXPECT_THROW(other.load(again), std::runtime_error);
}

}  // namespace
}  // namespace curlrl::replay
