// The identity encoder: state observations are the features (state SAC).
#pragma once

#include "encoders/encoder.h"

namespace curlrl::encoders {

class IdentityEncoderImpl : public EncoderImpl {
 public:
  explicit IdentityEncoderImpl(const EncoderOptions& options);
  torch::Tensor forward(const torch::Tensor& obs, bool detach_trunk = false) override { return obs; }
  torch::Tensor trunk(const torch::Tensor& obs) override { return obs; }
  torch::Tensor head(const torch::Tensor& trunk_out) override { return trunk_out; }
  int64_t feature_dim() const override { return dim_; }
  void tie_trunk_to(const EncoderImpl&) override {}
  std::vector<torch::Tensor> trunk_parameters() const override { return {}; }
  std::vector<torch::Tensor> head_parameters() const override { return {}; }
  Encoder make_like() const override { return std::make_shared<IdentityEncoderImpl>(options_); }

 private:
  EncoderOptions options_;
  int64_t dim_;
};

}  // namespace curlrl::encoders
