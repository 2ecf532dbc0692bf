// The parts of `curlrl interpret` checked against values worked out by hand: saliency of a network whose input
// gradient is known in closed form, the linear probe on planted relations, the discounted returns of a known reward
// sequence, and the chart ticks.
#include <gtest/gtest.h>
#include <torch/nn/functional/linear.h>
#include <torch/nn/modules/linear.h>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <numbers>

#include "interpret/draw.h"
#include "interpret/probe.h"
#include "interpret/saliency.h"
#include "interpret/values.h"

namespace curlrl::interpret {
namespace {

// A linear layer reading one pixel region (rows 1-2, columns 2-3, all 3 channels) of a [B, 3, 5, 6] input: its
// input gradient is the layer's weight inside the region and 0 outside, for every sample.
struct RegionNet {
  torch::nn::Linear linear;
  explicit RegionNet(int64_t outputs) : linear(torch::nn::Linear(3 * 2 * 2, outputs)) {
    torch::manual_seed(11);
    torch::NoGradGuard no_grad;
    linear->weight.uniform_(-2.0, 2.0);
  }
  torch::Tensor operator()(const torch::Tensor& x) const {
    return torch::nn::functional::linear(x.slice(2, 1, 3).slice(3, 2, 4).flatten(1), linear->weight, linear->bias);
  }
  // The closed-form saliency: per pixel of the region, the norm over outputs and channels of the weights reading it.
  float expected(int64_t y, int64_t x) const {
    if (y < 1 || y > 2 || x < 2 || x > 3) return 0.0f;
    const torch::Tensor w = linear->weight.view({-1, 3, 2, 2});  // [K, C, 2, 2], flatten order (C, H, W)
    return w.select(2, y - 1).select(2, x - 2).square().sum().sqrt().item<float>();
  }
};

TEST(Saliency, ALinearLayerOnOneRegionHasItsWeightsAsGradient) {
  for (int64_t outputs : {1, 2}) {
    const RegionNet net(outputs);
    const torch::Tensor x = torch::rand({4, 3, 5, 6}) * 255;
    const torch::Tensor g = input_gradients(net, x);
    ASSERT_EQ(g.sizes(), (std::vector<int64_t>{outputs, 4, 3, 5, 6}));
    // The raw gradient of output k, channel c, region pixel: the weight entry.
    const torch::Tensor w = net.linear->weight.view({outputs, 3, 2, 2});
    EXPECT_TRUE(torch::allclose(g[outputs - 1][2].slice(1, 1, 3).slice(2, 2, 4), w[outputs - 1]));
    const torch::Tensor map = saliency(net, x);
    ASSERT_EQ(map.sizes(), (std::vector<int64_t>{4, 5, 6}));
    for (int64_t b = 0; b < 4; ++b) {
      for (int64_t yy = 0; yy < 5; ++yy) {
        for (int64_t xx = 0; xx < 6; ++xx) {
          EXPECT_NEAR(map[b][yy][xx].item<float>(), net.expected(yy, xx), 1e-5) << b << " " << yy << " " << xx;
        }
      }
    }
    // A linear network's gradient does not depend on the input: SmoothGrad gives the same map exactly.
    auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
    EXPECT_TRUE(torch::allclose(smoothgrad(net, x, 5, 20.0, gen), map, 1e-5, 1e-5));
  }
}

TEST(Saliency, SmoothGradAveragesTheMagnitudeOverNoisyCopies) {
  // f(x) = x_p^2 / 2 at one pixel, evaluated at x = 0: each noisy copy's gradient there is the noise e ~ N(0, s^2),
  // so the SmoothGrad map at that pixel is the mean of |e|, whose expectation is s * sqrt(2 / pi); 0 elsewhere.
  const NetworkFn f = [](const torch::Tensor& x) { return 0.5 * x.select(1, 0).select(1, 2).select(1, 1).square(); };
  const torch::Tensor x = torch::zeros({1, 3, 4, 4});
  auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
  const double sigma = 3.0;
  const torch::Tensor m = smoothgrad(f, x, 4000, sigma, gen);
  EXPECT_NEAR(m[0][2][1].item<double>(), sigma * std::sqrt(2.0 / std::numbers::pi), 0.05 * sigma);
  EXPECT_EQ(m.sum().item<double>(), m[0][2][1].item<double>());
  // At x = 0 the plain gradient is 0: the noise is what SmoothGrad added.
  EXPECT_EQ(saliency(f, x).abs().sum().item<double>(), 0.0);
}

TEST(Probe, RecoversAPlantedLinearRelationAndFindsNoneInNoise) {
  torch::manual_seed(5);
  const int64_t n = 600, f = 12;
  const torch::Tensor x = torch::randn({n, f}, torch::kFloat64) * torch::linspace(0.1, 10, f, torch::kFloat64);
  const torch::Tensor a = torch::randn({f, 1}, torch::kFloat64);
  const torch::Tensor planted = x.mm(a) + 3.0 + 0.01 * torch::randn({n, 1}, torch::kFloat64);
  const torch::Tensor noise = torch::randn({n, 1}, torch::kFloat64);
  const torch::Tensor constant = torch::full({n, 1}, 2.5, torch::kFloat64);
  const torch::Tensor y = torch::cat({planted, noise, constant}, 1);
  const auto r2 = ridge_probe_r2(x.slice(0, 0, 450), y.slice(0, 0, 450), x.slice(0, 450), y.slice(0, 450), 1.0);
  ASSERT_EQ(r2.size(), 3u);
  EXPECT_GT(r2[0], 0.999);
  EXPECT_LT(std::abs(r2[1]), 0.1);  // independent noise: nothing to find (slightly below 0 out of sample)
  EXPECT_TRUE(std::isnan(r2[2]));   // constant on the held-out rows: no R^2
  // R^2 by hand for a one-feature case with lambda = 0: y = 2x exactly on training, tested on points off the line.
  const torch::Tensor xt = torch::tensor({{0.0}, {1.0}, {2.0}}, torch::kFloat64);
  const torch::Tensor yt = torch::tensor({{0.0}, {2.0}, {4.0}}, torch::kFloat64);
  const torch::Tensor xs = torch::tensor({{0.0}, {1.0}}, torch::kFloat64);
  const torch::Tensor ys = torch::tensor({{1.0}, {2.0}}, torch::kFloat64);
  // Predictions 0 and 2; residuals 1, 0; total sum of squares about the held-out mean 1.5: 0.5. R^2 = 1 - 1/0.5.
  EXPECT_NEAR(ridge_probe_r2(xt, yt, xs, ys, 0.0)[0], -1.0, 1e-9);
}

TEST(Probe, HoldsOutWholeEpisodesOrTheLastQuarter) {
  const std::vector<bool> by_episode = held_out_rows({0, 0, 1, 1, 2, 2, 3, 3, 3});
  EXPECT_EQ(by_episode, (std::vector<bool>{false, false, false, false, false, false, true, true, true}));
  const std::vector<bool> eight_episodes = held_out_rows({0, 1, 2, 3, 4, 5, 6, 7});
  EXPECT_EQ(eight_episodes, (std::vector<bool>{false, false, false, false, false, false, true, true}));
  const std::vector<bool> one_episode = held_out_rows(std::vector<int64_t>(8, 0));
  EXPECT_EQ(one_episode, (std::vector<bool>{false, false, false, false, false, false, true, true}));
}

TEST(Values, DiscountedReturnsOfAKnownRewardSequence) {
  // r = 1, 2, 3 with gamma 0.5: G2 = 3, G1 = 2 + 1.5 = 3.5, G0 = 1 + 0.5 * 3.5 = 2.75.
  const auto g = discounted_returns({1, 2, 3}, 0.5);
  ASSERT_EQ(g.size(), 3u);
  EXPECT_DOUBLE_EQ(g[0], 2.75);
  EXPECT_DOUBLE_EQ(g[1], 3.5);
  EXPECT_DOUBLE_EQ(g[2], 3.0);
  // The tail: the last reward (window 1) forever after step 3, worth 3 / (1 - 0.5) = 6 at step 3, discounted back.
  const auto t = returns_with_tail({1, 2, 3}, 0.5, 1);
  EXPECT_DOUBLE_EQ(t[0], 2.75 + 0.125 * 6);
  EXPECT_DOUBLE_EQ(t[1], 3.5 + 0.25 * 6);
  EXPECT_DOUBLE_EQ(t[2], 3.0 + 0.5 * 6);
  // Window 2: the mean of the last two rewards, 2.5, worth 5.
  EXPECT_DOUBLE_EQ(returns_with_tail({1, 2, 3}, 0.5, 2)[2], 3.0 + 0.5 * 5);
  // A constant reward with its tail is the infinite-horizon value at every step.
  for (double v : returns_with_tail(std::vector<double>(50, 2.0), 0.9, 10)) EXPECT_NEAR(v, 20.0, 1e-9);
  EXPECT_THROW(returns_with_tail({1}, 1.0, 1), std::invalid_argument);
}

void expect_ticks(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12 * (1 + std::abs(want[i]))) << i;
}

TEST(Draw, TicksAreRoundNumbersCoveringTheRange) {
  expect_ticks(nice_ticks(0, 1, 5), {0, 0.2, 0.4, 0.6, 0.8, 1});
  expect_ticks(nice_ticks(0, 100000, 5), {0, 20000, 40000, 60000, 80000, 100000});
  expect_ticks(nice_ticks(-1, 1, 4), {-1, -0.5, 0, 0.5, 1});
  expect_ticks(nice_ticks(3, 47, 4), {20, 40});  // a step of 10 would give 5 ticks: 20 is the first 1-2-5 step >= 44 / 4
}

TEST(Draw, HeatOverlayColoursBySaliencyAndKeepsTheSceneUnderneath) {
  Image frame(4, 1, 0);
  for (int x = 0; x < 4; ++x) std::fill(frame.at(x, 0), frame.at(x, 0) + 3, static_cast<uint8_t>(60 * x));
  const std::vector<float> map = {0.0f, 0.0f, 2.0f, 10.0f};
  const Image o = heat_overlay(frame, map, 2.0f);
  // Zero saliency over a black pixel: inferno's black, blended with black, stays near black.
  EXPECT_LT(o.at(0, 0)[0] + o.at(0, 0)[1] + o.at(0, 0)[2], 20);
  // Saturated saliency (at or above the scale) is the colour map's bright end: two pixels with the same colour.
  EXPECT_GT(o.at(2, 0)[0], 150);
  // Equal saliency, different scene brightness: the brighter scene shows through (grey part of the blend).
  EXPECT_GT(o.at(3, 0)[0], o.at(2, 0)[0]);
  EXPECT_EQ(to_chw(from_chw(to_chw(o), 4, 1)), to_chw(o));
}

}  // namespace
}  // namespace curlrl::interpret
