#include "agents/adam.h"

#include <ATen/Parallel.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cmath>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>

#include "core/error.h"

namespace curlrl::agents {
namespace {

// The key of a parameter in the optimiser's state map: LibTorch 1.13 prints the tensor's address into a string,
// later versions use the address itself. Matching it keeps the state (and so checkpoints) the base class's.
template <typename Map>
typename Map::key_type state_key(const Map&, const torch::Tensor& p) {
  using Key = typename Map::key_type;
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream os;
    os << static_cast<const void*>(p.unsafeGetTensorImpl());
    return os.str();
  } else {
    return static_cast<Key>(p.unsafeGetTensorImpl());
  }
}

// The step's constants, in the order LibTorch's Adam applies them:
//   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;
//   p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps).
struct Coefficients {
  double beta1, one_minus_beta1, beta2, one_minus_beta2, sqrt_bias_correction2, eps, step_size;
};

Coefficients coefficients(const torch::optim::AdamOptions& o, int64_t step) {
  const auto [beta1, beta2] = o.betas();
  const double t = static_cast<double>(step);
  return {beta1, 1 - beta1, beta2, 1 - beta2, std::sqrt(1 - std::pow(beta2, t)), o.eps(),
          o.lr() / (1 - std::pow(beta1, t))};
}

// One pass over contiguous memory, each element on its own (so any split across threads gives the same bits).
// Built for AVX-512 and AVX2 as well as the baseline on x86-64, picked at run time, and without errno on sqrt
// (CMakeLists.txt): otherwise the divisions and square roots run one element at a time, which made this loop cost
// as much as LibTorch's eight passes.
template <typename T, bool kHasGrad>
inline __attribute__((always_inline)) void adam_range(T* __restrict p, const T* __restrict g, T* __restrict m,
                                                      T* __restrict v, int64_t n, const Coefficients& c) {
  const T b1 = static_cast<T>(c.beta1), ob1 = static_cast<T>(c.one_minus_beta1);
  const T b2 = static_cast<T>(c.beta2), ob2 = static_cast<T>(c.one_minus_beta2);
  const T bc2 = static_cast<T>(c.sqrt_bias_correction2), eps = static_cast<T>(c.eps);
  const T step = static_cast<T>(c.step_size);
  for (int64_t i = 0; i < n; ++i) {
    const T gi = kHasGrad ? g[i] : T(0);
    const T mi = m[i] * b1 + ob1 * gi;
    const T vi = v[i] * b2 + ob2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] - step * (mi / (std::sqrt(vi) / bc2 + eps));
  }
}

#if defined(__x86_64__)
#define CURLRL_ADAM_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CURLRL_ADAM_CLONES
#endif

template <typename T>
CURLRL_ADAM_CLONES void adam_chunk(T* p, const T* g, T* m, T* v, int64_t n, const Coefficients& c) {
  if (g != nullptr) {
    adam_range<T, true>(p, g, m, v, n, c);
  } else {
    adam_range<T, false>(p, nullptr, m, v, n, c);
  }
}

template <typename T>
void fused_step(T* p, const T* g, T* m, T* v, int64_t n, const Coefficients& c) {
  at::parallel_for(0, n, 1 << 14, [&](int64_t begin, int64_t end) {
    adam_chunk<T>(p + begin, g != nullptr ? g + begin : nullptr, m + begin, v + begin, end - begin, c);
  });
}

bool fusable(const torch::Tensor& p, const torch::Tensor& g, const torch::Tensor& m, const torch::Tensor& v) {
  const auto same = [&](const torch::Tensor& t) {
    return t.device() == p.device() && t.scalar_type() == p.scalar_type() && t.is_contiguous() && t.numel() == p.numel();
  };
  return p.device().is_cpu() && (p.scalar_type() == torch::kFloat32 || p.scalar_type() == torch::kFloat64) &&
         p.is_contiguous() && same(m) && same(v) && (!g.defined() || (!g.is_sparse() && same(g)));
}

// The same step as tensor operations (other devices and layouts), the form of LibTorch's own Adam.
void tensor_step(torch::Tensor p, const torch::Tensor& g, torch::Tensor& m, torch::Tensor& v, const Coefficients& c) {
  m.mul_(c.beta1);
  v.mul_(c.beta2);
  if (g.defined()) {
    m.add_(g, c.one_minus_beta1);
    v.addcmul_(g, g, c.one_minus_beta2);
  }
  const torch::Tensor denom = (v.sqrt() / c.sqrt_bias_correction2).add_(c.eps);
  p.addcdiv_(m, denom, -c.step_size);
}

}  // namespace

Adam::Adam(std::vector<torch::Tensor> params, const torch::optim::AdamOptions& options)
    : torch::optim::Adam(std::move(params), options) {
  if (options.weight_decay() != 0 || options.amsgrad()) {
    throw Error("curlrl's Adam has no weight decay or AMSGrad (the agents use neither)");
  }
}

torch::Tensor Adam::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const torch::optim::AdamOptions&>(group.options());
    for (auto& p : group.params()) {
      const torch::Tensor& g = p.grad();
      const auto key = state_key(state_, p);
      auto it = state_.find(key);
      if (it == state_.end()) {
        if (!g.defined()) continue;  // never had a gradient: untouched, as in LibTorch's Adam
        auto fresh = std::make_unique<torch::optim::AdamParamState>();
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        it = state_.emplace(key, std::move(fresh)).first;
      }
      auto& state = static_cast<torch::optim::AdamParamState&>(*it->second);
      state.step(state.step() + 1);
      const Coefficients c = coefficients(options, state.step());
      torch::Tensor& m = state.exp_avg();
      torch::Tensor& v = state.exp_avg_sq();
      torch::Tensor param = p.detach();
      if (!fusable(param, g, m, v)) {
        tensor_step(param, g, m, v, c);
        continue;
      }
      AT_DISPATCH_FLOATING_TYPES(param.scalar_type(), "curlrl_adam", [&] {
        scalar_t* pp = param.data_ptr<scalar_t>();
        scalar_t* mp = m.data_ptr<scalar_t>();
        scalar_t* vp = v.data_ptr<scalar_t>();
        fused_step<scalar_t>(pp, g.defined() ? g.data_ptr<scalar_t>() : nullptr, mp, vp, param.numel(), c);
      });
      p.unsafeGetTensorImpl()->bump_version();  // as an in-place tensor operation would: autograd sees the change
    }
  }
  return loss;
}

void Adam::clear_grads() {
  for (auto& group : param_groups_) {
    for (auto& p : group.params()) p.mutable_grad().reset();
  }
}

}  // namespace curlrl::agents
