#include "agents/sac_agent.h"

#include <torch/nn/functional/loss.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "core/cpu_tuning.h"
#include "core/error.h"
#include "core/io.h"
#include "agents/mixed_precision.h"
#include "agents/weights.h"
#include "core/settings.h"

namespace curlrl::agents {

const config::Setting<std::string> kDevice{"device", "cpu", "where networks run",
                                           {.choices = {"cpu", "cuda"}, .resumable = true}};
namespace {

torch::optim::AdamOptions adam(double lr, double beta1) {
  return torch::optim::AdamOptions(lr).betas({beta1, 0.999});
}

std::vector<torch::Tensor> concat(std::vector<torch::Tensor> a, const std::vector<torch::Tensor>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<torch::Tensor> q_parameters(const CriticImpl& c) {
  return concat(c.q1->parameters(), c.q2->parameters());
}

std::vector<torch::Tensor> encoder_parameters(const encoders::EncoderImpl& e) {
  return concat(e.trunk_parameters(), e.head_parameters());
}

// Turns gradients off for some parameters during a scope: a loss differentiated through a network that its own
// optimiser does not step skips that network's weight gradients (two matrix products per layer saved).
class FrozenDuring {
 public:
  explicit FrozenDuring(std::vector<torch::Tensor> params) : params_(std::move(params)) {
    for (auto& p : params_) p.set_requires_grad(false);
  }
  ~FrozenDuring() {
    for (auto& p : params_) p.set_requires_grad(true);
  }
  FrozenDuring(const FrozenDuring&) = delete;
  FrozenDuring& operator=(const FrozenDuring&) = delete;

 private:
  std::vector<torch::Tensor> params_;
};

// The SAC settings every agent variant shares (the paper's Table 3 where it and the reference code agree); each
// configs/agent/<name>.yaml states only what makes its variant, configs/task/<name>.yaml the per-task learning rates.
const config::Setting<int64_t> kBatchSize{"agent.batch_size", 512,
                                          "transitions per update (the paper's final runs: 512; the reference code's "
                                          "script: 128)",
                                          {.min = 1, .max = 1 << 20}};
const config::Setting<double> kDiscount{"agent.discount", 0.99, "discount factor gamma", {.min = 0, .max = 1}};
const config::Setting<int64_t> kHiddenDim{"agent.hidden_dim", 1024,
                                          "units of the two hidden layers of the actor and of each Q network",
                                          {.min = 1}};
const config::Setting<double> kActorLr{"agent.actor_lr", 1e-3, "actor learning rate (Adam)", {.min = 0}};
const config::Setting<double> kCriticLr{"agent.critic_lr", 1e-3,
                                        "critic learning rate (Adam; includes the critic's encoder)", {.min = 0}};
const config::Setting<double> kEncoderLr{"agent.encoder_lr", 1e-3,
                                         "contrastive optimiser learning rate (W and the encoder)", {.min = 0}};
const config::Setting<double> kAlphaLr{"agent.alpha_lr", 1e-4, "temperature learning rate (Adam on log alpha)",
                                       {.min = 0}};
const config::Setting<double> kActorBeta{"agent.actor_beta", 0.9, "Adam beta1 of the actor", {.min = 0, .max = 1}};
const config::Setting<double> kCriticBeta{"agent.critic_beta", 0.9, "Adam beta1 of the critic", {.min = 0, .max = 1}};
const config::Setting<double> kAlphaBeta{"agent.alpha_beta", 0.5, "Adam beta1 of the temperature",
                                         {.min = 0, .max = 1}};
const config::Setting<double> kInitTemperature{"agent.init_temperature", 0.1, "initial SAC temperature alpha",
                                               {.min = 0}};
const config::Setting<double> kCriticTau{"agent.critic_tau", 0.01, "EMA rate of the target critic's Q heads",
                                         {.min = 0, .max = 1}};
const config::Setting<double> kEncoderTau{"agent.encoder_tau", 0.05, "EMA rate of the target (momentum key) encoder",
                                          {.min = 0, .max = 1}};
const config::Setting<int64_t> kActorUpdateFreq{"agent.actor_update_freq", 2,
                                                "update the actor and temperature every this many updates",
                                                {.min = 1}};
const config::Setting<int64_t> kCriticTargetUpdateFreq{"agent.critic_target_update_freq", 2,
                                                       "update the target critic every this many updates", {.min = 1}};
const config::Setting<double> kLogStdMin{"agent.actor_log_std_min", -10.0,
                                         "lower bound of the actor's log standard deviation"};
const config::Setting<double> kLogStdMax{"agent.actor_log_std_max", 2.0,
                                         "upper bound of the actor's log standard deviation"};
const config::Setting<bool> kContrastive{"agent.contrastive", false,
                                         "add the CURL contrastive loss (needs a key encoder)"};
const config::Setting<bool> kEncoderDoubleStep{
    "agent.encoder_double_step", false,
    "reference quirk: the contrastive optimiser and a second one both step the encoder (agent=curl sets it)"};
const config::Setting<bool> kSharedEncoderForward{
    "agent.shared_encoder_forward", false,
    "approximation, off by default: one encoder forward/backward for the critic and contrastive losses"};
const config::Setting<int64_t> kDrqK{"agent.drq_k", 1,
                                     "DrQ: augmented next observations whose target values are averaged (1: plain SAC)",
                                     {.min = 1, .max = 64}};
const config::Setting<int64_t> kDrqM{"agent.drq_m", 1,
                                     "DrQ: augmented observations whose critic losses are averaged (1: plain SAC)",
                                     {.min = 1, .max = 64}};

const config::Setting<std::string> kPrecision{
    "agent.precision", "fp32",
    "fp32 (the faithful, bit-deterministic update) or bf16: bfloat16 mixed precision for the update's convolutions "
    "and matrix products (CPUs with AVX512-BF16 or AMX; fp32 weights, optimiser states and losses)",
    {.choices = {"fp32", "bf16"}}};
const config::Setting<std::string> kInitWeights{
    "agent.init_weights", "",
    "start the networks (critic, actor, target critic, CURL W, log alpha) from this tensor file, as `curlrl export` "
    "writes it or torch.save of the same names (empty: random initialisation)",
    {.resumable = true}};  // a resumed run takes its weights from the checkpoint
// The bilinear CURL head has feature_dim^2 weights: 4096 features is 16.8M of them (67 MB, and as much again for
// each Adam moment).
constexpr int64_t kMaxContrastiveFeatures = 4096;

void check_contrastive_features(const std::string& encoder, int64_t z) {
  if (z > kMaxContrastiveFeatures) {
    throw ConfigError("agent.contrastive: encoder=" + encoder + " gives " + std::to_string(z) +
                      " features, so the CURL head's W would be " + std::to_string(z) + "x" + std::to_string(z) +
                      "; use an encoder with at most " + std::to_string(kMaxContrastiveFeatures) +
                      " features (pixel, impala)");
  }
}

}  // namespace

// The one list that maps settings to option fields: `read` gives a setting's value (its default, or a
// configuration's).
template <class Read>
void read_settings(SacOptions& o, Read&& read) {
  o.hidden_dim = read(kHiddenDim);
  o.batch_size = read(kBatchSize);
  o.discount = read(kDiscount);
  o.init_temperature = read(kInitTemperature);
  o.actor_lr = read(kActorLr);
  o.actor_beta = read(kActorBeta);
  o.critic_lr = read(kCriticLr);
  o.critic_beta = read(kCriticBeta);
  o.encoder_lr = read(kEncoderLr);
  o.alpha_lr = read(kAlphaLr);
  o.alpha_beta = read(kAlphaBeta);
  o.critic_tau = read(kCriticTau);
  o.encoder_tau = read(kEncoderTau);
  o.actor_update_freq = read(kActorUpdateFreq);
  o.critic_target_update_freq = read(kCriticTargetUpdateFreq);
  o.log_std_min = read(kLogStdMin);
  o.log_std_max = read(kLogStdMax);
  o.contrastive = read(kContrastive);
  o.encoder_double_step = read(kEncoderDoubleStep);
  o.shared_encoder_forward = read(kSharedEncoderForward);
  o.drq_k = read(kDrqK);
  o.drq_m = read(kDrqM);
  o.device = read(kDevice);
  o.precision = read(kPrecision);
  o.init_weights = read(kInitWeights);
}

SacOptions::SacOptions() {
  read_settings(*this, [](const auto& setting) { return setting.fallback(); });
}

SacOptions SacOptions::from_config(const config::Config& c, const envs::EnvSpec& spec) {
  SacOptions o;
  o.action_dim = spec.action_dim;
  o.observation = spec.observation;
  o.obs_shape = spec.observation_shape;
  o.encoder = c.get_string("encoder.name");
  o.make_encoder = [c](const std::vector<int64_t>& shape) { return encoders::make_encoder(c, shape); };
  read_settings(o, [&](const auto& setting) { return setting(c); });
  try {
    o.pipeline = augment::Pipeline(c);  // states too, so that validate() can name an augmentation given for them
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
  o.validate();
  return o;
}

void SacOptions::validate() const {
  const std::vector<std::string>& augs = pipeline.names();
  const bool augmented = pipeline.random();
  const bool pixels = observation == envs::ObservationKind::kPixels;
  if (pixels && encoder == "identity") {
    throw ConfigError("encoder=identity needs state observations (task.observation=states), not pixels");
  }
  if (!pixels && encoder != "identity") {
    throw ConfigError("encoder=" + encoder + " is a pixel encoder and the observations are states: use encoder=identity "
                      "with task.observation=states, or task.observation=pixels");
  }
  if (!pixels && std::any_of(augs.begin(), augs.end(), [](const std::string& a) { return a != "none"; })) {
    throw ConfigError("augment=[" + join(augs, ",") + "] transforms images and the observations are states: use augment=none");
  }
  if (contrastive && encoder == "identity") {
    throw ConfigError("agent.contrastive=true needs a key encoder (the momentum copy of a trainable pixel encoder), "
                      "and encoder=identity has none: use encoder=pixel, drq or impala");
  }
  if ((drq_k > 1 || drq_m > 1) && !augmented) {
    throw ConfigError("agent.drq_k/drq_m > 1 average over random augmentations, and augment=[" + join(augs, ",") +
                      "] draws none: choose one, e.g. augment=shift");
  }
  if (log_std_min >= log_std_max) throw ConfigError("agent.actor_log_std_min must be below agent.actor_log_std_max");
  if (precision == "bf16" && device != "cpu") {
    throw ConfigError("agent.precision=bf16 is implemented for device=cpu only; use agent.precision=fp32 on " + device);
  }
  if (precision == "bf16" && !cpu_has_bf16()) {
    throw ConfigError("agent.precision=bf16 needs a CPU with bfloat16 arithmetic (AVX512-BF16 or AMX; no avx512_bf16 "
                      "or amx_bf16 in /proc/cpuinfo): use agent.precision=fp32");
  }
  if (pixels && pipeline.crop_size() > std::min(obs_shape.at(1), obs_shape.at(2))) {
    throw ConfigError("augment.crop_size=" + std::to_string(pipeline.crop_size()) + " exceeds task.image_size=" +
                      std::to_string(obs_shape.at(1)));
  }
}

SacAgent::SacAgent(const SacOptions& options)
    : options_(options),
      pipeline_(options.pipeline),
      sampler_(BatchSpec{options.batch_size, options.observation, options.contrastive, options.drq_k, options.drq_m,
                         options.device},
               options.pipeline),
      target_entropy_(-static_cast<double>(options.action_dim)) {
  std::vector<int64_t> obs_shape = options_.obs_shape;
  if (options_.observation == envs::ObservationKind::kPixels) obs_shape[1] = obs_shape[2] = pipeline_.output_size();
  if (!options_.make_encoder) {
    options_.make_encoder = [name = options_.encoder](const std::vector<int64_t>& shape) {
      return encoders::make_default_encoder(name, shape);
    };
  }
  const torch::Device device(options_.device);
  const torch::Dtype dtype = options_.dtype;

  // The critic owns the encoder; the actor ties its convolutions to the critic's and keeps its own head; the
  // target critic (the momentum key encoder included) starts as an exact copy of the critic.
  critic_ = Critic(options_.make_encoder(obs_shape), options_.action_dim, options_.hidden_dim);
  critic_target_ = Critic(critic_->encoder->make_like(), options_.action_dim, options_.hidden_dim);
  hard_update(critic_->parameters(), critic_target_->parameters());
  auto actor_encoder = critic_->encoder->make_like();
  actor_encoder->tie_trunk_to(*critic_->encoder);
  actor_ = Actor(actor_encoder, options_.action_dim, options_.hidden_dim, options_.log_std_min,
                 options_.log_std_max);
  actor_->to(device, dtype);
  critic_->to(device, dtype);
  critic_target_->to(device, dtype);
  for (auto& p : critic_target_->parameters()) p.set_requires_grad(false);
  log_alpha_ = torch::full({1}, std::log(options_.init_temperature), torch::TensorOptions().device(device).dtype(dtype))
                   .set_requires_grad(true);

  actor_opt_ = std::make_unique<Adam>(actor_->own_parameters(), adam(options_.actor_lr, options_.actor_beta));
  critic_opt_ = std::make_unique<Adam>(critic_->parameters(), adam(options_.critic_lr, options_.critic_beta));
  alpha_opt_ = std::make_unique<Adam>(std::vector<torch::Tensor>{log_alpha_},
                                                    adam(options_.alpha_lr, options_.alpha_beta));
  if (options_.contrastive) {
    const int64_t z = critic_->encoder->feature_dim();
    check_contrastive_features(options_.encoder, z);
    curl_ = CurlHead(z);
    curl_->to(device, dtype);
    const auto enc_params = encoder_parameters(*critic_->encoder);
    // Shared forward: the critic optimiser alone steps the encoder (on the summed gradient).
    contrastive_opt_ = std::make_unique<Adam>(
        options_.shared_encoder_forward ? std::vector<torch::Tensor>{curl_->W} : concat({curl_->W}, enc_params),
        torch::optim::AdamOptions(options_.encoder_lr));
    if (options_.encoder_double_step && !options_.shared_encoder_forward) {
      encoder_opt_ = std::make_unique<Adam>(enc_params, torch::optim::AdamOptions(options_.encoder_lr));
    }
  }
  if (!options_.init_weights.empty()) {
    const std::string source = "agent.init_weights=" + options_.init_weights;
    TensorDict weights;
    try {
      weights = load_tensor_dict(options_.init_weights);
    } catch (const Error& e) {
      throw ConfigError(source + ": " + e.what());
    }
    import_weights(*this, weights, source);
  }
}

torch::Tensor SacAgent::observation_tensor(const envs::TimeStep& ts) const {
  if (options_.observation == envs::ObservationKind::kStates) {
    return torch::from_blob(const_cast<float*>(ts.state.data()), {1, static_cast<int64_t>(ts.state.size())},
                            torch::kFloat32).clone();
  }
  const int64_t h = options_.obs_shape[1], w = options_.obs_shape[2];
  augment::FrameBatch f{1, options_.obs_shape[0] / 3, 3, h, w, {}};
  for (int64_t j = 0; j < f.stack; ++j) f.frames.push_back(ts.pixels.data() + j * 3 * h * w);
  return pipeline_.eval(f);
}

std::vector<float> SacAgent::act(const envs::TimeStep& ts, bool deterministic) {
  torch::NoGradGuard no_grad;
  const torch::Tensor obs = observation_tensor(ts).to(torch::Device(options_.device), options_.dtype);
  const PolicySample p = actor_->forward(obs, false, /*sample=*/!deterministic);
  const torch::Tensor a = (deterministic ? p.mu : p.pi).to(torch::kCPU, torch::kFloat32).contiguous();
  return std::vector<float>(a.data_ptr<float>(), a.data_ptr<float>() + a.numel());
}

Metrics SacAgent::update(const replay::ReplayBuffer& replay, int64_t step, std::mt19937_64& rng) {
  const Batch batch = sampler_.sample(replay, rng);
  phase_done("sample");
  return update_on(batch, step);
}

torch::Tensor SacAgent::td_target(const Batch& b) {
  // With DrQ's K the target is the mean over the next observations' augmentations; with K = 1 (SAC, CURL) it is
  // the single-sample expression.
  torch::NoGradGuard no_grad;
  const MixedPrecision mixed(bf16());
  torch::Tensor target_q;
  for (size_t k = 0; k <= b.next_obs_extra.size(); ++k) {
    const torch::Tensor& next_obs = k == 0 ? b.next_obs : b.next_obs_extra[k - 1];
    const PolicySample next = actor_->forward(next_obs, false, true, k == 0 ? b.noise_next : torch::Tensor());
    const auto [tq1, tq2] = critic_target_->forward(next_obs, next.pi);
    const torch::Tensor y =
        soft_q_target(b.reward, b.not_done, options_.discount, tq1, tq2, log_alpha_.exp(), next.log_pi);
    target_q = k == 0 ? y : target_q + y;
  }
  if (!b.next_obs_extra.empty()) target_q = target_q / static_cast<double>(b.next_obs_extra.size() + 1);
  return target_q;
}

torch::Tensor SacAgent::critic_loss(const Batch& b, Metrics& m) {
  // With DrQ's M the loss is the mean over the observations' augmentations.
  const torch::Tensor target_q = td_target(b);
  const MixedPrecision mixed(bf16());
  torch::Tensor loss;
  for (size_t j = 0; j <= b.obs_extra.size(); ++j) {
    const auto [q1, q2] = critic_->forward(j == 0 ? b.obs : b.obs_extra[j - 1], b.action);
    if (j == 0) m["q1"] = q1.mean().item<double>();
    const torch::Tensor l = torch::mse_loss(q1, target_q) + torch::mse_loss(q2, target_q);
    loss = j == 0 ? l : loss + l;
  }
  if (!b.obs_extra.empty()) loss = loss / static_cast<double>(b.obs_extra.size() + 1);
  return loss;
}

void SacAgent::update_actor_and_alpha(const torch::Tensor& trunk_obs, const torch::Tensor& noise, Metrics& m) {
  // The actor and the critic see the same detached conv features: the convolutions are tied and no weight
  // changed since they were computed, so one trunk forward serves both (the reference computes it twice).
  // The critic only carries the actor's gradient here: its own weight gradients would be discarded (its
  // optimisers zero them before their next backward), so they are not computed.
  const torch::Tensor alpha = log_alpha_.exp();
  PolicySample p;
  torch::Tensor actor_loss;
  {
    const FrozenDuring critic_frozen(critic_->parameters());
    {
      const MixedPrecision mixed(bf16());
      p = actor_->from_features(actor_->encoder->head(trunk_obs), true, noise);
      const auto [q1, q2] = critic_->from_features(critic_->encoder->head(trunk_obs), p.pi);
      actor_loss = (alpha.detach() * p.log_pi - torch::min(q1, q2)).mean();
    }
    actor_opt_->clear_grads();
    actor_loss.backward();
  }
  actor_opt_->step();

  const torch::Tensor alpha_loss = (alpha * (-p.log_pi - target_entropy_).detach()).mean();
  alpha_opt_->clear_grads();
  alpha_loss.backward();
  alpha_opt_->step();
  m["actor_loss"] = actor_loss.item<double>();
  m["alpha_loss"] = alpha_loss.item<double>();
  m["entropy"] = -p.log_pi.mean().item<double>();
}

void SacAgent::update_targets() {
  soft_update(q_parameters(*critic_), q_parameters(*critic_target_), options_.critic_tau);
  soft_update(encoder_parameters(*critic_->encoder), encoder_parameters(*critic_target_->encoder),
              options_.encoder_tau);
}

void SacAgent::update_contrastive(const torch::Tensor& trunk_obs, const Batch& b, Metrics& m) {
  torch::Tensor z_anchor, z_positive;
  {
    const MixedPrecision mixed(bf16());
    z_anchor = critic_->encoder->head(trunk_obs);
    torch::NoGradGuard no_grad;
    z_positive = critic_target_->encoder->forward(b.obs_positive);
  }
  // The bilinear logits and the loss in the weights' precision (fp32 under bf16 mixed precision).
  const torch::Tensor logits = curl_->logits(z_anchor, z_positive);
  const torch::Tensor loss = contrastive_loss(logits);
  if (encoder_opt_) encoder_opt_->clear_grads();
  contrastive_opt_->clear_grads();
  loss.backward();
  if (encoder_opt_) encoder_opt_->step();
  contrastive_opt_->step();
  m["contrastive_loss"] = loss.item<double>();
  m["contrastive_accuracy"] = contrastive_accuracy(logits);
}

torch::Tensor SacAgent::update_critic(const Batch& b, bool actor_step, Metrics& m) {
  const torch::Tensor loss = critic_loss(b, m);
  critic_opt_->clear_grads();
  loss.backward();
  critic_opt_->step();
  m["critic_loss"] = loss.item<double>();
  phase_done("critic");
  // The conv features after the critic's step: with gradients when the contrastive loss trains the convolutions.
  torch::Tensor trunk_obs;
  const MixedPrecision mixed(bf16());
  if (options_.contrastive) {
    trunk_obs = critic_->encoder->trunk(b.obs);
  } else if (actor_step) {
    torch::NoGradGuard no_grad;
    trunk_obs = critic_->encoder->trunk(b.obs);
  }
  phase_done("trunk");
  return trunk_obs;
}

torch::Tensor SacAgent::update_critic_and_contrastive(const Batch& b, Metrics& m) {
  const torch::Tensor target_q = td_target(b);
  torch::Tensor trunk_obs, features, q1, q2, critic, z_positive;
  {
    const MixedPrecision mixed(bf16());
    trunk_obs = critic_->encoder->trunk(b.obs);  // the only encoder forward with gradients
    features = critic_->encoder->head(trunk_obs);
    std::tie(q1, q2) = critic_->from_features(features, b.action);
    critic = torch::mse_loss(q1, target_q) + torch::mse_loss(q2, target_q);
    torch::NoGradGuard no_grad;
    z_positive = critic_target_->encoder->forward(b.obs_positive);
  }
  const torch::Tensor logits = curl_->logits(features, z_positive);
  const torch::Tensor contrastive = contrastive_loss(logits);
  critic_opt_->clear_grads();
  contrastive_opt_->clear_grads();
  (critic + contrastive).backward();
  critic_opt_->step();
  contrastive_opt_->step();
  m["q1"] = q1.mean().item<double>();
  m["critic_loss"] = critic.item<double>();
  m["contrastive_loss"] = contrastive.item<double>();
  m["contrastive_accuracy"] = contrastive_accuracy(logits);
  phase_done("critic+contrastive");
  return trunk_obs;
}

Metrics SacAgent::update_on(const Batch& b, int64_t step) {
  // One path for both encoder schedules: the reference's (critic, then the contrastive loss on a second forward
  // after the actor and EMA steps) and the opt-in shared forward (critic and contrastive losses in one pass).
  Metrics m;
  const bool shared = options_.contrastive && options_.shared_encoder_forward;
  const bool actor_step = step % options_.actor_update_freq == 0;
  const torch::Tensor trunk_obs = shared ? update_critic_and_contrastive(b, m) : update_critic(b, actor_step, m);
  if (actor_step) update_actor_and_alpha(trunk_obs.detach(), b.noise_actor, m);
  phase_done("actor");
  if (step % options_.critic_target_update_freq == 0) update_targets();
  phase_done("ema");
  if (options_.contrastive && !shared) {
    update_contrastive(trunk_obs, b, m);
    phase_done("contrastive");
  }
  m["alpha"] = alpha();
  return m;
}

void SacAgent::save(torch::serialize::OutputArchive& archive) const {
  for_each_part(*this, [&](const std::string& key, const auto& part) {
    torch::serialize::OutputArchive sub;
    part.save(sub);
    archive.write(key, sub);
  });
  archive.write("log_alpha", log_alpha_);
}

void SacAgent::load(torch::serialize::InputArchive& archive) {
  for_each_part(*this, [&](const std::string& key, auto& part) {
    torch::serialize::InputArchive sub;
    if (!archive.try_read(key, sub)) throw Error("checkpoint has no '" + key + "': it was written by another agent");
    part.load(sub);
  });
  torch::Tensor la;
  archive.read("log_alpha", la);
  torch::NoGradGuard no_grad;
  log_alpha_.copy_(la);
}

void check_agent_config(const config::Config& c) {
  // What the configuration says of the environment, before one is built: enough for every rule of validate().
  const envs::EnvOptions env = envs::EnvOptions::from_config(c);
  envs::EnvSpec spec;
  spec.observation = env.observation;
  spec.action_dim = 1;
  spec.observation_shape = env.observation == envs::ObservationKind::kPixels
                              ? std::vector<int64_t>{3 * env.frame_stack, env.image_size, env.image_size}
                              : std::vector<int64_t>{1};
  const SacOptions o = SacOptions::from_config(c, spec);  // validates
  // The CURL head's size depends on the encoder's feature count, worked out from its shapes (nothing is built).
  if (o.contrastive && o.observation == envs::ObservationKind::kPixels) {
    const int64_t side = o.pipeline.output_size();
    const double features = encoders::encoder_size(c, {spec.observation_shape[0], side, side}).feature_dim;
    check_contrastive_features(o.encoder, static_cast<int64_t>(std::min(features, 9.0e18)));
  }
}

NetworkMemory estimate_network_memory(const config::Config& c, const envs::EnvSpec& spec) {
  const SacOptions o = SacOptions::from_config(c, spec);
  std::vector<int64_t> shape = spec.observation_shape;
  const bool pixels = o.observation == envs::ObservationKind::kPixels;
  if (pixels) shape[1] = shape[2] = o.pipeline.output_size();
  const encoders::EncoderSize e = encoders::encoder_size(c, shape);
  const double h = static_cast<double>(o.hidden_dim), a = static_cast<double>(o.action_dim), f = e.feature_dim;
  const auto mlp = [&](double in, double out) { return in * h + h + h * h + h + h * out + out; };
  const double critic = e.trunk_parameters + e.head_parameters + 2 * mlp(f + a, 1);
  const double actor_own = e.head_parameters + mlp(f, 2 * a);
  const double w = o.contrastive ? f * f : 0;
  NetworkMemory m;
  m.parameters = 2 * critic + actor_own + w + 1;
  m.networks = 4.0 * (4 * (critic + actor_own + w) + critic);
  double obs = 1;
  for (const int64_t d : shape) obs *= static_cast<double>(d);
  const double batch = static_cast<double>(o.batch_size);
  // Float observation batches: drq_m augmented copies for the critic, drq_k for the targets, one for the actor and
  // one for CURL's keys; activations of the passes with gradients (critic, actor, CURL anchors), twice for backward.
  const double copies = static_cast<double>(o.drq_m + o.drq_k + 1 + (o.contrastive ? 1 : 0));
  const double passes = static_cast<double>(o.drq_m + 1 + (o.contrastive ? 1 : 0));
  m.batch = 4.0 * batch * (obs * copies + 2 * passes * (e.activations + 2 * h));
  return m;
}

}  // namespace curlrl::agents
