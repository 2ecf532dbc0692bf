// Photometric augmentations: cutout, color_jitter, grayscale, rand_conv, and none. Colour operations see each
// sample as S frames of C = 3 channels and change all S frames of a sample alike.
#include <torch/nn/functional/conv.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "augment/ops.h"

namespace curlrl::augment {
namespace {

// [B, S*3, H, W] -> [B, S, 3, H, W] (a view when possible).
torch::Tensor frames_view(const torch::Tensor& x, int64_t channels, const char* who) {
  if (x.dim() != 4 || channels != 3 || x.size(1) % 3 != 0) {
    throw std::invalid_argument(std::string(who) + ": needs a [B, S*3, H, W] batch of RGB frames");
  }
  return x.reshape({x.size(0), x.size(1) / 3, 3, x.size(2), x.size(3)});
}

// ITU-R BT.601 luma of [..., 3, H, W] -> [..., 1, H, W].
torch::Tensor luma(const torch::Tensor& rgb) {
  return 0.299 * rgb.select(-3, 0).unsqueeze(-3) + 0.587 * rgb.select(-3, 1).unsqueeze(-3) +
         0.114 * rgb.select(-3, 2).unsqueeze(-3);
}

// Per-sample values drawn uniformly in [lo, hi], shaped [B, 1, 1, 1, 1] to broadcast over [B, S, 3, H, W].
torch::Tensor per_sample(int64_t n, double lo, double hi, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(lo, hi);
  torch::Tensor t = torch::empty({n, 1, 1, 1, 1});
  float* p = t.data_ptr<float>();
  for (int64_t i = 0; i < n; ++i) p[i] = static_cast<float>(u(rng));
  return t;
}

// A rectangle per sample set to zero or to one random colour (the same in every stacked frame).
const config::Setting<int64_t> kCutoutMin{"augment.cutout_min", 10, "cutout: smallest rectangle side in pixels",
                                          {.min = 1}};
const config::Setting<int64_t> kCutoutMax{"augment.cutout_max", 30, "cutout: largest rectangle side in pixels",
                                          {.min = 1}};
const config::Setting<bool> kCutoutColor{"augment.cutout_color", false,
                                         "cutout: fill with a random colour instead of zeros"};
class Cutout : public Augmentation {
 public:
  explicit Cutout(const config::Config& c) : min_(kCutoutMin(c)), max_(kCutoutMax(c)), color_(kCutoutColor(c)) {
    if (min_ < 1 || max_ < min_) throw std::invalid_argument("cutout: need 1 <= cutout_min <= cutout_max");
  }
  torch::Tensor apply(const torch::Tensor& x, std::mt19937_64& rng) const override {
    if (x.dim() != 4) throw std::invalid_argument("cutout: expected a [B, S*C, H, W] batch");
    torch::Tensor out = x.clone();
    const int64_t H = x.size(2), W = x.size(3);
    std::uniform_int_distribution<int64_t> side(min_, max_);
    std::uniform_real_distribution<double> value(0.0, 255.0);
    for (int64_t b = 0; b < x.size(0); ++b) {
      const int64_t h = std::min(side(rng), H), w = std::min(side(rng), W);
      const int64_t top = std::uniform_int_distribution<int64_t>(0, H - h)(rng);
      const int64_t left = std::uniform_int_distribution<int64_t>(0, W - w)(rng);
      torch::Tensor window = out[b].narrow(1, top, h).narrow(2, left, w);
      if (!color_) {
        window.zero_();
        continue;
      }
      std::vector<double> colour(static_cast<size_t>(kFrameChannels));
      for (auto& c : colour) c = value(rng);
      for (int64_t ch = 0; ch < x.size(1); ++ch) window[ch].fill_(colour[static_cast<size_t>(ch % kFrameChannels)]);
    }
    return out;
  }

 private:
  int64_t min_, max_;
  bool color_;
};
const RegisterAugmentation kCutout{"cutout",
                                   "one rectangle per sample set to zero or a random colour (augment.cutout_*)",
                                   {&kCutoutMin, &kCutoutMax, &kCutoutColor}, make<Cutout>};

const config::Setting<double> kJitterBrightness{"augment.jitter_brightness", 0.4,
                                                "color_jitter: brightness factor drawn in [1-x, 1+x]", {.min = 0}};
const config::Setting<double> kJitterContrast{"augment.jitter_contrast", 0.4,
                                              "color_jitter: contrast factor drawn in [1-x, 1+x]", {.min = 0}};
const config::Setting<double> kJitterSaturation{"augment.jitter_saturation", 0.4,
                                                "color_jitter: saturation factor drawn in [1-x, 1+x]", {.min = 0}};
const config::Setting<double> kJitterHue{"augment.jitter_hue", 0.5,
                                         "color_jitter: hue shift drawn in [-x, x] of a full turn",
                                         {.min = 0, .max = 0.5}};

// Brightness, contrast, saturation and hue, in that order, with one draw of each per sample.
class ColorJitter : public Augmentation {
 public:
  explicit ColorJitter(const config::Config& c)
      : brightness_(kJitterBrightness(c)), contrast_(kJitterContrast(c)), saturation_(kJitterSaturation(c)),
        hue_(kJitterHue(c)) {
    if (brightness_ < 0 || contrast_ < 0 || saturation_ < 0 || hue_ < 0 || hue_ > 0.5) {
      throw std::invalid_argument("color_jitter: strengths must be >= 0 and the hue's <= 0.5");
    }
  }
  torch::Tensor apply(const torch::Tensor& x, std::mt19937_64& rng) const override {
    torch::Tensor f = frames_view(x, kFrameChannels, "color_jitter") / 255.0;  // [B, S, 3, H, W] in [0, 1]
    const int64_t B = x.size(0);
    const torch::Tensor b = per_sample(B, 1 - brightness_, 1 + brightness_, rng);
    const torch::Tensor c = per_sample(B, 1 - contrast_, 1 + contrast_, rng);
    const torch::Tensor s = per_sample(B, 1 - saturation_, 1 + saturation_, rng);
    const torch::Tensor h = per_sample(B, -hue_, hue_, rng);
    f = (f * b).clamp(0, 1);
    const torch::Tensor mean = luma(f).mean({-2, -1}, /*keepdim=*/true);  // per frame
    f = ((f - mean) * c + mean).clamp(0, 1);
    const torch::Tensor grey = luma(f);
    f = ((f - grey) * s + grey).clamp(0, 1);
    f = shift_hue(f, h);
    return (f * 255.0).reshape(x.sizes());
  }

