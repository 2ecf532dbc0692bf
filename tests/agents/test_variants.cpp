// A short training run (a few hundred environment steps) of every agent variant and of the CURL agent with every
// pixel encoder and a few augmentation lists: the run finishes, every logged loss is finite, the contrastive
// columns appear exactly for the contrastive agent, and the trained agent acts (finite evaluation returns).
#include <gtest/gtest.h>

#include <cmath>

#include "augment/augment.h"
#include "core/config.h"
#include "core/csv.h"
#include "core/error.h"
#include "core/schema.h"
#include "core/settings.h"
#include "tests/test_util.h"
#include "train/trainer.h"

namespace curlrl::train {
namespace {

using testing::TempDir;

// One episode of cartpole (1000 env steps, 125 agent steps at action repeat 8; train.csv gets a row per episode),
// updates from agent step 16, small networks and 64x64 frames cropped to 56 so that every variant trains in
// seconds.
config::Config tiny_config(const std::string& run_dir, const std::vector<std::string>& extra) {
  static const config::Schema schema = config::make_schema("train");
  std::vector<std::string> overrides = {"env_steps=1000", "eval_every=1000", "eval_episodes=1", "agent.init_steps=16",
                                        "agent.batch_size=8", "agent.hidden_dim=32", "task.image_size=64",
                                        "augment.crop_size=56", "checkpoint_every=0",
                                        "save_replay=false", "threads=1", "seed=3", "progress_interval=1000",
                                        "run_dir=" + run_dir};
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  return config::compose(schema, config::default_config_dir(), overrides).config;
}

struct Case {
  std::string label;
  std::vector<std::string> overrides;
  bool contrastive;
};
// CTest shows the label, not the struct's bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.label; }

// Every registered agent variant as configured by its file, then combinations of pieces: every augmentation in
// one pipeline (crop first), and encoders other than the variants' own.
std::vector<Case> cases() {
  std::vector<Case> out;
  for (const auto& agent : config::plugin_names("agent")) {
    const bool contrastive = testing::project_config({"agent=" + agent}).get_bool("agent.contrastive");
    out.push_back({agent, {"agent=" + agent}, contrastive});
  }
  std::string every = "crop";
  for (const auto& name : augment::augmentation_names()) {
    if (name != "crop" && name != "none") every += "," + name;
  }
  out.push_back({"rad_every_augmentation", {"agent=rad", "augment=[" + every + "]", "augment.translate_size=60"}, false});
  out.push_back({"rad_crop_cutout_color_jitter", {"agent=rad", "augment=[crop,cutout,color_jitter]"}, false});
  out.push_back({"rad_drq_encoder", {"agent=rad", "encoder=drq"}, false});
  out.push_back({"curl_impala_encoder", {"agent=curl", "encoder=impala"}, true});
  return out;
}

class VariantTrains : public ::testing::TestWithParam<Case> {};

TEST_P(VariantTrains, LossesAreFiniteAndTheAgentActs) {
  const Case& c = GetParam();
  TempDir tmp;
  const std::string dir = (tmp / "run").string();
  Trainer trainer(tiny_config(dir, c.overrides));
  ASSERT_EQ(trainer.run(), 0);

  const CsvTable train = read_csv(std::filesystem::path(dir) / "train.csv");
  ASSERT_FALSE(train.rows.empty());
  bool saw_critic_loss = false, saw_contrastive = false;
  for (const auto& row : train.rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      const std::string& column = train.header[i];
      if (column.find("loss") == std::string::npos || row[i].empty()) continue;
      EXPECT_TRUE(std::isfinite(std::stod(row[i]))) << column << " = " << row[i];
      saw_critic_loss = saw_critic_loss || column == "critic_loss";
      saw_contrastive = saw_contrastive || column == "contrastive_loss";
    }
  }
  EXPECT_TRUE(saw_critic_loss);
  EXPECT_EQ(saw_contrastive, c.contrastive);

  const CsvTable eval = read_csv(std::filesystem::path(dir) / "eval.csv");
  ASSERT_GE(eval.rows.size(), 2u);  // before training and at the end
  const auto& last = eval.rows.back();
  EXPECT_EQ(last[0], "1000");
  EXPECT_TRUE(std::isfinite(std::stod(last[2]))) << "episode_return " << last[2];
}

INSTANTIATE_TEST_SUITE_P(Agents, VariantTrains, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& param) { return param.param.label; });

