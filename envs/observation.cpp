#include "envs/observation.h"

#include <stdexcept>

namespace curlrl::envs {

const char* observation_kind_name(ObservationKind kind) {
  return kind == ObservationKind::kPixels ? "pixels" : "states";
}

std::vector<std::string> observation_kind_names() {
  return {observation_kind_name(ObservationKind::kPixels), observation_kind_name(ObservationKind::kStates)};
}

ObservationKind parse_observation_kind(const std::string& name) {
  for (ObservationKind kind : {ObservationKind::kPixels, ObservationKind::kStates}) {
    if (name == observation_kind_name(kind)) return kind;
  }
  throw std::invalid_argument("unknown observation kind '" + name + "' (pixels, states)");
}

}  // namespace curlrl::envs
