// SAC with an encoder, optionally with CURL's contrastive loss: the update of the reference implementation.
//
// Per update (step = update index):
//   1. critic:  y = r + gamma * not_done * (min(Q1', Q2')(s', a') - alpha log pi(a'|s')), a' ~ pi(s'), no grad,
//               with the target critic; loss MSE(Q1, y) + MSE(Q2, y); the critic optimiser includes its encoder.
//               DrQ (drq_k, drq_m > 1): y averaged over drq_k augmentations of s', the loss over drq_m of s.
//   2. every actor_update_freq: actor loss mean(alpha log pi - min(Q1, Q2)) with gradients stopped after the
//      (tied) convolutions; temperature loss mean(alpha (-log pi - target_entropy)) on log alpha.
//   3. every critic_target_update_freq: EMA of the target critic (Q heads tau = critic_tau, encoder encoder_tau).
//   4. contrastive (CURL): anchor z_a = critic encoder(obs) (the critic's crop), positive z_pos = target encoder
//      (independent crop), no grad; logits z_a W z_pos^T; cross-entropy on the diagonal. With
//      encoder_double_step the encoder also gets a second Adam step from the same gradient (reference quirk).
// shared_encoder_forward replaces 1 and 4 by one pass (an approximation, opt-in; see SacOptions).
#pragma once


#include <memory>
#include <optional>

#include "agents/adam.h"
#include "agents/agent.h"
#include "agents/batch_sampler.h"
#include "agents/curl_head.h"
#include "agents/networks.h"
#include "augment/augment.h"

namespace curlrl::agents {

// The agent's options. The settings-backed fields are declared once as agent.* settings in agents/sac_agent.cpp;
// a default-constructed SacOptions holds their defaults (the paper's Table 3), from_config a configuration's values.
struct SacOptions {
  SacOptions();
  // From the environment.
  int64_t action_dim = 1;
  envs::ObservationKind observation = envs::ObservationKind::kPixels;
  std::vector<int64_t> obs_shape;  // as the environment gives it: {3k, H, W} or {D}
  std::string encoder = "pixel";  // the encoder's name, for messages
  // Builds the encoder for observations of a shape ({C, H, W} after the pipeline, or {D}); empty: the pixel encoder
  // with its default settings (pixels) or the identity (states).
  std::function<encoders::Encoder(const std::vector<int64_t>& obs_shape)> make_encoder;
  augment::Pipeline pipeline;  // pixels: the augmentations of training batches (augment/augment.h)
  // The agent.* settings (their meaning: `curlrl train --help`).
  int64_t hidden_dim, batch_size;
  double discount, init_temperature;
  double actor_lr, actor_beta, critic_lr, critic_beta, encoder_lr, alpha_lr, alpha_beta;
  double critic_tau, encoder_tau;
  int64_t actor_update_freq, critic_target_update_freq;
  double log_std_min, log_std_max;
  bool contrastive, encoder_double_step;
  // Opt-in approximation (not the reference update): one encoder forward and backward serve the critic and the
  // contrastive losses; the encoder takes one critic-optimiser step on their sum (W its own step), and the actor
  // sees the conv features from before that step.
  bool shared_encoder_forward;
  int64_t drq_k;  // DrQ: augmented next observations whose target values are averaged
  int64_t drq_m;  // DrQ: augmented observations whose critic losses are averaged
  std::string device;
  std::string precision;  // fp32, or bf16: bfloat16 mixed precision in the update (convolutions, matrix products)
  // The networks' floating-point type: float32 (training, acting); float64 for `curlrl trace-update dtype=float64`,
  // where a differential test compares updates without float32's rounding noise.
  torch::Dtype dtype = torch::kFloat32;
  std::string init_weights;  // a tensor file (agents/weights.h) to start the networks from; empty: random init

