// Checks the batch augmentations of augment/augment.h: the registry, each augmentation's defining property on
// seeded random batches (crop/shift/translate windows, cutout rectangles, colour and geometric transforms), that the
// same generator state gives the same batch, that stacked frames are transformed alike, and the Pipeline's rules.
#include <gtest/gtest.h>
#include <torch/types.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "augment/augment.h"
#include "augment/crop.h"
#include "core/io.h"
#include "tests/test_util.h"

namespace curlrl::augment {
namespace {

// The project's configuration choosing the augmentations `names`, with `settings` ("cutout_min=5": augment.*).
config::Config chosen(const std::vector<std::string>& names, const std::vector<std::string>& settings = {}) {
  std::vector<std::string> overrides = {"agent=rad", "augment=[" + join(names, ",") + "]"};
  for (const auto& setting : settings) overrides.push_back("augment." + setting);
  return testing::project_config(overrides);
}

using Offsets = std::vector<std::pair<int64_t, int64_t>>;
using Shape = std::vector<int64_t>;

// Float batch [B, C, H, W] of whole numbers in [lo, hi] from a seeded std::mt19937 (not LibTorch's generator).
torch::Tensor random_batch(int64_t B, int64_t C, int64_t H, int64_t W, uint32_t seed, int lo = 0, int hi = 255) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(B * C * H * W));
  for (auto& e : v) e = static_cast<float>(dist(gen));
  return torch::from_blob(v.data(), {B, C, H, W}, torch::kFloat32).clone();
}

// [B, 9, H, W] whose three stacked frames are copies of one random RGB frame per sample.
torch::Tensor stacked_copies(int64_t B, int64_t H, int64_t W, uint32_t seed) {
  const torch::Tensor frame = random_batch(B, 3, H, W, seed);
  return torch::cat({frame, frame, frame}, 1);
}

bool frames_identical(const torch::Tensor& t) {
  const torch::Tensor f0 = t.slice(1, 0, 3);
  return torch::allclose(f0, t.slice(1, 3, 6), 0.0, 1e-4) && torch::allclose(f0, t.slice(1, 6, 9), 0.0, 1e-4);
}

void expect_in_range(const torch::Tensor& t) {
  EXPECT_TRUE(torch::isfinite(t).all().item<bool>());
  EXPECT_GE(t.min().item<float>(), -1e-3f);
  EXPECT_LE(t.max().item<float>(), 255.0f + 1e-3f);
}

// The offsets (top, left) in [0, max_offset]^2 at which `window` [C, h, w] equals that part of `source` [C, H, W].
Offsets matching_offsets(const torch::Tensor& source, const torch::Tensor& window, int64_t max_offset) {
  Offsets found;
  const int64_t h = window.size(1), w = window.size(2);
  for (int64_t top = 0; top <= max_offset; ++top) {
    for (int64_t left = 0; left <= max_offset; ++left) {
      if (torch::equal(source.slice(1, top, top + h).slice(2, left, left + w), window)) found.emplace_back(top, left);
    }
  }
  return found;
}

// Edge-replicating padding by p pixels on every side, written out pixel by pixel.
torch::Tensor replicate_pad(const torch::Tensor& batch, int64_t p) {
  const torch::Tensor in = batch.contiguous();
  const int64_t B = in.size(0), C = in.size(1), H = in.size(2), W = in.size(3);
  torch::Tensor out = torch::empty({B, C, H + 2 * p, W + 2 * p}, torch::kFloat32);
  const auto a = in.accessor<float, 4>();
  auto o = out.accessor<float, 4>();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t y = 0; y < H + 2 * p; ++y)
        for (int64_t x = 0; x < W + 2 * p; ++x)
          o[b][c][y][x] = a[b][c][std::clamp(y - p, int64_t{0}, H - 1)][std::clamp(x - p, int64_t{0}, W - 1)];
  return out;
}

// The smallest rectangle [top, bottom) x [left, right) holding every pixel where a and b ([C, H, W]) differ.
struct ChangedBox {
  int64_t top = 0, bottom = 0, left = 0, right = 0;
  bool empty = true;
};
ChangedBox changed_box(const torch::Tensor& a, const torch::Tensor& b) {
  const torch::Tensor mask = (a != b).any(0);
  const torch::Tensor rows = mask.any(1).nonzero(), cols = mask.any(0).nonzero();
  ChangedBox box;
  if (rows.numel() == 0) return box;
  box.top = rows.min().item<int64_t>();
  box.bottom = rows.max().item<int64_t>() + 1;
  box.left = cols.min().item<int64_t>();
  box.right = cols.max().item<int64_t>() + 1;
  box.empty = false;
  return box;
}
torch::Tensor region(const torch::Tensor& t, const ChangedBox& r) {  // t [..., H, W]
  return t.slice(-2, r.top, r.bottom).slice(-1, r.left, r.right);
}

