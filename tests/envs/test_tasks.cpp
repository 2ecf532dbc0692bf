// The six tasks: model facts of spec sections 1-6 read back from the compiled models, rewards at hand-built
// states, initial-state distributions (including seed-for-seed draws against numpy's RandomState outputs),
// the stepping and episode semantics of spec 0.2-0.4, and input errors. MuJoCo warnings throw (physics.cpp),
// so any warning during these tests fails them.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <set>
#include <string>
#include <vector>

#include "envs/task.h"

namespace curlrl::envs {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kDeg = kPi / 180.0;

// numpy: np.random.RandomState(0).random_sample(7) and .standard_normal(4).
constexpr double kU0[] = {0.5488135039273248, 0.7151893663724195, 0.6027633760716439, 0.5448831829968969,
                          0.4236547993389047, 0.6458941130666561, 0.4375872112626925};
constexpr double kN0[] = {1.764052345967664, 0.4001572083672233, 0.9787379841057392, 2.240893199201458};

std::unique_ptr<Task> reset_task(const std::string& name, uint32_t seed) {
  auto task = make_task(name);
  NumpyRandomState rng(seed);
  task->reset(rng);
  return task;
}

// Puts the task into a hand-built state and recomputes everything derived from it.
void set_state(Task& task, const std::vector<double>& qpos, const std::vector<double>& qvel,
               const std::vector<double>& ctrl = {}) {
  mjModel* m = task.model();
  mjData* d = task.data();
  ASSERT_EQ(static_cast<int>(qpos.size()), m->nq);
  ASSERT_EQ(static_cast<int>(qvel.size()), m->nv);
  for (int i = 0; i < m->nq; ++i) d->qpos[i] = qpos[i];
  for (int i = 0; i < m->nv; ++i) d->qvel[i] = qvel[i];
  for (int i = 0; i < m->nu; ++i) d->ctrl[i] = ctrl.empty() ? 0.0 : ctrl[i];
  mj_forward(m, d);
}

double body_mass(const Task& t, const char* name) {
  return t.model()->body_mass[mj_name2id(t.model(), mjOBJ_BODY, name)];
}

void expect_joint_range_deg(const Task& t, const char* joint, double lo_deg, double hi_deg) {
  const int j = mj_name2id(t.model(), mjOBJ_JOINT, joint);
  ASSERT_GE(j, 0) << joint;
  EXPECT_TRUE(t.model()->jnt_limited[j]) << joint;
  EXPECT_NEAR(t.model()->jnt_range[2 * j], lo_deg * kDeg, 1e-12) << joint;
  EXPECT_NEAR(t.model()->jnt_range[2 * j + 1], hi_deg * kDeg, 1e-12) << joint;
}

double qpos_of(const Task& t, const char* joint) {
  return t.data()->qpos[t.model()->jnt_qposadr[mj_name2id(t.model(), mjOBJ_JOINT, joint)]];
}

// -----------------------------------------------------------------------------------------------------------
// Registry and model facts

TEST(Tasks, RegistryListsTheSixTasksAndRejectsUnknownNames) {
  // The suite's six benchmark tasks (../shared/specs/dmc_tasks.md), sorted by name as the registry lists them.
  const std::vector<std::string> expected{"ball_in_cup_catch", "cartpole_swingup", "cheetah_run",
                                          "finger_spin",       "reacher_easy",     "walker_walk"};
  EXPECT_EQ(task_names(), expected);
  try {
    make_task("cartpole_balance");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("cartpole_balance"), std::string::npos) << what;
    for (const auto& n : expected) EXPECT_NE(what.find(n), std::string::npos) << what;
  }
}

TEST(Tasks, TimestepsSubStepsAndDimensionsMatchTheSummaryTable) {
  struct Row {
    const char* name;
    double dt;
    int integrator, sub_steps, action_dim, state_dim;
  };
  const Row rows[] = {
      {"cartpole_swingup", 0.01, mjINT_RK4, 1, 1, 5}, {"reacher_easy", 0.02, mjINT_EULER, 1, 2, 6},
      {"cheetah_run", 0.01, mjINT_EULER, 1, 6, 17},   {"walker_walk", 0.0025, mjINT_EULER, 10, 6, 24},
      {"finger_spin", 0.01, mjINT_EULER, 2, 2, 9},    {"ball_in_cup_catch", 0.002, mjINT_EULER, 10, 2, 8}};
  const double control_dt[] = {0.01, 0.02, 0.01, 0.025, 0.02, 0.02};
  for (int i = 0; i < 6; ++i) {
    const Row& r = rows[i];
    auto t = reset_task(r.name, 0);
    EXPECT_EQ(t->name(), r.name);
    EXPECT_DOUBLE_EQ(t->model()->opt.timestep, r.dt) << r.name;
    EXPECT_EQ(t->model()->opt.integrator, r.integrator) << r.name;
    EXPECT_EQ(t->n_sub_steps(), r.sub_steps) << r.name;
    EXPECT_NEAR(t->control_timestep(), control_dt[i], 1e-15) << r.name;
    EXPECT_EQ(t->action_dim(), r.action_dim) << r.name;
    EXPECT_EQ(t->state_dim(), r.state_dim) << r.name;
    EXPECT_EQ(static_cast<int>(t->state_observation().size()), r.state_dim) << r.name;
    // One distinct, non-empty name per state entry (probe tables are labelled with them).
    const auto names = t->state_names();
    EXPECT_EQ(static_cast<int>(names.size()), r.state_dim) << r.name;
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size()) << r.name;
    for (const auto& n : names) EXPECT_FALSE(n.empty()) << r.name;
    // Common solver settings (spec 0.1); finger overrides cone and iterations.
    EXPECT_EQ(t->model()->opt.solver, mjSOL_NEWTON) << r.name;
    EXPECT_DOUBLE_EQ(t->model()->opt.tolerance, 1e-8) << r.name;
    EXPECT_DOUBLE_EQ(t->model()->opt.gravity[2], -9.81) << r.name;
    const bool finger = std::string(r.name) == "finger_spin";
    EXPECT_EQ(t->model()->opt.iterations, finger ? 200 : 100) << r.name;
    EXPECT_EQ(t->model()->opt.cone, finger ? mjCONE_ELLIPTIC : mjCONE_PYRAMIDAL) << r.name;
  }
}

