// What actually followed in an episode, to set beside the critic's estimate of it.
//
// The six tasks end only by their time limit, which the agent's updates do not treat as terminal: the critic
// estimates the infinite-horizon discounted return. Within an episode of T agent steps the return that followed
// step t is known only up to T:
//   G_t = sum_{k=0}^{T-1-t} gamma^k r_{t+k}                  (truncated: low by the missing tail near the end)
// and the tail can only be assumed. returns_with_tail assumes the episode's last `window` rewards' mean r_bar goes on
// for ever after T:
//   G_t + gamma^(T-t) r_bar / (1 - gamma).
// Both are exact for the first steps (gamma^(T-t) is small when T - t >> 1 / (1 - gamma)) and differ near the end.
#pragma once

#include <cstdint>
#include <vector>

namespace curlrl::interpret {

std::vector<double> discounted_returns(const std::vector<double>& rewards, double gamma);
std::vector<double> returns_with_tail(const std::vector<double>& rewards, double gamma, int64_t window);

}  // namespace curlrl::interpret