// B samples of 3 stacked uint8 frames, 3 x H x W each, with pseudo-random bytes (for Pipeline).
struct StackedFrames {
  std::vector<std::vector<uint8_t>> data;
  FrameBatch batch;
  StackedFrames(int64_t B, int64_t H, int64_t W, uint32_t seed) {
    batch = FrameBatch{B, 3, 3, H, W, {}};
    std::mt19937 gen(seed);
    std::uniform_int_distribution<int> dist(0, 255);
    for (int64_t i = 0; i < B * 3; ++i) {
      std::vector<uint8_t> f(static_cast<size_t>(3 * H * W));
      for (auto& e : f) e = static_cast<uint8_t>(dist(gen));
      data.push_back(std::move(f));
    }
    for (const auto& f : data) batch.frames.push_back(f.data());
  }
};

template <class F>
void expect_invalid_argument_mentioning(F&& f, const std::vector<std::string>& words) {
  try {
    f();
    ADD_FAILURE() << "no std::invalid_argument thrown";
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    for (const auto& w : words) EXPECT_NE(message.find(w), std::string::npos) << "'" << w << "' not in: " << message;
  }
}

// ---------------------------------------------------------------------------------------------------------------

TEST(Augment, RegistryListsEveryAugmentationSortedByName) {
  EXPECT_EQ(augmentation_names(), (std::vector<std::string>{"color_jitter", "crop", "cutout", "flip", "grayscale",
                                                            "none", "rand_conv", "rotate", "shift", "translate"}));
  for (const auto& plugin : config::plugins("augment")) EXPECT_FALSE(plugin.summary.empty()) << plugin.name;
}

TEST(Augment, UnknownNameThrowsNamingItAndTheKnownOnes) {
  expect_invalid_argument_mentioning([] { make_augmentation("nope", chosen({"none"})); }, {"nope", "cutout"});
}

TEST(Augment, EveryAugmentationAppliesToAChannelsLastBatch) {
  const torch::Tensor x = random_batch(2, 9, 84, 84, 1).contiguous(torch::MemoryFormat::ChannelsLast);
  for (const auto& name : augmentation_names()) {
    SCOPED_TRACE(name);
    const auto aug = make_augmentation(name, chosen({name}));
    ASSERT_NE(aug, nullptr);
    std::mt19937_64 rng(3);
    const int64_t side = aug->output_size(84);
    const torch::Tensor out = aug->apply(x, rng);
    EXPECT_EQ(out.sizes(), (Shape{2, 9, side, side}));
    expect_in_range(out);
    EXPECT_EQ(aug->apply_eval(x).sizes(), (Shape{2, 9, side, side}));
  }
}

TEST(Augment, EveryAugmentationIsDeterministicPerGeneratorStateAndTreatsStackedFramesAlike) {
  const torch::Tensor random = random_batch(4, 9, 100, 100, 2);
  const torch::Tensor copies = stacked_copies(8, 100, 100, 3);
  for (const auto& name : augmentation_names()) {
    SCOPED_TRACE(name);
    const auto aug = make_augmentation(name, chosen({name}));
    std::mt19937_64 a(7), b(7);
    EXPECT_TRUE(torch::equal(aug->apply(random, a), aug->apply(random, b)));
    std::mt19937_64 rng(11);
    EXPECT_TRUE(frames_identical(aug->apply(copies, rng)));
    EXPECT_TRUE(frames_identical(aug->apply_eval(copies)));
  }
}

TEST(Augment, CropTakesOneWindowPerSampleAndTheCentreForEval) {
  const auto aug = make_augmentation("crop", chosen({"crop"}, {"crop_size=84"}));
  EXPECT_EQ(aug->output_size(100), 84);
  const torch::Tensor x = random_batch(4, 9, 100, 100, 4);
  std::mt19937_64 rng(0);
  const torch::Tensor out = aug->apply(x, rng);
  ASSERT_EQ(out.sizes(), (Shape{4, 9, 84, 84}));
  for (int64_t b = 0; b < 4; ++b) EXPECT_EQ(matching_offsets(x[b], out[b], 16).size(), 1u) << "sample " << b;
  const torch::Tensor eval = aug->apply_eval(x);
  ASSERT_EQ(eval.sizes(), (Shape{4, 9, 84, 84}));
  EXPECT_TRUE(torch::equal(eval, x.slice(2, 8, 92).slice(3, 8, 92)));
}