TEST(Variants, InvalidCombinationsAreConfigErrors) {
  TempDir tmp;
  const std::string dir = (tmp / "run").string();
  const auto error_of = [&](const std::vector<std::string>& overrides) -> std::string {
    try {
      Trainer t(tiny_config(dir, overrides));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(error_of({"agent=state_sac", "encoder=pixel"}).find("encoder=pixel is a pixel encoder"),
            std::string::npos);
  EXPECT_NE(error_of({"agent=curl", "encoder=identity"}).find("encoder=identity needs state observations"),
            std::string::npos);
  EXPECT_NE(error_of({"agent=state_sac", "agent.contrastive=true"}).find("needs a key encoder"), std::string::npos);
  EXPECT_NE(error_of({"agent=state_sac", "augment=crop"}).find("use augment=none"), std::string::npos);
  EXPECT_NE(error_of({"agent=pixel_sac", "agent.drq_k=2"}).find("draws none"), std::string::npos);
  EXPECT_NE(error_of({"agent=rad", "augment=[cutout,crop]"}).find("must come first"), std::string::npos);
  EXPECT_NE(error_of({"agent=rad", "augment=[crop,translate]", "augment.translate_size=50"}).find("translate_size"),
            std::string::npos);
  EXPECT_NE(error_of({"agent=curl", "encoder=drq"}).find("W would be"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir)) << "nothing is written for a configuration error";
}

TEST(Variants, EveryCombinationRuleIsCheckedFromTheConfigurationAlone) {
  // SacOptions::validate() holds the rules; check_agent_config applies them before any environment is built.
  const auto error_of = [](const std::vector<std::string>& overrides) -> std::string {
    try {
      agents::check_agent_config(testing::project_config(overrides));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(error_of({}), "");
  EXPECT_EQ(error_of({"agent=state_sac"}), "");
  EXPECT_NE(error_of({"task.image_size=64"}).find("augment.crop_size=84 exceeds task.image_size=64"), std::string::npos);
  EXPECT_NE(error_of({"agent.actor_log_std_min=3"}).find("must be below"), std::string::npos);
  EXPECT_NE(error_of({"agent=rad", "augment=[cutout,crop]"}).find("must come first"), std::string::npos);
  EXPECT_NE(error_of({"agent=state_sac", "augment=crop"}).find("use augment=none"), std::string::npos);
  EXPECT_NE(error_of({"agent=pixel_sac", "agent.drq_m=2"}).find("draws none"), std::string::npos);
  EXPECT_NE(error_of({"agent=curl", "encoder=drq"}).find("W would be 39200x39200"), std::string::npos);
  EXPECT_EQ(error_of({"agent=curl", "encoder=impala"}), "");
}

TEST(Variants, DrqIsItsPapersConfiguration) {
  // The settings DrQ publishes where they differ from CURL's (docs/algorithm.md, "DrQ as published").
  const config::Config drq = testing::project_config({"agent=drq"});
  EXPECT_EQ(drq.get_int("task.image_size"), 84);
  EXPECT_EQ(drq.get_list("augment.name"), std::vector<std::string>{"shift"});
  EXPECT_EQ(drq.get_int("augment.shift_pad"), 4);
  EXPECT_EQ(drq.get_int("agent.drq_k"), 2);
  EXPECT_EQ(drq.get_int("agent.drq_m"), 2);
  EXPECT_TRUE(drq.get_bool("encoder.tanh"));
  for (const char* key : {"agent.actor_lr", "agent.critic_lr", "agent.alpha_lr"}) {
    EXPECT_DOUBLE_EQ(drq.get_float(key), 1e-3) << key;
  }
  for (const char* key : {"agent.actor_beta", "agent.critic_beta", "agent.alpha_beta"}) {
    EXPECT_DOUBLE_EQ(drq.get_float(key), 0.9) << key;
  }
  EXPECT_DOUBLE_EQ(drq.get_float("agent.critic_tau"), 0.01);
  EXPECT_DOUBLE_EQ(drq.get_float("agent.encoder_tau"), 0.01);
  EXPECT_EQ(drq.get_int("agent.batch_size"), 512);
  EXPECT_DOUBLE_EQ(drq.get_float("agent.init_temperature"), 0.1);
  // On cheetah_run its single learning rate stays (task/cheetah_run+drq.yaml), while CURL takes the paper's 2e-4.
  const config::Config drq_cheetah = testing::project_config({"agent=drq", "task=cheetah_run"});
  const config::Config curl_cheetah = testing::project_config({"agent=curl", "task=cheetah_run"});
  for (const char* key : {"agent.actor_lr", "agent.critic_lr", "agent.alpha_lr"}) {
    EXPECT_DOUBLE_EQ(drq_cheetah.get_float(key), 1e-3) << key;
  }
  EXPECT_EQ(drq_cheetah.get_int("task.action_repeat"), 4);
  EXPECT_DOUBLE_EQ(curl_cheetah.get_float("agent.actor_lr"), 2e-4);
  EXPECT_DOUBLE_EQ(curl_cheetah.get_float("agent.critic_lr"), 2e-4);
  EXPECT_DOUBLE_EQ(curl_cheetah.get_float("agent.alpha_lr"), 1e-4);
  // The command line still wins over the specialisation.
  EXPECT_DOUBLE_EQ(testing::project_config({"agent=drq", "task=cheetah_run", "agent.actor_lr=5e-4"})
                       .get_float("agent.actor_lr"),
                   5e-4);
}

}  // namespace
}  // namespace curlrl::train