TEST(Tasks, OptionFlagsMatchSpec) {
  EXPECT_TRUE(make_task("cartpole_swingup")->model()->opt.disableflags & mjDSBL_CONTACT);
  EXPECT_TRUE(make_task("reacher_easy")->model()->opt.disableflags & mjDSBL_CONTACT);
  EXPECT_EQ(make_task("finger_spin")->model()->opt.disableflags, mjDSBL_GRAVITY);
  for (const char* name : {"cheetah_run", "walker_walk", "ball_in_cup_catch"}) {
    EXPECT_EQ(make_task(name)->model()->opt.disableflags, 0) << name;
  }
}

TEST(Tasks, CheetahMassesAreScaledToFourteen) {
  auto t = make_task("cheetah_run");
  double total = 0;
  for (int b = 0; b < t->model()->nbody; ++b) total += t->model()->body_mass[b];
  EXPECT_NEAR(total, 14.0, 1e-9);
  EXPECT_NEAR(body_mass(*t, "torso"), 6.250209, 1e-6);
  EXPECT_NEAR(body_mass(*t, "bthigh"), 1.543515, 1e-6);
  EXPECT_NEAR(body_mass(*t, "bshin"), 1.587448, 1e-6);
  EXPECT_NEAR(body_mass(*t, "bfoot"), 1.095397, 1e-6);
  EXPECT_NEAR(body_mass(*t, "fthigh"), 1.438075, 1e-6);
  EXPECT_NEAR(body_mass(*t, "fshin"), 1.200837, 1e-6);
  EXPECT_NEAR(body_mass(*t, "ffoot"), 0.884519, 1e-6);
}

TEST(Tasks, WalkerMassesFollowFromDensity) {
  auto t = make_task("walker_walk");
  // Capsule volume pi r^2 (2 h) + 4/3 pi r^3 at density 1000.
  const auto capsule = [](double r, double h) {
    return 1000.0 * (kPi * r * r * 2 * h + 4.0 / 3.0 * kPi * r * r * r);
  };
  EXPECT_NEAR(body_mass(*t, "torso"), capsule(0.07, 0.3), 1e-9);
  EXPECT_NEAR(body_mass(*t, "torso"), 10.673037, 1e-6);
  EXPECT_NEAR(body_mass(*t, "right_thigh"), 4.057891, 1e-6);
  EXPECT_NEAR(body_mass(*t, "left_leg"), 2.781357, 1e-6);
  EXPECT_NEAR(body_mass(*t, "right_foot"), 2.094395, 1e-6);
  double total = 0;
  for (int b = 0; b < t->model()->nbody; ++b) total += t->model()->body_mass[b];
  EXPECT_NEAR(total, 28.540322, 1e-6);
}

TEST(Tasks, CartpoleMassesAreExplicit) {
  auto t = make_task("cartpole_swingup");
  EXPECT_DOUBLE_EQ(body_mass(*t, "cart"), 1.0);
  EXPECT_DOUBLE_EQ(body_mass(*t, "pole_1"), 0.1);
}

TEST(Tasks, ActuatorsAreClampedMotorsWithTheSpecGears) {
  const std::vector<std::pair<const char*, std::vector<double>>> gears{
      {"cartpole_swingup", {10}},
      {"reacher_easy", {0.05, 0.05}},
      {"cheetah_run", {120, 90, 60, 90, 60, 30}},
      {"walker_walk", {100, 50, 20, 100, 50, 20}},
      {"finger_spin", {30, 15}},
      {"ball_in_cup_catch", {5, 5}}};
  for (const auto& [name, expected] : gears) {
    auto t = make_task(name);
    const mjModel* m = t->model();
    ASSERT_EQ(m->nu, static_cast<int>(expected.size())) << name;
    for (int a = 0; a < m->nu; ++a) {
      EXPECT_DOUBLE_EQ(m->actuator_gear[6 * a], expected[a]) << name << " actuator " << a;
      EXPECT_EQ(m->actuator_trntype[a], mjTRN_JOINT) << name;
      EXPECT_EQ(m->actuator_gaintype[a], mjGAIN_FIXED) << name;
      EXPECT_EQ(m->actuator_biastype[a], mjBIAS_NONE) << name;
      EXPECT_TRUE(m->actuator_ctrllimited[a]) << name;
      EXPECT_EQ(m->actuator_ctrlrange[2 * a], -1.0) << name;
      EXPECT_EQ(m->actuator_ctrlrange[2 * a + 1], 1.0) << name;
    }
  }
  // Actuated joints, in order.
  auto cheetah = make_task("cheetah_run");
  const char* legs[] = {"bthigh", "bshin", "bfoot", "fthigh", "fshin", "ffoot"};
  for (int a = 0; a < 6; ++a) {
    EXPECT_EQ(cheetah->model()->actuator_trnid[2 * a], mj_name2id(cheetah->model(), mjOBJ_JOINT, legs[a]));
  }
}

