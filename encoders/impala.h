// An IMPALA-style residual conv stack (Espeholt et al. 2018): three stages of 16, 32 and 32 channels, each a 3x3
// convolution (padding 1), a 3x3 max-pool with stride 2 (padding 1) and two residual blocks
// (x + conv(relu(conv(relu(x))))); then ReLU and flatten. No fc: the features are the flattened output
// (32 x 11 x 11 = 3872 on 84x84 inputs, 32 x 8 x 8 = 2048 on 64x64).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>

#include "encoders/encoder.h"

namespace curlrl::encoders {

class ImpalaTrunkImpl : public torch::nn::Module {
 public:
  ImpalaTrunkImpl(int64_t in_channels, const std::vector<int64_t>& stage_channels);
  torch::Tensor forward(const torch::Tensor& x);  // [B, C, H, W] in [0, 1] -> [B, features]

 private:
  struct Stage {
    torch::nn::Conv2d conv{nullptr};
    std::vector<torch::nn::Conv2d> res;  // two blocks of two convolutions
  };
  std::vector<Stage> stages_;
};
TORCH_MODULE(ImpalaTrunk);

class ImpalaEncoderImpl : public EncoderImpl {
 public:
  explicit ImpalaEncoderImpl(const EncoderOptions& options);
  torch::Tensor forward(const torch::Tensor& obs, bool detach_trunk = false) override;
  torch::Tensor trunk(const torch::Tensor& obs) override;
  torch::Tensor head(const torch::Tensor& trunk_out) override { return trunk_out; }
  int64_t feature_dim() const override { return feature_dim_; }
  void tie_trunk_to(const EncoderImpl& other) override;
  std::vector<torch::Tensor> trunk_parameters() const override { return trunk_->parameters(); }
  std::vector<torch::Tensor> head_parameters() const override { return {}; }
  Encoder make_like() const override { return std::make_shared<ImpalaEncoderImpl>(options_); }

 private:
  EncoderOptions options_;
  ImpalaTrunk trunk_{nullptr};
  int64_t feature_dim_ = 0;
};

}  // namespace curlrl::encoders
