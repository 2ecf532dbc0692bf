// curlrl list tasks|agents|encoders|augmentations: every piece that can be chosen by name, one line each, with
// the keys its configuration file sets.
#include <cstdio>
#include <iostream>

#include "apps/commands.h"
#include "core/settings.h"
#include "core/error.h"
#include "core/io.h"

namespace curlrl::apps {
namespace {
const config::Setting<std::string> kWhat{"what", "tasks", "what to list",
                                         {.choices = {"tasks", "agents", "encoders", "augmentations"}, .command = "list"}};

// "name  summary" and, indented, the settings the piece owns and the keys its configs/<group>/<name>.yaml sets.
void print_group(const Invocation& inv, const std::string& group) {
  for (const auto& plugin : config::plugins(group)) {
    std::printf("%-18s %s\n", plugin.name.c_str(), plugin.summary.c_str());
    if (!plugin.settings.empty()) std::printf("%-18s   settings: %s\n", "", join(plugin.settings, ", ").c_str());
    const auto keys = config::group_file_keys(inv.config_dir, group, plugin.name);
    if (!keys.empty()) std::printf("%-18s   its file sets: %s\n", "", join(keys, ", ").c_str());
    if (group != "task") continue;
    for (const auto& agent : config::plugin_names("agent")) {
      if (config::specialisation_file(inv.config_dir, plugin.name, agent).empty()) continue;
      const auto special = config::group_file_keys(inv.config_dir, group, plugin.name + "+" + agent);
      std::printf("%-18s   with agent=%s, task/%s+%s.yaml sets: %s\n", "", agent.c_str(), plugin.name.c_str(),
                  agent.c_str(), join(special, ", ").c_str());
    }
  }
}

}  // namespace

int run_list(const Invocation& inv) {
  const std::string what = kWhat(inv.config);
  if (what == "tasks") print_group(inv, "task");
  if (what == "agents") print_group(inv, "agent");
  if (what == "encoders") print_group(inv, "encoder");
  if (what == "augmentations") print_group(inv, "augment");
  return 0;
}

}  // namespace curlrl::apps
