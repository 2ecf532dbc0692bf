// tolerance() against values worked out by hand from the closed forms of spec 0.5. Bounds [0, 1] and margin 2
// throughout, so x = 2 (or -1) is half a margin out (d = 0.5) and x = 3 (or -2) is exactly one margin out.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "envs/tolerance.h"

namespace curlrl::envs {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kTol = 1e-12;

double tol(double x, Sigmoid s, double v = 0.1) { return tolerance(x, 0.0, 1.0, /*margin=*/2.0, s, v); }

TEST(Tolerance, InsideBoundsIsOneIncludingTheBoundsThemselves) {
  for (Sigmoid s : {Sigmoid::kGaussian, Sigmoid::kHyperbolic, Sigmoid::kLongTail, Sigmoid::kReciprocal,
                    Sigmoid::kCosine, Sigmoid::kLinear, Sigmoid::kQuadratic, Sigmoid::kTanhSquared}) {
    EXPECT_EQ(tol(0.0, s), 1.0) << sigmoid_name(s);
    EXPECT_EQ(tol(0.5, s), 1.0) << sigmoid_name(s);
    EXPECT_EQ(tol(1.0, s), 1.0) << sigmoid_name(s);
  }
}

TEST(Tolerance, AtTheMarginEqualsValueAtMarginOnBothSides) {
  for (Sigmoid s : {Sigmoid::kGaussian, Sigmoid::kHyperbolic, Sigmoid::kLongTail, Sigmoid::kReciprocal,
                    Sigmoid::kCosine, Sigmoid::kLinear, Sigmoid::kQuadratic, Sigmoid::kTanhSquared}) {
    EXPECT_NEAR(tol(3.0, s, 0.1), 0.1, kTol) << sigmoid_name(s);
    EXPECT_NEAR(tol(-2.0, s, 0.1), 0.1, kTol) << sigmoid_name(s);
    EXPECT_NEAR(tol(3.0, s, 0.3), 0.3, kTol) << sigmoid_name(s);
  }
}

// Half a margin out, v = 0.1, each from its closed form:
TEST(Tolerance, GaussianHalfwayIsVToTheQuarter) {
  // exp(-(d s)^2 / 2) = v^(d^2) = 0.1^0.25
  EXPECT_NEAR(tol(2.0, Sigmoid::kGaussian), 0.5623413251903491, kTol);
  EXPECT_NEAR(tol(-1.0, Sigmoid::kGaussian), 0.5623413251903491, kTol);
  // Two margins out: 0.1^4.
  EXPECT_NEAR(tol(5.0, Sigmoid::kGaussian), 1e-4, kTol);
}

TEST(Tolerance, HyperbolicHalfway) {
  // 1 / cosh(acosh(10) / 2), and cosh(a / 2) = sqrt((cosh a + 1) / 2) = sqrt(5.5).
  EXPECT_NEAR(tol(2.0, Sigmoid::kHyperbolic), 1.0 / std::sqrt(5.5), kTol);
  EXPECT_NEAR(tol(2.0, Sigmoid::kHyperbolic), 0.42640143271122083, kTol);
}

TEST(Tolerance, LongTailHalfway) {
  // s^2 = 1/v - 1 = 9: 1 / (0.25 * 9 + 1) = 1 / 3.25.
  EXPECT_NEAR(tol(2.0, Sigmoid::kLongTail), 0.3076923076923077, kTol);
}

TEST(Tolerance, ReciprocalHalfway) {
  // s = 9: 1 / (0.5 * 9 + 1) = 1 / 5.5.
  EXPECT_NEAR(tol(2.0, Sigmoid::kReciprocal), 0.18181818181818182, kTol);
}

TEST(Tolerance, CosineHalfwayAndZeroBeyondItsSupport) {
  // (1 + cos(acos(-0.8) / 2)) / 2 with cos(a / 2) = sqrt((1 + cos a) / 2) = sqrt(0.1).
  EXPECT_NEAR(tol(2.0, Sigmoid::kCosine), 0.658113883008419, kTol);
  // Support ends where d s = 1, d = pi / acos(-0.8) ~ 1.27 margins: 4 margins out is 0.
  EXPECT_EQ(tol(9.0, Sigmoid::kCosine), 0.0);
  // v = 0 is allowed: s = 1, S(0.5) = (1 + cos(pi / 2)) / 2 = 0.5, and exactly 0 at the margin.
  EXPECT_NEAR(tol(2.0, Sigmoid::kCosine, 0.0), 0.5, kTol);
  EXPECT_EQ(tol(3.0, Sigmoid::kCosine, 0.0), 0.0);
}

TEST(Tolerance, LinearHalfwayAndZeroBeyondItsSupport) {
  EXPECT_NEAR(tol(2.0, Sigmoid::kLinear), 1.0 - 0.5 * 0.9, kTol);
  // Support ends at d = 1 / 0.9; two margins out is 0.
  EXPECT_EQ(tol(5.0, Sigmoid::kLinear), 0.0);
  EXPECT_NEAR(tol(2.0, Sigmoid::kLinear, 0.0), 0.5, kTol);
  EXPECT_EQ(tol(3.0, Sigmoid::kLinear, 0.0), 0.0);
}

TEST(Tolerance, QuadraticHalfwayAndZeroBeyondItsSupport) {
  EXPECT_NEAR(tol(2.0, Sigmoid::kQuadratic), 1.0 - 0.25 * 0.9, kTol);
  EXPECT_EQ(tol(5.0, Sigmoid::kQuadratic), 0.0);
  // Cartpole's control term: v = 0, margin 1, bounds (0, 0): 1 - u^2 inside, 0 from |u| = 1 on.
  EXPECT_NEAR(tolerance(0.5, 0.0, 0.0, 1.0, Sigmoid::kQuadratic, 0.0), 0.75, kTol);
  EXPECT_NEAR(tolerance(-0.3, 0.0, 0.0, 1.0, Sigmoid::kQuadratic, 0.0), 0.91, kTol);
  EXPECT_EQ(tolerance(1.5, 0.0, 0.0, 1.0, Sigmoid::kQuadratic, 0.0), 0.0);
}

TEST(Tolerance, TanhSquaredHalfway) {
  // tanh(s) = sqrt(0.9) =: t, tanh(s / 2) = t / (1 + sqrt(1 - t^2)) = sqrt(0.9) / (1 + sqrt(0.1)).
  const double half = std::sqrt(0.9) / (1.0 + std::sqrt(0.1));
  EXPECT_NEAR(tol(2.0, Sigmoid::kTanhSquared), 1.0 - half * half, kTol);
  EXPECT_NEAR(tol(2.0, Sigmoid::kTanhSquared), 0.4805061467040843, kTol);
}

TEST(Tolerance, ZeroMarginIsAnIndicator) {
  EXPECT_EQ(tolerance(1.0000001, 0.0, 1.0), 0.0);
  EXPECT_EQ(tolerance(-1e-9, 0.0, 1.0), 0.0);
  EXPECT_EQ(tolerance(1.0, 0.0, 1.0), 1.0);
  EXPECT_EQ(tolerance(0.0, 0.0, 0.0), 1.0);
}

TEST(Tolerance, InfiniteUpperBound) {
  // Cheetah's reward: clip(v / 10, 0, 1).
  const auto run = [](double v) { return tolerance(v, 10.0, kInf, 10.0, Sigmoid::kLinear, 0.0); };
  EXPECT_NEAR(run(5.0), 0.5, kTol);
  EXPECT_NEAR(run(2.5), 0.25, kTol);
  EXPECT_EQ(run(10.0), 1.0);
  EXPECT_EQ(run(1e9), 1.0);
  EXPECT_EQ(run(0.0), 0.0);
  EXPECT_EQ(run(-3.0), 0.0);
  // Walker's standing term: 1.2 m or higher is 1; 0.3 m below is half a margin of 0.6 (gaussian).
  EXPECT_EQ(tolerance(1.3, 1.2, kInf, 0.6), 1.0);
  EXPECT_NEAR(tolerance(0.9, 1.2, kInf, 0.6), 0.5623413251903491, kTol);
}

TEST(Tolerance, InvalidArgumentsThrow) {
  EXPECT_THROW(tolerance(0.0, 1.0, 0.0), std::invalid_argument);                // lo > hi
  EXPECT_THROW(tolerance(0.0, 0.0, 1.0, -0.1), std::invalid_argument);          // margin < 0
  EXPECT_THROW(tolerance(0.0, std::nan(""), 1.0), std::invalid_argument);       // NaN bound
  EXPECT_THROW(tolerance(0.0, 0.0, 1.0, std::nan("")), std::invalid_argument);  // NaN margin
  for (Sigmoid s : {Sigmoid::kGaussian, Sigmoid::kHyperbolic, Sigmoid::kLongTail, Sigmoid::kReciprocal,
                    Sigmoid::kTanhSquared}) {
    EXPECT_THROW(tol(2.0, s, 0.0), std::invalid_argument) << sigmoid_name(s);  // needs 0 < v
    EXPECT_THROW(tol(2.0, s, 1.0), std::invalid_argument) << sigmoid_name(s);
    EXPECT_THROW(tol(2.0, s, -0.5), std::invalid_argument) << sigmoid_name(s);
  }
  for (Sigmoid s : {Sigmoid::kCosine, Sigmoid::kLinear, Sigmoid::kQuadratic}) {
    EXPECT_NO_THROW(tol(2.0, s, 0.0)) << sigmoid_name(s);  // 0 <= v allowed
    EXPECT_THROW(tol(2.0, s, 1.0), std::invalid_argument) << sigmoid_name(s);
    EXPECT_THROW(tol(2.0, s, 1.5), std::invalid_argument) << sigmoid_name(s);
    EXPECT_THROW(tol(2.0, s, -0.1), std::invalid_argument) << sigmoid_name(s);
  }
}

TEST(Tolerance, SigmoidNamesRoundTripAndUnknownNamesThrow) {
  for (const char* name : {"gaussian", "hyperbolic", "long_tail", "reciprocal", "cosine", "linear",
                           "quadratic", "tanh_squared"}) {
    EXPECT_EQ(sigmoid_name(parse_sigmoid(name)), name);
  }
  EXPECT_EQ(parse_sigmoid("long_tail"), Sigmoid::kLongTail);
  try {
    parse_sigmoid("gausian");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("gausian"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("tanh_squared"), std::string::npos);  // lists the known names
  }
}

}  // namespace
}  // namespace curlrl::envs