TEST(Augment, ShiftIsAWindowOfTheEdgeReplicatedInput) {
  const auto aug = make_augmentation("shift", chosen({"shift"}, {"shift_pad=4"}));
  EXPECT_EQ(aug->output_size(84), 84);
  const torch::Tensor x = random_batch(4, 9, 84, 84, 5);
  const torch::Tensor padded = replicate_pad(x, 4);
  std::mt19937_64 rng(1);
  const torch::Tensor out = aug->apply(x, rng);
  ASSERT_EQ(out.sizes(), (Shape{4, 9, 84, 84}));
  for (int64_t b = 0; b < 4; ++b) EXPECT_EQ(matching_offsets(padded[b], out[b], 8).size(), 1u) << "sample " << b;
  EXPECT_TRUE(torch::equal(aug->apply_eval(x), x));
}

TEST(Augment, TranslatePlacesTheWholeFrameOnAZeroCanvas) {
  const auto aug = make_augmentation("translate", chosen({"translate"}, {"translate_size=108"}));
  EXPECT_EQ(aug->output_size(100), 108);
  const torch::Tensor x = random_batch(4, 9, 100, 100, 6, 1, 255);  // no zeros: the frame's place is unambiguous
  std::mt19937_64 rng(2);
  const torch::Tensor out = aug->apply(x, rng);
  ASSERT_EQ(out.sizes(), (Shape{4, 9, 108, 108}));
  for (int64_t b = 0; b < 4; ++b) {
    EXPECT_EQ(matching_offsets(out[b], x[b], 8).size(), 1u) << "sample " << b;
    EXPECT_EQ(out[b].ne(0).sum().item<int64_t>(), 9 * 100 * 100) << "non-zero pixels outside the frame";
  }
  const torch::Tensor eval = aug->apply_eval(x);
  ASSERT_EQ(eval.sizes(), (Shape{4, 9, 108, 108}));
  for (int64_t b = 0; b < 4; ++b) EXPECT_EQ(matching_offsets(eval[b], x[b], 8), (Offsets{{4, 4}}));
  EXPECT_EQ(eval.ne(0).sum().item<int64_t>(), 4 * 9 * 100 * 100);
}

TEST(Augment, CutoutZeroesOneRectanglePerSampleInEveryChannel) {
  const auto aug =
      make_augmentation("cutout", chosen({"cutout"}, {"cutout_min=10", "cutout_max=30", "cutout_color=false"}));
  const torch::Tensor x = random_batch(8, 9, 84, 84, 7, 1, 255);
  std::mt19937_64 rng(3);
  const torch::Tensor out = aug->apply(x, rng);
  ASSERT_EQ(out.sizes(), x.sizes());
  for (int64_t b = 0; b < 8; ++b) {
    SCOPED_TRACE("sample " + std::to_string(b));
    const ChangedBox box = changed_box(out[b], x[b]);
    ASSERT_FALSE(box.empty);
    EXPECT_GE(box.bottom - box.top, 10);
    EXPECT_LE(box.bottom - box.top, 30);
    EXPECT_GE(box.right - box.left, 10);
    EXPECT_LE(box.right - box.left, 30);
    torch::Tensor expected = x[b].clone();
    region(expected, box).zero_();
    EXPECT_TRUE(torch::equal(out[b], expected));  // zeros filling the whole rectangle in all 9 channels, else input
  }
  EXPECT_TRUE(torch::equal(aug->apply_eval(x), x));
}

TEST(Augment, ColourCutoutFillsOneColourSharedByTheStackedFrames) {
  const int64_t cutout_min = 10, cutout_max = 30;
  const auto aug = make_augmentation("cutout", chosen({"cutout"}, {"cutout_color=true", "cutout_min=10", "cutout_max=30"}));
  const torch::Tensor x = random_batch(8, 9, 84, 84, 8, 1, 255);
  std::mt19937_64 rng(4);
  const torch::Tensor out = aug->apply(x, rng);
  ASSERT_EQ(out.sizes(), x.sizes());
  expect_in_range(out);
  for (int64_t b = 0; b < 8; ++b) {
    SCOPED_TRACE("sample " + std::to_string(b));
    const ChangedBox box = changed_box(out[b], x[b]);
    ASSERT_FALSE(box.empty);
    EXPECT_GE(std::min(box.bottom - box.top, box.right - box.left), cutout_min);
    EXPECT_LE(std::max(box.bottom - box.top, box.right - box.left), cutout_max);
    torch::Tensor expected = x[b].clone();
    for (int64_t c = 0; c < 3; ++c) {
      const float colour = out[b][c][box.top][box.left].item<float>();
      for (int64_t j = 0; j < 3; ++j) region(expected[j * 3 + c], box).fill_(colour);
    }
    EXPECT_TRUE(torch::equal(out[b], expected));  // one constant colour per channel, the same in every frame
  }
}

