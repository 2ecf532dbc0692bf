// The agent variants: configurations of the one SAC agent (agents/sac_agent.h), each chosen by name (agent=rad)
// and set up by its configs/agent/<name>.yaml. The registry that maps names to factories.
#include "agents/agent.h"
#include "agents/sac_agent.h"
#include "core/error.h"
#include "core/io.h"

namespace curlrl::agents {
namespace {

config::PluginRegistry<AgentFactory>& registry() {
  static config::PluginRegistry<AgentFactory> agents("agent", "agent");
  return agents;
}

std::unique_ptr<Agent> make_sac(const config::Config& config, const envs::EnvSpec& spec) {
  return std::make_unique<SacAgent>(SacOptions::from_config(config, spec));
}

const RegisterAgent kCurl{"curl",
                          "CURL-SAC (Srinivas et al. 2020): SAC from pixels with a contrastive auxiliary loss whose "
                          "key encoder is the target critic's encoder; random crops",
                          make_sac};
const RegisterAgent kRad{"rad",
                         "RAD (Laskin et al. 2020): SAC from pixels with data augmentation only (random crop by "
                         "default; any list, e.g. augment=[crop,cutout])",
                         make_sac};
const RegisterAgent kDrq{"drq",
                         "DrQ (Kostrikov et al. 2021), as published: SAC from 84x84 pixels shifted by up to 4, the "
                         "target averaged over 2 augmented next observations, the critic loss over 2 augmented "
                         "observations, one learning rate",
                         make_sac};
const RegisterAgent kPixelSac{"pixel_sac",
                              "SAC from pixels without an auxiliary loss or augmentation (the paper's pixel SAC "
                              "baseline): centre crops in training as in acting",
                              make_sac};
const RegisterAgent kStateSac{"state_sac",
                              "SAC from low-dimensional states (the paper's state SAC upper bound): no encoder, no "
                              "augmentation",
                              make_sac};

}  // namespace

RegisterAgent::RegisterAgent(const std::string& name, const std::string& summary, AgentFactory make,
                             std::vector<const config::SettingBase*> own_settings) {
  registry().add(name, summary, own_settings, std::move(make));
}

std::unique_ptr<Agent> make_agent(const config::Config& config, const envs::EnvSpec& spec) {
  const std::string name = config.get_string("agent.name");
  if (!registry().contains(name)) {
    throw ConfigError("unknown agent '" + name + "' (known: " + join(registry().names(), ", ") + ")");
  }
  return registry().get(name)(config, spec);
}

}  // namespace curlrl::agents
