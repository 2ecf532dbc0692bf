#include "agents/mixed_precision.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace curlrl::agents {

// LibTorch 2.4 replaced the CPU-specific autocast calls with ones taking the device (the old ones warn as deprecated).
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool cpu_autocast_enabled() { return at::autocast::is_autocast_enabled(at::kCPU); }
namespace {
void set_cpu_autocast(bool on) {
  at::autocast::set_autocast_dtype(at::kCPU, at::kBFloat16);
  at::autocast::set_autocast_enabled(at::kCPU, on);
}
}  // namespace
#else
bool cpu_autocast_enabled() { return at::autocast::is_cpu_enabled(); }
namespace {
void set_cpu_autocast(bool on) {
  at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
  at::autocast::set_cpu_enabled(on);
}
}  // namespace
#endif

MixedPrecision::MixedPrecision(bool bf16) : on_(bf16) {
  if (!on_) return;
  previous_ = cpu_autocast_enabled();
  set_cpu_autocast(true);
  at::autocast::increment_nesting();
}

MixedPrecision::~MixedPrecision() {
  if (!on_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_cpu_autocast(previous_);
}

}  // namespace curlrl::agents
