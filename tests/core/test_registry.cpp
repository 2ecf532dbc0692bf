// Every registered piece (task, agent variant, encoder, augmentation) is a choice of its configuration group: it
// composes with the project's defaults, its own settings are in the configuration exactly when it is chosen, and it
// builds. The lists of pieces come from the registries, never from hand-written names.
#include <gtest/gtest.h>

#include <filesystem>

#include "augment/augment.h"
#include "core/settings.h"
#include "encoders/encoder.h"
#include "envs/task.h"
#include "tests/test_util.h"

namespace curlrl {
namespace {

using testing::project_config;

TEST(Registry, EveryEncoderIsReachableByName) {
  for (const auto& name : encoders::encoder_names()) {
    SCOPED_TRACE(name);
    const bool states = name == "identity";
    const config::Config c = project_config({states ? "agent=state_sac" : "agent=rad", "encoder=" + name});
    EXPECT_EQ(c.get_string("encoder.name"), name);
    const std::vector<int64_t> shape = states ? std::vector<int64_t>{5} : std::vector<int64_t>{9, 64, 64};
    EXPECT_GT(encoders::make_encoder(c, shape)->feature_dim(), 0);
  }
}

TEST(Registry, EveryAugmentationIsReachableByName) {
  for (const auto& name : augment::augmentation_names()) {
    SCOPED_TRACE(name);
    const config::Config c = project_config({"agent=rad", "augment=" + name});
    EXPECT_EQ(c.get_list("augment.name"), std::vector<std::string>{name});
    EXPECT_NO_THROW(augment::Pipeline{c});
    EXPECT_NE(augment::make_augmentation(name, c), nullptr);
  }
}

TEST(Registry, APluginsSettingsArePartOfTheConfigurationExactlyWhenItIsChosen) {
  for (const std::string group : {"task", "agent", "encoder", "augment"}) {
    const auto all = config::plugins(group);
    ASSERT_FALSE(all.empty()) << group;
    for (const auto& plugin : all) {
      SCOPED_TRACE(group + "=" + plugin.name);
      EXPECT_FALSE(plugin.summary.empty());
      const std::string agent = group == "encoder" && plugin.name == "identity" ? "agent=state_sac" : "agent=rad";
      const config::Config c = project_config({agent, group + "=" + plugin.name});
      for (const auto& key : plugin.settings) EXPECT_TRUE(c.has(key)) << key;
      // The settings of every other piece of the group are absent unless the chosen one shares them.
      for (const auto& other : all) {
        for (const auto& key : other.settings) {
          const bool shared = std::find(plugin.settings.begin(), plugin.settings.end(), key) != plugin.settings.end();
          EXPECT_EQ(c.has(key), shared) << key << " of " << other.name;
        }
      }
    }
  }
}

TEST(Registry, EveryAgentVariantAndTaskComposes) {
  for (const auto& agent : config::plugin_names("agent")) {
    EXPECT_EQ(project_config({"agent=" + agent}).get_string("agent.name"), agent);
  }
  for (const auto& task : envs::task_names()) {
    EXPECT_EQ(project_config({"task=" + task}).get_string("task.name"), task);
  }
  EXPECT_EQ(config::plugin_names("task"), envs::task_names());
}

}  // namespace
}  // namespace curlrl
