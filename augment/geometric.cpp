// Geometric augmentations: crop, shift, translate, flip, rotate. Each draws one transform per sample, shared by
// the sample's stacked frames (they move together as one [S * C, H, W] image).
#include <torch/nn/functional/padding.h>
#include <torch/nn/functional/vision.h>

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "augment/ops.h"

namespace curlrl::augment {
namespace {

void check_batch(const torch::Tensor& x, const char* who) {
  if (x.dim() != 4) {
    throw std::invalid_argument(std::string(who) + ": expected a [B, S*C, H, W] batch, got " +
                                std::to_string(x.dim()) + " dimensions");
  }
}

// Each sample's size x size window at its own offset.
torch::Tensor windows(const torch::Tensor& x, int64_t size, const std::vector<std::pair<int64_t, int64_t>>& at) {
  std::vector<torch::Tensor> out;
  out.reserve(at.size());
  for (size_t b = 0; b < at.size(); ++b) {
    out.push_back(x[static_cast<int64_t>(b)].narrow(1, at[b].first, size).narrow(2, at[b].second, size));
  }
  return torch::stack(out);
}

std::vector<std::pair<int64_t, int64_t>> draw_offsets(int64_t batch, int64_t max_top, int64_t max_left,
                                                      std::mt19937_64& rng) {
  std::uniform_int_distribution<int64_t> top(0, max_top), left(0, max_left);
  std::vector<std::pair<int64_t, int64_t>> at(static_cast<size_t>(batch));
  for (auto& o : at) {
    o.first = top(rng);
    o.second = left(rng);
  }
  return at;
}

const config::Setting<bool> kCropReferenceRange{
    "augment.crop_reference_range", false,
    "crop: draw offsets in [0, size-crop-1] as the reference code does, instead of the full range [0, size-crop]"};

// Random crop to crop_size (the pipeline reads it straight from uint8 frames; this is the float version).
class Crop : public Augmentation {
 public:
  explicit Crop(const config::Config& c) : size_(kCropSize(c)), reference_range_(kCropReferenceRange(c)) {}
  torch::Tensor apply(const torch::Tensor& x, std::mt19937_64& rng) const override {
    check_batch(x, "crop");
    const int64_t spare = reference_range_ ? 1 : 0;
    if (x.size(2) - size_ - spare < 0 || x.size(3) - size_ - spare < 0) {
      throw std::invalid_argument("crop: crop_size " + std::to_string(size_) + " does not fit " +
                                  std::to_string(x.size(2)) + "x" + std::to_string(x.size(3)) + " images");
    }
    return windows(x, size_, draw_offsets(x.size(0), x.size(2) - size_ - spare, x.size(3) - size_ - spare, rng));
  }
  torch::Tensor apply_eval(const torch::Tensor& x) const override {
    check_batch(x, "crop");
    return x.narrow(2, (x.size(2) - size_) / 2, size_).narrow(3, (x.size(3) - size_) / 2, size_);
  }
  int64_t output_size(int64_t) const override { return size_; }

 private:
  int64_t size_;
  bool reference_range_;
};
const RegisterAugmentation kCrop{"crop",
                                 "random crop to augment.crop_size, one offset per sample (CURL, RAD); acting: centre "
                                 "crop; must come first",
                                 {&kCropReferenceRange}, make<Crop>};

// DrQ's shift: pad by replicating the edges, then a random crop back to the original size.
const config::Setting<int64_t> kShiftPad{"augment.shift_pad", 4,
                                         "shift: pixels of edge-replicating padding before the random crop back",
                                         {.min = 0, .max = 64}};
class Shift : public Augmentation {
 public:
  explicit Shift(const config::Config& c) : pad_(kShiftPad(c)) {
    if (pad_ < 0) throw std::invalid_argument("shift: shift_pad must be >= 0");
  }
  torch::Tensor apply(const torch::Tensor& x, std::mt19937_64& rng) const override {
    check_batch(x, "shift");
    namespace F = torch::nn::functional;
    const torch::Tensor padded =
        F::pad(x.contiguous(), F::PadFuncOptions({pad_, pad_, pad_, pad_}).mode(torch::kReplicate));
    return windows(padded, x.size(2), draw_offsets(x.size(0), 2 * pad_, 2 * pad_, rng));
  }

 private:
  int64_t pad_;
};
const RegisterAugmentation kShift{"shift", "pad augment.shift_pad by replicating edges, random crop back to size (DrQ)",
                                  {&kShiftPad}, make<Shift>};

// RAD's translate: the whole frame placed at a random position in a larger zero canvas.
const config::Setting<int64_t> kTranslateSize{"augment.translate_size", 108,
                                              "translate: side of the zero canvas the frame is placed in",
                                              {.min = 1, .max = 4096}};
class Translate : public Augmentation {
 public:
  explicit Translate(const config::Config& c) : size_(kTranslateSize(c)) {}
  torch::Tensor apply(const torch::Tensor& x, std::mt19937_64& rng) const override {
    check(x);
    const auto at = draw_offsets(x.size(0), size_ - x.size(2), size_ - x.size(3), rng);
    return place(x, at);
  }
  torch::Tensor apply_eval(const torch::Tensor& x) const override {
    check(x);
    const std::pair<int64_t, int64_t> centre{(size_ - x.size(2)) / 2, (size_ - x.size(3)) / 2};
    return place(x, std::vector<std::pair<int64_t, int64_t>>(static_cast<size_t>(x.size(0)), centre));
  }
  int64_t output_size(int64_t size) const override {
    if (size > size_) {
      throw std::invalid_argument("translate: translate_size " + std::to_string(size_) +
                                  " is smaller than the " + std::to_string(size) + "x" + std::to_string(size) +
                                  " images it receives");
    }
    return size_;
  }