TEST(Tasks, JointRangesMatchSpec) {
  auto cheetah = make_task("cheetah_run");
  expect_joint_range_deg(*cheetah, "bthigh", -30, 60);
  expect_joint_range_deg(*cheetah, "bshin", -50, 50);
  expect_joint_range_deg(*cheetah, "bfoot", -230, 50);
  expect_joint_range_deg(*cheetah, "fthigh", -57, 0.4);  // 0.4 degrees, not 40
  expect_joint_range_deg(*cheetah, "fshin", -70, 50);
  expect_joint_range_deg(*cheetah, "ffoot", -28, 28);
  EXPECT_NEAR(cheetah->model()->jnt_range[2 * mj_name2id(cheetah->model(), mjOBJ_JOINT, "fthigh") + 1],
              0.006981317007977318, 1e-15);
  for (const char* root : {"rootx", "rootz", "rooty"}) {
    const int j = mj_name2id(cheetah->model(), mjOBJ_JOINT, root);
    EXPECT_FALSE(cheetah->model()->jnt_limited[j]) << root;
    EXPECT_EQ(cheetah->model()->jnt_stiffness[j], 0.0) << root;
    EXPECT_EQ(cheetah->model()->dof_armature[cheetah->model()->jnt_dofadr[j]], 0.0) << root;
  }

  auto walker = make_task("walker_walk");
  for (const char* side : {"right", "left"}) {
    expect_joint_range_deg(*walker, (std::string(side) + "_hip").c_str(), -20, 100);
    expect_joint_range_deg(*walker, (std::string(side) + "_knee").c_str(), -150, 0);
    expect_joint_range_deg(*walker, (std::string(side) + "_ankle").c_str(), -45, 45);
  }

  auto reacher = make_task("reacher_easy");
  expect_joint_range_deg(*reacher, "wrist", -160, 160);
  EXPECT_FALSE(reacher->model()->jnt_limited[mj_name2id(reacher->model(), mjOBJ_JOINT, "shoulder")]);

  auto finger = make_task("finger_spin");
  expect_joint_range_deg(*finger, "proximal", -110, 110);
  expect_joint_range_deg(*finger, "distal", -110, 110);
  EXPECT_NEAR(finger->model()->qpos0[0], -kPi / 2, 1e-12);  // proximal ref = -90 degrees

  auto cartpole = make_task("cartpole_swingup");
  const int slider = mj_name2id(cartpole->model(), mjOBJ_JOINT, "slider");
  EXPECT_DOUBLE_EQ(cartpole->model()->jnt_range[2 * slider], -1.8);
  EXPECT_DOUBLE_EQ(cartpole->model()->jnt_range[2 * slider + 1], 1.8);
}

TEST(Tasks, JointDampingStiffnessAndArmatureMatchSpec) {
  auto cheetah = make_task("cheetah_run");
  const mjModel* m = cheetah->model();
  const char* legs[] = {"bthigh", "bshin", "bfoot", "fthigh", "fshin", "ffoot"};
  const double stiffness[] = {240, 180, 120, 180, 120, 60};
  const double damping[] = {6, 4.5, 3, 4.5, 3, 1.5};
  for (int i = 0; i < 6; ++i) {
    const int j = mj_name2id(m, mjOBJ_JOINT, legs[i]);
    EXPECT_DOUBLE_EQ(m->jnt_stiffness[j], stiffness[i]) << legs[i];
    EXPECT_DOUBLE_EQ(m->dof_damping[m->jnt_dofadr[j]], damping[i]) << legs[i];
    EXPECT_DOUBLE_EQ(m->dof_armature[m->jnt_dofadr[j]], 0.1) << legs[i];
    EXPECT_DOUBLE_EQ(m->qpos_spring[m->jnt_qposadr[j]], 0.0) << legs[i];
  }
  auto bic = make_task("ball_in_cup_catch");
  for (const char* j : {"cup_x", "cup_z"}) {
    const int id = mj_name2id(bic->model(), mjOBJ_JOINT, j);
    EXPECT_DOUBLE_EQ(bic->model()->dof_damping[id], 3.0);
    EXPECT_DOUBLE_EQ(bic->model()->jnt_stiffness[id], 20.0);
  }
  auto finger = make_task("finger_spin");
  const int hinge = mj_name2id(finger->model(), mjOBJ_JOINT, "hinge");
  EXPECT_DOUBLE_EQ(finger->model()->dof_damping[hinge], 0.5);  // the model's value, before the task's edit
  EXPECT_DOUBLE_EQ(finger->model()->dof_frictionloss[hinge], 0.1);
}

TEST(Tasks, ContactPropertiesMatchSpec) {
  // Cheetah legs rub at 0.4 against a default-friction (1.0) ground.
  auto cheetah = make_task("cheetah_run");
  const mjModel* m = cheetah->model();
  EXPECT_DOUBLE_EQ(m->geom_friction[3 * mj_name2id(m, mjOBJ_GEOM, "ground")], 1.0);
  EXPECT_DOUBLE_EQ(m->geom_friction[3 * mj_name2id(m, mjOBJ_GEOM, "bfoot")], 0.4);
  EXPECT_DOUBLE_EQ(m->geom_size[3 * mj_name2id(m, mjOBJ_GEOM, "torso")], 0.046);
  // Walker: geoms collide with the floor only.
  auto walker = make_task("walker_walk");
  const mjModel* w = walker->model();
  for (int g = 0; g < w->ngeom; ++g) {
    const bool floor = g == mj_name2id(w, mjOBJ_GEOM, "floor");
    EXPECT_EQ(w->geom_conaffinity[g], floor ? 1 : 0) << g;
    EXPECT_EQ(w->geom_contype[g], 1) << g;
    EXPECT_DOUBLE_EQ(w->geom_friction[3 * g], 0.7) << g;
  }
  // Finger: soft contacts everywhere; the distal link's long capsule does not collide.
  auto finger = make_task("finger_spin");
  const mjModel* f = finger->model();
  for (int g = 0; g < f->ngeom; ++g) {
    EXPECT_DOUBLE_EQ(f->geom_solimp[5 * g], 0.0);
    EXPECT_DOUBLE_EQ(f->geom_solimp[5 * g + 1], 0.9);
    EXPECT_DOUBLE_EQ(f->geom_solimp[5 * g + 2], 0.01);
  }
  EXPECT_EQ(f->geom_contype[mj_name2id(f, mjOBJ_GEOM, "distal")], 0);
  // Ball in cup: a 0.3 m string.
  auto bic = make_task("ball_in_cup_catch");
  ASSERT_EQ(bic->model()->ntendon, 1);
  EXPECT_TRUE(bic->model()->tendon_limited[0]);
  EXPECT_DOUBLE_EQ(bic->model()->tendon_range[1], 0.3);
}

