// Finger spin (spec 5): flick the spinner so that it turns at 15 rad/s or faster (negative about its hinge
// axis).
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "envs/task.h"

namespace curlrl::envs::tasks {
namespace {

constexpr double kSpinVelocity = 15.0;
constexpr double kSpinnerDamping = 0.03;  // the task's value; the model file says 0.5
constexpr int kMaxInitAttempts = 1000;

class FingerSpin final : public Task {
 public:
  FingerSpin()
      : Task("finger_spin", "finger.xml", /*n_sub_steps=*/2),
        hinge_dof_(qvel_adr("hinge")),
        target_site_(site_id("target")),
        tip_site_(site_id("tip")),
        proximal_adr_(sensor_adr("proximal")),
        distal_adr_(sensor_adr("distal")),
        proximal_velocity_adr_(sensor_adr("proximal_velocity")),
        distal_velocity_adr_(sensor_adr("distal_velocity")),
        hinge_velocity_adr_(sensor_adr("hinge_velocity")),
        tip_adr_(sensor_adr("tip")),
        spinner_adr_(sensor_adr("spinner")),
        touchtop_adr_(sensor_adr("touchtop")),
        touchbottom_adr_(sensor_adr("touchbottom")) {}

  int state_dim() const override { return 9; }

  double reward() const override { return sensor(hinge_velocity_adr_) <= -kSpinVelocity ? 1.0 : 0.0; }

  // Finger joint angles, tip relative to the spinner's axis in the x-z plane, joint velocities, and touch
  // forces compressed with log1p (contact forces span orders of magnitude).
  std::vector<double> state_observation() const override {
    return {sensor(proximal_adr_),
            sensor(distal_adr_),
            sensor(tip_adr_) - sensor(spinner_adr_),
            sensor(tip_adr_ + 2) - sensor(spinner_adr_ + 2),
            sensor(proximal_velocity_adr_),
            sensor(distal_velocity_adr_),
            sensor(hinge_velocity_adr_),
            std::log1p(sensor(touchtop_adr_)),
            std::log1p(sensor(touchbottom_adr_))};
  }
  std::vector<std::string> state_names() const override {
    return {"proximal_angle", "distal_angle",     "tip_to_spinner_x", "tip_to_spinner_z", "proximal_velocity",
            "distal_velocity", "spinner_velocity", "log1p_touch_top",  "log1p_touch_bottom"};
  }

 protected:
  void initialize_episode(NumpyRandomState& rng) override {
    mjModel* m = model();
    mjData* d = data();
    // Spin has no target to show: hide the target and the spinner's tip marker. These model edits persist.
    m->site_rgba[4 * target_site_ + 3] = 0.0f;
    m->site_rgba[4 * tip_site_ + 3] = 0.0f;
    m->dof_damping[hinge_dof_] = kSpinnerDamping;

    // Rejection sampling: random joint angles until the finger does not touch the spinner or the ground.
    for (int attempt = 0; attempt < kMaxInitAttempts; ++attempt) {
      for (int j = 0; j < m->njnt; ++j) {
        double& q = d->qpos[m->jnt_qposadr[j]];
        q = m->jnt_limited[j] ? rng.uniform(m->jnt_range[2 * j], m->jnt_range[2 * j + 1])
                              : rng.uniform(-std::numbers::pi, std::numbers::pi);
      }
      forward_without_actuation();
      if (d->ncon == 0) return;
    }
    throw std::runtime_error("finger_spin: no collision-free initial state after " +
                             std::to_string(kMaxInitAttempts) + " attempts");
  }

 private:
  int sensor_adr(const char* name) const { return model()->sensor_adr[sensor_id(name)]; }
  double sensor(int adr) const { return data()->sensordata[adr]; }

  int hinge_dof_, target_site_, tip_site_;
  int proximal_adr_, distal_adr_, proximal_velocity_adr_, distal_velocity_adr_, hinge_velocity_adr_;
  int tip_adr_, spinner_adr_, touchtop_adr_, touchbottom_adr_;
};

}  // namespace

namespace {
const RegisterTask kRegistered{
    "finger_spin",
    "Finger spin: a two-link finger spins a hinged body faster than 15 rad/s",
    [] { return std::unique_ptr<Task>(std::make_unique<FingerSpin>()); }};
}  // namespace

}  // namespace curlrl::envs::tasks
