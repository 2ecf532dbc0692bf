// Every registered piece (encoder, augmentation, agent variant, task) is reachable by name from configuration:
// its configs/<group>/<name>.yaml exists, composes with the project's defaults, and builds the piece.
#include <gtest/gtest.h>

#include <filesystem>

#include "augment/augment.h"
#include "core/config.h"
#include "core/schema.h"
#include "encoders/encoder.h"
#include "envs/task.h"

namespace curlrl {
namespace {

config::Config compose(const std::vector<std::string>& overrides) {
  return config::compose(config::make_schema("train"), config::default_config_dir(), overrides).config;
}

TEST(Registry, EveryEncoderIsReachableByName) {
  for (const auto& name : encoders::encoder_names()) {
    SCOPED_TRACE(name);
    const bool states = name == "identity";
    const config::Config c = compose({states ? "agent=state_sac" : "agent=rad", "encoder=" + name});
    EXPECT_EQ(c.get_string("encoder.name"), name);
    encoders::EncoderOptions o;
    o.obs_shape = states ? std::vector<int64_t>{5} : std::vector<int64_t>{9, 64, 64};
    o.feature_dim = c.get_int("encoder.feature_dim");
    o.num_layers = c.get_int("encoder.num_layers");
    o.num_filters = c.get_int("encoder.num_filters");
    EXPECT_GT(encoders::make_encoder(name, o)->feature_dim(), 0);
  }
  EXPECT_THROW(encoders::make_encoder("vit", {}), std::invalid_argument);
}

TEST(Registry, EveryAugmentationIsReachableByName) {
  for (const auto& name : augment::augmentation_names()) {
    SCOPED_TRACE(name);
    const config::Config c = compose({"agent=rad", "augment=" + name});
    EXPECT_EQ(c.get_list("augment.name"), std::vector<std::string>{name});
    const augment::AugmentOptions o = augment::AugmentOptions::from_config(c);
    EXPECT_NO_THROW(augment::Pipeline({name}, o));
    EXPECT_NE(augment::make_augmentation(name, o), nullptr);
  }
  // The fallbacks of unchosen augmentations are AugmentOptions' defaults.
  const augment::AugmentOptions from_config = augment::AugmentOptions::from_config(compose({}));
  const augment::AugmentOptions defaults;
  EXPECT_EQ(from_config.cutout_max, defaults.cutout_max);
  EXPECT_EQ(from_config.translate_size, defaults.translate_size);
  EXPECT_DOUBLE_EQ(from_config.jitter_hue, defaults.jitter_hue);
  EXPECT_EQ(from_config.rotate_mode, defaults.rotate_mode);
}

TEST(Registry, EveryAgentVariantAndTaskHasAConfigFile) {
  const std::string dir = config::default_config_dir();
  for (const std::string agent : {"curl", "drq", "pixel_sac", "rad", "state_sac"}) {
    const config::Config c = compose({"agent=" + agent});
    EXPECT_EQ(c.get_string("agent.name"), agent);
  }
  for (const auto& task : envs::task_names()) {
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(dir) / "task" / (task + ".yaml"))) << task;
    EXPECT_EQ(compose({"task=" + task}).get_string("task.name"), task);
  }
}

}  // namespace
}  // namespace curlrl