// Camera 0 at qpos0: position and the world directions of image right (+x), image up (+y) and the view (-z).
TEST(Tasks, CameraZeroPoseAtQpos0) {
  struct Pose {
    const char* task;
    const char* camera;
    double pos[3], right[3], up[3], look[3];
  };
  const double s5 = 1.0 / std::sqrt(5.0);
  const double c60 = 0.5, s60 = std::sqrt(3.0) / 2;
  const Pose poses[] = {
      {"cartpole_swingup", "fixed", {0, -4, 1}, {1, 0, 0}, {0, 0, 1}, {0, 1, 0}},
      {"reacher_easy", "fixed", {0, 0, 0.75}, {1, 0, 0}, {0, 1, 0}, {0, 0, -1}},
      {"cheetah_run", "side", {0, -3, 0.7}, {1, 0, 0}, {0, 0, 1}, {0, 1, 0}},
      {"walker_walk", "side", {0, -2, 2.0}, {1, 0, 0}, {0, c60, s60}, {0, s60, -c60}},
      {"finger_spin", "cam0", {0, -1, 0.8}, {1, 0, 0}, {0, s5, 2 * s5}, {0, 2 * s5, -s5}},
      {"ball_in_cup_catch", "cam0", {0, -1, 0.8}, {1, 0, 0}, {0, s5, 2 * s5}, {0, 2 * s5, -s5}},
  };
  for (const Pose& p : poses) {
    auto t = make_task(p.task);
    const mjModel* m = t->model();
    ASSERT_GE(m->ncam, 1);
    EXPECT_STREQ(mj_id2name(m, mjOBJ_CAMERA, 0), p.camera) << p.task;
    EXPECT_DOUBLE_EQ(m->cam_fovy[0], 45.0) << p.task;
    DataPtr d(mj_makeData(m));
    mj_forward(m, d.get());
    const double* pos = d->cam_xpos;
    const double* R = d->cam_xmat;  // row-major; columns are the camera axes in world coordinates
    for (int k = 0; k < 3; ++k) {
      EXPECT_NEAR(pos[k], p.pos[k], 1e-9) << p.task << " pos " << k;
      EXPECT_NEAR(R[3 * k + 0], p.right[k], 2e-4) << p.task << " right " << k;  // quat 0.707 is not exact
      EXPECT_NEAR(R[3 * k + 1], p.up[k], 2e-4) << p.task << " up " << k;
      EXPECT_NEAR(-R[3 * k + 2], p.look[k], 2e-4) << p.task << " look " << k;
    }
  }
  EXPECT_EQ(make_task("cheetah_run")->model()->cam_mode[0], mjCAMLIGHT_TRACKCOM);
  EXPECT_EQ(make_task("walker_walk")->model()->cam_mode[0], mjCAMLIGHT_TRACKCOM);
  EXPECT_EQ(make_task("cartpole_swingup")->model()->cam_mode[0], mjCAMLIGHT_FIXED);
}

// -----------------------------------------------------------------------------------------------------------
// Rewards and observations at hand-built states

TEST(Tasks, CartpoleRewardAtHandBuiltStates) {
  auto t = reset_task("cartpole_swingup", 0);
  // Upright, centred, at rest, zero control: every factor is 1.
  set_state(*t, {0, 0}, {0, 0}, {0});
  EXPECT_NEAR(t->reward(), 1.0, 1e-12);
  // Control is read raw: 1.5 is beyond the quadratic's support, small_control = (4 + 0) / 5.
  set_state(*t, {0, 0}, {0, 0}, {1.5});
  EXPECT_NEAR(t->reward(), 0.8, 1e-12);
  // Hanging straight down: upright = (cos(pi) + 1) / 2 = 0.
  set_state(*t, {0, kPi}, {0, 0}, {0});
  EXPECT_NEAR(t->reward(), 0.0, 1e-12);
  // Horizontal pole (upright 0.5), cart 2 m out (centered (1 + 0.1) / 2), ctrl 0.5 (small_control
  // (4 + 0.75) / 5), pole turning at 5 rad/s (small_velocity (1 + 0.1) / 2): 0.5 * 0.95 * 0.55 * 0.55.
  set_state(*t, {2.0, kPi / 2}, {0, 5.0}, {0.5});
  EXPECT_NEAR(t->reward(), 0.1436875, 1e-12);
  // Observation: cart x, cos, sin of the pole angle (+pi/2 about +y tips the pole towards +x), velocities.
  const std::vector<double> obs = t->state_observation();
  const std::vector<double> expected{2.0, 0.0, 1.0, 0.0, 5.0};
  ASSERT_EQ(obs.size(), expected.size());
  for (size_t i = 0; i < obs.size(); ++i) EXPECT_NEAR(obs[i], expected[i], 1e-12) << i;
}

TEST(Tasks, ReacherRewardIsOneWhenTheSpheresOverlap) {
  auto t = reset_task("reacher_easy", 0);
  mjModel* m = t->model();
  const int target = mj_name2id(m, mjOBJ_GEOM, "target");
  EXPECT_DOUBLE_EQ(m->geom_size[3 * target], 0.05);
  // At qpos = 0 the arm lies along +x: fingertip centre at 0.12 + 0.12 = 0.24.
  const auto place_target = [&](double x, double y) {
    m->geom_pos[3 * target] = x;
    m->geom_pos[3 * target + 1] = y;
    set_state(*t, {0, 0}, {0, 0});
  };
  place_target(0.24, 0.0);
  EXPECT_EQ(t->reward(), 1.0);
  place_target(0.24 + 0.059, 0.0);  // within 0.05 + 0.01
  EXPECT_EQ(t->reward(), 1.0);
  place_target(0.24, 0.061);
  EXPECT_EQ(t->reward(), 0.0);
  place_target(0.0, 0.2);
  EXPECT_EQ(t->reward(), 0.0);
  const std::vector<double> obs = t->state_observation();
  const std::vector<double> expected{0, 0, 0.0 - 0.24, 0.2, 0, 0};
  for (size_t i = 0; i < obs.size(); ++i) EXPECT_NEAR(obs[i], expected[i], 1e-12) << i;
  // Bent wrist: finger at (0.12, 0.12) with the wrist at +90 degrees.
  place_target(0.12, 0.12);
  set_state(*t, {0, kPi / 2}, {0, 0});
  EXPECT_EQ(t->reward(), 1.0);
}

