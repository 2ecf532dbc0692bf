// Adam as the agents use it: the same algorithm, state and checkpoint format as torch::optim::Adam, in one pass over
// each parameter's memory instead of eight (LibTorch's Adam runs a tensor operation per term, each reading and
// writing the whole parameter: for the 2.2 million weights of a twin Q critic that was a fifth of a state SAC update).
//
// Gradients are cleared by dropping them (clear_grads), not by writing zeros, and a parameter without a gradient
// is treated as PyTorch 1.x treats a zeroed one: once it has Adam state it still moves by its moments (the
// reference code's behaviour), while one that never had a gradient is left alone, as before.
#pragma once

#include <torch/optim/adam.h>

#include <vector>

namespace curlrl::agents {

class Adam : public torch::optim::Adam {
 public:
  // Plain Adam (no weight decay, no AMSGrad: a one-line error otherwise).
  Adam(std::vector<torch::Tensor> params, const torch::optim::AdamOptions& options);

  torch::Tensor step(LossClosure closure = nullptr) override;
  // Drops every parameter's gradient (the next backward writes a fresh one instead of adding to zeros).
  void clear_grads();
};

}  // namespace curlrl::agents
