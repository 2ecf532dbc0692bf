#include "core/settings.h"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace curlrl::config {
namespace {

// Function-local statics: declarations in other files register during static initialisation, in any order.
std::vector<const SettingBase*>& settings_catalogue() {
  static std::vector<const SettingBase*> catalogue;
  return catalogue;
}

struct Registered {
  std::string summary;
  std::vector<const SettingBase*> settings;
};

std::map<std::pair<std::string, std::string>, Registered>& plugin_catalogue() {
  static std::map<std::pair<std::string, std::string>, Registered> catalogue;
  return catalogue;
}

}  // namespace

SettingBase::SettingBase(KeySpec spec, std::string command) : spec_(std::move(spec)), command_(std::move(command)) {
  settings_catalogue().push_back(this);
}

const std::vector<const SettingBase*>& declared_settings() { return settings_catalogue(); }

void register_plugin(const std::string& group, const std::string& name, const std::string& summary,
                     const std::vector<const SettingBase*>& own_settings) {
  if (!plugin_catalogue().emplace(std::make_pair(group, name), Registered{summary, own_settings}).second) {
    throw std::logic_error("plugin registered twice: " + group + "=" + name);
  }
}

std::vector<PluginInfo> plugins(const std::string& group) {
  std::vector<PluginInfo> out;
  for (const auto& [key, entry] : plugin_catalogue()) {
    if (key.first != group) continue;  // the map keeps each group's plugins sorted by name
    PluginInfo info{group, key.second, entry.summary, {}};
    for (const auto* setting : entry.settings) info.settings.push_back(setting->key());
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<std::string> plugin_names(const std::string& group) {
  std::vector<std::string> names;
  for (const auto& p : plugins(group)) names.push_back(p.name);
  return names;
}

}  // namespace curlrl::config