TEST(Tasks, CheetahRewardIsTheForwardSubtreeVelocityOverTen) {
  auto t = reset_task("cheetah_run", 0);
  std::vector<double> qpos(9, 0.0), qvel(9, 0.0);
  qvel[0] = 5.0;  // rootx: the whole cheetah translates at 5 m/s
  set_state(*t, qpos, qvel);
  EXPECT_NEAR(t->reward(), 0.5, 1e-12);
  qvel[0] = 12.0;
  set_state(*t, qpos, qvel);
  EXPECT_EQ(t->reward(), 1.0);
  qvel[0] = -1.0;
  set_state(*t, qpos, qvel);
  EXPECT_EQ(t->reward(), 0.0);
  // Observation drops rootx (qpos[0]) only.
  qpos = {7.0, 0.1, 0.2, 0.3, 0.4, 0.5, -0.6, 0.7, 0.1};
  for (int i = 0; i < 9; ++i) qvel[i] = 10.0 + i;
  set_state(*t, qpos, qvel);
  const std::vector<double> obs = t->state_observation();
  ASSERT_EQ(obs.size(), 17u);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(obs[i], qpos[i + 1]);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(obs[8 + i], qvel[i]);
}

TEST(Tasks, WalkerRewardAtHandBuiltStates) {
  auto t = reset_task("walker_walk", 0);
  std::vector<double> qpos(9, 0.0), qvel(9, 0.0);
  // Standing still, upright, torso at 1.3 m: stand = 1, move = 0 (two half-margins short of 1 m/s): 1/6.
  set_state(*t, qpos, qvel);
  EXPECT_NEAR(t->reward(), 1.0 / 6.0, 1e-12);
  // Walking at 1 m/s (rootx is qvel[1]): 1.
  qvel[1] = 1.0;
  set_state(*t, qpos, qvel);
  EXPECT_NEAR(t->reward(), 1.0, 1e-12);
  // 0.75 m/s: half a margin short, linear with value 0.5 at the margin: move = 0.75, reward (5 * 0.75 + 1)
  // / 6.
  qvel[1] = 0.75;
  set_state(*t, qpos, qvel);
  EXPECT_NEAR(t->reward(), 4.75 / 6.0, 1e-12);
  // Torso at 0.9 m (half a margin below 1.2): standing = 0.1^0.25; upright; still.
  qvel[1] = 0.0;
  qpos[0] = -0.4;
  set_state(*t, qpos, qvel);
  EXPECT_NEAR(t->reward(), (3 * 0.5623413251903491 + 1.0) / 4.0 / 6.0, 1e-12);
  // Torso horizontal at 1.3 m: upright = (cos(pi/2) + 1) / 2 = 0.5.
  qpos[0] = 0.0;
  qpos[2] = kPi / 2;
  set_state(*t, qpos, qvel);
  EXPECT_NEAR(t->reward(), (3.0 + 0.5) / 4.0 / 6.0, 1e-12);
  // Observation: (xx, xz) of 7 bodies, torso height, qvel. Everything rotated by rooty = pi/2 about +y gives
  // xx = cos = 0 and xz = sin = 1 for every body (the leg joints are at 0).
  for (int i = 0; i < 9; ++i) qvel[i] = 0.5 * i;
  set_state(*t, qpos, qvel);
  const std::vector<double> obs = t->state_observation();
  ASSERT_EQ(obs.size(), 24u);
  for (int b = 0; b < 7; ++b) {
    EXPECT_NEAR(obs[2 * b], 0.0, 1e-12) << b;
    EXPECT_NEAR(obs[2 * b + 1], 1.0, 1e-12) << b;
  }
  EXPECT_NEAR(obs[14], 1.3, 1e-12);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(obs[15 + i], 0.5 * i);
}

TEST(Tasks, FingerRewardIsSpinningAtFifteenRadPerSecond) {
  auto t = reset_task("finger_spin", 0);
  std::vector<double> qpos{-kPi / 2, 0.0, 0.0}, qvel{0.0, 0.0, -16.0};
  set_state(*t, qpos, qvel);
  EXPECT_EQ(t->reward(), 1.0);
  qvel[2] = -15.0;  // inclusive
  set_state(*t, qpos, qvel);
  EXPECT_EQ(t->reward(), 1.0);
  qvel[2] = -14.9;
  set_state(*t, qpos, qvel);
  EXPECT_EQ(t->reward(), 0.0);
  qvel[2] = 16.0;  // the wrong way round
  set_state(*t, qpos, qvel);
  EXPECT_EQ(t->reward(), 0.0);
  // Observation: hinge at +pi/2 about (0, -1, 0) swings the tip from straight up (0, 0, 0.13) to (-0.13, 0,
  // 0).
  qpos = {0.3, -0.2, kPi / 2};
  qvel = {1.0, 2.0, 3.0};
  set_state(*t, qpos, qvel);
  const std::vector<double> obs = t->state_observation();
  const std::vector<double> expected{0.3, -0.2, -0.13, 0.0, 1.0, 2.0, 3.0, 0.0, 0.0};
  ASSERT_EQ(obs.size(), expected.size());
  for (size_t i = 0; i < obs.size(); ++i) EXPECT_NEAR(obs[i], expected[i], 1e-12) << i;
}

TEST(Tasks, BallInCupRewardIsOneWithTheBallInsideTheCup) {
  auto t = reset_task("ball_in_cup_catch", 0);
  // The target box is centred 0.05 below the cup origin: world z 0.55 at rest. The ball body sits at z 0.2
  // at ball_z = 0, so ball_z = 0.35 puts it at the centre. In target: |offset| < 0.05 - 0.025 on x and z.
  set_state(*t, {0, 0, 0, 0.35}, {0, 0, 0, 0});
  EXPECT_EQ(t->reward(), 1.0);
  set_state(*t, {0, 0, 0.024, 0.35 - 0.024}, {0, 0, 0, 0});
  EXPECT_EQ(t->reward(), 1.0);
  set_state(*t, {0, 0, 0.026, 0.35}, {0, 0, 0, 0});
  EXPECT_EQ(t->reward(), 0.0);
  set_state(*t, {0, 0, 0, 0.35 + 0.026}, {0, 0, 0, 0});
  EXPECT_EQ(t->reward(), 0.0);
  set_state(*t, {0, 0, 0, 0}, {0, 0, 0, 0});  // hanging below the cup
  EXPECT_EQ(t->reward(), 0.0);
  // The target moves with the cup.
  set_state(*t, {0.1, -0.05, 0.1, 0.30}, {0, 0, 0, 0});
  EXPECT_EQ(t->reward(), 1.0);
  const std::vector<double> obs = t->state_observation();
  const std::vector<double> expected{0.1, -0.05, 0.1, 0.30, 0, 0, 0, 0};
  EXPECT_EQ(obs, expected);
}

