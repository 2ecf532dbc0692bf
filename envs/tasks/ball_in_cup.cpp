// Ball-in-cup catch (spec 6): swing the ball, tied to the cup by a string, up into the cup.
#include <cmath>
#include <stdexcept>
#include <string>

#include "envs/task.h"

namespace curlrl::envs::tasks {
namespace {

constexpr int kMaxInitAttempts = 100000;

class BallInCupCatch final : public Task {
 public:
  BallInCupCatch()
      : Task("ball_in_cup_catch", "ball_in_cup.xml", /*n_sub_steps=*/10),
        ball_x_qpos_(qpos_adr("ball_x")),
        ball_z_qpos_(qpos_adr("ball_z")),
        ball_body_(body_id("ball")),
        ball_geom_(geom_id("ball")),
        target_site_(site_id("target")) {}

  int state_dim() const override { return 8; }

  // 1 when the whole ball is inside the target box in x and z: centre offset below the box half-size minus
  // the ball radius on both axes (strict, as in the suite).
  double reward() const override {
    const mjModel* m = model();
    const mjData* d = data();
    const double radius = m->geom_size[3 * ball_geom_];
    for (int axis : {0, 2}) {
      const double offset = d->site_xpos[3 * target_site_ + axis] - d->xpos[3 * ball_body_ + axis];
      if (!(std::abs(offset) < m->site_size[3 * target_site_ + axis] - radius)) return 0.0;
    }
    return 1.0;
  }

  std::vector<double> state_observation() const override {
    const mjData* d = data();
    std::vector<double> obs(d->qpos, d->qpos + model()->nq);
    obs.insert(obs.end(), d->qvel, d->qvel + model()->nv);
    return obs;
  }
  std::vector<std::string> state_names() const override { return joint_state_names(); }

 protected:
  void initialize_episode(NumpyRandomState& rng) override {
    mjData* d = data();
    // Redraw the ball position until it overlaps nothing (the cup's rim or the ground). The cup stays at its
    // rest position and everything starts at rest; the string may start slack. The suite loops without a
    // bound; a contact-free draw comes within a few tries, so the cap only turns a broken model into an
    // error.
    for (int attempt = 0; attempt < kMaxInitAttempts; ++attempt) {
      d->qpos[ball_x_qpos_] = rng.uniform(-0.2, 0.2);
      d->qpos[ball_z_qpos_] = rng.uniform(0.2, 0.5);
      forward_without_actuation();
      if (d->ncon == 0) return;
    }
    throw std::runtime_error("ball_in_cup_catch: no collision-free initial state after " +
                             std::to_string(kMaxInitAttempts) + " attempts");
  }

 private:
  int ball_x_qpos_, ball_z_qpos_, ball_body_, ball_geom_, target_site_;
};

}  // namespace

namespace {
const RegisterTask kRegistered{
    "ball_in_cup_catch",
    "Ball-in-cup catch: swing a ball on a string into the cup",
    [] { return std::unique_ptr<Task>(std::make_unique<BallInCupCatch>()); }};
}  // namespace

}  // namespace curlrl::envs::tasks
