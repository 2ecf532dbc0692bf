// What an agent observes: rendered frames (pixels) or the task's state vector. The one place that names the two
// kinds; the environment takes its kind from task.observation and states it in EnvSpec, and the replay buffer and
// the agent take it from there.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace curlrl::envs {

enum class ObservationKind { kPixels, kStates };

// "pixels" or "states".
const char* observation_kind_name(ObservationKind kind);
// The inverse of observation_kind_name; anything else throws std::invalid_argument listing the choices.
ObservationKind parse_observation_kind(const std::string& name);
// Every kind's name, in declaration order (the choices of task.observation).
std::vector<std::string> observation_kind_names();

// One stored observation item, typed by kind: the newest frame (uint8, 3 x H x W) or the state vector (float).
using ObservationItem = std::variant<std::span<const uint8_t>, std::span<const float>>;

}  // namespace curlrl::envs
