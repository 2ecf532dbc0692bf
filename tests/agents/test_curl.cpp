#include <gtest/gtest.h>

#include <cmath>

#include "agents/sac_agent.h"
#include "tests/agents/tiny_agents.h"
#include "encoders/pixel.h"
#include "tests/test_util.h"

namespace curlrl::agents {
namespace {

TEST(Curl, ContrastiveLossOnAHandBuilt3x3Example) {
  CurlHead head(2);
  {
    torch::NoGradGuard g;
    head->W.copy_(torch::tensor({{1.0f, 0.0f}, {0.0f, 2.0f}}));
  }
  const auto za = torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}, {1.0f, 1.0f}});
  const auto zp = torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}, {0.5f, 0.5f}});
  // By hand: raw logits za W zp^T = [[1, 0, 0.5], [0, 2, 1], [1, 2, 1.5]]; minus the row max:
  // [[0, -1, -0.5], [-2, 0, -1], [-1, 0, -0.5]].
  const auto logits = head->logits(za, zp);
  const std::vector<std::vector<double>> expected = {{0, -1, -0.5}, {-2, 0, -1}, {-1, 0, -0.5}};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_NEAR(logits[i][j].item<double>(), expected[i][j], 1e-6);
  // Cross-entropy on the diagonal: mean_i (logsumexp(row_i) - row_i[i]).
  double loss = 0;
  for (int i = 0; i < 3; ++i) {
    double lse = 0;
    for (double v : expected[i]) lse += std::exp(v);
    loss += std::log(lse) - expected[i][i];
  }
  loss /= 3;  // = 0.73515...
  EXPECT_NEAR(contrastive_loss(logits).item<double>(), loss, 1e-6);
  // Rows 0 and 1 pick their diagonal, row 2 picks column 1: accuracy 2/3.
  EXPECT_NEAR(contrastive_accuracy(logits), 2.0 / 3.0, 1e-12);
}

TEST(Curl, WIsInitialisedUniformInZeroOne) {
  torch::manual_seed(0);
  CurlHead head(50);
  EXPECT_GE(head->W.min().item<float>(), 0.0f);
  EXPECT_LT(head->W.max().item<float>(), 1.0f);
  EXPECT_NEAR(head->W.mean().item<float>(), 0.5f, 0.02f);
}

SacOptions pixel_options() { return tiny_pixel_options(); }

Batch pixel_batch(int64_t B) {
  Batch b;
  b.obs = torch::rand({B, 9, 32, 32}) * 255;
  b.next_obs = torch::rand({B, 9, 32, 32}) * 255;
  b.obs_positive = b.obs + torch::randn({B, 9, 32, 32});
  b.action = torch::rand({B, 2}) * 2 - 1;
  b.reward = torch::rand({B, 1});
  b.not_done = torch::ones({B, 1});
  return b;
}

std::vector<torch::Tensor> clone_all(const std::vector<torch::Tensor>& ps) {
  std::vector<torch::Tensor> out;
  for (const auto& p : ps) out.push_back(p.detach().clone());
  return out;
}

TEST(Curl, ActorConvolutionsShareStorageWithTheCritics) {
  torch::manual_seed(1);
  SacAgent agent(pixel_options());
  const auto actor_trunk = agent.actor()->encoder->trunk_parameters();
  const auto critic_trunk = agent.critic()->encoder->trunk_parameters();
  ASSERT_EQ(actor_trunk.size(), critic_trunk.size());
  ASSERT_FALSE(actor_trunk.empty());
  for (size_t i = 0; i < actor_trunk.size(); ++i) EXPECT_EQ(actor_trunk[i].data_ptr(), critic_trunk[i].data_ptr());
  // Heads are separate.
  EXPECT_NE(agent.actor()->encoder->head_parameters()[0].data_ptr(),
            agent.critic()->encoder->head_parameters()[0].data_ptr());
  // The key encoder is separate storage.
  EXPECT_NE(agent.critic_target()->encoder->trunk_parameters()[0].data_ptr(), critic_trunk[0].data_ptr());
}

