// Cartpole swingup (spec 1): start hanging down, swing the pole up and balance it with the cart centred.
#include <cmath>
#include <numbers>

#include "envs/task.h"
#include "envs/tolerance.h"

namespace curlrl::envs::tasks {
namespace {

class CartpoleSwingup final : public Task {
 public:
  CartpoleSwingup()
      : Task("cartpole_swingup", "cartpole.xml", /*n_sub_steps=*/1),
        slider_qpos_(qpos_adr("slider")),
        hinge_qpos_(qpos_adr("hinge_1")),
        hinge_qvel_(qvel_adr("hinge_1")),
        pole_(body_id("pole_1")) {}

  int state_dim() const override { return 5; }

  double reward() const override {
    const mjData* d = data();
    const double upright = (pole_cos() + 1.0) / 2.0;
    const double centered = (1.0 + tolerance(d->qpos[slider_qpos_], 0.0, 0.0, /*margin=*/2.0)) / 2.0;
    // Raw ctrl, not the clamped force: pushing beyond the range earns nothing and costs the full penalty.
    const double small_control = (4.0 + tolerance(d->ctrl[0], 0.0, 0.0, /*margin=*/1.0, Sigmoid::kQuadratic,
                                                  /*value_at_margin=*/0.0)) /
                                 5.0;
    const double small_velocity = (1.0 + tolerance(d->qvel[hinge_qvel_], 0.0, 0.0, /*margin=*/5.0)) / 2.0;
    return upright * small_control * small_velocity * centered;
  }

  std::vector<double> state_observation() const override {
    const mjData* d = data();
    return {d->qpos[slider_qpos_], pole_cos(), pole_sin(), d->qvel[0], d->qvel[1]};
  }
  std::vector<std::string> state_names() const override {
    return {"cart_position", "pole_cos", "pole_sin", "cart_velocity", "pole_angular_velocity"};
  }

 protected:
  void initialize_episode(NumpyRandomState& rng) override {
    // Draw order matters for seed-for-seed agreement with the suite: slider, hinge, then both velocities.
    mjData* d = data();
    d->qpos[slider_qpos_] = 0.01 * rng.standard_normal();
    d->qpos[hinge_qpos_] = std::numbers::pi + 0.01 * rng.standard_normal();
    for (int i = 0; i < model()->nv; ++i) d->qvel[i] = 0.01 * rng.standard_normal();
  }

 private:
  // The pole's world z-axis: its z component is cos(angle from vertical), its x component sin(angle).
  double pole_cos() const { return data()->xmat[9 * pole_ + 8]; }
  double pole_sin() const { return data()->xmat[9 * pole_ + 2]; }

  int slider_qpos_, hinge_qpos_, hinge_qvel_, pole_;
};

}  // namespace

namespace {
const RegisterTask kRegistered{
    "cartpole_swingup",
    "Cartpole swing-up: swing the pole up from hanging and balance it, cart centred (dm_control suite)",
    [] { return std::unique_ptr<Task>(std::make_unique<CartpoleSwingup>()); }};
}  // namespace

}  // namespace curlrl::envs::tasks
