// bfloat16 mixed precision (agent.precision=bf16): the update follows the fp32 one closely, the weights stay fp32,
// autocast does not leak out of the update, and the setting is refused where it cannot run.
#include <gtest/gtest.h>

#include "agents/mixed_precision.h"
#include "agents/sac_agent.h"
#include "agents/weights.h"
#include "core/cpu_tuning.h"
#include "core/error.h"
#include "tests/agents/tiny_agents.h"

namespace curlrl::agents {
namespace {

// One batch of the tiny pixel agent's shape: 9 x 32 x 32 crops, two actions.
Batch pixel_batch(int64_t b) {
  torch::manual_seed(11);
  Batch batch;
  batch.obs = torch::randint(0, 256, {b, 9, 32, 32}).to(torch::kFloat32);
  batch.next_obs = torch::randint(0, 256, {b, 9, 32, 32}).to(torch::kFloat32);
  batch.obs_positive = torch::randint(0, 256, {b, 9, 32, 32}).to(torch::kFloat32);
  batch.action = torch::rand({b, 2}) * 2 - 1;
  batch.reward = torch::rand({b, 1});
  batch.not_done = torch::ones({b, 1});
  batch.noise_next = torch::randn({b, 2});
  batch.noise_actor = torch::randn({b, 2});
  return batch;
}

double cosine(const torch::Tensor& a, const torch::Tensor& b) {
  return (a * b).sum().item<double>() / (a.norm().item<double>() * b.norm().item<double>());
}

TEST(Precision, Bf16UpdateFollowsTheFp32OneAndKeepsFp32Weights) {
  if (!cpu_has_bf16()) GTEST_SKIP() << "this CPU has no bfloat16 arithmetic";
  SacOptions fp32 = tiny_pixel_options(), bf16 = tiny_pixel_options();
  fp32.precision = "fp32";
  bf16.precision = "bf16";
  torch::manual_seed(3);
  SacAgent a(fp32);
  torch::manual_seed(3);
  SacAgent b(bf16);
  const torch::Tensor before = a.critic()->q1->parameters()[0].detach().clone();
  ASSERT_TRUE(before.equal(b.critic()->q1->parameters()[0]));
  const Batch batch = pixel_batch(16);
  const Metrics ma = a.update_on(batch, 0), mb = b.update_on(batch, 0);
  EXPECT_FALSE(cpu_autocast_enabled()) << "autocast must end with the update";
  for (const char* loss : {"critic_loss", "actor_loss", "contrastive_loss"}) {
    EXPECT_NEAR(mb.at(loss), ma.at(loss), 0.03 * std::abs(ma.at(loss)) + 1e-3) << loss;
  }
  for (const auto& p : b.critic()->parameters()) EXPECT_EQ(p.scalar_type(), torch::kFloat32);
  for (const auto& p : b.actor()->parameters()) EXPECT_EQ(p.scalar_type(), torch::kFloat32);
  // The first Adam step is nearly lr * sign(gradient): the two steps point the same way.
  const torch::Tensor step_a = a.critic()->q1->parameters()[0].detach() - before;
  const torch::Tensor step_b = b.critic()->q1->parameters()[0].detach() - before;
  EXPECT_GT(cosine(step_a, step_b), 0.9);
  // Acting stays fp32: an fp32 agent given the bf16 agent's weights acts bit for bit the same.
  SacAgent c(fp32);
  import_weights(c, export_weights(b), "test");
  envs::TimeStep ts;
  ts.observation = envs::ObservationKind::kPixels;
  ts.pixels.resize(9 * 40 * 40);
  for (size_t i = 0; i < ts.pixels.size(); ++i) ts.pixels[i] = static_cast<uint8_t>((i * 37) % 256);
  EXPECT_EQ(b.act(ts, /*deterministic=*/true), c.act(ts, /*deterministic=*/true));
  EXPECT_FALSE(cpu_autocast_enabled());
}

TEST(Precision, Bf16IsRefusedWhereItCannotRun) {
  SacOptions o = tiny_pixel_options();
  o.precision = "bf16";
  o.device = "cuda";
  try {
    o.validate();
    FAIL() << "bf16 on cuda accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("agent.precision=bf16 is implemented for device=cpu only"),
              std::string::npos)
        << e.what();
  }
  o.device = "cpu";
  if (cpu_has_bf16()) {
    EXPECT_NO_THROW(o.validate());
  } else {
    EXPECT_THROW(o.validate(), ConfigError);
  }
}

}  // namespace
}  // namespace curlrl::agents
