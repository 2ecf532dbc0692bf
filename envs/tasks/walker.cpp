// Walker walk (spec 4): stay upright with the torso above 1.2 m and move forward at 1 m/s or more.
#include <limits>
#include <numbers>

#include "envs/task.h"
#include "envs/tolerance.h"

namespace curlrl::envs::tasks {
namespace {

constexpr double kStandHeight = 1.2;
constexpr double kWalkSpeed = 1.0;
constexpr double kInf = std::numeric_limits<double>::infinity();

class WalkerWalk final : public Task {
 public:
  WalkerWalk()
      : Task("walker_walk", "walker.xml", /*n_sub_steps=*/10),
        torso_(body_id("torso")),
        torso_velocity_adr_(model()->sensor_adr[sensor_id("torso_subtreelinvel")]) {}

  int state_dim() const override { return 24; }

  double reward() const override {
    const mjData* d = data();
    const double height = d->xpos[3 * torso_ + 2];
    const double upright = d->xmat[9 * torso_ + 8];
    const double speed = d->sensordata[torso_velocity_adr_];

    const double standing = tolerance(height, kStandHeight, kInf, /*margin=*/kStandHeight / 2);
    const double stand_reward = (3.0 * standing + (1.0 + upright) / 2.0) / 4.0;
    const double move_reward = tolerance(speed, kWalkSpeed, kInf, /*margin=*/kWalkSpeed / 2, Sigmoid::kLinear,
                                         /*value_at_margin=*/0.5);
    return stand_reward * (5.0 * move_reward + 1.0) / 6.0;
  }

  // Per body (torso, then right and left thigh, leg, foot): xmat entries xx and xz, the cosine and sine of
  // the body's pitch, an orientation without an angle wrap. Then the torso height and all velocities.
  std::vector<double> state_observation() const override {
    const mjModel* m = model();
    const mjData* d = data();
    std::vector<double> obs;
    obs.reserve(24);
    for (int b = 1; b < m->nbody; ++b) {
      obs.push_back(d->xmat[9 * b + 0]);
      obs.push_back(d->xmat[9 * b + 2]);
    }
    obs.push_back(d->xpos[3 * torso_ + 2]);
    obs.insert(obs.end(), d->qvel, d->qvel + m->nv);
    return obs;
  }
  // Each body's orientation (the xx and xz entries of its rotation matrix), the torso's height, joint velocities.
  std::vector<std::string> state_names() const override {
    const mjModel* m = model();
    std::vector<std::string> names;
    for (int b = 1; b < m->nbody; ++b) {
      const std::string body = mj_id2name(m, mjOBJ_BODY, b);
      names.push_back(body + "_xx");
      names.push_back(body + "_xz");
    }
    names.push_back("torso_height");
    for (const auto& n : joint_state_names()) {
      if (n.ends_with("_velocity")) names.push_back(n);
    }
    return names;
  }

 protected:
  void initialize_episode(NumpyRandomState& rng) override {
    mjModel* m = model();
    mjData* d = data();
    // Joint order: rootz, rootx (unlimited slides: left at 0), rooty (unlimited hinge: any angle), then the
    // six limited leg hinges uniformly over their ranges. The torso stays at 1.3 m; the walker falls from
    // there.
    for (int j = 0; j < m->njnt; ++j) {
      double& q = d->qpos[m->jnt_qposadr[j]];
      if (m->jnt_limited[j]) {
        q = rng.uniform(m->jnt_range[2 * j], m->jnt_range[2 * j + 1]);
      } else if (m->jnt_type[j] == mjJNT_HINGE) {
        q = rng.uniform(-std::numbers::pi, std::numbers::pi);
      }
    }
  }

 private:
  int torso_, torso_velocity_adr_;
};

}  // namespace

namespace {
const RegisterTask kRegistered{
    "walker_walk",
    "Walker walk: planar biped, stand upright and move forward at 1 m/s or more",
    [] { return std::unique_ptr<Task>(std::make_unique<WalkerWalk>()); }};
}  // namespace

}  // namespace curlrl::envs::tasks
