#include "envs/task.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <utility>

#include "core/io.h"
#include "core/settings.h"

namespace curlrl::envs {
namespace {

int id_or_throw(const mjModel* m, mjtObj type, const char* kind, const char* name) {
  const int id = mj_name2id(m, type, name);
  if (id < 0) throw std::runtime_error(std::string("model has no ") + kind + " named '" + name + "'");
  return id;
}

// Restores the model's disable flags on scope exit, also when MuJoCo throws (warnings are exceptions).
class DisableFlagsGuard {
 public:
  DisableFlagsGuard(mjModel* m, int extra_flags) : m_(m), saved_(m->opt.disableflags) {
    m_->opt.disableflags |= extra_flags;
  }
  ~DisableFlagsGuard() { m_->opt.disableflags = saved_; }
  DisableFlagsGuard(const DisableFlagsGuard&) = delete;
  DisableFlagsGuard& operator=(const DisableFlagsGuard&) = delete;

 private:
  mjModel* m_;
  int saved_;
};

}  // namespace

Task::Task(std::string name, const std::string& asset_file, int n_sub_steps)
    : name_(std::move(name)),
      model_(load_model((std::filesystem::path(assets_dir()) / asset_file).string())),
      data_(mj_makeData(model_.get())),
      n_sub_steps_(n_sub_steps) {
  if (!data_) throw std::runtime_error(name_ + ": mj_makeData failed");
  if (n_sub_steps_ < 1) throw std::invalid_argument(name_ + ": n_sub_steps must be >= 1");
}

void Task::forward_without_actuation() {
  // The suite computes the reset state's derived quantities without actuator forces: there is no meaningful
  // control yet, and whatever stale ctrl the data holds must not leak into qacc or acceleration sensors.
  DisableFlagsGuard guard(model_.get(), mjDSBL_ACTUATION);
  mj_forward(model_.get(), data_.get());
}

void Task::reset(NumpyRandomState& rng) {
  episode_running_ = false;  // stays false if the initialisation throws
  mj_resetData(model_.get(), data_.get());
  forward_without_actuation();
  initialize_episode(rng);
  forward_without_actuation();
  step_count_ = 0;
  episode_running_ = true;
}

double Task::step(std::span<const double> action) {
  if (!episode_running_) throw std::logic_error(name_ + ": step() called before reset()");
  if (last()) throw std::logic_error(name_ + ": step() called after the episode's last step; call reset()");
  if (static_cast<int>(action.size()) != model_->nu) {
    throw std::invalid_argument(name_ + ": action has " + std::to_string(action.size()) +
                                " components, expected " + std::to_string(model_->nu));
  }
  for (size_t i = 0; i < action.size(); ++i) {
    if (!std::isfinite(action[i])) {
      throw std::invalid_argument(name_ + ": action component " + std::to_string(i) + " is not finite (" +
                                  std::to_string(action[i]) + ")");
    }
  }
  // Unclipped on purpose: MuJoCo clamps to ctrlrange when computing forces, while rewards that penalise
  // control (cartpole) read the raw value, as the suite does.
  for (int i = 0; i < model_->nu; ++i) data_->ctrl[i] = action[i];
  for (int i = 0; i < n_sub_steps_; ++i) mj_step(model_.get(), data_.get());
  // The suite finishes every control step with mj_step1: kinematics and position/velocity sensors describe
  // the new state rather than the one before the last sub-step. Rewards and observations read them.
  mj_step1(model_.get(), data_.get());
  ++step_count_;
  return reward();
}

int Task::joint_id(const char* name) const { return id_or_throw(model_.get(), mjOBJ_JOINT, "joint", name); }
int Task::body_id(const char* name) const { return id_or_throw(model_.get(), mjOBJ_BODY, "body", name); }
int Task::geom_id(const char* name) const { return id_or_throw(model_.get(), mjOBJ_GEOM, "geom", name); }
int Task::site_id(const char* name) const { return id_or_throw(model_.get(), mjOBJ_SITE, "site", name); }
int Task::sensor_id(const char* name) const {
  return id_or_throw(model_.get(), mjOBJ_SENSOR, "sensor", name);
}
int Task::qpos_adr(const char* joint) const { return model_->jnt_qposadr[joint_id(joint)]; }
int Task::qvel_adr(const char* joint) const { return model_->jnt_dofadr[joint_id(joint)]; }

std::vector<std::string> Task::joint_state_names(const std::vector<std::string>& skip_position) const {
  std::vector<std::string> positions, velocities;
  for (int j = 0; j < model_->njnt; ++j) {
    const char* raw = mj_id2name(model_.get(), mjOBJ_JOINT, j);
    const std::string name = raw != nullptr ? raw : "joint" + std::to_string(j);
    if (std::find(skip_position.begin(), skip_position.end(), name) == skip_position.end()) positions.push_back(name);
    velocities.push_back(name + "_velocity");
  }
  positions.insert(positions.end(), velocities.begin(), velocities.end());
  return positions;
}

namespace {

config::PluginRegistry<TaskFactory>& registry() {
  static config::PluginRegistry<TaskFactory> tasks("task", "task");
  return tasks;
}

}  // namespace

RegisterTask::RegisterTask(const std::string& name, const std::string& summary, TaskFactory make) {
  registry().add(name, summary, {}, std::move(make));
}

std::vector<std::string> task_names() { return registry().names(); }

std::unique_ptr<Task> make_task(const std::string& name) { return registry().get(name)(); }

}  // namespace curlrl::envs