TEST(Augment, ColorJitterChangesColoursButKeepsGreyGrey) {
  const auto aug = make_augmentation("color_jitter", chosen({"color_jitter"}));
  torch::Tensor x = random_batch(8, 9, 32, 32, 9);
  x[0].fill_(128.0f);
  std::mt19937_64 rng(5);
  const torch::Tensor out = aug->apply(x, rng);
  ASSERT_EQ(out.sizes(), x.sizes());
  expect_in_range(out);
  EXPECT_FALSE(torch::equal(out, x));
  for (int64_t j = 0; j < 3; ++j) {  // sample 0: R == G == B in every frame (the grey level may change)
    const torch::Tensor r = out[0][j * 3], g = out[0][j * 3 + 1], bl = out[0][j * 3 + 2];
    EXPECT_TRUE(torch::allclose(r, g, 0.0, 1e-3)) << "frame " << j;
    EXPECT_TRUE(torch::allclose(r, bl, 0.0, 1e-3)) << "frame " << j;
  }
  EXPECT_TRUE(torch::equal(aug->apply_eval(x), x));
}

TEST(Augment, GrayscaleUsesTheLumaWeightsAndItsProbability) {

  const torch::Tensor x = random_batch(4, 9, 32, 32, 10);
  std::mt19937_64 rng(6);
  const torch::Tensor out = make_augmentation("grayscale", chosen({"grayscale"}, {"grayscale_p=1.0"}))->apply(x, rng);
  ASSERT_EQ(out.sizes(), x.sizes());
  for (int64_t j = 0; j < 3; ++j) {
    const torch::Tensor luma = 0.299 * x.slice(1, j * 3, j * 3 + 1) + 0.587 * x.slice(1, j * 3 + 1, j * 3 + 2) +
                               0.114 * x.slice(1, j * 3 + 2, j * 3 + 3);
    for (int64_t c = 0; c < 3; ++c) {
      EXPECT_TRUE(torch::allclose(out.slice(1, j * 3 + c, j * 3 + c + 1), luma, 0.0, 1e-3)) << j << " " << c;
    }
  }
  EXPECT_TRUE(torch::equal(make_augmentation("grayscale", chosen({"grayscale"}, {"grayscale_p=0.0"}))->apply(x, rng), x));
}

TEST(Augment, FlipMirrorsLeftRightWithItsProbability) {

  const torch::Tensor x = random_batch(4, 9, 32, 32, 11);
  std::mt19937_64 rng(7);
  EXPECT_TRUE(torch::equal(make_augmentation("flip", chosen({"flip"}, {"flip_p=1.0"}))->apply(x, rng), x.flip({3})));
  EXPECT_TRUE(torch::equal(make_augmentation("flip", chosen({"flip"}, {"flip_p=0.0"}))->apply(x, rng), x));
}

TEST(Augment, QuarterRotationTurnsEachSampleByAMultipleOfNinetyDegrees) {

  const torch::Tensor x = random_batch(8, 9, 32, 32, 12);
  std::mt19937_64 rng(8);
  const torch::Tensor out = make_augmentation("rotate", chosen({"rotate"}, {"rotate_mode=quarter"}))->apply(x, rng);
  ASSERT_EQ(out.sizes(), x.sizes());
  bool any_turned = false;
  for (int64_t b = 0; b < 8; ++b) {
    int matches = 0;
    for (int64_t k = 0; k < 4; ++k) matches += torch::equal(out[b], torch::rot90(x[b], k, {1, 2})) ? 1 : 0;
    EXPECT_EQ(matches, 1) << "sample " << b;
    any_turned = any_turned || !torch::equal(out[b], x[b]);
  }
  EXPECT_TRUE(any_turned);  // 8 samples all drawing 0 degrees has probability 4^-8
}

