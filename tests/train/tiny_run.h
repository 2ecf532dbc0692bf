// A state-based run small enough for unit tests (about a second per 1000 env steps).
#pragma once

#include <string>
#include <vector>

#include "core/config.h"
#include "core/schema.h"

namespace curlrl::train::testing {

inline config::Config tiny_state_config(const std::string& run_dir, int64_t env_steps,
                                        const std::vector<std::string>& extra = {}) {
  static const config::Schema schema = config::make_schema("train");
  std::vector<std::string> overrides = {"agent=state_sac", "env_steps=" + std::to_string(env_steps), "eval_every=1000",
                                        "eval_episodes=1", "agent.init_steps=40", "agent.batch_size=16",
                                        "agent.hidden_dim=16", "checkpoint_every=1000", "threads=1", "seed=5",
                                        "run_dir=" + run_dir, "progress_interval=1000"};
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  return config::compose(schema, config::default_config_dir(), overrides).config;
}

}  // namespace curlrl::train::testing
