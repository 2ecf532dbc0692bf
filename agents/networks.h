// SAC's networks: a tanh-squashed Gaussian actor and twin Q critics, each on top of an encoder.
#pragma once

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>

#include <utility>

#include "encoders/encoder.h"

namespace curlrl::agents {

// The squashed Gaussian policy: u = mu + sigma * noise, a = tanh(u),
// log pi(a) = log N(u; mu, sigma) - sum log(1 - tanh(u)^2), with the correction in the stable form
// log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u)).
struct PolicySample {
  torch::Tensor mu;       // tanh(mean): the deterministic action
  torch::Tensor pi;       // tanh(sample)
  torch::Tensor log_pi;   // [B, 1]
  torch::Tensor log_std;  // after squashing into [log_std_min, log_std_max]
};
PolicySample squashed_gaussian(const torch::Tensor& mean, const torch::Tensor& log_std, const torch::Tensor& noise);
// log_std = min + (max - min) * (tanh(raw) + 1) / 2.
torch::Tensor squash_log_std(const torch::Tensor& raw, double log_std_min, double log_std_max);

// The soft Q target y = r + discount * not_done * (min(q1', q2') - alpha * log pi(a'|s')).
torch::Tensor soft_q_target(const torch::Tensor& reward, const torch::Tensor& not_done, double discount,
                            const torch::Tensor& next_q1, const torch::Tensor& next_q2, const torch::Tensor& alpha,
                            const torch::Tensor& next_log_pi);

// An MLP with two hidden ReLU layers, orthogonally initialised.
torch::nn::Sequential make_mlp(int64_t in, int64_t hidden, int64_t out);

class ActorImpl : public torch::nn::Module {
 public:
  ActorImpl(encoders::Encoder encoder, int64_t action_dim, int64_t hidden_dim, double log_std_min,
            double log_std_max);
  // Policy from observations; detach_trunk stops gradients before the (tied) convolutions.
  PolicySample forward(const torch::Tensor& obs, bool detach_trunk = false, bool sample = true,
                       const torch::Tensor& noise = {});
  // Policy from encoder features (trunk + head already applied). Without `sample`, only mu is computed and no
  // random numbers are drawn (deterministic acting leaves the generator untouched). `noise`: the standard normal
  // draws of the sample, [B, A], when the caller gives them (`curlrl trace-update`); undefined: drawn here.
  PolicySample from_features(const torch::Tensor& features, bool sample = true, const torch::Tensor& noise = {});
  encoders::Encoder encoder;
  // Parameters the actor's optimiser owns: the encoder head and the MLP (not the tied trunk).
  std::vector<torch::Tensor> own_parameters() const;

 private:
  torch::nn::Sequential trunk_{nullptr};
  double log_std_min_, log_std_max_;
};
TORCH_MODULE(Actor);

class CriticImpl : public torch::nn::Module {
 public:
  CriticImpl(encoders::Encoder encoder, int64_t action_dim, int64_t hidden_dim);
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& obs, const torch::Tensor& action,
                                                  bool detach_trunk = false);
  std::pair<torch::Tensor, torch::Tensor> from_features(const torch::Tensor& features, const torch::Tensor& action);
  encoders::Encoder encoder;
  torch::nn::Sequential q1{nullptr}, q2{nullptr};
};
TORCH_MODULE(Critic);

// target = tau * source + (1 - tau) * target, parameter by parameter.
void soft_update(const std::vector<torch::Tensor>& source, const std::vector<torch::Tensor>& target, double tau);
void hard_update(const std::vector<torch::Tensor>& source, const std::vector<torch::Tensor>& target);

}  // namespace curlrl::agents