// -----------------------------------------------------------------------------------------------------------
// Initial states

// With seed 0 the suite's draws are numpy's RandomState(0) stream, so the first initial state is known
// exactly.
TEST(Tasks, InitialStatesFollowTheNumpyStreamSeed0) {
  {
    auto t = reset_task("cartpole_swingup", 0);
    EXPECT_NEAR(qpos_of(*t, "slider"), 0.01 * kN0[0], 1e-15);
    EXPECT_NEAR(qpos_of(*t, "hinge_1"), kPi + 0.01 * kN0[1], 1e-15);
    EXPECT_NEAR(t->data()->qvel[0], 0.01 * kN0[2], 1e-15);
    EXPECT_NEAR(t->data()->qvel[1], 0.01 * kN0[3], 1e-15);
  }
  {
    auto t = reset_task("reacher_easy", 0);
    const double wrist = 160 * kDeg;
    EXPECT_NEAR(qpos_of(*t, "shoulder"), -kPi + 2 * kPi * kU0[0], 1e-12);
    EXPECT_NEAR(qpos_of(*t, "wrist"), -wrist + 2 * wrist * kU0[1], 1e-12);
    const double angle = 2 * kPi * kU0[2], radius = 0.05 + 0.15 * kU0[3];
    const int target = mj_name2id(t->model(), mjOBJ_GEOM, "target");
    EXPECT_NEAR(t->data()->geom_xpos[3 * target], radius * std::sin(angle), 1e-12);
    EXPECT_NEAR(t->data()->geom_xpos[3 * target + 1], radius * std::cos(angle), 1e-12);
    EXPECT_NEAR(t->data()->geom_xpos[3 * target + 2], 0.01, 1e-12);
  }
  {
    auto t = reset_task("walker_walk", 0);
    EXPECT_NEAR(qpos_of(*t, "rooty"), -kPi + 2 * kPi * kU0[0], 1e-12);
    EXPECT_NEAR(qpos_of(*t, "right_hip"), (-20 + 120 * kU0[1]) * kDeg, 1e-12);
    EXPECT_NEAR(qpos_of(*t, "right_knee"), (-150 + 150 * kU0[2]) * kDeg, 1e-12);
    EXPECT_NEAR(qpos_of(*t, "right_ankle"), (-45 + 90 * kU0[3]) * kDeg, 1e-12);
    EXPECT_NEAR(qpos_of(*t, "left_hip"), (-20 + 120 * kU0[4]) * kDeg, 1e-12);
    EXPECT_NEAR(qpos_of(*t, "left_knee"), (-150 + 150 * kU0[5]) * kDeg, 1e-12);
    EXPECT_NEAR(qpos_of(*t, "left_ankle"), (-45 + 90 * kU0[6]) * kDeg, 1e-12);
    EXPECT_EQ(qpos_of(*t, "rootz"), 0.0);
    EXPECT_EQ(qpos_of(*t, "rootx"), 0.0);
  }
  {
    // The first draw (ball at x 0.0195, z 0.6146: just above the rim) is contact-free, so it is kept.
    auto t = reset_task("ball_in_cup_catch", 0);
    EXPECT_NEAR(qpos_of(*t, "ball_x"), -0.2 + 0.4 * kU0[0], 1e-15);
    EXPECT_NEAR(qpos_of(*t, "ball_z"), 0.2 + 0.3 * kU0[1], 1e-15);
    EXPECT_EQ(qpos_of(*t, "cup_x"), 0.0);
    EXPECT_EQ(qpos_of(*t, "cup_z"), 0.0);
  }
  {
    // First try: proximal 0.187, distal 0.827, hinge 0.646 rad; the finger points up and away, no contact.
    auto t = reset_task("finger_spin", 0);
    const double lim = 110 * kDeg;
    EXPECT_NEAR(qpos_of(*t, "proximal"), -lim + 2 * lim * kU0[0], 1e-12);
    EXPECT_NEAR(qpos_of(*t, "distal"), -lim + 2 * lim * kU0[1], 1e-12);
    EXPECT_NEAR(qpos_of(*t, "hinge"), -kPi + 2 * kPi * kU0[2], 1e-12);
  }
}

