// Small agents for the agent tests: fast to build and update, with every option the tests rely on set explicitly.
#pragma once

#include "agents/sac_agent.h"
#include "encoders/pixel.h"
#include "tests/test_util.h"

namespace curlrl::agents {

// CURL on 9 x 40 x 40 stacks cropped to 32 (two convolutions of 8 filters: 8 x 13 x 13 into a 16-feature fc), two
// actions, hidden 32, batch 8, the reference's encoder double step.
inline SacOptions tiny_pixel_options() {
  SacOptions o;
  o.action_dim = 2;
  o.observation = envs::ObservationKind::kPixels;
  o.obs_shape = {9, 40, 40};
  o.make_encoder = [](const std::vector<int64_t>& shape) -> encoders::Encoder {
    encoders::PixelEncoderOptions e;
    e.obs_shape = shape;
    e.feature_dim = 16;
    e.num_layers = 2;
    e.num_filters = 8;
    return std::make_shared<encoders::PixelEncoderImpl>(e);
  };
  o.hidden_dim = 32;
  o.batch_size = 8;
  o.pipeline = augment::Pipeline(curlrl::testing::project_config({"augment.crop_size=32"}));
  o.contrastive = true;
  o.encoder_double_step = true;
  return o;
}

// SAC on `state_dim` states, two actions, hidden 16, batch 8.
inline SacOptions tiny_state_options(int64_t state_dim) {
  SacOptions o;
  o.action_dim = 2;
  o.observation = envs::ObservationKind::kStates;
  o.obs_shape = {state_dim};
  o.encoder = "identity";
  o.hidden_dim = 16;
  o.batch_size = 8;
  o.contrastive = false;
  o.encoder_double_step = false;
  return o;
}

}  // namespace curlrl::agents
