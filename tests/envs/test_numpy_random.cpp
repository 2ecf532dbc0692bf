// NumpyRandomState against numpy's own outputs for np.random.RandomState(seed) (legacy generator), recorded
// from numpy: random_sample() / rand() and standard_normal() / randn() sequences for seeds 0 and 42.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "envs/numpy_random.h"

namespace curlrl::envs {
namespace {

TEST(NumpyRandom, RandomSampleMatchesNumpySeed0) {
  NumpyRandomState rng(0);
  const std::vector<double> expected{
      0.5488135039273248, 0.7151893663724195, 0.6027633760716439, 0.5448831829968969, 0.4236547993389047,
      0.6458941130666561, 0.4375872112626925, 0.8917730007820798, 0.9636627605010293, 0.3834415188257777};
  for (double e : expected) EXPECT_DOUBLE_EQ(rng.random_sample(), e);
}

TEST(NumpyRandom, RandomSampleMatchesNumpySeed42) {
  NumpyRandomState rng(42);
  EXPECT_DOUBLE_EQ(rng.random_sample(), 0.3745401188473625);
  EXPECT_DOUBLE_EQ(rng.random_sample(), 0.9507143064099162);
  EXPECT_DOUBLE_EQ(rng.random_sample(), 0.7319939418114051);
}

TEST(NumpyRandom, StandardNormalMatchesNumpySeed0) {
  // Ten draws cover several accepted pairs, i.e. both the fresh and the cached branch of the polar method.
  NumpyRandomState rng(0);
  const std::vector<double> expected{
      1.764052345967664,  0.4001572083672233, 0.9787379841057392,  2.240893199201458,    1.8675579901499675,
      -0.977277879876411, 0.9500884175255894, -0.1513572082976979, -0.10321885179355784, 0.41059850193837233};
  for (double e : expected) EXPECT_NEAR(rng.standard_normal(), e, 1e-15);
}

TEST(NumpyRandom, StandardNormalMatchesNumpySeed42) {
  NumpyRandomState rng(42);
  EXPECT_NEAR(rng.standard_normal(), 0.4967141530112327, 1e-15);
  EXPECT_NEAR(rng.standard_normal(), -0.13826430117118466, 1e-15);
  EXPECT_NEAR(rng.standard_normal(), 0.6476885381006925, 1e-15);
}

TEST(NumpyRandom, UniformAndNormalAreAffineInTheStandardDraws) {
  NumpyRandomState a(7), b(7);
  EXPECT_DOUBLE_EQ(a.uniform(-2.0, 3.0), -2.0 + 5.0 * b.random_sample());
  EXPECT_DOUBLE_EQ(a.normal(1.0, 0.01), 1.0 + 0.01 * b.standard_normal());
}

TEST(NumpyRandom, ReseedingClearsTheCachedNormal) {
  NumpyRandomState rng(0);
  rng.standard_normal();  // leaves the pair's second value cached
  rng.seed_(0);
  EXPECT_NEAR(rng.standard_normal(), 1.764052345967664, 1e-15);
}

TEST(NumpyRandom, SerializeRoundTripKeepsTheStreamAndTheCache) {
  NumpyRandomState rng(123);
  for (int i = 0; i < 5; ++i) rng.random_sample();
  rng.standard_normal();  // odd number of normals: the cache is full
  const std::string saved = rng.serialize();

  std::vector<double> expected;
  for (int i = 0; i < 4; ++i) expected.push_back(rng.standard_normal());
  expected.push_back(rng.random_sample());

  NumpyRandomState restored(999);
  restored.deserialize(saved);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(restored.standard_normal(), expected[i]);
  EXPECT_EQ(restored.random_sample(), expected[4]);
  EXPECT_EQ(restored.serialize(), rng.serialize());
}

TEST(NumpyRandom, DeserializeRejectsMalformedText) {
  NumpyRandomState rng(1);
  const std::string before = rng.serialize();
  EXPECT_THROW(rng.deserialize("not a state"), std::invalid_argument);
  EXPECT_THROW(rng.deserialize(before + " extra"), std::invalid_argument);
  EXPECT_EQ(rng.serialize(), before);  // a failed load leaves the generator untouched
}

}  // namespace
}  // namespace curlrl::envs
