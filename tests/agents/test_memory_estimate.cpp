// The memory estimate made before anything is allocated (encoders::encoder_size, agents::estimate_network_memory,
// replay::ReplayBuffer::bytes_needed, train::check_run_memory) against what the built objects hold.
#include <gtest/gtest.h>

#include "agents/agent.h"
#include "agents/sac_agent.h"
#include "agents/weights.h"
#include "core/error.h"
#include "encoders/encoder.h"
#include "replay/replay_buffer.h"
#include "tests/test_util.h"
#include "train/trainer.h"

namespace curlrl::agents {
namespace {

double parameter_count(const torch::nn::Module& m) {
  double n = 0;
  for (const auto& p : m.parameters()) n += static_cast<double>(p.numel());
  return n;
}

TEST(MemoryEstimate, EncoderSizesMatchTheBuiltEncoders) {
  const std::vector<std::vector<std::string>> configs = {
      {"encoder=pixel"},
      {"encoder=pixel", "encoder.num_layers=2", "encoder.num_filters=8", "encoder.feature_dim=20"},
      {"encoder=drq", "encoder.num_layers=3", "encoder.num_filters=6"},
      {"encoder=impala"},
  };
  for (const auto& overrides : configs) {
    const config::Config c = curlrl::testing::project_config(overrides);
    for (const int64_t side : {64, 84, 85}) {
      const std::vector<int64_t> shape = {9, side, side};
      const encoders::Encoder built = encoders::make_encoder(c, shape);
      const encoders::EncoderSize size = encoders::encoder_size(c, shape);
      EXPECT_EQ(size.trunk_parameters + size.head_parameters, parameter_count(*built)) << overrides[0] << " " << side;
      EXPECT_EQ(size.feature_dim, static_cast<double>(built->feature_dim())) << overrides[0] << " " << side;
      double trunk = 0;
      for (const auto& p : built->trunk_parameters()) trunk += static_cast<double>(p.numel());
      EXPECT_EQ(size.trunk_parameters, trunk) << overrides[0];
      EXPECT_GT(size.activations, size.feature_dim) << overrides[0];
    }
  }
  const config::Config states = curlrl::testing::project_config({"encoder=identity"});
  EXPECT_EQ(encoders::encoder_size(states, {5}).feature_dim, 5.0);
  EXPECT_EQ(encoders::encoder_size(states, {5}).trunk_parameters, 0.0);
}

TEST(MemoryEstimate, NetworkParametersMatchTheBuiltAgents) {
  const std::vector<std::vector<std::string>> configs = {
      {"agent=curl", "encoder.num_layers=2", "encoder.num_filters=8", "encoder.feature_dim=16"},
      {"agent=pixel_sac", "encoder.num_layers=2", "encoder.num_filters=8"},
      {"agent=drq", "encoder.num_layers=2", "encoder.num_filters=4"},
      {"agent=state_sac"},
  };
  for (auto overrides : configs) {
    overrides.push_back("agent.hidden_dim=32");
    const config::Config c = curlrl::testing::project_config(overrides);
    envs::EnvSpec spec;
    spec.action_dim = 2;
    if (c.get_string("task.observation") == "states") {
      spec.observation = envs::ObservationKind::kStates;
      spec.observation_shape = {5};
    } else {
      spec.observation = envs::ObservationKind::kPixels;
      spec.observation_shape = {9, c.get_int("task.image_size"), c.get_int("task.image_size")};
    }
    auto agent = make_agent(c, spec);
    auto* sac = dynamic_cast<SacAgent*>(agent.get());
    ASSERT_NE(sac, nullptr);
    double exported = 0;
    for (const auto& [name, t] : export_weights(*sac)) exported += static_cast<double>(t.numel());
    const NetworkMemory m = estimate_network_memory(c, spec);
    EXPECT_EQ(m.parameters, exported) << overrides[0];
    // Parameters with gradients and two Adam moments, plus the target critic: between 4 and 5 floats each.
    EXPECT_GT(m.networks, 4 * 4 * m.parameters * 0.6) << overrides[0];
    EXPECT_LE(m.networks, 4 * 5 * m.parameters) << overrides[0];
    EXPECT_GT(m.batch, 0) << overrides[0];
  }
}

TEST(MemoryEstimate, ReplayBytesMatchABuiltBuffer) {
  for (const auto& spec : {replay::ReplaySpec{envs::ObservationKind::kPixels, {3, 20, 24}, 3, 6},
                           replay::ReplaySpec{envs::ObservationKind::kStates, {5}, 3, 1}}) {
    for (const int64_t capacity : {1, 99, 1000}) {
      const replay::ReplayBuffer buffer(capacity, spec);
      EXPECT_EQ(replay::ReplayBuffer::bytes_needed(capacity, spec), static_cast<double>(buffer.memory_bytes()))
          << capacity;
    }
  }
  // A mistyped capacity is a large number, not an overflow.
  const replay::ReplaySpec frames{envs::ObservationKind::kPixels, {3, 100, 100}, 3, 6};
  EXPECT_GT(replay::ReplayBuffer::bytes_needed(1000000000000, frames), 3e16);
}

TEST(MemoryEstimate, ARunThatCannotFitIsRefusedWithTheEstimate) {
  const config::Config c = curlrl::testing::project_config({"agent.replay_capacity=1e12"});
  envs::EnvSpec spec;
  spec.observation = envs::ObservationKind::kPixels;
  spec.observation_shape = {9, 100, 100};
  spec.frame_shape = {3, 100, 100};
  spec.frame_stack = 3;
  spec.action_dim = 1;
  const train::MemoryNeed need = train::estimate_run_memory(c, spec);
  EXPECT_GT(need.replay, 3e16);
  try {
    train::check_run_memory(need, c, 24e9);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("this run needs about 303"), std::string::npos) << msg;
    EXPECT_NE(msg.find(" TB of memory (replay buffer 303"), std::string::npos) << msg;
    EXPECT_NE(msg.find("this machine has 24.0 GB: lower agent.replay_capacity (1000000000000)"), std::string::npos)
        << msg;
  }
  // The paper's configuration fits this machine: replay about 3 GB, networks and a batch of 512 well under 24 GB.
  const config::Config paper = curlrl::testing::project_config();
  const train::MemoryNeed fits = train::estimate_run_memory(paper, spec);
  EXPECT_GT(fits.replay, 2.5e9);
  EXPECT_LT(fits.total(), 12e9);
  EXPECT_NO_THROW(train::check_run_memory(fits, paper, 24e9));
  const config::Config wide = curlrl::testing::project_config({"agent.hidden_dim=1000000000"});
  try {
    train::check_run_memory(train::estimate_run_memory(wide, spec), wide, 24e9);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("lower agent.hidden_dim or the encoder's sizes"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace curlrl::agents
