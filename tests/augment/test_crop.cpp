#include <gtest/gtest.h>

#include "augment/crop.h"

namespace curlrl::augment {
namespace {

// B samples of `stack` frames, 3 x H x W, with distinct pseudo-random bytes.
struct Frames {
  std::vector<std::vector<uint8_t>> data;
  FrameBatch batch;
  Frames(int64_t B, int64_t stack, int64_t H, int64_t W) {
    batch = FrameBatch{B, stack, 3, H, W, {}};
    uint32_t x = 12345;
    for (int64_t i = 0; i < B * stack; ++i) {
      std::vector<uint8_t> f(static_cast<size_t>(3 * H * W));
      for (auto& v : f) v = static_cast<uint8_t>((x = x * 1103515245u + 12345u) >> 24);
      data.push_back(std::move(f));
    }
    for (const auto& f : data) batch.frames.push_back(f.data());
  }
};

TEST(Crop, WindowsEqualTheSourcePixelsWithOneOffsetPerSampleSharedByItsFrames) {
  Frames f(4, 3, 100, 100);
  std::mt19937_64 rng(0);
  std::vector<std::pair<int64_t, int64_t>> offsets;
  const torch::Tensor out = random_crop(f.batch, 84, false, rng, &offsets);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{4, 9, 84, 84}));
  ASSERT_EQ(out.dtype(), torch::kFloat32);
  for (int64_t b = 0; b < 4; ++b) {
    const auto [top, left] = offsets[static_cast<size_t>(b)];
    for (int64_t j = 0; j < 3; ++j) {
      const uint8_t* src = f.batch.frames[static_cast<size_t>(b * 3 + j)];
      for (int64_t c = 0; c < 3; ++c) {
        for (int64_t y : {int64_t{0}, int64_t{41}, int64_t{83}}) {
          for (int64_t x : {int64_t{0}, int64_t{17}, int64_t{83}}) {
            EXPECT_EQ(out[b][j * 3 + c][y][x].item<float>(),
                      static_cast<float>(src[c * 10000 + (top + y) * 100 + left + x]));
          }
        }
      }
    }
  }
  // Whole-window check for one sample against a crop computed with tensor slicing.
  const auto frame0 = torch::from_blob(const_cast<uint8_t*>(f.batch.frames[0]), {3, 100, 100}, torch::kUInt8);
  const auto [t0, l0] = offsets[0];
  EXPECT_TRUE(torch::equal(out[0].slice(0, 0, 3), frame0.slice(1, t0, t0 + 84).slice(2, l0, l0 + 84).to(torch::kFloat32)));
}

TEST(Crop, OffsetsCoverTheFullRangeEvenly) {
  Frames f(1, 1, 100, 100);
  std::mt19937_64 rng(1);
  std::vector<int> top(17, 0), left(17, 0);
  const int draws = 17000;
  FrameBatch many = f.batch;
  many.batch = draws;
  many.frames.assign(static_cast<size_t>(draws), f.batch.frames[0]);
  std::vector<std::pair<int64_t, int64_t>> offsets;
  random_crop(many, 84, false, rng, &offsets);
  for (const auto& [t, l] : offsets) {
    ASSERT_GE(t, 0);
    ASSERT_LE(t, 16);
    ++top[static_cast<size_t>(t)];
    ++left[static_cast<size_t>(l)];
  }
  for (int i = 0; i <= 16; ++i) {  // expected 1000 each; 5 sigma is about 150
    EXPECT_NEAR(top[static_cast<size_t>(i)], 1000, 150) << i;
    EXPECT_NEAR(left[static_cast<size_t>(i)], 1000, 150) << i;
  }
}

TEST(Crop, ReferenceRangeNeverUsesTheLastOffset) {
  Frames f(1, 1, 100, 100);
  FrameBatch many = f.batch;
  many.batch = 5000;
  many.frames.assign(5000, f.batch.frames[0]);
  std::mt19937_64 rng(2);
  std::vector<std::pair<int64_t, int64_t>> offsets;
  random_crop(many, 84, true, rng, &offsets);
  int64_t max_top = 0, max_left = 0;
  for (const auto& [t, l] : offsets) max_top = std::max(max_top, t), max_left = std::max(max_left, l);
  EXPECT_EQ(max_top, 15);
  EXPECT_EQ(max_left, 15);
}

TEST(Crop, CentreCropTakesTheMiddle) {
  Frames f(2, 3, 100, 100);
  const torch::Tensor out = center_crop(f.batch, 84);
  const auto frame = torch::from_blob(const_cast<uint8_t*>(f.batch.frames[4]), {3, 100, 100}, torch::kUInt8);
  EXPECT_TRUE(torch::equal(out[1].slice(0, 3, 6), frame.slice(1, 8, 92).slice(2, 8, 92).to(torch::kFloat32)));
}

TEST(Crop, SameGeneratorStateGivesTheSameBatch) {
  Frames f(8, 3, 100, 100);
  std::mt19937_64 a(5), b(5);
  EXPECT_TRUE(torch::equal(random_crop(f.batch, 84, false, a), random_crop(f.batch, 84, false, b)));
}

TEST(Crop, TooLargeACropIsAnError) {
  Frames f(1, 1, 64, 64);
  std::mt19937_64 rng(0);
  EXPECT_THROW(random_crop(f.batch, 84, false, rng), std::invalid_argument);
}

}  // namespace
}  // namespace curlrl::augment