  // The options a configuration gives for an environment of `spec`, validated.
  static SacOptions from_config(const config::Config& config, const envs::EnvSpec& spec);
  // Every rule on combinations of settings (a pixel encoder on states, a contrastive loss without a key encoder,
  // DrQ averaging without a random augmentation, a crop larger than the frame, ...): a ConfigError naming them.
  // The one rule that needs the built encoder (the CURL head's size) is checked when the agent builds it.
  void validate() const;
};

class SacAgent : public Agent {
 public:
  explicit SacAgent(const SacOptions& options);
  std::vector<float> act(const envs::TimeStep& ts, bool deterministic) override;
  Metrics update(const replay::ReplayBuffer& replay, int64_t step, std::mt19937_64& rng) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

  // The update on a given batch (tests build batches by hand).
  Metrics update_on(const Batch& batch, int64_t step);
  const BatchSampler& sampler() const { return sampler_; }

  double alpha() const { return log_alpha_.exp().item<double>(); }
  double target_entropy() const { return target_entropy_; }
  const SacOptions& options() const { return options_; }
  Actor& actor() { return actor_; }
  Critic& critic() { return critic_; }
  Critic& critic_target() { return critic_target_; }
  CurlHead& curl_head() { return curl_; }
  torch::Tensor& log_alpha() { return log_alpha_; }
  // Called at the end of each phase of an update with its name: "sample", then "critic", "trunk", "actor", "ema"
  // and "contrastive" (with shared_encoder_forward: "critic+contrastive", "actor", "ema"). The agent keeps no
  // clock: `curlrl bench update` times the phases through this hook.
  using PhaseHook = std::function<void(const char* phase)>;
  void set_phase_hook(PhaseHook hook) { phase_hook_ = std::move(hook); }
  // The networks' input for one observation: the evaluation pipeline's crop of its frames (pixels) or its state,
  // [1, ...], on the CPU in float32 (acting and `curlrl interpret` use it).
  torch::Tensor observation_tensor(const envs::TimeStep& ts) const;
  // The EMA step of the target critic (Q heads with critic_tau, the key encoder with encoder_tau).
  void update_targets();

 private:
  torch::Tensor td_target(const Batch& b);
  torch::Tensor critic_loss(const Batch& b, Metrics& m);
  // The critic's step; returns the conv features of b.obs for the later phases (with gradients when the
  // contrastive loss trains the convolutions; undefined when nothing needs them).
  torch::Tensor update_critic(const Batch& b, bool actor_step, Metrics& m);
  // shared_encoder_forward: one encoder forward and backward for the critic and contrastive losses.
  torch::Tensor update_critic_and_contrastive(const Batch& b, Metrics& m);
  void update_actor_and_alpha(const torch::Tensor& trunk_obs, const torch::Tensor& noise, Metrics& m);
  void update_contrastive(const torch::Tensor& trunk_obs, const Batch& b, Metrics& m);

  bool bf16() const { return options_.precision == "bf16"; }
  // What a checkpoint holds besides log_alpha, by name: the networks and the optimisers (with their moments). save
  // and load walk this one list; `Self` is SacAgent or const SacAgent.
  template <class Self, class Fn>
  static void for_each_part(Self& self, Fn&& fn) {
    fn("actor", *self.actor_);
    fn("critic", *self.critic_);
    fn("critic_target", *self.critic_target_);
    fn("actor_opt", *self.actor_opt_);
    fn("critic_opt", *self.critic_opt_);
    fn("alpha_opt", *self.alpha_opt_);
    if (self.curl_) fn("curl", *self.curl_);
    if (self.contrastive_opt_) fn("contrastive_opt", *self.contrastive_opt_);
    if (self.encoder_opt_) fn("encoder_opt", *self.encoder_opt_);
  }

  SacOptions options_;
  augment::Pipeline pipeline_;
  BatchSampler sampler_;
  double target_entropy_;
  Actor actor_{nullptr};
  Critic critic_{nullptr};
  Critic critic_target_{nullptr};
  CurlHead curl_{nullptr};
  torch::Tensor log_alpha_;
  void phase_done(const char* name) const {
    if (phase_hook_) phase_hook_(name);
  }
  PhaseHook phase_hook_;
  std::unique_ptr<Adam> actor_opt_, critic_opt_, alpha_opt_, encoder_opt_, contrastive_opt_;
};

}  // namespace curlrl::agents
