#pragma once

// bfloat16 autocast for the forward computations of an update (agent.precision=bf16).
namespace curlrl::agents {

// Whether CPU autocast is on now (in LibTorch 1.13 and 2.x alike).
bool cpu_autocast_enabled();

// Turns CPU bfloat16 autocast on for its scope, when constructed with true: convolutions and matrix products run in
// bfloat16 on bfloat16 copies of the fp32 weights; normalisations, softmax and the losses stay in fp32 (autocast's
// CPU lists), as do the weights, gradients and optimiser moments. Autocast caches the weight copies while the
// outermost scope lives, so a scope must end before an optimiser step changes the weights.
class MixedPrecision {
 public:
  explicit MixedPrecision(bool bf16);
  ~MixedPrecision();
  MixedPrecision(const MixedPrecision&) = delete;
  MixedPrecision& operator=(const MixedPrecision&) = delete;

 private:
  bool on_;
  bool previous_ = false;
};

}  // namespace curlrl::agents
