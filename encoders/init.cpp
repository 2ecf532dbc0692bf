#include "encoders/init.h"

#include <torch/torch.h>

#include <cmath>

namespace curlrl::encoders {

// A (semi-)orthogonal matrix with the distribution of torch's orthogonal_ (the Q of a Gaussian matrix's QR with
// R's diagonal made positive), computed by Cholesky QR, twice for accuracy, in double precision. LAPACK's
// Householder QR (sorgqr), which torch uses, is unblocked in Debian's reference LAPACK and takes ~18 s for a
// 1024 x 1024 matrix; Cholesky QR runs on BLAS-3 (OpenBLAS) in milliseconds.
void orthogonal_(torch::Tensor& w, double gain) {
  torch::NoGradGuard no_grad;
  const int64_t rows = w.size(0), cols = w.numel() / rows;
  torch::Tensor a = torch::randn({rows, cols}, torch::kFloat64);
  if (rows < cols) a = a.t().contiguous();  // tall: n x m with n >= m
  for (int pass = 0; pass < 2; ++pass) {
    const torch::Tensor r = torch::linalg_cholesky(torch::mm(a.t(), a)).t();  // upper, positive diagonal
    a = torch::linalg_solve_triangular(r, a, /*upper=*/true, /*left=*/false);  // X R = a: X = a R^{-1}
  }
  if (rows < cols) a = a.t();
  w.copy_((gain * a).reshape(w.sizes()).to(w.dtype()));
}

void orthogonal_init(torch::nn::LinearImpl& layer) {
  torch::NoGradGuard no_grad;
  orthogonal_(layer.weight, 1.0);
  if (layer.bias.defined()) layer.bias.zero_();
}

void delta_orthogonal_init(torch::nn::Conv2d& conv) {
  torch::NoGradGuard no_grad;
  auto& w = conv->weight;  // [out, in, kh, kw]
  w.zero_();
  const int64_t mid_h = w.size(2) / 2, mid_w = w.size(3) / 2;
  torch::Tensor centre = torch::empty({w.size(0), w.size(1)});
  orthogonal_(centre, std::sqrt(2.0));  // the ReLU gain
  w.select(2, mid_h).select(2, mid_w).copy_(centre);
  if (conv->bias.defined()) conv->bias.zero_();
}

}  // namespace curlrl::encoders
