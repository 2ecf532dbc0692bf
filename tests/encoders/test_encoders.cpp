// Every pixel encoder (pixel, drq, impala): output shapes and feature sizes on 84x84 and 64x64 inputs, worked out
// by hand from the layer arithmetic; and each works as the critic's encoder, the actor's (tied trunk, own head)
// and the momentum key encoder (a separate copy kept by EMA).
#include <gtest/gtest.h>

#include "agents/networks.h"
#include "encoders/encoder.h"

namespace curlrl::encoders {
namespace {

struct Expected {
  std::string name;
  int64_t side;
  int64_t features;
};

// pixel: fc to feature_dim 50 whatever the input.
// drq: 3x3 convs, stride 2 then 1, no padding: 84 -> 41 -> 39 -> 37 -> 35 and 64 -> 31 -> 29 -> 27 -> 25, times 32.
// impala: each stage's max-pool (3x3, stride 2, padding 1) halves rounding up: 84 -> 42 -> 21 -> 11 and
// 64 -> 32 -> 16 -> 8, times 32 channels.
const Expected kExpected[] = {{"pixel", 84, 50},           {"pixel", 64, 50},
                              {"drq", 84, 32 * 35 * 35},   {"drq", 64, 32 * 25 * 25},
                              {"impala", 84, 32 * 11 * 11}, {"impala", 64, 32 * 8 * 8}};

// The encoder `name` with its settings at their defaults, for 9 x side x side observations.
Encoder encoder_for(const std::string& name, int64_t side) { return make_default_encoder(name, {9, side, side}); }

TEST(Encoders, FeatureSizesOn84And64Inputs) {
  torch::manual_seed(1);
  for (const auto& e : kExpected) {
    SCOPED_TRACE(e.name + " " + std::to_string(e.side));
    Encoder enc = encoder_for(e.name, e.side);
    EXPECT_EQ(enc->feature_dim(), e.features);
    const torch::Tensor out = enc->forward(torch::rand({3, 9, e.side, e.side}) * 255);
    EXPECT_EQ(out.sizes(), (std::vector<int64_t>{3, e.features}));
    EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
    // The trunk and head split is exact: forward = head(trunk(x)).
    const torch::Tensor x = torch::rand({2, 9, e.side, e.side}) * 255;
    EXPECT_TRUE(torch::allclose(enc->forward(x), enc->head(enc->trunk(x)), 1e-5, 1e-6));
  }
}

TEST(Encoders, EachServesAsCriticActorAndKeyEncoder) {
  torch::manual_seed(2);
  for (const std::string& name : encoder_names()) {
    SCOPED_TRACE(name);
    Encoder critic_enc;
    try {
      critic_enc = encoder_for(name, 64);
    } catch (const std::invalid_argument&) {
      continue;  // a state encoder (identity): no pixels, no trunk to tie
    }
    agents::Critic critic(critic_enc, 2, 16);
    Encoder actor_enc = critic_enc->make_like();
    actor_enc->tie_trunk_to(*critic_enc);
    agents::Actor actor(actor_enc, 2, 16, -10, 2);
    agents::Critic key(critic_enc->make_like(), 2, 16);
    agents::hard_update(critic->parameters(), key->parameters());

    // Tied: the actor's trunk parameters are the critic's storage.
    const auto a = actor_enc->trunk_parameters(), c = critic_enc->trunk_parameters();
    ASSERT_EQ(a.size(), c.size());
    ASSERT_FALSE(c.empty());
    for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].data_ptr(), c[i].data_ptr());

    // The critic's loss trains the trunk; the actor's, with the trunk detached, leaves it untouched.
    const torch::Tensor obs = torch::rand({4, 9, 64, 64}) * 255;
    const auto [q1, q2] = critic->forward(obs, torch::zeros({4, 2}));
    (q1 + q2).sum().backward();
    EXPECT_GT(c[0].grad().abs().sum().item<float>(), 0.0f);
    for (auto& p : c) p.mutable_grad() = torch::Tensor();
    const agents::PolicySample p = actor->forward(obs, /*detach_trunk=*/true);
    p.pi.sum().backward();
    for (const auto& t : c) EXPECT_FALSE(t.grad().defined() && t.grad().abs().sum().item<float>() > 0);

    // The key encoder is a separate copy: equal after the hard update, and an EMA step moves it by tau of the gap.
    const auto k = key->encoder->trunk_parameters();
    EXPECT_NE(k[0].data_ptr(), c[0].data_ptr());
    EXPECT_TRUE(torch::equal(k[0], c[0]));
    torch::Tensor before;
    {
      torch::NoGradGuard no_grad;
      c[0].add_(1.0);
      before = k[0].clone();
    }
    agents::soft_update(critic_enc->trunk_parameters(), k, 0.05);
    EXPECT_TRUE(torch::allclose(k[0] - before, 0.05 * (c[0] - before), 1e-5, 1e-6));
  }
}

}  // namespace
}  // namespace curlrl::encoders
