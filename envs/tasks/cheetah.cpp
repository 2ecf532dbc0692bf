// Cheetah run (spec 3): run forward as fast as possible; the reward saturates at 10 m/s.
#include <limits>

#include "envs/task.h"
#include "envs/tolerance.h"

namespace curlrl::envs::tasks {
namespace {

constexpr double kRunSpeed = 10.0;
constexpr int kSettleSteps = 200;

class CheetahRun final : public Task {
 public:
  CheetahRun()
      : Task("cheetah_run", "cheetah.xml", /*n_sub_steps=*/1),
        torso_velocity_adr_(model()->sensor_adr[sensor_id("torso_subtreelinvel")]),
        rootx_qpos_(qpos_adr("rootx")) {}

  int state_dim() const override { return 17; }

  // Linear ramp: clip(v / 10, 0, 1) on the torso subtree's centre-of-mass velocity along x.
  double reward() const override {
    return tolerance(speed(), kRunSpeed, std::numeric_limits<double>::infinity(), /*margin=*/kRunSpeed,
                     Sigmoid::kLinear, /*value_at_margin=*/0.0);
  }

  // Everything but rootx: the reward is invariant to where along the track the cheetah is.
  std::vector<double> state_observation() const override {
    const mjModel* m = model();
    const mjData* d = data();
    std::vector<double> obs;
    obs.reserve(17);
    for (int i = 0; i < m->nq; ++i) {
      if (i != rootx_qpos_) obs.push_back(d->qpos[i]);
    }
    obs.insert(obs.end(), d->qvel, d->qvel + m->nv);
    return obs;
  }
  std::vector<std::string> state_names() const override { return joint_state_names({"rootx"}); }

 protected:
  void initialize_episode(NumpyRandomState& rng) override {
    mjModel* m = model();
    mjData* d = data();
    // Every joint has one dof, so joint order is qpos order. Only the six leg joints are limited.
    for (int j = 0; j < m->njnt; ++j) {
      if (m->jnt_limited[j]) {
        d->qpos[m->jnt_qposadr[j]] = rng.uniform(m->jnt_range[2 * j], m->jnt_range[2 * j + 1]);
      }
    }
    // Let the random pose fall onto the ground and settle for 2 s of simulated time (ctrl is 0 after reset).
    //
    // The suite takes these steps with its "up-to-date kinematics" stepping, which begins by completing a
    // step that the previous mj_forward started: mj_step2 reuses the position/velocity stage computed at
    // qpos0 by the reset's first forward pass (springs unloaded, gravity on the qpos0 pose), but integrates
    // from the random pose. Doing the same keeps the settled pose seed-for-seed equal to the suite's.
    mj_step2(m, d);
    for (int i = 1; i < kSettleSteps; ++i) mj_step(m, d);
    mj_step1(m, d);
    d->time = 0.0;
  }

 private:
  double speed() const { return data()->sensordata[torso_velocity_adr_]; }

  int torso_velocity_adr_, rootx_qpos_;
};

}  // namespace

namespace {
const RegisterTask kRegistered{
    "cheetah_run",
    "Cheetah run: planar cheetah, reward = forward speed / 10, capped at 1",
    [] { return std::unique_ptr<Task>(std::make_unique<CheetahRun>()); }};
}  // namespace

}  // namespace curlrl::envs::tasks
