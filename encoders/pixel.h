// The CURL / SAC-AE pixel encoder: num_layers 3x3 convolutions of num_filters (the first with stride 2, the rest
// stride 1), ReLU after each; then fc to feature_dim, LayerNorm, and an optional tanh. Input values in [0, 255]
// are scaled to [0, 1]. The conv output size is found by a dummy forward, not tabled.
#pragma once

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "encoders/encoder.h"

namespace curlrl::encoders {

// The pixel encoder's settings (encoders/pixel.cpp); the drq encoder shares the convolution ones.
extern const config::Setting<int64_t> kFeatureDim;
extern const config::Setting<int64_t> kNumLayers;
extern const config::Setting<int64_t> kNumFilters;
extern const config::Setting<bool> kTanh;

struct PixelEncoderOptions {
  std::vector<int64_t> obs_shape;  // {C, H, W} as the encoder sees them (after cropping)
  int64_t feature_dim = kFeatureDim.fallback();
  int64_t num_layers = kNumLayers.fallback();
  int64_t num_filters = kNumFilters.fallback();
  bool tanh = kTanh.fallback();
  int64_t conv_chunk = 0;  // run the convolutions in pieces of this many samples (0: the whole batch at once)

  // The settings of `config` for observations of `obs_shape`, with the convolutions in pieces of 128 samples.
  static PixelEncoderOptions from_config(const config::Config& config, const std::vector<int64_t>& obs_shape);
  // What the encoder of these options holds (encoders/encoder.h), with or without its fc + LayerNorm head.
  EncoderSize size(bool with_head) const;
};

class PixelEncoderImpl : public EncoderImpl {
 public:
  explicit PixelEncoderImpl(const PixelEncoderOptions& options) : PixelEncoderImpl(options, /*with_head=*/true) {}
  torch::Tensor forward(const torch::Tensor& obs, bool detach_trunk = false) override;
  torch::Tensor trunk(const torch::Tensor& obs) override;
  torch::Tensor head(const torch::Tensor& trunk_out) override;
  int64_t feature_dim() const override { return with_head_ ? options_.feature_dim : trunk_dim_; }
  void tie_trunk_to(const EncoderImpl& other) override;
  std::vector<torch::Tensor> trunk_parameters() const override;
  std::vector<torch::Tensor> head_parameters() const override;
  Encoder make_like() const override { return std::make_shared<PixelEncoderImpl>(options_); }
  // fc.weight's columns between the trunk's (H, W, C) order and PyTorch's (C, H, W).
  torch::Tensor to_conventional(const std::string& name, const torch::Tensor& p) const override;
  torch::Tensor from_conventional(const std::string& name, const torch::Tensor& p) const override;
  int64_t trunk_dim() const { return trunk_dim_; }
  const PixelEncoderOptions& options() const { return options_; }
  const std::vector<torch::nn::Conv2d>& convs() const { return convs_; }

 protected:
  // Without a head the features are the flattened conv output (encoders/drq.cpp).
  PixelEncoderImpl(const PixelEncoderOptions& options, bool with_head);

 private:
  torch::Tensor trunk_piece(const torch::Tensor& obs);

  PixelEncoderOptions options_;
  bool with_head_ = true;
  std::vector<torch::nn::Conv2d> convs_;
  torch::nn::Linear fc_{nullptr};
  torch::nn::LayerNorm ln_{nullptr};
  int64_t trunk_dim_ = 0;
  std::vector<int64_t> trunk_chw_;  // the last convolution's output {C, H, W}
};

}  // namespace curlrl::encoders
