// Input-gradient saliency: which pixels a network's output is sensitive to.
//
// For a function f of a batch x [B, C, H, W] with outputs [B] or [B, K], the gradient of each sample's outputs with
// respect to its own input (samples do not interact in the networks used here, so one backward pass of the batch's
// sum gives every sample's gradient). The saliency map of a sample is, per pixel, the Euclidean norm of the gradient
// over the C input channels (the stacked frames' colours) and the K outputs.
//
// SmoothGrad (Smilkov et al., 2017): the mean of the saliency maps of `samples` noisy copies x + N(0, sigma^2) of
// the input; it averages away the pixel-to-pixel noise of raw gradients and keeps the regions that matter.
#pragma once

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <cstdint>
#include <functional>

namespace curlrl::interpret {

using NetworkFn = std::function<torch::Tensor(const torch::Tensor& x)>;

// Per-output input gradients: [K, B, C, H, W] (K = 1 for an output of shape [B] or [B, 1]).
torch::Tensor input_gradients(const NetworkFn& f, const torch::Tensor& x);
// The saliency map of gradients [K, B, C, H, W]: the norm over K and C, [B, H, W].
torch::Tensor gradient_magnitude(const torch::Tensor& gradients);
// The saliency map of f at x: gradient_magnitude(input_gradients(f, x)).
torch::Tensor saliency(const NetworkFn& f, const torch::Tensor& x);
// SmoothGrad: the mean over `samples` draws (from `generator`) of saliency(f, x + sigma * N(0, 1)).
torch::Tensor smoothgrad(const NetworkFn& f, const torch::Tensor& x, int64_t samples, double sigma,
                         at::Generator& generator);

}  // namespace curlrl::interpret
