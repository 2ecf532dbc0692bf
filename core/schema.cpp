#include "core/schema.h"

#include <algorithm>

#include "core/settings.h"

namespace curlrl::config {
namespace {

// What choosing a member of each group means, for its <group>.name key.
std::string group_doc(const std::string& group) {
  if (group == "task") return "benchmark task";
  if (group == "agent") return "agent variant";
  if (group == "encoder") return "observation encoder";
  return "augmentations applied in order (crop may only come first)";
}

// --help order: run keys first, then each group's keys in group order; the .name key first, then by key.
std::pair<size_t, std::string> help_order(const std::string& key) {
  const size_t dot = key.find('.');
  if (dot == std::string::npos) return {0, key};
  const std::string group = key.substr(0, dot);
  const auto& g = group_names();
  const size_t rank = 1 + static_cast<size_t>(std::find(g.begin(), g.end(), group) - g.begin());
  return {rank, key == group + ".name" ? std::string() : key};
}

}  // namespace

Schema make_schema(const std::string& command) {
  std::vector<KeySpec> specs;
  for (const auto& group : group_names()) {
    KeySpec spec{group + ".name", group == "augment" ? Type::kStringList : Type::kString, group_doc(group)};
    spec.choices = plugin_names(group);
    specs.push_back(std::move(spec));
  }
  for (const SettingBase* setting : declared_settings()) {
    if (!setting->command().empty() && setting->command() != command) continue;
    KeySpec spec = setting->spec();
    const size_t dot = spec.key.find('.');
    if (dot != std::string::npos) {
      for (const auto& plugin : plugins(spec.key.substr(0, dot))) {
        if (std::find(plugin.settings.begin(), plugin.settings.end(), spec.key) != plugin.settings.end()) {
          spec.owners.push_back(plugin.name);
        }
      }
    }
    specs.push_back(std::move(spec));
  }
  std::stable_sort(specs.begin(), specs.end(),
                   [](const KeySpec& a, const KeySpec& b) { return help_order(a.key) < help_order(b.key); });
  Schema schema;
  for (auto& spec : specs) schema.add(std::move(spec));
  return schema;
}

}  // namespace curlrl::config
