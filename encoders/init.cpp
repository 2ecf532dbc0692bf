#include "encoders/init.h"

#include <torch/nn/init.h>

#include <cmath>

namespace curlrl::encoders {

void orthogonal_init(torch::nn::LinearImpl& layer) {
  torch::NoGradGuard no_grad;
  torch::nn::init::orthogonal_(layer.weight);
  if (layer.bias.defined()) layer.bias.zero_();
}

void delta_orthogonal_init(torch::nn::Conv2d& conv) {
  torch::NoGradGuard no_grad;
  auto& w = conv->weight;  // [out, in, kh, kw]
  w.zero_();
  const int64_t mid_h = w.size(2) / 2, mid_w = w.size(3) / 2;
  torch::Tensor centre = torch::empty({w.size(0), w.size(1)});
  torch::nn::init::orthogonal_(centre, std::sqrt(2.0));
  w.select(2, mid_h).select(2, mid_w).copy_(centre);
  if (conv->bias.defined()) conv->bias.zero_();
}

}  // namespace curlrl::encoders
