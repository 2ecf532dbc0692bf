#include "interpret/probe.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace curlrl::interpret {

std::vector<double> ridge_probe_r2(const torch::Tensor& x_train, const torch::Tensor& y_train,
                                   const torch::Tensor& x_test, const torch::Tensor& y_test, double lambda) {
  if (x_train.dim() != 2 || y_train.dim() != 2 || x_test.dim() != 2 || y_test.dim() != 2 ||
      x_train.size(0) != y_train.size(0) || x_test.size(0) != y_test.size(0) || x_train.size(1) != x_test.size(1) ||
      y_train.size(1) != y_test.size(1)) {
    throw std::invalid_argument("ridge_probe_r2: X [N, F] and Y [N, D] with matching sizes are needed");
  }
  if (x_train.size(0) < 2 || x_test.size(0) < 1) throw std::invalid_argument("ridge_probe_r2: too few rows");
  const auto f64 = [](const torch::Tensor& t) { return t.detach().to(torch::kCPU, torch::kFloat64); };
  const torch::Tensor xtr = f64(x_train), ytr = f64(y_train), xte = f64(x_test), yte = f64(y_test);
  const torch::Tensor mean = xtr.mean(0, true);
  torch::Tensor std = xtr.std(0, /*unbiased=*/false, true);
  std = torch::where(std > 1e-12, std, torch::ones_like(std));
  const torch::Tensor xs = (xtr - mean) / std, xs_test = (xte - mean) / std;
  const torch::Tensor y_mean = ytr.mean(0, true);
  const int64_t f = xs.size(1);
  const torch::Tensor gram = xs.t().mm(xs) + lambda * torch::eye(f, xs.options());
  const torch::Tensor w = torch::linalg_solve(gram, xs.t().mm(ytr - y_mean), /*left=*/true);
  const torch::Tensor pred = xs_test.mm(w) + y_mean;
  const torch::Tensor ss_res = (yte - pred).square().sum(0);
  const torch::Tensor ss_tot = (yte - yte.mean(0, true)).square().sum(0);
  std::vector<double> r2;
  for (int64_t j = 0; j < yte.size(1); ++j) {
    const double tot = ss_tot[j].item<double>();
    r2.push_back(tot > 1e-12 * yte.size(0) ? 1.0 - ss_res[j].item<double>() / tot
                                           : std::numeric_limits<double>::quiet_NaN());
  }
  return r2;
}

std::vector<bool> held_out_rows(const std::vector<int64_t>& episode_of_row) {
  const size_t n = episode_of_row.size();
  std::vector<bool> out(n, false);
  if (n == 0) return out;
  std::vector<int64_t> episodes = episode_of_row;
  episodes.erase(std::unique(episodes.begin(), episodes.end()), episodes.end());
  if (episodes.size() >= 2) {
    const size_t held = std::max<size_t>(1, episodes.size() / 4);
    const int64_t first_held = episodes[episodes.size() - held];
    bool in = false;
    for (size_t i = 0; i < n; ++i) {
      if (episode_of_row[i] == first_held) in = true;
      out[i] = in;
    }
  } else {
    for (size_t i = n - std::max<size_t>(1, n / 4); i < n; ++i) out[i] = true;
  }
  return out;
}

}  // namespace curlrl::interpret