TEST(Tasks, InitialStatesLieInTheirDistributions) {
  // One task object per name, reset with 40 seeds (loading a model costs more than an episode reset).
  auto cartpole = make_task("cartpole_swingup"), reacher = make_task("reacher_easy"),
       walker = make_task("walker_walk"), finger = make_task("finger_spin"),
       bic = make_task("ball_in_cup_catch");
  const auto reset = [](std::unique_ptr<Task>& task, uint32_t seed) -> Task* {
    NumpyRandomState rng(seed);
    task->reset(rng);
    return task.get();
  };
  for (uint32_t seed = 0; seed < 40; ++seed) {
    {
      Task* t = reset(cartpole, seed);
      const mjData* d = t->data();
      EXPECT_LT(std::abs(d->qpos[0]), 0.06);  // 0.01 N(0, 1): beyond 6 sigma is a bug
      EXPECT_LT(std::abs(d->qpos[1] - kPi), 0.06);
      EXPECT_LT(std::abs(d->qvel[0]), 0.06);
      EXPECT_LT(std::abs(d->qvel[1]), 0.06);
      EXPECT_LT(t->reward(), 0.01);  // hanging down
    }
    {
      Task* t = reset(reacher, seed);
      const mjData* d = t->data();
      EXPECT_LE(std::abs(d->qpos[0]), kPi);
      EXPECT_LE(std::abs(d->qpos[1]), 160 * kDeg);
      const int target = mj_name2id(t->model(), mjOBJ_GEOM, "target");
      const double r = std::hypot(d->geom_xpos[3 * target], d->geom_xpos[3 * target + 1]);
      EXPECT_GE(r, 0.05 - 1e-12);
      EXPECT_LE(r, 0.20 + 1e-12);
      EXPECT_EQ(d->qvel[0], 0.0);
      EXPECT_EQ(d->qvel[1], 0.0);
    }
    {
      Task* t = reset(walker, seed);
      const mjModel* m = t->model();
      const mjData* d = t->data();
      EXPECT_EQ(d->qpos[0], 0.0);
      EXPECT_EQ(d->qpos[1], 0.0);
      EXPECT_LE(std::abs(d->qpos[2]), kPi);
      for (int j = 3; j < m->njnt; ++j) {
        EXPECT_GE(d->qpos[j], m->jnt_range[2 * j]);
        EXPECT_LE(d->qpos[j], m->jnt_range[2 * j + 1]);
      }
      for (int i = 0; i < m->nv; ++i) EXPECT_EQ(d->qvel[i], 0.0);
    }
    {
      Task* t = reset(finger, seed);
      const mjModel* m = t->model();
      const mjData* d = t->data();
      EXPECT_EQ(d->ncon, 0);
      EXPECT_LE(std::abs(d->qpos[0]), 110 * kDeg);
      EXPECT_LE(std::abs(d->qpos[1]), 110 * kDeg);
      EXPECT_LE(std::abs(d->qpos[2]), kPi);
      for (int i = 0; i < m->nv; ++i) EXPECT_EQ(d->qvel[i], 0.0);
    }
    {
      Task* t = reset(bic, seed);
      const mjData* d = t->data();
      EXPECT_EQ(d->ncon, 0);
      EXPECT_LE(std::abs(d->qpos[2]), 0.2);
      EXPECT_GE(d->qpos[3], 0.2);
      EXPECT_LE(d->qpos[3], 0.5);
      for (int i = 0; i < 4; ++i) EXPECT_EQ(d->qvel[i], 0.0);
    }
  }
}

TEST(Tasks, CheetahSettlesOnTheGroundBeforeTheEpisodeStarts) {
  for (uint32_t seed : {0u, 1u, 2u}) {
    auto t = reset_task("cheetah_run", seed);
    const mjModel* m = t->model();
    const mjData* d = t->data();
    EXPECT_EQ(d->time, 0.0);
    EXPECT_GT(d->ncon, 0) << "resting on the ground";
    // Two seconds of damped settling: nearly at rest, torso well below its 0.7 m start, legs within limits.
    for (int i = 0; i < m->nv; ++i) EXPECT_LT(std::abs(d->qvel[i]), 0.5) << "dof " << i;
    const double torso_z = d->xpos[3 * mj_name2id(m, mjOBJ_BODY, "torso") + 2];
    EXPECT_GT(torso_z, 0.1);
    EXPECT_LT(torso_z, 0.7);
    for (int j = 3; j < m->njnt; ++j) {
      EXPECT_GE(d->qpos[j], m->jnt_range[2 * j] - 0.05) << j;
      EXPECT_LE(d->qpos[j], m->jnt_range[2 * j + 1] + 0.05) << j;
    }
  }
}

// The suite's Euler step is mj_step2 then mj_step1, so the first settle step finishes the step that the
// reset's forward pass began at qpos0 (unloaded springs), integrating from the random pose. Rebuild that by
// hand from numpy's seed-0 draws and compare bit for bit.
TEST(Tasks, CheetahSettlingReproducesTheSuiteStepping) {
  auto task = reset_task("cheetah_run", 0);
  ModelPtr m = load_model(assets_dir() + "/cheetah.xml");
  DataPtr d(mj_makeData(m.get()));
  const auto forward_unactuated = [&] {
    m->opt.disableflags |= mjDSBL_ACTUATION;
    mj_forward(m.get(), d.get());
    m->opt.disableflags &= ~mjDSBL_ACTUATION;
  };
  mj_resetData(m.get(), d.get());
  forward_unactuated();
  const double lo[] = {-30, -50, -230, -57, -70, -28}, hi[] = {60, 50, 50, 0.4, 50, 28};
  NumpyRandomState rng(0);
  for (int i = 0; i < 6; ++i) {
    const double u = rng.random_sample();
    EXPECT_EQ(u, kU0[i]);  // the same stream the task drew from
    d->qpos[3 + i] = lo[i] * kDeg + (hi[i] - lo[i]) * kDeg * u;
  }
  mj_step2(m.get(), d.get());
  for (int i = 1; i < 200; ++i) mj_step(m.get(), d.get());
  mj_step1(m.get(), d.get());
  d->time = 0;
  forward_unactuated();
  for (int i = 0; i < 9; ++i) {
    EXPECT_NEAR(task->data()->qpos[i], d->qpos[i], 1e-12) << i;
    EXPECT_NEAR(task->data()->qvel[i], d->qvel[i], 1e-10) << i;
  }
}

TEST(Tasks, FingerInitialisationEditsTheModel) {
  auto t = make_task("finger_spin");
  const mjModel* m = t->model();
  const int target = mj_name2id(m, mjOBJ_SITE, "target"), tip = mj_name2id(m, mjOBJ_SITE, "tip");
  EXPECT_GT(m->site_rgba[4 * target + 3], 0.0f);
  NumpyRandomState rng(3);
  t->reset(rng);
  EXPECT_EQ(m->site_rgba[4 * target + 3], 0.0f);
  EXPECT_EQ(m->site_rgba[4 * tip + 3], 0.0f);
  EXPECT_DOUBLE_EQ(m->dof_damping[mj_name2id(m, mjOBJ_JOINT, "hinge")], 0.03);
  EXPECT_EQ(m->site_group[mj_name2id(m, mjOBJ_SITE, "touchtop")], 3);
}

TEST(Tasks, SameSeedSameInitialStateDifferentSeedsDiffer) {
  for (const auto& name : task_names()) {
    auto a = reset_task(name, 7), b = reset_task(name, 7), c = reset_task(name, 8);
    const std::vector<double> oa = a->state_observation(), ob = b->state_observation(),
                              oc = c->state_observation();
    EXPECT_EQ(oa, ob) << name;
    EXPECT_NE(oa, oc) << name;
    // Reusing one task object: a reset with the same seed reproduces the state despite the previous episode.
    NumpyRandomState rng(7);
    std::vector<double> zero(a->action_dim(), 0.3);
    for (int i = 0; i < 5; ++i) a->step(zero);
    a->reset(rng);
    EXPECT_EQ(a->state_observation(), ob) << name;
  }
}

