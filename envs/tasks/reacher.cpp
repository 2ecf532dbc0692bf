// Reacher easy (spec 2): bring the fingertip onto a randomly placed target of radius 0.05. Sparse reward.
#include <cmath>
#include <numbers>

#include "envs/task.h"
#include "envs/tolerance.h"

namespace curlrl::envs::tasks {
namespace {

constexpr double kTargetRadius = 0.05;  // "easy"; the hard variant would use 0.015

class ReacherEasy final : public Task {
 public:
  ReacherEasy()
      : Task("reacher_easy", "reacher.xml", /*n_sub_steps=*/1),
        shoulder_(joint_id("shoulder")),
        wrist_(joint_id("wrist")),
        target_(geom_id("target")),
        finger_(geom_id("finger")) {}

  int state_dim() const override { return 6; }

  double reward() const override {
    // Success when the two spheres overlap: centre distance within the sum of the radii.
    const double radii = model()->geom_size[3 * target_] + model()->geom_size[3 * finger_];
    const double dx = data()->geom_xpos[3 * target_] - data()->geom_xpos[3 * finger_];
    const double dy = data()->geom_xpos[3 * target_ + 1] - data()->geom_xpos[3 * finger_ + 1];
    return tolerance(std::sqrt(dx * dx + dy * dy), 0.0, radii);
  }

  std::vector<double> state_observation() const override {
    const mjData* d = data();
    const double* target = d->geom_xpos + 3 * target_;
    const double* finger = d->geom_xpos + 3 * finger_;
    return {d->qpos[0], d->qpos[1], target[0] - finger[0], target[1] - finger[1], d->qvel[0], d->qvel[1]};
  }
  std::vector<std::string> state_names() const override {
    return {"shoulder_angle", "wrist_angle", "to_target_x", "to_target_y", "shoulder_velocity", "wrist_velocity"};
  }

 protected:
  void initialize_episode(NumpyRandomState& rng) override {
    mjModel* m = model();
    mjData* d = data();
    m->geom_size[3 * target_] = kTargetRadius;
    // Unlimited hinge: any angle; limited hinge: uniform over its compiled range (+-160 degrees in radians).
    d->qpos[m->jnt_qposadr[shoulder_]] = rng.uniform(-std::numbers::pi, std::numbers::pi);
    d->qpos[m->jnt_qposadr[wrist_]] = rng.uniform(m->jnt_range[2 * wrist_], m->jnt_range[2 * wrist_ + 1]);
    // Target: uniform angle, uniform radius in [0.05, 0.20]; angle measured from +y, as the suite does.
    const double angle = rng.uniform(0.0, 2.0 * std::numbers::pi);
    const double radius = rng.uniform(0.05, 0.20);
    m->geom_pos[3 * target_] = radius * std::sin(angle);
    m->geom_pos[3 * target_ + 1] = radius * std::cos(angle);
  }

 private:
  int shoulder_, wrist_, target_, finger_;
};

}  // namespace

namespace {
const RegisterTask kRegistered{
    "reacher_easy",
    "Reacher easy: bring the two-link arm's fingertip onto a target of radius 0.05",
    [] { return std::unique_ptr<Task>(std::make_unique<ReacherEasy>()); }};
}  // namespace

}  // namespace curlrl::envs::tasks
