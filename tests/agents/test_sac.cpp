#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "agents/sac_agent.h"
#include "tests/agents/tiny_agents.h"

namespace curlrl::agents {
namespace {

SacOptions state_options() { return tiny_state_options(4); }

Batch state_batch(int64_t B, int64_t D, int64_t A) {
  Batch b;
  b.obs = torch::randn({B, D});
  b.next_obs = torch::randn({B, D});
  b.action = torch::rand({B, A}) * 2 - 1;
  b.reward = torch::rand({B, 1});
  b.not_done = torch::ones({B, 1});
  return b;
}

TEST(Sac, SquashedGaussianLogProbMatchesAnIndependentComputation) {
  torch::manual_seed(0);
  const auto mean = torch::randn({5, 3}, torch::kFloat64);
  const auto log_std = torch::rand({5, 3}, torch::kFloat64) * 2 - 1.5;
  const auto noise = torch::randn({5, 3}, torch::kFloat64);
  const PolicySample p = squashed_gaussian(mean, log_std, noise);
  for (int64_t i = 0; i < 5; ++i) {
    double expected = 0;
    for (int64_t j = 0; j < 3; ++j) {
      const double m = mean[i][j].item<double>(), s = std::exp(log_std[i][j].item<double>());
      const double u = m + s * noise[i][j].item<double>();
      // Normal density of u, then the change of variables a = tanh(u): |da/du| = 1 - tanh(u)^2.
      expected += -0.5 * std::pow((u - m) / s, 2) - std::log(s) - 0.5 * std::log(2 * M_PI);
      expected -= std::log(1 - std::pow(std::tanh(u), 2));
      EXPECT_NEAR(p.pi[i][j].item<double>(), std::tanh(u), 1e-12);
      EXPECT_NEAR(p.mu[i][j].item<double>(), std::tanh(m), 1e-12);
    }
    EXPECT_NEAR(p.log_pi[i][0].item<double>(), expected, 1e-9);
  }
}

TEST(Sac, LogProbIsFiniteWhereTheNaiveFormIsNot) {
  // u = 20: 1 - tanh(u)^2 underflows to 0 in float, the stable form gives log|da/du| = 2(log 2 - u - softplus(-2u)).
  const auto p = squashed_gaussian(torch::full({1, 1}, 20.0f), torch::zeros({1, 1}), torch::zeros({1, 1}));
  const double expected = -0.5 * std::log(2 * M_PI) - 2 * (std::log(2.0) - 20 - std::log1p(std::exp(-40.0)));
  EXPECT_TRUE(std::isfinite(p.log_pi.item<double>()));
  EXPECT_NEAR(p.log_pi.item<double>(), expected, 1e-3);
}

TEST(Sac, LogStdIsSquashedIntoItsBounds) {
  const auto raw = torch::tensor({-100.0, 0.0, 100.0});
  const auto s = squash_log_std(raw, -10, 2);
  EXPECT_NEAR(s[0].item<double>(), -10, 1e-6);
  EXPECT_NEAR(s[1].item<double>(), -4, 1e-6);  // midpoint
  EXPECT_NEAR(s[2].item<double>(), 2, 1e-6);
}

TEST(Sac, CriticTargetOnAHandBuiltBatch) {
  // y = r + gamma * not_done * (min(q1, q2) - alpha * log_pi), worked out by hand.
  const auto r = torch::tensor({{1.0}, {0.5}}), nd = torch::tensor({{1.0}, {0.0}});
  const auto q1 = torch::tensor({{10.0}, {3.0}}), q2 = torch::tensor({{8.0}, {4.0}});
  const auto lp = torch::tensor({{-2.0}, {1.0}});
  const auto y = soft_q_target(r, nd, 0.99, q1, q2, torch::tensor({0.1}), lp);
  EXPECT_NEAR(y[0][0].item<double>(), 1.0 + 0.99 * (8.0 + 0.2), 1e-6);  // 9.118
  EXPECT_NEAR(y[1][0].item<double>(), 0.5, 1e-6);                     // terminal: no bootstrap
}

TEST(Sac, SoftUpdateMovesTargetsByExactlyTauOfTheGap) {
  auto src = torch::tensor({1.0, 2.0, -4.0}, torch::kFloat64), dst = torch::tensor({0.0, 4.0, 4.0}, torch::kFloat64);
  soft_update({src}, {dst}, 0.25);
  EXPECT_NEAR(dst[0].item<double>(), 0.25, 1e-15);
  EXPECT_NEAR(dst[1].item<double>(), 3.5, 1e-15);
  EXPECT_NEAR(dst[2].item<double>(), 2.0, 1e-15);
}

TEST(Sac, TargetCriticFollowsByEmaAfterAnUpdate) {
  torch::manual_seed(1);
  SacOptions o = state_options();
  o.critic_tau = 0.3;
  SacAgent agent(o);
  const auto target_before = agent.critic_target()->q1->parameters()[0].clone();
  EXPECT_TRUE(torch::equal(target_before, agent.critic()->q1->parameters()[0]));  // starts as a copy
  agent.update_on(state_batch(8, 4, 2), /*step=*/0);  // step 0: target update due
  const auto critic_after = agent.critic()->q1->parameters()[0];
  const auto expected = 0.3 * critic_after + 0.7 * target_before;
  EXPECT_TRUE(torch::allclose(agent.critic_target()->q1->parameters()[0], expected, 1e-6, 1e-7));
  EXPECT_FALSE(torch::equal(agent.critic_target()->q1->parameters()[0], target_before));
  // Step 1 (odd): no target update.
  const auto target_1 = agent.critic_target()->q1->parameters()[0].clone();
  agent.update_on(state_batch(8, 4, 2), 1);
  EXPECT_TRUE(torch::equal(agent.critic_target()->q1->parameters()[0], target_1));
}

TEST(Sac, TemperatureFallsWhenEntropyExceedsTheTargetAndRisesWhenBelow) {
  // Target entropy -|A| = -2. A policy with log_std in [0, 0.5] has entropy well above it: alpha must fall.
  torch::manual_seed(2);
  SacOptions wide_o = state_options();
  wide_o.log_std_min = 0.0;
  wide_o.log_std_max = 0.5;
  SacAgent wide(wide_o);
  EXPECT_EQ(wide.target_entropy(), -2.0);
  const double a0 = wide.alpha();
  const Metrics m = wide.update_on(state_batch(8, 4, 2), 0);
  EXPECT_GT(m.at("entropy"), wide.target_entropy());
  EXPECT_LT(wide.alpha(), a0);
  // The default bounds [-10, 2] start near log_std = -4 (tanh(0) maps to the midpoint): entropy far below the
  // target, so alpha must rise.
  SacAgent narrow(state_options());
  const double b0 = narrow.alpha();
  const Metrics n = narrow.update_on(state_batch(8, 4, 2), 0);
  EXPECT_LT(n.at("entropy"), narrow.target_entropy());
  EXPECT_GT(narrow.alpha(), b0);
}

TEST(Sac, CheckpointRoundTripIsBitIdentical) {
  torch::manual_seed(3);
  SacAgent a(state_options());
  for (int i = 0; i < 3; ++i) a.update_on(state_batch(8, 4, 2), i);
  torch::serialize::OutputArchive out;
  a.save(out);
  std::ostringstream bytes;
  out.save_to(bytes);

  torch::manual_seed(99);
  SacAgent b(state_options());
  torch::serialize::InputArchive in;
  std::istringstream is(bytes.str());
  in.load_from(is);
  b.load(in);
  const auto pa = a.actor()->parameters(), pb = b.actor()->parameters();
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(torch::equal(pa[i], pb[i]));
  const auto ca = a.critic_target()->parameters(), cb = b.critic_target()->parameters();
  for (size_t i = 0; i < ca.size(); ++i) EXPECT_TRUE(torch::equal(ca[i], cb[i]));
  EXPECT_EQ(a.alpha(), b.alpha());
  // Optimiser states too: one more identical update gives identical parameters.
  const Batch batch = state_batch(8, 4, 2);
  torch::manual_seed(5);
  a.update_on(batch, 3);
  torch::manual_seed(5);
  b.update_on(batch, 3);
  const auto qa = a.critic()->parameters(), qb = b.critic()->parameters();
  for (size_t i = 0; i < qa.size(); ++i) EXPECT_TRUE(torch::equal(qa[i], qb[i]));
}

}  // namespace
}  // namespace curlrl::agents
