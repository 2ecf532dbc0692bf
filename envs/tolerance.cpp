#include "envs/tolerance.h"

#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <utility>

namespace curlrl::envs {
namespace {

constexpr std::array<std::pair<std::string_view, Sigmoid>, 8> kSigmoids{{
    {"gaussian", Sigmoid::kGaussian},
    {"hyperbolic", Sigmoid::kHyperbolic},
    {"long_tail", Sigmoid::kLongTail},
    {"reciprocal", Sigmoid::kReciprocal},
    {"cosine", Sigmoid::kCosine},
    {"linear", Sigmoid::kLinear},
    {"quadratic", Sigmoid::kQuadratic},
    {"tanh_squared", Sigmoid::kTanhSquared},
}};

// Sigmoids with finite support may reach exactly 0 at the margin; the others only approach 0 asymptotically,
// so for them a value of 0 at the margin would need an infinite scale.
bool allows_zero_at_margin(Sigmoid s) {
  return s == Sigmoid::kCosine || s == Sigmoid::kLinear || s == Sigmoid::kQuadratic;
}

// S(x) for x >= 0 (the normalised distance), scaled so that S(1) = v. Each formula keeps the suite's
// arithmetic (e.g. exp(-(x s)^2 / 2) rather than v^(x^2)) so results agree to the last bit where libm agrees.
double sigmoid_value(double x, double v, Sigmoid sigmoid) {
  switch (sigmoid) {
    case Sigmoid::kGaussian: {
      const double scale = std::sqrt(-2.0 * std::log(v));
      return std::exp(-0.5 * (x * scale) * (x * scale));
    }
    case Sigmoid::kHyperbolic: {
      const double scale = std::acosh(1.0 / v);
      return 1.0 / std::cosh(x * scale);
    }
    case Sigmoid::kLongTail: {
      const double scale = std::sqrt(1.0 / v - 1.0);
      return 1.0 / ((x * scale) * (x * scale) + 1.0);
    }
    case Sigmoid::kReciprocal: {
      const double scale = 1.0 / v - 1.0;
      return 1.0 / (std::abs(x) * scale + 1.0);
    }
    case Sigmoid::kCosine: {
      const double scaled = x * (std::acos(2.0 * v - 1.0) / std::numbers::pi);
      return std::abs(scaled) < 1.0 ? (1.0 + std::cos(std::numbers::pi * scaled)) / 2.0 : 0.0;
    }
    case Sigmoid::kLinear: {
      const double scaled = x * (1.0 - v);
      return std::abs(scaled) < 1.0 ? 1.0 - scaled : 0.0;
    }
    case Sigmoid::kQuadratic: {
      const double scaled = x * std::sqrt(1.0 - v);
      return std::abs(scaled) < 1.0 ? 1.0 - scaled * scaled : 0.0;
    }
    case Sigmoid::kTanhSquared: {
      const double t = std::tanh(x * std::atanh(std::sqrt(1.0 - v)));
      return 1.0 - t * t;
    }
  }
  throw std::invalid_argument("tolerance: unknown sigmoid");
}

}  // namespace

Sigmoid parse_sigmoid(std::string_view name) {
  std::string known;
  for (const auto& [n, s] : kSigmoids) {
    if (n == name) return s;
    known += (known.empty() ? "" : ", ") + std::string(n);
  }
  throw std::invalid_argument("unknown sigmoid '" + std::string(name) + "'; known: " + known);
}

std::string sigmoid_name(Sigmoid sigmoid) {
  for (const auto& [n, s] : kSigmoids) {
    if (s == sigmoid) return std::string(n);
  }
  throw std::invalid_argument("sigmoid_name: unknown sigmoid");
}

double tolerance(double x, double lo, double hi, double margin, Sigmoid sigmoid, double value_at_margin) {
  // Written as negations so that NaN arguments are rejected too.
  if (!(lo <= hi)) throw std::invalid_argument("tolerance: lower bound must be <= upper bound");
  if (!(margin >= 0.0)) throw std::invalid_argument("tolerance: margin must be non-negative");
  const double v = value_at_margin;
  const bool v_ok = allows_zero_at_margin(sigmoid) ? (v >= 0.0 && v < 1.0) : (v > 0.0 && v < 1.0);
  if (!v_ok) {
    throw std::invalid_argument("tolerance: value_at_margin " + std::to_string(v) +
                                " is out of range for sigmoid " + sigmoid_name(sigmoid));
  }

  if (lo <= x && x <= hi) return 1.0;
  if (margin == 0.0) return 0.0;
  const double d = (x < lo ? lo - x : x - hi) / margin;
  return sigmoid_value(d, v, sigmoid);
}

}  // namespace curlrl::envs