TEST(Augment, SmallRotationBarelyMovesTheCentreOfASmoothImage) {

  const torch::Tensor ramp = torch::linspace(0.0, 255.0, 84, torch::kFloat32);  // horizontal gradient
  const torch::Tensor x = ramp.view({1, 1, 1, 84}).expand({4, 9, 84, 84}).contiguous();
  std::mt19937_64 rng(9);
  const torch::Tensor out = make_augmentation("rotate", chosen({"rotate"}, {"rotate_mode=small", "rotate_degrees=5.0"}))->apply(x, rng);
  ASSERT_EQ(out.sizes(), x.sizes());
  expect_in_range(out);
  const auto centre = [](const torch::Tensor& t) { return t.slice(2, 32, 52).slice(3, 32, 52); };
  EXPECT_LE((centre(out) - centre(x)).abs().max().item<float>(), 20.0f);
}

TEST(Augment, RandConvUsesOneConvolutionPerBatchDrawnFromTheGenerator) {
  const auto aug = make_augmentation("rand_conv", chosen({"rand_conv"}));
  const torch::Tensor x = random_batch(4, 9, 32, 32, 13);
  std::mt19937_64 a(1), b(2);
  const torch::Tensor out_a = aug->apply(x, a);
  ASSERT_EQ(out_a.sizes(), x.sizes());
  expect_in_range(out_a);
  EXPECT_FALSE(torch::equal(out_a, aug->apply(x, b)));
  const torch::Tensor same = random_batch(1, 9, 32, 32, 14).expand({4, 9, 32, 32}).contiguous();
  std::mt19937_64 rng(3);
  const torch::Tensor out = aug->apply(same, rng);
  for (int64_t i = 1; i < 4; ++i) EXPECT_TRUE(torch::allclose(out[i], out[0], 0.0, 1e-4)) << "sample " << i;
}

TEST(Augment, NoneLeavesTheBatchUnchanged) {
  const auto aug = make_augmentation("none", chosen({"none"}));
  const torch::Tensor x = random_batch(2, 9, 32, 32, 15);
  std::mt19937_64 rng(10);
  EXPECT_TRUE(torch::equal(aug->apply(x, rng), x));
  EXPECT_TRUE(torch::equal(aug->apply_eval(x), x));
}

// ---------------------------------------------------------------------------------------------------------------

TEST(Augment, PipelineCropsThenAppliesTheRestInOrder) {
  const StackedFrames f(4, 100, 100, 16);
  std::mt19937_64 rng(11);
  const Pipeline crop_cutout(chosen({"crop", "cutout"}, {"crop_size=84"}));
  EXPECT_EQ(crop_cutout.output_size(), 84);
  EXPECT_EQ(crop_cutout.train(f.batch, rng).sizes(), (Shape{4, 9, 84, 84}));
  EXPECT_EQ(crop_cutout.names(), (std::vector<std::string>{"crop", "cutout"}));
}

TEST(Augment, PipelineWithoutCropStartsFromTheCentreCrop) {
  const StackedFrames f(4, 100, 100, 17);
  std::mt19937_64 rng(12);
  const Pipeline shift(chosen({"shift"}, {"crop_size=84"}));
  EXPECT_EQ(shift.output_size(), 84);
  EXPECT_EQ(shift.train(f.batch, rng).sizes(), (Shape{4, 9, 84, 84}));
  EXPECT_TRUE(torch::equal(shift.eval(f.batch), center_crop(f.batch, 84)));
}

TEST(Augment, PipelineRejectsCropAfterAnotherAugmentation) {
  expect_invalid_argument_mentioning([] { Pipeline(chosen({"cutout", "crop"})); }, {"crop"});
}

TEST(Augment, PipelineIsRandomUnlessEmptyOrNone) {
  EXPECT_FALSE(Pipeline(chosen({"none"})).random());
  config::Config empty = chosen({"none"});
  empty.set("augment.name", std::vector<std::string>{});
  EXPECT_FALSE(Pipeline(empty).random());
  EXPECT_TRUE(Pipeline(chosen({"crop"})).random());
}

TEST(Augment, PipelineOutputSizeFollowsEveryStep) {
  const Pipeline p(chosen({"crop", "translate"}, {"crop_size=84", "translate_size=92"}));
  EXPECT_EQ(p.output_size(), 92);
  const StackedFrames f(1, 100, 100, 18);
  const torch::Tensor eval = p.eval(f.batch);
  ASSERT_EQ(eval.sizes(), (Shape{1, 9, 92, 92}));
  // The centre crop, placed in the middle of the 92 x 92 canvas.
  EXPECT_TRUE(torch::equal(eval.slice(2, 4, 88).slice(3, 4, 88), center_crop(f.batch, 84)));
}

}  // namespace
}  // namespace curlrl::augment