 private:
  void check(const torch::Tensor& x) const {
    check_batch(x, "translate");
    output_size(std::max(x.size(2), x.size(3)));
  }
  torch::Tensor place(const torch::Tensor& x, const std::vector<std::pair<int64_t, int64_t>>& at) const {
    torch::Tensor canvas = torch::zeros({x.size(0), x.size(1), size_, size_}, x.options());
    for (size_t b = 0; b < at.size(); ++b) {
      const auto i = static_cast<int64_t>(b);
      canvas[i].narrow(1, at[b].first, x.size(2)).narrow(2, at[b].second, x.size(3)).copy_(x[i]);
    }
    return canvas;
  }
  int64_t size_;
};
const RegisterAugmentation kTranslate{"translate",
                                      "frame at a random place in a zero canvas of augment.translate_size (RAD); "
                                      "acting: centred",
                                      {&kTranslateSize}, make<Translate>};

// Horizontal flip with probability p per sample.
const config::Setting<double> kFlipP{"augment.flip_p", 0.5, "flip: probability of a horizontal flip per sample",
                                     {.min = 0, .max = 1}};
class Flip : public Augmentation {
 public:
  explicit Flip(const config::Config& c) : p_(kFlipP(c)) {}
  torch::Tensor apply(const torch::Tensor& x, std::mt19937_64& rng) const override {
    check_batch(x, "flip");
    const torch::Tensor mask = bernoulli_mask(x.size(0), p_, rng).view({-1, 1, 1, 1});
    return torch::where(mask, x.flip({3}), x);
  }

 private:
  double p_;
};
const RegisterAugmentation kFlip{"flip", "horizontal flip with probability augment.flip_p per sample", {&kFlipP},
                                 make<Flip>};

// A random multiple of 90 degrees, or a small random angle (bilinear, zeros outside), per sample.
const config::Setting<std::string> kRotateMode{
    "augment.rotate_mode", "quarter", "rotate: quarter (multiples of 90 degrees) or small (a random angle)",
    {.choices = {"quarter", "small"}}};
const config::Setting<double> kRotateDegrees{"augment.rotate_degrees", 5.0, "rotate small: largest angle in degrees",
                                             {.min = 0, .max = 180}};
class Rotate : public Augmentation {
 public:
  explicit Rotate(const config::Config& c) : small_(kRotateMode(c) == "small"), degrees_(kRotateDegrees(c)) {}
  torch::Tensor apply(const torch::Tensor& x, std::mt19937_64& rng) const override {
    check_batch(x, "rotate");
    return small_ ? small_angles(x, rng) : quarter_turns(x, rng);
  }

 private:
  static torch::Tensor quarter_turns(const torch::Tensor& x, std::mt19937_64& rng) {
    if (x.size(2) != x.size(3)) throw std::invalid_argument("rotate: quarter turns need square images");
    std::uniform_int_distribution<int64_t> turns(0, 3);
    std::vector<torch::Tensor> out;
    for (int64_t b = 0; b < x.size(0); ++b) out.push_back(torch::rot90(x[b], turns(rng), {1, 2}));
    return torch::stack(out);
  }
  torch::Tensor small_angles(const torch::Tensor& x, std::mt19937_64& rng) const {
    namespace F = torch::nn::functional;
    std::uniform_real_distribution<double> angle(-degrees_, degrees_);
    torch::Tensor theta = torch::zeros({x.size(0), 2, 3});
    auto t = theta.accessor<float, 3>();
    for (int64_t b = 0; b < x.size(0); ++b) {
      const double a = angle(rng) * std::numbers::pi / 180.0;
      t[b][0][0] = static_cast<float>(std::cos(a));
      t[b][0][1] = static_cast<float>(-std::sin(a));
      t[b][1][0] = static_cast<float>(std::sin(a));
      t[b][1][1] = static_cast<float>(std::cos(a));
    }
    const torch::Tensor grid = F::affine_grid(theta.to(x.device()), x.sizes(), /*align_corners=*/false);
    return F::grid_sample(x.contiguous(), grid,
                          F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kZeros)
                              .align_corners(false))
        .clamp(0, 255);
  }
  bool small_;
  double degrees_;
};
const RegisterAugmentation kRotate{"rotate",
                                   "random multiple of 90 degrees, or a small angle up to augment.rotate_degrees "
                                   "(augment.rotate_mode)",
                                   {&kRotateMode, &kRotateDegrees}, make<Rotate>};

}  // namespace

torch::Tensor bernoulli_mask(int64_t n, double p, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  torch::Tensor mask = torch::empty({n}, torch::kBool);
  bool* m = mask.data_ptr<bool>();
  for (int64_t i = 0; i < n; ++i) m[i] = u(rng) < p;
  return mask;
}

}  // namespace curlrl::augment
