#include "encoders/pixel.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/init.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "encoders/init.h"

namespace curlrl::encoders {

const config::Setting<int64_t> kFeatureDim{"encoder.feature_dim", 50, "size of the encoder's output features",
                                           {.min = 1}};
const config::Setting<int64_t> kNumLayers{"encoder.num_layers", 4, "convolution layers", {.min = 1, .max = 16}};
const config::Setting<int64_t> kNumFilters{"encoder.num_filters", 32, "filters per convolution layer",
                                           {.min = 1, .max = 4096}};
const config::Setting<bool> kTanh{"encoder.tanh", false,
                                  "apply tanh after the LayerNorm (the paper's pseudocode; off in the reference code)"};

namespace {
const RegisterEncoder kRegistered{
    "pixel",
    "The CURL / SAC-AE pixel encoder: convolutions (32 filters of 3x3, stride 2 then 1, ReLU), fc, LayerNorm",
    {&kFeatureDim, &kNumLayers, &kNumFilters, &kTanh},
    [](const config::Config& c, const std::vector<int64_t>& shape) -> Encoder {
      return std::make_shared<PixelEncoderImpl>(PixelEncoderOptions::from_config(c, shape));
    },
    [](const config::Config& c, const std::vector<int64_t>& shape) {
      return PixelEncoderOptions::from_config(c, shape).size(/*with_head=*/true);
    }};
}  // namespace

EncoderSize PixelEncoderOptions::size(bool with_head) const {
  EncoderSize s;
  if (obs_shape.size() != 3) return s;
  const double f = static_cast<double>(num_filters), d = static_cast<double>(feature_dim);
  double channels = static_cast<double>(obs_shape[0]);
  double h = std::floor((static_cast<double>(obs_shape[1]) - 3) / 2) + 1;
  double w = std::floor((static_cast<double>(obs_shape[2]) - 3) / 2) + 1;
  for (int64_t i = 0; i < num_layers; ++i) {
    if (i > 0) h -= 2, w -= 2;
    s.trunk_parameters += channels * f * 9 + f;
    s.activations += f * std::max(h, 0.0) * std::max(w, 0.0);
    channels = f;
  }
  const double trunk_dim = f * std::max(h, 0.0) * std::max(w, 0.0);
  s.head_parameters = with_head ? trunk_dim * d + d + 2 * d : 0;
  s.feature_dim = with_head ? d : trunk_dim;
  if (with_head) s.activations += 2 * d;
  return s;
}

PixelEncoderOptions PixelEncoderOptions::from_config(const config::Config& c, const std::vector<int64_t>& obs_shape) {
  PixelEncoderOptions o;
  o.obs_shape = obs_shape;
  // The drq encoder has no head: its configuration holds only the convolution settings.
  if (c.has(kFeatureDim.key())) o.feature_dim = kFeatureDim(c);
  if (c.has(kTanh.key())) o.tanh = kTanh(c);
  o.num_layers = kNumLayers(c);
  o.num_filters = kNumFilters(c);
  o.conv_chunk = 128;  // a whole 512 batch's convolution working set falls out of cache
  return o;
}

PixelEncoderImpl::PixelEncoderImpl(const PixelEncoderOptions& options, bool with_head)
    : options_(options), with_head_(with_head) {
  if (options.obs_shape.size() != 3) {
    throw std::invalid_argument("the pixel encoder takes [C, H, W] observations (use encoder=identity for states)");
  }
  int64_t channels = options.obs_shape[0];
  for (int64_t i = 0; i < options.num_layers; ++i) {
    auto conv = torch::nn::Conv2d(
        torch::nn::Conv2dOptions(channels, options.num_filters, 3).stride(i == 0 ? 2 : 1));
    convs_.push_back(register_module("conv" + std::to_string(i), conv));
    channels = options.num_filters;
  }
  {
    torch::NoGradGuard no_grad;  // size the fc from a dummy forward
    trunk_dim_ = trunk_piece(torch::zeros({1, options.obs_shape[0], options.obs_shape[1], options.obs_shape[2]}))
                     .size(1);
  }
  // 3x3 convolutions without padding: the first halves (stride 2), each further one takes 2 off.
  trunk_chw_ = {channels, (options.obs_shape[1] - 3) / 2 + 1 - 2 * (options.num_layers - 1),
                (options.obs_shape[2] - 3) / 2 + 1 - 2 * (options.num_layers - 1)};
  if (trunk_chw_[0] * trunk_chw_[1] * trunk_chw_[2] != trunk_dim_) {
    throw std::logic_error("pixel encoder: the conv output size does not match its shape");
  }
  if (with_head_) {
    fc_ = register_module("fc", torch::nn::Linear(trunk_dim_, options.feature_dim));
    ln_ = register_module("ln", torch::nn::LayerNorm(torch::nn::LayerNormOptions({options.feature_dim})));
  }
  for (auto& conv : convs_) delta_orthogonal_init(conv);
  if (with_head_) orthogonal_init(*fc_);
}

torch::Tensor PixelEncoderImpl::to_conventional(const std::string& name, const torch::Tensor& p) const {
  return name == "fc.weight" ? hwc_columns_to_chw(p, trunk_chw_[0], trunk_chw_[1], trunk_chw_[2]) : p;
}

torch::Tensor PixelEncoderImpl::from_conventional(const std::string& name, const torch::Tensor& p) const {
  return name == "fc.weight" ? chw_columns_to_hwc(p, trunk_chw_[0], trunk_chw_[1], trunk_chw_[2]) : p;
}

torch::Tensor PixelEncoderImpl::trunk_piece(const torch::Tensor& obs) {
  // Channels-last activations let oneDNN run the convolutions without reordering every input and output to its
  // blocked layout (a third of the convolution time at batch 128), and give the first layer's weight gradient an
  // AVX-512 kernel; the features are read in that memory order.
  torch::Tensor x = unit_range_channels_last(obs);
  for (auto& conv : convs_) x = conv->forward(x).relu_();  // in place: the conv output is not kept
  return flatten_hwc(x);
}

torch::Tensor PixelEncoderImpl::trunk(const torch::Tensor& obs) {
  return chunked(obs, options_.conv_chunk, [this](const torch::Tensor& part) { return trunk_piece(part); });
}

torch::Tensor PixelEncoderImpl::head(const torch::Tensor& trunk_out) {
  if (!with_head_) return trunk_out;
  // Under bf16 mixed precision the fc gives bfloat16, which LibTorch 1.13's LayerNorm does not take with fp32
  // weights: the normalisation runs in the weights' precision.
  torch::Tensor h = ln_->forward(fc_->forward(trunk_out).to(ln_->weight.scalar_type()));
  return options_.tanh ? torch::tanh(h) : h;
}

torch::Tensor PixelEncoderImpl::forward(const torch::Tensor& obs, bool detach_trunk) {
  torch::Tensor t = trunk(obs);
  return head(detach_trunk ? t.detach() : t);
}

void PixelEncoderImpl::tie_trunk_to(const EncoderImpl& other) {
  const auto* src = dynamic_cast<const PixelEncoderImpl*>(&other);
  if (!src || src->convs_.size() != convs_.size()) {
    throw std::invalid_argument("tie_trunk_to: encoders have different trunks");
  }
  for (size_t i = 0; i < convs_.size(); ++i) {
    convs_[i] = src->convs_[i];
    replace_module("conv" + std::to_string(i), convs_[i]);
  }
}

std::vector<torch::Tensor> PixelEncoderImpl::trunk_parameters() const {
  std::vector<torch::Tensor> out;
  for (const auto& conv : convs_) {
    for (const auto& p : conv->parameters()) out.push_back(p);
  }
  return out;
}

std::vector<torch::Tensor> PixelEncoderImpl::head_parameters() const {
  std::vector<torch::Tensor> out;
  if (!with_head_) return out;
  for (const auto& p : fc_->parameters()) out.push_back(p);
  for (const auto& p : ln_->parameters()) out.push_back(p);
  return out;
}

}  // namespace curlrl::encoders
