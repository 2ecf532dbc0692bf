// The Agent interface the trainer drives, and the factory that builds an agent variant from configuration.
// Variants (curl, state_sac, ...) are configurations of the same parts (agents/sac_agent.h), not copies.
#pragma once

#include <torch/serialize/archive.h>

#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/settings.h"
#include "envs/env.h"
#include "replay/replay_buffer.h"

namespace curlrl::agents {

using Metrics = std::map<std::string, double>;

// Where the networks run: device=cpu|cuda (declared in agents/sac_agent.cpp).
extern const config::Setting<std::string> kDevice;

class Agent {
 public:
  virtual ~Agent() = default;
  // An action in [-1, 1]^A for the observation of `ts`: the policy mean when deterministic, else a sample.
  virtual std::vector<float> act(const envs::TimeStep& ts, bool deterministic) = 0;
  // One update from a batch sampled (with `rng`) from `replay`; `step` counts updates from 0.
  virtual Metrics update(const replay::ReplayBuffer& replay, int64_t step, std::mt19937_64& rng) = 0;
  // Networks, optimiser states and the temperature.
  virtual void save(torch::serialize::OutputArchive& archive) const = 0;
  virtual void load(torch::serialize::InputArchive& archive) = 0;
};

// The agent registry. An agent variant registers its name, summary and factory with a global
//   const RegisterAgent kCurl{"curl", "one-line summary", make_sac_agent};
// which also makes it a choice of the `agent` group; its configs/agent/<name>.yaml sets what makes the variant.
using AgentFactory = std::function<std::unique_ptr<Agent>(const config::Config&, const envs::EnvSpec&)>;
struct RegisterAgent {
  RegisterAgent(const std::string& name, const std::string& summary, AgentFactory make,
                std::vector<const config::SettingBase*> own_settings = {});
};

// The agent of config `agent.name` for an environment of `spec`. Invalid combinations (a pixel encoder on
// states, a contrastive loss without pixels) are ConfigError.
std::unique_ptr<Agent> make_agent(const config::Config& config, const envs::EnvSpec& spec);

// The configuration checks of make_agent that need no environment, so that they run before anything is built.
void check_agent_config(const config::Config& config);

// What the agent of `config` for an environment of `spec` would take, worked out from the networks' shapes
// (encoders::encoder_size and the MLPs') without building anything.
struct NetworkMemory {
  double parameters = 0;  // every distinct parameter: critic, its target, the actor's own layers, CURL W, log alpha
  double networks = 0;    // bytes: parameters with gradients and Adam's two moments (target: weights only)
  double batch = 0;       // bytes: one update's float observations and the activations kept for backward passes
};
NetworkMemory estimate_network_memory(const config::Config& config, const envs::EnvSpec& spec);

}  // namespace curlrl::agents
