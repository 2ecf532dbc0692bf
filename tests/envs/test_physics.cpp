// The MuJoCo boundary: load errors and warnings become exceptions naming what went wrong; assets are found.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

#include "envs/physics.h"

namespace curlrl::envs {
namespace {

constexpr const char* kPendulum = R"(
<mujoco>
  <worldbody>
    <body pos="0 0 1">
      <joint name="swing" type="hinge" axis="0 1 0"/>
      <geom type="capsule" fromto="0 0 0 0 0 -0.5" size="0.02"/>
    </body>
  </worldbody>
</mujoco>)";

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "<no exception>";
}

TEST(Physics, LoadsInlineModels) {
  ModelPtr m = load_model_from_string(kPendulum);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->nq, 1);
  EXPECT_EQ(mj_name2id(m.get(), mjOBJ_JOINT, "swing"), 0);
}

TEST(Physics, LoadErrorsNameTheFileAndTheProblem) {
  const std::string missing = "/nonexistent/dir/model.xml";
  const std::string what = message_of([&] { load_model(missing); });
  EXPECT_EQ(what.rfind(missing + ": ", 0), 0u) << what;  // starts with "<file>: "
  EXPECT_GT(what.size(), missing.size() + 2) << what;    // and carries MuJoCo's message

  const std::string bad =
      message_of([] { load_model_from_string("<mujoco><worldbody><body><geom type='nosuch'/>"); });
  EXPECT_NE(bad, "<no exception>");
  const std::string unknown_attr = message_of([] {
    load_model_from_string("<mujoco><worldbody><geom size='1' colour='red'/></worldbody></mujoco>");
  });
  EXPECT_NE(unknown_attr.find("colour"), std::string::npos) << unknown_attr;
}

TEST(Physics, MuJoCoWarningsAreExceptions) {
  ModelPtr m = load_model_from_string(kPendulum);
  DataPtr d(mj_makeData(m.get()));
  d->qpos[0] = std::nan("");
  const std::string what = message_of([&] { mj_step(m.get(), d.get()); });
  EXPECT_NE(what.find("MuJoCo warning"), std::string::npos) << what;
  EXPECT_NE(what.find("QPOS"), std::string::npos) << what;
}

TEST(Physics, MuJoCoErrorsAreExceptions) {
  install_mujoco_error_handlers();
  install_mujoco_error_handlers();  // idempotent
  const std::string what = message_of([] { mju_error("deliberate"); });
  EXPECT_NE(what.find("deliberate"), std::string::npos) << what;
}

TEST(Physics, AssetsDirHoldsTheSixModelsAndHonoursTheEnvironment) {
  const std::string dir = assets_dir();
  for (const char* f : {"common.xml", "cartpole.xml", "reacher.xml", "cheetah.xml", "walker.xml",
                        "finger.xml", "ball_in_cup.xml"}) {
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(dir) / f)) << f;
  }
  const std::string tmp = std::filesystem::temp_directory_path().string();
  ASSERT_EQ(setenv("CURLRL_ASSETS", tmp.c_str(), 1), 0);
  EXPECT_EQ(assets_dir(), tmp);
  ASSERT_EQ(setenv("CURLRL_ASSETS", "/nonexistent/curlrl/assets", 1), 0);
  EXPECT_NE(message_of([] { assets_dir(); }).find("/nonexistent/curlrl/assets"), std::string::npos);
  ASSERT_EQ(unsetenv("CURLRL_ASSETS"), 0);
  EXPECT_EQ(assets_dir(), dir);
}

}  // namespace
}  // namespace curlrl::envs
