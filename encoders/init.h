// Weight initialisation of the reference implementation: orthogonal weights and zero biases for Linear layers;
// "delta-orthogonal" for 3x3 convolutions (zero everywhere but the kernel centre, which is an orthogonal matrix
// scaled by the ReLU gain sqrt(2)).
#pragma once

#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

namespace curlrl::encoders {

// Fills `w` (viewed as rows x rest) with a random (semi-)orthogonal matrix times `gain`.
void orthogonal_(torch::Tensor& w, double gain);
void orthogonal_init(torch::nn::LinearImpl& layer);
void delta_orthogonal_init(torch::nn::Conv2d& conv);

}  // namespace curlrl::encoders