// -----------------------------------------------------------------------------------------------------------
// Stepping and episodes

TEST(Tasks, EpisodesLastExactlyOneThousandControlSteps) {
  for (const auto& name : task_names()) {
    auto t = reset_task(name, 1);
    const int disable_before = t->model()->opt.disableflags;
    NumpyRandomState actions(11);
    std::vector<double> a(t->action_dim());
    double total = 0;
    for (int k = 0; k < Task::kStepLimit; ++k) {
      ASSERT_FALSE(t->last()) << name << " at step " << k;
      for (double& x : a) x = actions.uniform(-1.0, 1.0);
      const double r = t->step(a);
      ASSERT_GE(r, 0.0) << name;
      ASSERT_LE(r, 1.0) << name;
      total += r;
    }
    EXPECT_TRUE(t->last()) << name;
    EXPECT_EQ(t->steps_in_episode(), 1000) << name;
    EXPECT_NEAR(t->data()->time, 1000 * t->control_timestep(), 1e-9) << name;
    EXPECT_LE(total, 1000.0);
    for (int w = 0; w < mjNWARNING; ++w)
      EXPECT_EQ(t->data()->warning[w].number, 0) << name << " warning " << w;
    EXPECT_EQ(t->model()->opt.disableflags, disable_before) << name;
    EXPECT_THROW(t->step(a), std::logic_error) << name;

    NumpyRandomState rng(2);
    t->reset(rng);
    EXPECT_FALSE(t->last());
    EXPECT_EQ(t->steps_in_episode(), 0);
    EXPECT_EQ(t->data()->time, 0.0);
    EXPECT_NO_THROW(t->step(a));
  }
}

// Spec 0.2: after a control step, kinematics and position/velocity sensors describe the new state.
TEST(Tasks, StepLeavesKinematicsAndSensorsFresh) {
  auto cartpole = reset_task("cartpole_swingup", 0);
  const std::vector<double> push{0.7};
  for (int k = 0; k < 3; ++k) cartpole->step(push);
  const mjData* d = cartpole->data();
  const int cart = mj_name2id(cartpole->model(), mjOBJ_BODY, "cart");
  const int pole = mj_name2id(cartpole->model(), mjOBJ_BODY, "pole_1");
  EXPECT_DOUBLE_EQ(d->xpos[3 * cart], d->qpos[0]);
  EXPECT_NEAR(d->xmat[9 * pole + 8], std::cos(d->qpos[1]), 1e-12);
  EXPECT_NE(d->qpos[0], 0.01 * kN0[0]);  // it did move

  auto walker = reset_task("walker_walk", 0);
  std::vector<double> a(6, 0.2);
  walker->step(a);
  const mjData* w = walker->data();
  EXPECT_DOUBLE_EQ(w->xpos[3 * 1 + 2], 1.3 + w->qpos[0]);
  // Subtree velocity sensor vs. the centre-of-mass velocity from a fresh forward pass on a copy.
  DataPtr copy(mj_makeData(walker->model()));
  mj_copyData(copy.get(), walker->model(), w);
  mj_forward(walker->model(), copy.get());
  EXPECT_DOUBLE_EQ(w->sensordata[0], copy->sensordata[0]);

  auto finger = reset_task("finger_spin", 0);
  std::vector<double> f{0.5, -0.5};
  finger->step(f);
  EXPECT_DOUBLE_EQ(finger->data()->sensordata[4], finger->data()->qvel[2]);  // hinge_velocity
}

TEST(Tasks, ControlIsWrittenUnclipped) {
  auto t = reset_task("cartpole_swingup", 0);
  const std::vector<double> big{3.0};
  t->step(big);
  EXPECT_EQ(t->data()->ctrl[0], 3.0);
  // MuJoCo clamps to 1 for the force: actuator force 1, joint force gear x 1 = 10.
  EXPECT_DOUBLE_EQ(t->data()->actuator_force[0], 1.0);
  EXPECT_DOUBLE_EQ(t->data()->qfrc_actuator[0], 10.0);
}

TEST(Tasks, BadActionsThrowInvalidArgumentNamingTheProblem) {
  auto t = reset_task("walker_walk", 0);
  const auto message = [&](std::vector<double> a) -> std::string {
    try {
      t->step(a);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "<no exception>";
  };
  EXPECT_NE(message(std::vector<double>(5, 0.0)).find("5 components, expected 6"), std::string::npos);
  EXPECT_NE(message(std::vector<double>(7, 0.0)).find("7 components"), std::string::npos);
  EXPECT_NE(message({}).find("0 components"), std::string::npos);
  std::vector<double> a(6, 0.0);
  a[2] = std::nan("");
  EXPECT_NE(message(a).find("component 2 is not finite"), std::string::npos) << message(a);
  a[2] = 0.0;
  a[5] = -std::numeric_limits<double>::infinity();
  EXPECT_NE(message(a).find("component 5 is not finite"), std::string::npos);
  a[5] = std::numeric_limits<double>::infinity();
  EXPECT_NE(message(a).find("not finite"), std::string::npos);
  EXPECT_EQ(t->steps_in_episode(), 0);  // rejected actions do not step
  EXPECT_EQ(t->data()->time, 0.0);
}

TEST(Tasks, StepBeforeResetIsALogicError) {
  auto t = make_task("reacher_easy");
  const std::vector<double> a{0.0, 0.0};
  EXPECT_THROW(t->step(a), std::logic_error);
}

// A restored episode (checkpoint resume into a fresh task) is steppable up to the step limit.
TEST(Tasks, RestoredStepCountResumesTheEpisode) {
  auto t = make_task("reacher_easy");
  const std::vector<double> a{0.0, 0.0};
  t->set_steps_in_episode(998);
  EXPECT_FALSE(t->last());
  t->step(a);
  t->step(a);
  EXPECT_TRUE(t->last());
  EXPECT_THROW(t->step(a), std::logic_error);
}

}  // namespace
}  // namespace curlrl::envs
