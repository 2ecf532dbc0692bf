#include "envs/numpy_random.h"

#include <cmath>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace curlrl::envs {

// numpy's legacy_gauss: the polar form of Box-Muller. Each accepted pair (x1, x2) yields two normals; the
// second is cached and returned by the next call, so the draw count per normal matches numpy exactly.
double NumpyRandomState::standard_normal() {
  if (has_gauss_) {
    has_gauss_ = false;
    const double cached = gauss_;
    gauss_ = 0.0;
    return cached;
  }
  double x1, x2, r2;
  do {
    x1 = 2.0 * random_sample() - 1.0;
    x2 = 2.0 * random_sample() - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);
  const double f = std::sqrt(-2.0 * std::log(r2) / r2);
  gauss_ = f * x1;
  has_gauss_ = true;
  return f * x2;
}

// Text format: the mt19937 state as its stream operator writes it, then the Gaussian cache flag and the
// cached value's bit pattern (exact, unlike a decimal rendering).
std::string NumpyRandomState::serialize() const {
  uint64_t bits = 0;
  static_assert(sizeof(bits) == sizeof(gauss_));
  std::memcpy(&bits, &gauss_, sizeof(bits));
  std::ostringstream out;
  out << mt_ << ' ' << (has_gauss_ ? 1 : 0) << ' ' << bits;
  return out.str();
}

void NumpyRandomState::deserialize(const std::string& text) {
  std::istringstream in(text);
  std::mt19937 mt;
  int has_gauss = -1;
  uint64_t bits = 0;
  in >> mt >> has_gauss >> bits;
  if (in.fail() || (has_gauss != 0 && has_gauss != 1)) {
    throw std::invalid_argument("NumpyRandomState::deserialize: malformed state text");
  }
  in >> std::ws;
  if (!in.eof())
    throw std::invalid_argument("NumpyRandomState::deserialize: trailing characters in state text");
  mt_ = mt;
  has_gauss_ = has_gauss == 1;
  std::memcpy(&gauss_, &bits, sizeof(bits));
}

}  // namespace curlrl::envs
