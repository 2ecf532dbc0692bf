#include "encoders/impala.h"

#include <torch/nn/functional/pooling.h>

#include <stdexcept>

namespace curlrl::encoders {

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

ImpalaEncoderImpl::ImpalaEncoderImpl(const EncoderOptions& options) : options_(options) {
  if (options.obs_shape.size() != 3) {
    throw std::invalid_argument("the impala encoder takes [C, H, W] observations (use encoder=identity for states)");
  }
  trunk_ = register_module("trunk", ImpalaTrunk(options.obs_shape[0], std::vector<int64_t>{16, 32, 32}));
  torch::NoGradGuard no_grad;  // size the features from a dummy forward
  feature_dim_ = trunk_->forward(torch::zeros({1, options.obs_shape[0], options.obs_shape[1], options.obs_shape[2]}))
                     .size(1);
}

torch::Tensor ImpalaEncoderImpl::trunk(const torch::Tensor& obs) {
  return chunked(obs, options_.conv_chunk,
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

}  // namespace curlrl::encoders