 private:
  // RGB -> HSV, hue + shift (mod 1), -> RGB. Greys (zero saturation) stay as they are.
  static torch::Tensor shift_hue(const torch::Tensor& rgb, const torch::Tensor& shift) {
    const torch::Tensor r = rgb.select(2, 0), g = rgb.select(2, 1), bl = rgb.select(2, 2);
    const torch::Tensor maxc = torch::max(torch::max(r, g), bl);
    const torch::Tensor minc = torch::min(torch::min(r, g), bl);
    const torch::Tensor delta = maxc - minc;
    const torch::Tensor safe = torch::where(delta > 0, delta, torch::ones_like(delta));
    torch::Tensor hue = torch::where(maxc == r, (g - bl) / safe,
                                     torch::where(maxc == g, 2.0 + (bl - r) / safe, 4.0 + (r - g) / safe));
    hue = torch::where(delta > 0, hue / 6.0, torch::zeros_like(hue));
    hue = torch::remainder(hue + shift.squeeze(2), 1.0);
    const torch::Tensor sat = torch::where(maxc > 0, delta / torch::where(maxc > 0, maxc, torch::ones_like(maxc)),
                                           torch::zeros_like(maxc));
    // HSV -> RGB: channel n in (5, 3, 1) is v - v s clamp(min(k, 4 - k), 0, 1) with k = (n + 6 hue) mod 6.
    std::vector<torch::Tensor> out;
    for (double n : {5.0, 3.0, 1.0}) {
      const torch::Tensor k = torch::remainder(n + hue * 6.0, 6.0);
      out.push_back(maxc - maxc * sat * torch::clamp(torch::min(k, 4.0 - k), 0.0, 1.0));
    }
    return torch::stack(out, 2);
  }
  double brightness_, contrast_, saturation_, hue_;
};
const RegisterAugmentation kColorJitter{
    "color_jitter", "brightness, contrast, saturation, hue per sample, in that order (augment.jitter_*)",
    {&kJitterBrightness, &kJitterContrast, &kJitterSaturation, &kJitterHue}, make<ColorJitter>};

// Luma in all three channels, with probability p per sample.
const config::Setting<double> kGrayscaleP{"augment.grayscale_p", 0.3, "grayscale: probability per sample",
                                          {.min = 0, .max = 1}};
class Grayscale : public Augmentation {
 public:
  explicit Grayscale(const config::Config& c) : p_(kGrayscaleP(c)) {}
  torch::Tensor apply(const torch::Tensor& x, std::mt19937_64& rng) const override {
    const torch::Tensor f = frames_view(x, kFrameChannels, "grayscale");
    const torch::Tensor grey = luma(f).expand_as(f).reshape(x.sizes());
    const torch::Tensor mask = bernoulli_mask(x.size(0), p_, rng).view({-1, 1, 1, 1});
    return torch::where(mask, grey, x);
  }

 private:
  double p_;
};
const RegisterAugmentation kGrayscale{"grayscale",
                                      "luma in all colour channels with probability augment.grayscale_p per sample",
                                      {&kGrayscaleP}, make<Grayscale>};

// One random 3x3 convolution over the colour channels (3 -> 3, Xavier-normal weights, no bias), drawn per batch
// and applied to every frame; the result is clipped to [0, 255].
class RandConv : public Augmentation {
 public:
  explicit RandConv(const config::Config&) {}
  torch::Tensor apply(const torch::Tensor& x, std::mt19937_64& rng) const override {
    const torch::Tensor f = frames_view(x, kFrameChannels, "rand_conv");
    std::normal_distribution<double> normal(0.0, std::sqrt(2.0 / (27.0 + 27.0)));
    torch::Tensor weight = torch::empty({3, 3, 3, 3});
    float* w = weight.data_ptr<float>();
    for (int64_t i = 0; i < weight.numel(); ++i) w[i] = static_cast<float>(normal(rng));
    namespace F = torch::nn::functional;
    const torch::Tensor frames = f.reshape({-1, 3, x.size(2), x.size(3)}).contiguous();
    return F::conv2d(frames, weight.to(x.device()), F::Conv2dFuncOptions().padding(1))
        .clamp(0, 255)
        .reshape(x.sizes());
  }

 private:
};
const RegisterAugmentation kRandConv{"rand_conv", "a random 3x3 convolution over the colour channels, redrawn per batch",
                                     {}, make<RandConv>};

class None : public Augmentation {
 public:
  explicit None(const config::Config&) {}
  torch::Tensor apply(const torch::Tensor& x, std::mt19937_64&) const override { return x; }
};
const RegisterAugmentation kNone{"none", "no augmentation (observations are only centre-cropped to augment.crop_size)",
                                 {}, make<None>};

}  // namespace

}  // namespace curlrl::augment
