#include "interpret/values.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace curlrl::interpret {

std::vector<double> discounted_returns(const std::vector<double>& rewards, double gamma) {
  std::vector<double> g(rewards.size());
  double acc = 0;
  for (size_t i = rewards.size(); i-- > 0;) {
    acc = rewards[i] + gamma * acc;
    g[i] = acc;
  }
  return g;
}

std::vector<double> returns_with_tail(const std::vector<double>& rewards, double gamma, int64_t window) {
  if (!(gamma >= 0 && gamma < 1)) throw std::invalid_argument("returns_with_tail: gamma must be in [0, 1)");
  std::vector<double> g = discounted_returns(rewards, gamma);
  const size_t n = rewards.size();
  if (n == 0) return g;
  const size_t w = std::clamp<size_t>(static_cast<size_t>(std::max<int64_t>(window, 1)), 1, n);
  double mean = 0;
  for (size_t i = n - w; i < n; ++i) mean += rewards[i];
  mean /= static_cast<double>(w);
  const double tail = mean / (1.0 - gamma);
  for (size_t t = 0; t < n; ++t) g[t] += std::pow(gamma, static_cast<double>(n - t)) * tail;
  return g;
}

}  // namespace curlrl::interpret
