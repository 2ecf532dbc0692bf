// The configuration schema: every declared setting (core/settings.h) with its type, range, default and meaning,
// and the <group>.name keys whose choices are the registered plugins.
#pragma once

#include <string>

#include "core/config.h"

namespace curlrl::config {

// The keys valid for `command` (train, eval, rollout, render, bench, list, ...): the settings declared for every
// command plus the command's own (for example rollout's `policy`, `steps` and `out`), in --help order.
Schema make_schema(const std::string& command);

}  // namespace curlrl::config
