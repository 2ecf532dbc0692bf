// The CURL contrastive head: a bilinear similarity W between anchor and positive features.
//   logits = z_a W z_pos^T  (B x B), minus each row's max (for stability; the loss is unchanged),
//   loss = cross-entropy with labels 0..B-1 (each anchor's positive is on the diagonal).
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

namespace curlrl::agents {

class CurlHeadImpl : public torch::nn::Module {
 public:
  // W is feature_dim x feature_dim, initialised uniform in [0, 1).
  explicit CurlHeadImpl(int64_t feature_dim);
  // Computed in W's floating-point type, whatever the features'. Outside autocast (agents/sac_agent.cpp calls it
  // after its mixed-precision guard ends).
  torch::Tensor logits(const torch::Tensor& z_anchor, const torch::Tensor& z_positive) const;
  torch::Tensor W;
};
TORCH_MODULE(CurlHead);

// Cross-entropy of `logits` against the diagonal labels, and the top-1 accuracy of the diagonal.
torch::Tensor contrastive_loss(const torch::Tensor& logits);
double contrastive_accuracy(const torch::Tensor& logits);

}  // namespace curlrl::agents
