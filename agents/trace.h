// An update trace (`curlrl trace-update`): K consecutive updates of an agent on batches and policy noise given in a
// tensor file, with no randomness of their own, so that another implementation fed the same file can be compared
// number for number (tests/scripts/test_trace_oracle.py does it with plain PyTorch).
//
// The input file is one dictionary: the agent's weights (agents/weights.h; critic_target too, it is not copied from
// the critic) and
//   steps        int64 [K]             the update's step number (decides the actor/temperature and EMA schedule)
//   obs          float [K, B, C, S, S] in [0, 255], already cropped to the encoder's input side S (states: [K, B, D])
//   next_obs     as obs
//   obs_positive as obs                the contrastive positive (only agents with the contrastive loss read it)
//   action       float [K, B, A]
//   reward, not_done float [K, B, 1]
//   noise_next   float [K, B, A]       the standard normal draws of the policy sample on next_obs (TD target)
//   noise_actor  float [K, B, A]       those of the actor update's sample (unused on steps without one)
// The output: the weights after the last update (the same names) and per update critic_loss, actor_loss,
// alpha_loss and contrastive_loss, float64 [K], NaN where the update did not compute that loss.
#pragma once

#include "agents/weights.h"
#include "core/config.h"
#include "envs/env.h"

namespace curlrl::agents {

// The environment an agent for this trace is built for: the observation kind, frame stack and image size of the
// configuration, the action dimension of `action`, the state dimension of `obs` (states). A ConfigError naming
// `source` if a tensor it needs is missing or malformed.
envs::EnvSpec trace_env_spec(const config::Config& config, const TensorDict& input, const std::string& source);

// Starts `agent` (newly built: its optimiser states are fresh, as in a new run) from the input's weights, runs the
// updates and returns the output dictionary. Everything is checked before the first update: a missing, unexpected or
// misshapen tensor is a ConfigError naming it and `source`; so is an agent whose update draws random numbers a
// trace cannot give (DrQ's augmentations inside the update, agent.drq_k/drq_m > 1).
TensorDict trace_updates(SacAgent& agent, const TensorDict& input, const std::string& source);

}  // namespace curlrl::agents
