// Update traces (agents/trace.h): no randomness of their own, the given noise used where the policy samples, NaN for
// losses an update did not compute, and one-line errors for bad input. tests/scripts/test_trace_oracle.py compares
// the numbers with an independent PyTorch implementation.
#include <gtest/gtest.h>

#include <cmath>

#include "agents/trace.h"
#include "core/error.h"
#include "tests/agents/tiny_agents.h"

namespace curlrl::agents {
namespace {

constexpr int64_t kUpdates = 4, kBatch = 8;

// The weights of a fresh tiny agent and kUpdates batches of random data (tiny_pixel_options: 9 x 32 x 32 crops,
// two actions).
TensorDict tiny_trace(SacAgent& agent, bool pixels) {
  TensorDict t = export_weights(agent);
  const std::vector<int64_t> obs = pixels ? std::vector<int64_t>{kUpdates, kBatch, 9, 32, 32}
                                          : std::vector<int64_t>{kUpdates, kBatch, 5};
  auto observations = [&] { return pixels ? torch::randint(0, 256, obs).to(torch::kFloat32) : torch::randn(obs); };
  t["steps"] = torch::arange(kUpdates, torch::kInt64);
  t["obs"] = observations();
  t["next_obs"] = observations();
  if (pixels) t["obs_positive"] = observations();
  t["action"] = torch::rand({kUpdates, kBatch, 2}) * 2 - 1;
  t["reward"] = torch::rand({kUpdates, kBatch, 1});
  t["not_done"] = torch::ones({kUpdates, kBatch, 1});
  t["noise_next"] = torch::randn({kUpdates, kBatch, 2});
  t["noise_actor"] = torch::randn({kUpdates, kBatch, 2});
  return t;
}

// Equal element for element, NaN (a loss not computed) equal to NaN.
bool identical(const torch::Tensor& a, const torch::Tensor& b) {
  return a.sizes().equals(b.sizes()) && torch::allclose(a, b, 0.0, 0.0, /*equal_nan=*/true);
}

TensorDict run(const SacOptions& options, const TensorDict& input) {
  SacAgent agent(options);
  return trace_updates(agent, input, "in=test.pt");
}

TEST(Trace, UsesNoRandomNumbersOfItsOwn) {
  torch::manual_seed(1);
  SacAgent init(tiny_pixel_options());
  const TensorDict input = tiny_trace(init, true);
  torch::manual_seed(2);
  const TensorDict a = run(tiny_pixel_options(), input);
  torch::manual_seed(3);  // other random draws for the agent's own initialisation and anything else
  const TensorDict b = run(tiny_pixel_options(), input);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, t] : a) EXPECT_TRUE(identical(t, b.at(name))) << name;
  // The updates did something: the critic moved, the target critic by EMA.
  EXPECT_FALSE(a.at("critic.q1.0.weight").equal(input.at("critic.q1.0.weight")));
  EXPECT_FALSE(a.at("critic_target.q1.0.weight").equal(input.at("critic_target.q1.0.weight")));
}

TEST(Trace, LossesAreNaNWhereTheUpdateDidNotComputeThem) {
  torch::manual_seed(1);
  SacAgent init(tiny_state_options(5));
  const TensorDict out = run(tiny_state_options(5), tiny_trace(init, false));
  for (int64_t i = 0; i < kUpdates; ++i) {
    EXPECT_TRUE(std::isfinite(out.at("critic_loss")[i].item<double>()));
    // actor_update_freq 2: the actor and the temperature learn on even steps only.
    EXPECT_EQ(std::isnan(out.at("actor_loss")[i].item<double>()), i % 2 == 1) << i;
    EXPECT_EQ(std::isnan(out.at("alpha_loss")[i].item<double>()), i % 2 == 1) << i;
    EXPECT_TRUE(std::isnan(out.at("contrastive_loss")[i].item<double>()));  // state SAC has none
  }
}

TEST(Trace, TheGivenNoiseIsThePolicysSample) {
  torch::manual_seed(1);
  SacAgent init(tiny_state_options(5));
  const TensorDict input = tiny_trace(init, false);
  const TensorDict base = run(tiny_state_options(5), input);
  // Other draws for the TD target's sample change the first critic loss.
  TensorDict next = input;
  next["noise_next"] = torch::randn({kUpdates, kBatch, 2});
  EXPECT_NE(run(tiny_state_options(5), next).at("critic_loss")[0].item<double>(),
            base.at("critic_loss")[0].item<double>());
  // The actor's draws on step 0 change its loss; those of step 1 (no actor update) change nothing at all.
  TensorDict actor0 = input, actor1 = input;
  actor0["noise_actor"] = input.at("noise_actor").clone();
  actor0["noise_actor"][0].normal_();
  actor1["noise_actor"] = input.at("noise_actor").clone();
  actor1["noise_actor"][1].normal_();
  EXPECT_NE(run(tiny_state_options(5), actor0).at("actor_loss")[0].item<double>(),
            base.at("actor_loss")[0].item<double>());
  const TensorDict same = run(tiny_state_options(5), actor1);
  for (const auto& [name, t] : base) EXPECT_TRUE(identical(t, same.at(name))) << name;
}

TEST(Trace, BadInputIsOneLineNamingTheTensor) {
  torch::manual_seed(1);
  SacAgent init(tiny_pixel_options());
  const TensorDict input = tiny_trace(init, true);
  auto message = [&](TensorDict changed) {
    try {
      run(tiny_pixel_options(), changed);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  TensorDict no_positive = input;
  no_positive.erase("obs_positive");
  EXPECT_EQ(message(no_positive), "in=test.pt: missing tensor 'obs_positive'");
  TensorDict uncropped = input;
  uncropped["next_obs"] = torch::zeros({kUpdates, kBatch, 9, 40, 40});
  EXPECT_EQ(message(uncropped), "in=test.pt: tensor 'next_obs' has shape [4, 8, 9, 40, 40], expected [4, 8, 9, 32, 32]");
  TensorDict float_steps = input;
  float_steps["steps"] = torch::zeros({kUpdates});
  EXPECT_NE(message(float_steps).find("'steps' must be integer"), std::string::npos);
  TensorDict stray = input;
  stray["critic.q3.0.weight"] = torch::zeros({1});
  EXPECT_EQ(message(stray), "in=test.pt: unexpected tensor 'critic.q3.0.weight' (not a parameter of this agent)");

  SacOptions drq = tiny_pixel_options();
  drq.contrastive = false;
  drq.drq_k = 2;
  EXPECT_THROW(run(drq, input), ConfigError);
}

}  // namespace
}  // namespace curlrl::agents
