// A control task at the suite's control-step level: one MuJoCo model, the episode initialisation, the reward and
// the state observation, stepped with the suite's semantics (spec section 0). No action repeat, no pixels: see env.h.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "envs/numpy_random.h"
#include "envs/physics.h"

namespace curlrl::envs {

class Task {
 public:
  static constexpr int kStepLimit = 1000;  // control steps per episode, all six tasks

  virtual ~Task() = default;
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;

  const std::string& name() const { return name_; }
  const mjModel* model() const { return model_.get(); }
  mjModel* model() { return model_.get(); }
  const mjData* data() const { return data_.get(); }
  mjData* data() { return data_.get(); }

  int action_dim() const { return model_->nu; }
  int n_sub_steps() const { return n_sub_steps_; }
  // Control timestep in seconds (physics timestep x n_sub_steps).
  double control_timestep() const { return model_->opt.timestep * n_sub_steps_; }
  virtual int state_dim() const = 0;

  // Reset sequence of spec 0.3, drawing the initial state from `rng`.
  void reset(NumpyRandomState& rng);
  // One control step: ctrl = action (unclipped), n_sub_steps x mj_step, then mj_step1; returns the reward.
  // Throws std::invalid_argument for a wrong size or a non-finite component, and std::logic_error before the
  // first reset() or after the episode's last step.
  double step(std::span<const double> action);
  int steps_in_episode() const { return step_count_; }
  // For restoring a saved episode (Env::load_state); the restored episode counts as running, as after reset().
  void set_steps_in_episode(int steps) {
    step_count_ = steps;
    episode_running_ = true;
  }
  bool last() const { return step_count_ >= kStepLimit; }

  virtual double reward() const = 0;
  virtual std::vector<double> state_observation() const = 0;
  // A name for each entry of state_observation(), in its order (probes and plots label variables with them).
  virtual std::vector<std::string> state_names() const = 0;

 protected:
  Task(std::string name, const std::string& asset_file, int n_sub_steps);
  // The task's episode initialisation (spec step 3 of 0.3), between the two actuation-free mj_forward calls.
  virtual void initialize_episode(NumpyRandomState& rng) = 0;
  // Helpers for derived tasks: ids by name, throwing std::runtime_error when the name is missing.
  int joint_id(const char* name) const;
  int body_id(const char* name) const;
  int geom_id(const char* name) const;
  int site_id(const char* name) const;
  int sensor_id(const char* name) const;
  int qpos_adr(const char* joint) const;
  int qvel_adr(const char* joint) const;
  // Names for qpos then qvel entries, one per joint (every joint of the six tasks has one degree of freedom):
  // "<joint>" and "<joint>_velocity"; joints in `skip_position` are left out of the positions.
  std::vector<std::string> joint_state_names(const std::vector<std::string>& skip_position = {}) const;
  void forward_without_actuation();

 private:
  std::string name_;
  ModelPtr model_;
  DataPtr data_;
  int n_sub_steps_;
  int step_count_ = 0;
  bool episode_running_ = false;  // set by reset(); a fresh Task has no episode to step
};

// The task registry. Each task's file registers it with a global
//   const RegisterTask kRegistered{"cartpole_swingup", "one-line summary", [] { return ...; }};
// which also makes it a choice of the `task` configuration group (core/settings.h).
using TaskFactory = std::function<std::unique_ptr<Task>()>;
struct RegisterTask {
  RegisterTask(const std::string& name, const std::string& summary, TaskFactory make);
};
// A task by name; an unknown name throws std::invalid_argument listing the known ones.
std::unique_ptr<Task> make_task(const std::string& name);
// The registered tasks' names, sorted (the six benchmark tasks of the suite).
std::vector<std::string> task_names();

}  // namespace curlrl::envs
