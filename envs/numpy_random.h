// A random generator that reproduces numpy's legacy np.random.RandomState(seed) draw for draw.
// The suite seeds each task with RandomState(seed); using the same stream makes curlrl's initial states equal
// to the suite's for the same seed (same draws, same order).
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace curlrl::envs {

class NumpyRandomState {
 public:
  explicit NumpyRandomState(uint32_t seed = 0) { seed_(seed); }
  void seed_(uint32_t seed) {
    mt_.seed(seed);
    has_gauss_ = false;
    gauss_ = 0.0;
  }
  // numpy random_sample(): 53-bit double in [0, 1).
  double random_sample() {
    const uint64_t a = mt_() >> 5, b = mt_() >> 6;
    return (static_cast<double>(a) * 67108864.0 + static_cast<double>(b)) / 9007199254740992.0;
  }
  double uniform(double lo, double hi) { return lo + (hi - lo) * random_sample(); }
  // numpy legacy standard_normal(): polar Box-Muller with one cached value.
  double standard_normal();
  double normal(double loc, double scale) { return loc + scale * standard_normal(); }

  // Full state as text (for checkpoints), and back.
  std::string serialize() const;
  void deserialize(const std::string& text);

 private:
  std::mt19937 mt_;
  bool has_gauss_ = false;
  double gauss_ = 0.0;
};

}  // namespace curlrl::envs
