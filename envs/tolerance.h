// The suite's shaped-reward primitive (spec 0.5): 1 inside [lo, hi], decaying outside over `margin` along a
// sigmoid that equals `value_at_margin` at distance `margin` from the nearest bound.
#pragma once

#include <string>
#include <string_view>

namespace curlrl::envs {

enum class Sigmoid {
  kGaussian,
  kHyperbolic,
  kLongTail,
  kReciprocal,
  kCosine,
  kLinear,
  kQuadratic,
  kTanhSquared
};

// Names as the suite spells them: "gaussian", "hyperbolic", "long_tail", "reciprocal", "cosine", "linear",
// "quadratic", "tanh_squared". An unknown name throws std::invalid_argument listing them.
Sigmoid parse_sigmoid(std::string_view name);
std::string sigmoid_name(Sigmoid sigmoid);

// 1 if lo <= x <= hi. Outside: 0 when margin == 0, else S(d) with d = distance to the nearest bound / margin,
// S(0) = 1 and S(1) = value_at_margin. Bounds may be infinite. Throws std::invalid_argument if lo > hi,
// margin < 0, or value_at_margin is outside (0, 1) ([0, 1) for cosine, linear and quadratic).
double tolerance(double x, double lo, double hi, double margin = 0.0, Sigmoid sigmoid = Sigmoid::kGaussian,
                 double value_at_margin = 0.1);

}  // namespace curlrl::envs
