// Every configuration key of curlrl, with its type, range and meaning: the one typed source of truth.
#pragma once

#include <string>

#include "core/config.h"

namespace curlrl::config {

// The keys valid for `command` (train, eval, rollout, render, bench, list): the shared keys of configs/ plus the
// command's own (for example rollout's `policy`, `steps` and `out`).
Schema make_schema(const std::string& command);

}  // namespace curlrl::config
