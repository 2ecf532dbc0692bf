// Factories of the six benchmark tasks, one per file in envs/tasks/; the registry in envs/task.cpp maps names
// to them. Internal to envs/: users go through make_task().
#pragma once

#include <memory>

#include "envs/task.h"

namespace curlrl::envs::tasks {

std::unique_ptr<Task> make_cartpole_swingup();
std::unique_ptr<Task> make_reacher_easy();
std::unique_ptr<Task> make_cheetah_run();
std::unique_ptr<Task> make_walker_walk();
std::unique_ptr<Task> make_finger_spin();
std::unique_ptr<Task> make_ball_in_cup_catch();

}  // namespace curlrl::envs::tasks
