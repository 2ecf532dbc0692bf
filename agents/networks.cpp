#include "agents/networks.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/modules/activation.h>

#include <cmath>

#include "encoders/init.h"

namespace curlrl::agents {

torch::Tensor squash_log_std(const torch::Tensor& raw, double log_std_min, double log_std_max) {
  return log_std_min + 0.5 * (log_std_max - log_std_min) * (torch::tanh(raw) + 1.0);
}

PolicySample squashed_gaussian(const torch::Tensor& mean, const torch::Tensor& log_std, const torch::Tensor& noise) {
  const torch::Tensor u = mean + noise * log_std.exp();
  const double half_log_2pi = 0.5 * std::log(2.0 * M_PI);
  torch::Tensor log_prob = (-0.5 * noise.pow(2) - log_std - half_log_2pi).sum(-1, /*keepdim=*/true);
  const torch::Tensor log_det = 2.0 * (std::log(2.0) - u - torch::nn::functional::softplus(-2.0 * u));
  log_prob = log_prob - log_det.sum(-1, true);
  return {torch::tanh(mean), torch::tanh(u), log_prob, log_std};
}

torch::Tensor soft_q_target(const torch::Tensor& reward, const torch::Tensor& not_done, double discount,
                            const torch::Tensor& next_q1, const torch::Tensor& next_q2, const torch::Tensor& alpha,
                            const torch::Tensor& next_log_pi) {
  return reward + not_done * discount * (torch::min(next_q1, next_q2) - alpha * next_log_pi);
}

namespace {
// Under bf16 mixed precision (agents/sac_agent.cpp) the MLPs' outputs come back in bfloat16; the policy's
// log-probabilities and the Q values the losses use are computed from fp32 copies.
torch::Tensor full_precision(const torch::Tensor& t) {
  return t.scalar_type() == torch::kBFloat16 ? t.to(torch::kFloat32) : t;
}
}  // namespace

torch::nn::Sequential make_mlp(int64_t in, int64_t hidden, int64_t out) {
  torch::nn::Sequential mlp(torch::nn::Linear(in, hidden), torch::nn::ReLU(), torch::nn::Linear(hidden, hidden),
                            torch::nn::ReLU(), torch::nn::Linear(hidden, out));
  for (auto& m : mlp->children()) {
    if (auto* linear = m->as<torch::nn::LinearImpl>()) encoders::orthogonal_init(*linear);
  }
  return mlp;
}

ActorImpl::ActorImpl(encoders::Encoder enc, int64_t action_dim, int64_t hidden_dim, double log_std_min,
                     double log_std_max)
    : encoder(register_module("encoder", enc)), log_std_min_(log_std_min), log_std_max_(log_std_max) {
  trunk_ = register_module("trunk", make_mlp(encoder->feature_dim(), hidden_dim, 2 * action_dim));
}

PolicySample ActorImpl::from_features(const torch::Tensor& features, bool sample, const torch::Tensor& noise) {
  const auto chunks = full_precision(trunk_->forward(features)).chunk(2, -1);
  if (!sample) return {torch::tanh(chunks[0]), {}, {}, {}};
  const torch::Tensor log_std = squash_log_std(chunks[1], log_std_min_, log_std_max_);
  return squashed_gaussian(chunks[0], log_std, noise.defined() ? noise : torch::randn_like(chunks[0]));
}

PolicySample ActorImpl::forward(const torch::Tensor& obs, bool detach_trunk, bool sample, const torch::Tensor& noise) {
  return from_features(encoder->forward(obs, detach_trunk), sample, noise);
}

std::vector<torch::Tensor> ActorImpl::own_parameters() const {
  std::vector<torch::Tensor> out = encoder->head_parameters();
  for (const auto& p : trunk_->parameters()) out.push_back(p);
  return out;
}

CriticImpl::CriticImpl(encoders::Encoder enc, int64_t action_dim, int64_t hidden_dim)
    : encoder(register_module("encoder", enc)) {
  q1 = register_module("q1", make_mlp(encoder->feature_dim() + action_dim, hidden_dim, 1));
  q2 = register_module("q2", make_mlp(encoder->feature_dim() + action_dim, hidden_dim, 1));
}

std::pair<torch::Tensor, torch::Tensor> CriticImpl::from_features(const torch::Tensor& features,
                                                                  const torch::Tensor& action) {
  const torch::Tensor x = torch::cat({features, action}, 1);
  return {full_precision(q1->forward(x)), full_precision(q2->forward(x))};
}

std::pair<torch::Tensor, torch::Tensor> CriticImpl::forward(const torch::Tensor& obs, const torch::Tensor& action,
                                                            bool detach_trunk) {
  return from_features(encoder->forward(obs, detach_trunk), action);
}

void soft_update(const std::vector<torch::Tensor>& source, const std::vector<torch::Tensor>& target, double tau) {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < source.size(); ++i) target[i].mul_(1.0 - tau).add_(source[i], tau);
}

void hard_update(const std::vector<torch::Tensor>& source, const std::vector<torch::Tensor>& target) {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < source.size(); ++i) target[i].copy_(source[i]);
}

}  // namespace curlrl::agents
