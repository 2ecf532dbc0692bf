// An IMPALA-style residual conv stack (Espeholt et al. 2018): three stages of 16, 32 and 32 channels, each a 3x3
// convolution (padding 1), a 3x3 max-pool with stride 2 (padding 1) and two residual blocks
// (x + conv(relu(conv(relu(x))))); then ReLU and flatten. No fc: the features are the flattened output
// (32 x 11 x 11 = 3872 on 84x84 inputs, 32 x 8 x 8 = 2048 on 64x64).
#include <torch/nn/functional/pooling.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>

#include <cmath>
#include <stdexcept>

#include "encoders/encoder.h"

namespace curlrl::encoders {
namespace {

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
  ImpalaEncoderImpl(std::vector<int64_t> obs_shape, int64_t conv_chunk);
  torch::Tensor forward(const torch::Tensor& obs, bool detach_trunk = false) override;
  torch::Tensor trunk(const torch::Tensor& obs) override;
  torch::Tensor head(const torch::Tensor& trunk_out) override { return trunk_out; }
  int64_t feature_dim() const override { return feature_dim_; }
  void tie_trunk_to(const EncoderImpl& other) override;
  std::vector<torch::Tensor> trunk_parameters() const override { return trunk_->parameters(); }
  std::vector<torch::Tensor> head_parameters() const override { return {}; }
  Encoder make_like() const override { return std::make_shared<ImpalaEncoderImpl>(obs_shape_, conv_chunk_); }

 private:
  std::vector<int64_t> obs_shape_;
  int64_t conv_chunk_;
  ImpalaTrunk trunk_{nullptr};
  int64_t feature_dim_ = 0;
};


ImpalaTrunkImpl::ImpalaTrunkImpl(int64_t in_channels, const std::vector<int64_t>& stage_channels) {
  auto conv3x3 = [](int64_t in, int64_t out) {
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1));
  };
  int64_t channels = in_channels;
  for (size_t s = 0; s < stage_channels.size(); ++s) {
    const int64_t out = stage_channels[s];
    Stage stage;
    stage.conv = register_module("stage" + std::to_string(s) + "_conv", conv3x3(channels, out));
    for (int i = 0; i < 4; ++i) {
      stage.res.push_back(register_module("stage" + std::to_string(s) + "_res" + std::to_string(i), conv3x3(out, out)));
    }
    stages_.push_back(std::move(stage));
    channels = out;
  }
}

torch::Tensor ImpalaTrunkImpl::forward(const torch::Tensor& input) {
  namespace F = torch::nn::functional;
  torch::Tensor x = input;
  for (auto& stage : stages_) {
    x = F::max_pool2d(stage.conv->forward(x), F::MaxPool2dFuncOptions(3).stride(2).padding(1));
    for (size_t block = 0; block < 2; ++block) {
      const torch::Tensor h = stage.res[2 * block]->forward(torch::relu(x));
      x = x + stage.res[2 * block + 1]->forward(torch::relu(h));
    }
  }
  return flatten_hwc(torch::relu(x));
}

ImpalaEncoderImpl::ImpalaEncoderImpl(std::vector<int64_t> obs_shape, int64_t conv_chunk)
    : obs_shape_(std::move(obs_shape)), conv_chunk_(conv_chunk) {
  if (obs_shape_.size() != 3) {
    throw std::invalid_argument("the impala encoder takes [C, H, W] observations (use encoder=identity for states)");
  }
  trunk_ = register_module("trunk", ImpalaTrunk(obs_shape_[0], std::vector<int64_t>{16, 32, 32}));
  torch::NoGradGuard no_grad;  // size the features from a dummy forward
  feature_dim_ = trunk_->forward(torch::zeros({1, obs_shape_[0], obs_shape_[1], obs_shape_[2]}))
                     .size(1);
}

torch::Tensor ImpalaEncoderImpl::trunk(const torch::Tensor& obs) {
  return chunked(obs, conv_chunk_,
                 [this](const torch::Tensor& part) { return trunk_->forward(unit_range_channels_last(part)); });
}

torch::Tensor ImpalaEncoderImpl::forward(const torch::Tensor& obs, bool detach_trunk) {
  const torch::Tensor t = trunk(obs);
  return detach_trunk ? t.detach() : t;
}

void ImpalaEncoderImpl::tie_trunk_to(const EncoderImpl& other) {
  const auto* src = dynamic_cast<const ImpalaEncoderImpl*>(&other);
  if (src == nullptr) throw std::invalid_argument("tie_trunk_to: encoders have different trunks");
  trunk_ = src->trunk_;
  replace_module("trunk", trunk_);
}

const RegisterEncoder kRegistered{
    "impala",
    "An IMPALA-style residual conv stack (stages of 16/32/32 channels, each conv + max-pool + two residual blocks), "
    "flattened (3872 features on 84x84 crops)",
    {},
    [](const config::Config&, const std::vector<int64_t>& shape) -> Encoder {
      return std::make_shared<ImpalaEncoderImpl>(shape, /*conv_chunk=*/128);
    },
    [](const config::Config&, const std::vector<int64_t>& shape) {
      EncoderSize s;
      if (shape.size() != 3) return s;
      double in = static_cast<double>(shape[0]), h = static_cast<double>(shape[1]), w = static_cast<double>(shape[2]);
      for (const double out : {16.0, 32.0, 32.0}) {
        s.trunk_parameters += in * out * 9 + out + 4 * (out * out * 9 + out);
        s.activations += out * h * w;                          // the stage's convolution
        h = std::floor((h - 1) / 2) + 1, w = std::floor((w - 1) / 2) + 1;  // 3x3 max-pool, stride 2, padding 1
        s.activations += 4 * out * h * w;                      // the residual blocks' convolutions
        in = out;
      }
      s.feature_dim = in * h * w;
      return s;
    }};

}  // namespace
}  // namespace curlrl::encoders
