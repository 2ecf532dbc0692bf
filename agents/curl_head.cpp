#include "agents/curl_head.h"

#include <torch/nn/functional/loss.h>

namespace curlrl::agents {

CurlHeadImpl::CurlHeadImpl(int64_t feature_dim) {
  W = register_parameter("W", torch::rand({feature_dim, feature_dim}));
}

torch::Tensor CurlHeadImpl::logits(const torch::Tensor& z_anchor, const torch::Tensor& z_positive) const {
  // In W's precision: features from a bf16 mixed-precision forward are brought to fp32 here.
  const torch::Tensor wz = torch::matmul(W, z_positive.to(W.scalar_type()).t());  // [F, B]
  const torch::Tensor l = torch::matmul(z_anchor.to(W.scalar_type()), wz);        // [B, B]
  return l - std::get<0>(l.max(1, /*keepdim=*/true));
}

torch::Tensor contrastive_loss(const torch::Tensor& logits) {
  const torch::Tensor labels = torch::arange(logits.size(0), torch::TensorOptions().dtype(torch::kLong).device(logits.device()));
  return torch::nn::functional::cross_entropy(logits, labels);
}

double contrastive_accuracy(const torch::Tensor& logits) {
  torch::NoGradGuard no_grad;
  const torch::Tensor labels = torch::arange(logits.size(0), torch::TensorOptions().dtype(torch::kLong).device(logits.device()));
  return logits.argmax(1).eq(labels).to(torch::kFloat64).mean().item<double>();
}

}  // namespace curlrl::agents