TEST(Curl, ActorLossLeavesConvolutionGradientsAtZero) {
  torch::manual_seed(2);
  SacAgent agent(pixel_options());
  for (auto& p : agent.critic()->encoder->trunk_parameters()) p.mutable_grad() = torch::zeros_like(p);
  const auto obs = torch::rand({4, 9, 32, 32}) * 255;
  const PolicySample p = agent.actor()->forward(obs, /*detach_trunk=*/true);
  const auto [q1, q2] = agent.critic()->forward(obs, p.pi, /*detach_trunk=*/true);
  (p.log_pi * 0.1 - torch::min(q1, q2)).mean().backward();
  for (const auto& w : agent.critic()->encoder->trunk_parameters()) {
    EXPECT_EQ(w.grad().abs().sum().item<double>(), 0.0);
  }
  // ... while the actor's own head did receive gradient.
  EXPECT_GT(agent.actor()->encoder->head_parameters()[0].grad().abs().sum().item<double>(), 0.0);
}

TEST(Curl, ContrastiveGradientsReachWAndTheCriticEncoderButNeverTheKeyEncoder) {
  torch::manual_seed(3);
  SacAgent agent(pixel_options());
  const Batch b = pixel_batch(8);
  const auto za = agent.critic()->encoder->forward(b.obs);
  torch::Tensor zp;
  {
    torch::NoGradGuard g;
    zp = agent.critic_target()->encoder->forward(b.obs_positive);
  }
  contrastive_loss(agent.curl_head()->logits(za, zp)).backward();
  EXPECT_GT(agent.curl_head()->W.grad().abs().sum().item<double>(), 0.0);
  for (const auto& p : agent.critic()->encoder->trunk_parameters()) EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0);
  for (const auto& p : agent.critic()->encoder->head_parameters()) EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0);
  for (const auto& p : agent.critic_target()->encoder->parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(Curl, KeyEncoderMovesOnlyThroughEmaByExactlyTauOfTheGap) {
  torch::manual_seed(4);
  SacOptions o = pixel_options();
  o.encoder_tau = 0.05;
  o.critic_tau = 0.01;
  SacAgent agent(o);
  // An odd update (no EMA due) trains the critic encoder, but the key encoder must not move at all.
  const auto key_before = clone_all(agent.critic_target()->encoder->parameters());
  agent.update_on(pixel_batch(8), /*step=*/1);
  const auto key_now = agent.critic_target()->encoder->parameters();
  for (size_t i = 0; i < key_before.size(); ++i) EXPECT_TRUE(torch::equal(key_now[i], key_before[i]));
  // One EMA step: key' = key + tau (critic - key), for the encoder with tau 0.05 and the Q heads with 0.01.
  const auto critic_enc = clone_all(agent.critic()->encoder->parameters());
  const auto critic_q = clone_all(agent.critic()->q1->parameters());
  const auto key_q = clone_all(agent.critic_target()->q1->parameters());
  agent.update_targets();
  const auto key_after = agent.critic_target()->encoder->parameters();
  for (size_t i = 0; i < key_after.size(); ++i) {
    const auto expected = key_before[i] + 0.05 * (critic_enc[i] - key_before[i]);
    EXPECT_TRUE(torch::allclose(key_after[i], expected, 1e-5, 1e-7)) << i;
    EXPECT_GT((critic_enc[i] - key_before[i]).abs().max().item<double>(), 0.0);  // there was a gap to close
  }
  const auto q_after = agent.critic_target()->q1->parameters();
  for (size_t i = 0; i < q_after.size(); ++i) {
    EXPECT_TRUE(torch::allclose(q_after[i], key_q[i] + 0.01 * (critic_q[i] - key_q[i]), 1e-5, 1e-7)) << i;
  }
}

TEST(Curl, DoubleStepSwitchGivesTheEncoderOneOrTwoAdamStepsFromTheSameGradient) {
  // Only the contrastive loss trains the encoder here (critic lr 0), so the encoder's first move is made by the
  // contrastive optimisers alone: Adam's first step moves each weight by lr (sign of its gradient) per optimiser.
  SacOptions o = pixel_options();
  o.critic_lr = 0;
  o.encoder_lr = 1e-3;
  const Batch b = pixel_batch(8);
  double moves[2];
  for (int twice = 0; twice < 2; ++twice) {
    o.encoder_double_step = twice == 1;
    torch::manual_seed(6);
    SacAgent agent(o);
    const auto before = clone_all(agent.critic()->encoder->head_parameters());
    agent.update_on(b, 1);
    const auto after = agent.critic()->encoder->head_parameters();
    moves[twice] = (after[0] - before[0]).abs().max().item<double>();
  }
  EXPECT_NEAR(moves[0], 1e-3, 1e-5);
  EXPECT_NEAR(moves[1], 2e-3, 2e-5);
}

TEST(Curl, ContrastiveAccuracyClimbsAbove90PercentOnAFixedBatch) {
  torch::manual_seed(7);
  SacOptions o = pixel_options();
  o.batch_size = 16;
  o.critic_lr = 0;  // isolate the contrastive objective
  SacAgent agent(o);
  Batch b = pixel_batch(16);
  b.obs_positive = b.obs + 20 * torch::randn_like(b.obs);  // a noisy view of the same images
  double accuracy = 0;
  for (int step = 1; step <= 300 && accuracy < 0.9; ++step) {
    accuracy = agent.update_on(b, step).at("contrastive_accuracy");
  }
  EXPECT_GE(accuracy, 0.9);
}

TEST(Curl, SharedEncoderForwardStepsTheEncoderOnceOnTheSumOfBothLosses) {
  // Two agents with the same initial weights; the gradient of critic loss + contrastive loss is worked out on one
  // with the same random draws (the target's policy sample), and the other's opt-in shared update must move the
  // first conv weight by Adam's first step on it, -lr g / (|g| + eps), and W by the contrastive optimiser's.
  SacOptions o = pixel_options();
  o.shared_encoder_forward = true;
  torch::manual_seed(7);
  SacAgent shared(o);
  torch::manual_seed(7);
  SacAgent manual(o);
  const Batch b = pixel_batch(8);

  torch::manual_seed(11);
  torch::Tensor target;
  {
    torch::NoGradGuard no_grad;
    const PolicySample next = manual.actor()->forward(b.next_obs);
    const auto [tq1, tq2] = manual.critic_target()->forward(b.next_obs, next.pi);
    target = soft_q_target(b.reward, b.not_done, o.discount, tq1, tq2, manual.log_alpha().exp(), next.log_pi);
  }
  const torch::Tensor features = manual.critic()->encoder->forward(b.obs);
  const auto [q1, q2] = manual.critic()->from_features(features, b.action);
  torch::Tensor z_positive;
  {
    torch::NoGradGuard no_grad;
    z_positive = manual.critic_target()->encoder->forward(b.obs_positive);
  }
  const torch::Tensor total = torch::mse_loss(q1, target) + torch::mse_loss(q2, target) +
                              contrastive_loss(manual.curl_head()->logits(features, z_positive));
  total.backward();
  const torch::Tensor g = manual.critic()->encoder->trunk_parameters()[0].grad();
  const torch::Tensor g_w = manual.curl_head()->W.grad();

  const torch::Tensor conv_before = shared.critic()->encoder->trunk_parameters()[0].detach().clone();
  const torch::Tensor w_before = shared.curl_head()->W.detach().clone();
  const torch::Tensor key_before = shared.critic_target()->encoder->trunk_parameters()[0].detach().clone();
  torch::manual_seed(11);
  const Metrics m = shared.update_on(b, /*step=*/1);  // odd step: no actor update, no EMA
  EXPECT_NEAR(m.at("critic_loss") + m.at("contrastive_loss"), total.item<double>(), 1e-4);
  const torch::Tensor conv_step = shared.critic()->encoder->trunk_parameters()[0].detach() - conv_before;
  EXPECT_TRUE(torch::allclose(conv_step, -o.critic_lr * g / (g.abs() + 1e-8), 1e-4, 1e-6));
  const torch::Tensor w_step = shared.curl_head()->W.detach() - w_before;
  EXPECT_TRUE(torch::allclose(w_step, -o.encoder_lr * g_w / (g_w.abs() + 1e-8), 1e-4, 1e-6));
  EXPECT_TRUE(torch::equal(shared.critic_target()->encoder->trunk_parameters()[0], key_before));
}

}  // namespace
}  // namespace curlrl::agents
