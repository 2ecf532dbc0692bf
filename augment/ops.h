// Helpers shared by the augmentation files (not part of the public interface: include augment/augment.h).
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <random>

#include "augment/augment.h"

namespace curlrl::augment {

// n independent draws "u < p" with u uniform in [0, 1) from `rng`, as a bool tensor [n].
torch::Tensor bernoulli_mask(int64_t n, double p, std::mt19937_64& rng);

}  // namespace curlrl::augment
