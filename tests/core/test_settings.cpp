// Settings declared beside their code (core/settings.h): the schema is generated from the declarations, a plugin's
// settings belong to a configuration only when it is chosen, and the project's YAML files hold only what a choice
// changes.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "core/error.h"
#include "core/settings.h"
#include "tests/test_util.h"

namespace curlrl::config {
namespace {

using testing::project_config;

// Declared here, for a command of its own so that the project's commands never see it.
const Setting<int64_t> kWidgets{"widgets", 7, "widgets per gadget", {.min = 1, .max = 9, .command = "settings-test"}};
const Setting<std::string> kColour{"colour", "red", "widget colour",
                                   {.choices = {"red", "green"}, .command = "settings-test"}};

std::string compose_error(const std::vector<std::string>& overrides) {
  try {
    project_config(overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Settings, ADeclarationIsTheSchemaEntryWithItsTypeRangeDefaultAndMeaning) {
  const Schema s = make_schema("settings-test");
  const KeySpec* spec = s.find("widgets");
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->type, Type::kInt);
  EXPECT_EQ(spec->doc, "widgets per gadget");
  EXPECT_EQ(*spec->min, 1);
  EXPECT_EQ(*spec->max, 9);
  EXPECT_EQ(std::get<int64_t>(*spec->fallback), 7);
  EXPECT_EQ(s.find("colour")->choices, (std::vector<std::string>{"red", "green"}));
  EXPECT_EQ(kWidgets.fallback(), 7);
  // A command's own settings stay out of the other commands' schemas.
  EXPECT_EQ(make_schema("train").find("widgets"), nullptr);
  // The typed read, and the range check on a value.
  Config c = Config::defaults(s);
  EXPECT_EQ(kWidgets(c), 7);
  c.set("widgets", int64_t{3});
  EXPECT_EQ(kWidgets(c), 3);
  EXPECT_THROW(c.set("widgets", int64_t{10}), ConfigError);
  EXPECT_THROW(c.set("colour", std::string("blue")), ConfigError);
}

TEST(Settings, EveryKeyIsDeclaredOnceWithAMeaningAndADefault) {
  std::set<std::string> seen;
  for (const SettingBase* setting : declared_settings()) {
    EXPECT_TRUE(seen.insert(setting->command() + ":" + setting->key()).second) << "declared twice: " << setting->key();
    EXPECT_FALSE(setting->spec().doc.empty()) << setting->key();
    EXPECT_TRUE(setting->spec().fallback.has_value()) << setting->key();
  }
  // make_schema("train") would throw on a key declared twice; every group's name key lists the registered plugins.
  const Schema s = make_schema("train");
  for (const auto& group : group_names()) EXPECT_EQ(s.find(group + ".name")->choices, plugin_names(group)) << group;
}

TEST(Settings, APluginRegisteredTwiceIsAProgrammingError) {
  EXPECT_THROW(register_plugin("encoder", "pixel", "again", {}), std::logic_error);
}

TEST(Settings, SettingAnUnchosenPluginsKeyNamesTheKeyItsOwnersAndTheChoice) {
  const std::string e = compose_error({"encoder=impala", "encoder.num_filters=64"});
  EXPECT_NE(e.find("encoder.num_filters"), std::string::npos) << e;
  EXPECT_NE(e.find("encoder drq, pixel,"), std::string::npos) << e;
  EXPECT_NE(e.find("encoder=impala"), std::string::npos) << e;
  EXPECT_NE(compose_error({"augment=crop", "augment.cutout_min=3"}).find("augment cutout"), std::string::npos);
  // The same key is fine for a piece that owns it, and for one of several chosen augmentations.
  EXPECT_EQ(project_config({"encoder=drq", "encoder.num_filters=64"}).get_int("encoder.num_filters"), 64);
  EXPECT_EQ(project_config({"agent=rad", "augment=[crop,cutout]", "augment.cutout_min=3"}).get_int("augment.cutout_min"),
            3);
}

TEST(Settings, AGroupFilesKeysOfAPieceTheCommandLineReplacedDoNotApply) {
  // agent/drq.yaml sets the pixel encoder's encoder.tanh; with another encoder that key does not exist.
  EXPECT_TRUE(project_config({"agent=drq"}).get_bool("encoder.tanh"));
  const Config impala = project_config({"agent=drq", "encoder=impala"});
  EXPECT_FALSE(impala.has("encoder.tanh"));
  EXPECT_EQ(impala.get_int("agent.drq_k"), 2);  // the file's other keys stay
  // Given on the command line for a piece that is not chosen, the key is still an error.
  const std::string e = compose_error({"agent=drq", "encoder=impala", "encoder.tanh=true"});
  EXPECT_NE(e.find("encoder.tanh is a setting of encoder pixel, but encoder=impala was chosen"), std::string::npos)
      << e;
}

TEST(Settings, AResolvedConfigurationHoldsTheChosenPiecesSettingsOnly) {
  const Config pixel = project_config({"encoder=pixel"});
  EXPECT_EQ(pixel.get_int("encoder.feature_dim"), 50);
  const Config impala = project_config({"encoder=impala"});
  EXPECT_FALSE(impala.has("encoder.feature_dim"));
  EXPECT_FALSE(impala.has("encoder.num_filters"));
  EXPECT_TRUE(impala.has("agent.batch_size"));  // settings without an owner are always there
}

TEST(Settings, ARunsSavedConfigurationDropsSettingsOfUnchosenPiecesAndGainsNewDefaults) {
  // As an older version wrote it: settings of encoders that were not chosen, and no agent.drq_m.
  testing::TempDir dir;
  const Config current = project_config({"agent=rad", "encoder=impala"});
  std::string text = current.to_yaml();
  const size_t at = text.find("encoder:\n");
  ASSERT_NE(at, std::string::npos);
  text.insert(at + 9, "  num_filters: 32\n  feature_dim: 0\n");  // 0 is out of range: never checked
  const size_t drq = text.find("  drq_m: 1\n");
  ASSERT_NE(drq, std::string::npos);
  text.erase(drq, 11);
  testing::write_text(dir / "config.yaml", text);
  const Config back = Config::from_yaml_file(current.schema(), (dir / "config.yaml").string());
  EXPECT_FALSE(back.has("encoder.num_filters"));
  EXPECT_FALSE(back.has("encoder.feature_dim"));
  EXPECT_EQ(back.get_int("agent.drq_m"), 1);  // its default
  EXPECT_EQ(back, current);
}

TEST(Settings, TheProjectsYamlFilesHoldOnlyWhatAChoiceChanges) {
  const std::string dir = default_config_dir();
  const Schema s = make_schema("train");
  const Config defaults = Config::defaults(s);
  // config.yaml holds the defaults list only.
  EXPECT_TRUE(group_file_keys(std::filesystem::path(dir).parent_path().string(), "configs", "config").empty());
  for (const auto& group : group_names()) {
    for (const auto& name : plugin_names(group)) {
      const std::string file = (std::filesystem::path(dir) / group / (name + ".yaml")).string();
      if (!std::filesystem::exists(file)) continue;
      const std::string agent = group == "encoder" && name == "identity" ? "agent=state_sac" : "agent=rad";
      const Config c = project_config({agent, group + "=" + name});
      for (const auto& key : group_file_keys(dir, group, name)) {
        EXPECT_NE(c.get(key), defaults.get(key)) << file << " sets " << key << " to its default";
      }
    }
  }
  // A task's specialisation for an agent changes what the task and that agent's file would give otherwise.
  for (const auto& task : plugin_names("task")) {
    for (const auto& agent : plugin_names("agent")) {
      const std::string file = specialisation_file(dir, task, agent);
      if (file.empty()) continue;
      const Config special = project_config({"agent=" + agent, "task=" + task});
      const Config task_file = project_config({"agent=rad", "task=" + task});  // an agent without one
      for (const auto& key : group_file_keys(dir, "task", task + "+" + agent)) {
        EXPECT_NE(special.get(key), task_file.get(key)) << file << " sets " << key << " to the task file's value";
      }
    }
  }
}

}  // namespace
}  // namespace curlrl::config
