// The agent's weights as a flat dictionary of tensors with stable names and PyTorch's conventional layouts, the
// exchange format with Python: `curlrl export` writes it, `torch.load` reads it, agent.init_weights starts an agent
// from it, `curlrl trace-update` reads and writes it. Names (A = action dim, F = encoder features):
//   critic.encoder.<encoder's parameter names>   pixel: conv{0..3}.weight|bias, fc.weight|bias, ln.weight|bias
//   critic.q1.{0,1,2}.weight|bias, critic.q2...  the three Linear layers of each Q MLP (input: features, action)
//   actor.encoder.<head parameters>              the actor's convolutions are the critic's, listed once
//   actor.trunk.{0,1,2}.weight|bias              last layer 2A outputs: the means, then the log-std pre-activations
//   critic_target.*                              the same names as critic.*
//   curl.W [F, F]                                agents with the contrastive loss
//   log_alpha [1]
#pragma once

#include <torch/types.h>

#include <map>
#include <string>

#include "agents/sac_agent.h"
#include "agents/tensor_file.h"

namespace curlrl::agents {

// Contiguous CPU copies of the agent's parameters under the names above.
TensorDict export_weights(SacAgent& agent);
// Sets the agent's parameters from `weights` (the names and shapes export_weights gives for this agent). A missing
// tensor, an unexpected one or a wrong shape is a one-line ConfigError naming it and `source`. Optimiser states are
// untouched.
void import_weights(SacAgent& agent, const TensorDict& weights, const std::string& source);

}  // namespace curlrl::agents
