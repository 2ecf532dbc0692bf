#include <gtest/gtest.h>

#include "encoders/encoder.h"
#include "encoders/init.h"
#include "encoders/pixel.h"

namespace curlrl::encoders {
namespace {

TEST(PixelEncoder, PaperSizesGive35x35ConvOutputAnd50Features) {
  PixelEncoderOptions o;
  o.obs_shape = {9, 84, 84};
  auto enc = std::make_shared<PixelEncoderImpl>(o);
  ASSERT_TRUE(enc);
  // 84 -> 41 (stride 2) -> 39 -> 37 -> 35, 32 filters: computed independently of the encoder's dummy forward.
  EXPECT_EQ(enc->trunk_dim(), 32 * 35 * 35);
  const auto out = enc->forward(torch::rand({2, 9, 84, 84}) * 255);
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{2, 50}));
  EXPECT_EQ(enc->feature_dim(), 50);
}

TEST(PixelEncoder, LayerNormOutputHasZeroMeanUnitVarianceAndOptionalTanh) {
  PixelEncoderOptions o;
  o.obs_shape = {3, 32, 32};
  o.feature_dim = 20;
  o.num_layers = 2;
  Encoder enc = std::make_shared<PixelEncoderImpl>(o);
  const auto z = enc->forward(torch::rand({4, 3, 32, 32}) * 255);
  EXPECT_TRUE(torch::allclose(z.mean(1), torch::zeros({4}), 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(z.var(1, /*unbiased=*/false), torch::ones({4}), 1e-2, 1e-3));
  o.tanh = true;
  Encoder with_tanh = std::make_shared<PixelEncoderImpl>(o);
  const auto t = with_tanh->forward(torch::rand({4, 3, 32, 32}) * 255);
  EXPECT_LE(t.abs().max().item<float>(), 1.0f);
}

TEST(PixelEncoder, PixelsAreScaledToUnitRange) {
  // A 255 input must give the same output as feeding 1.0 into the convolutions directly.
  PixelEncoderOptions o;
  o.obs_shape = {3, 16, 16};
  o.num_layers = 1;
  auto enc = std::make_shared<PixelEncoderImpl>(o);
  const auto full = torch::full({1, 3, 16, 16}, 255.0f);
  torch::nn::Conv2d conv = enc->convs()[0];
  // Features in (H, W, C) order.
  const auto direct = torch::relu(conv->forward(torch::ones({1, 3, 16, 16}))).permute({0, 2, 3, 1}).flatten(1);
  EXPECT_TRUE(torch::allclose(enc->trunk(full), direct, 1e-5, 1e-6));
}

TEST(PixelEncoder, ChunkedConvolutionsGiveTheSameFeaturesAndGradients) {
  PixelEncoderOptions o;
  o.obs_shape = {9, 84, 84};
  torch::manual_seed(0);
  Encoder whole = std::make_shared<PixelEncoderImpl>(o);
  o.conv_chunk = 3;
  Encoder chunked = std::make_shared<PixelEncoderImpl>(o);
  {
    torch::NoGradGuard g;
    const auto src = whole->parameters(), dst = chunked->parameters();
    for (size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
  }
  const auto x = torch::rand({7, 9, 84, 84}) * 255;
  const auto a = whole->forward(x), b = chunked->forward(x);
  EXPECT_TRUE(torch::allclose(a, b, 1e-4, 1e-5));
  a.pow(2).sum().backward();
  b.pow(2).sum().backward();
  const auto ga = whole->parameters()[0].grad(), gb = chunked->parameters()[0].grad();
  EXPECT_TRUE(torch::allclose(ga, gb, 1e-3, 1e-4));
}

TEST(PixelEncoder, DeltaOrthogonalInitHasOnlyTheKernelCentre) {
  PixelEncoderOptions o;
  o.obs_shape = {9, 84, 84};
  auto enc = std::make_shared<PixelEncoderImpl>(o);
  const auto w = enc->convs()[1]->weight;  // [32, 32, 3, 3]
  auto off_centre = w.clone();
  off_centre.select(2, 1).select(2, 1).zero_();
  EXPECT_EQ(off_centre.abs().sum().item<float>(), 0.0f);
  const auto centre = w.select(2, 1).select(2, 1);  // orthogonal times sqrt(2): C C^T = 2 I
  EXPECT_TRUE(torch::allclose(torch::mm(centre, centre.t()), 2 * torch::eye(32), 1e-4, 1e-4));
}

TEST(Encoders, RegistryReachesEveryEncoderAndRejectsUnknownNames) {
  for (const auto& name : encoder_names()) {
    const std::vector<int64_t> shape = name == "identity" ? std::vector<int64_t>{5} : std::vector<int64_t>{9, 84, 84};
    auto enc = make_default_encoder(name, shape);
    const auto x = name == "identity" ? torch::rand({2, 5}) : torch::rand({2, 9, 84, 84});
    EXPECT_EQ(enc->forward(x).size(1), enc->feature_dim()) << name;
  }
  EXPECT_THROW(make_default_encoder("resnet9000", {9, 84, 84}), std::invalid_argument);
}

}  // namespace
}  // namespace curlrl::encoders

namespace curlrl::encoders {
namespace {

TEST(Init, OrthogonalRowsOrColumnsForEveryShape) {
  torch::manual_seed(0);
  for (const auto& shape : std::vector<std::vector<int64_t>>{{50, 392}, {64, 20}, {32, 32}, {1, 7}}) {
    torch::Tensor w = torch::empty(shape);
    orthogonal_(w, 1.0);
    const auto d = w.to(torch::kFloat64);
    // The smaller Gram matrix is the identity.
    const auto gram = shape[0] <= shape[1] ? torch::mm(d, d.t()) : torch::mm(d.t(), d);
    EXPECT_TRUE(torch::allclose(gram, torch::eye(gram.size(0), torch::kFloat64), 1e-5, 1e-5)) << shape[0];
  }
  // Different draws differ, same seed repeats.
  torch::Tensor a = torch::empty({8, 8}), b = torch::empty({8, 8}), c = torch::empty({8, 8});
  torch::manual_seed(1);
  orthogonal_(a, 1.0);
  orthogonal_(c, 1.0);
  torch::manual_seed(1);
  orthogonal_(b, 1.0);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, c));
}

}  // namespace
}  // namespace curlrl::encoders
