#include "interpret/saliency.h"

#include <torch/autograd.h>

#include <stdexcept>

namespace curlrl::interpret {

torch::Tensor input_gradients(const NetworkFn& f, const torch::Tensor& x) {
  torch::AutoGradMode grad_on(true);
  const torch::Tensor input = x.detach().clone().requires_grad_(true);
  torch::Tensor out = f(input);
  if (out.dim() == 1) out = out.unsqueeze(1);
  if (out.dim() != 2 || out.size(0) != x.size(0)) {
    throw std::invalid_argument("input_gradients: the network's output must be [B] or [B, K]");
  }
  const int64_t k = out.size(1);
  std::vector<torch::Tensor> grads;
  for (int64_t j = 0; j < k; ++j) {
    const torch::Tensor g = torch::autograd::grad({out.select(1, j).sum()}, {input}, {}, /*retain_graph=*/j + 1 < k,
                                                  /*create_graph=*/false, /*allow_unused=*/true)[0];
    grads.push_back(g.defined() ? g.detach() : torch::zeros_like(input));
  }
  return torch::stack(grads);
}

torch::Tensor gradient_magnitude(const torch::Tensor& gradients) {
  return gradients.to(torch::kFloat32).square().sum(std::vector<int64_t>{0, 2}).sqrt();
}

torch::Tensor saliency(const NetworkFn& f, const torch::Tensor& x) { return gradient_magnitude(input_gradients(f, x)); }

torch::Tensor smoothgrad(const NetworkFn& f, const torch::Tensor& x, int64_t samples, double sigma,
                         at::Generator& generator) {
  if (samples < 1) throw std::invalid_argument("smoothgrad: samples must be at least 1");
  torch::Tensor sum;
  for (int64_t i = 0; i < samples; ++i) {
    const torch::Tensor noise = at::normal(0.0, sigma, x.sizes(), generator, x.options());
    const torch::Tensor m = saliency(f, x + noise);
    sum = i == 0 ? m : sum + m;
  }
  return sum / static_cast<double>(samples);
}

}  // namespace curlrl::interpret
