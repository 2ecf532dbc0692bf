// Settings declared where they are used, and the catalogue of choosable plugins.
//
// A setting is one global object beside the code that reads it; its declaration is the only place that names its
// key, type, range, default and meaning:
//
//   const config::Setting<int64_t> kCutoutMin{"augment.cutout_min", 10, "cutout: smallest rectangle side", {.min = 1}};
//   ... kCutoutMin(config) ...   // the value, typed
//
// Declaring registers it (during static initialisation) in a catalogue from which make_schema() builds the schema,
// `--help` its key list and compose() its defaults. A plugin (a task, an agent variant, an encoder, an augmentation)
// registers its group, name, one-line summary and the settings it owns in the same way (each folder's registry
// does that together with the plugin's factory); the settings of a plugin are part of a configuration only when
// that plugin is chosen. core/ knows the catalogue, never the plugins themselves.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/config.h"

namespace curlrl::config {

// What a declaration may add to key, default and meaning.
struct Constraints {
  std::optional<double> min;         // inclusive bounds for numbers
  std::optional<double> max;
  std::vector<std::string> choices;  // allowed strings (the items of a list), if restricted
  std::string command;               // only this command's key (eval's `run`); empty: every command's
  bool resumable = false;            // a resumed run may take a new value (budget, schedule, logging, resources);
                                     // every other key is part of the run's identity (train/checkpoint.h)
};

class SettingBase {
 public:
  SettingBase(const SettingBase&) = delete;
  SettingBase& operator=(const SettingBase&) = delete;
  const KeySpec& spec() const { return spec_; }
  const std::string& key() const { return spec_.key; }
  const std::string& command() const { return command_; }

 protected:
  SettingBase(KeySpec spec, std::string command);
  ~SettingBase() = default;

 private:
  KeySpec spec_;
  std::string command_;
};

template <class T>
struct SettingType;
template <> struct SettingType<bool> { static constexpr Type kType = Type::kBool; };
template <> struct SettingType<int64_t> { static constexpr Type kType = Type::kInt; };
template <> struct SettingType<double> { static constexpr Type kType = Type::kFloat; };
template <> struct SettingType<std::string> { static constexpr Type kType = Type::kString; };
template <> struct SettingType<std::vector<std::string>> { static constexpr Type kType = Type::kStringList; };

template <class T>
class Setting : public SettingBase {
 public:
  Setting(std::string key, T fallback, std::string doc, Constraints c = {})
      : SettingBase(KeySpec{std::move(key), SettingType<T>::kType, std::move(doc), c.min, c.max, std::move(c.choices),
                            Value(std::move(fallback)), {}, c.resumable},
                    std::move(c.command)) {}
  // The value in `config` (which must hold this key: a plugin's settings only when it is chosen).
  T operator()(const Config& config) const {
    if constexpr (std::is_same_v<T, double>) {
      return config.get_float(key());
    } else {
      return std::get<T>(config.get(key()));
    }
  }
  T fallback() const { return std::get<T>(*spec().fallback); }
};

// Every declared setting, in declaration order (within a file; files in link order).
const std::vector<const SettingBase*>& declared_settings();

// A choosable piece of one configuration group.
struct PluginInfo {
  std::string group;    // "task", "agent", "encoder" or "augment"
  std::string name;     // what the user writes: encoder=impala
  std::string summary;  // one line for `curlrl list` and `--help`
  std::vector<std::string> settings;  // the keys it owns (declared with Setting)
};
// Registers a plugin with the settings it owns; a second plugin of the same group and name is a programming error
// (std::logic_error). Called during static initialisation: the settings may not be constructed yet (their keys are
// read when the catalogue is queried, after main() has started).
void register_plugin(const std::string& group, const std::string& name, const std::string& summary,
                     const std::vector<const SettingBase*>& own_settings);
// The plugins of `group`, sorted by name.
std::vector<PluginInfo> plugins(const std::string& group);
// The names of the plugins of `group`, sorted.
std::vector<std::string> plugin_names(const std::string& group);

// The factories of one group's plugins, by name. Each folder keeps one (a function-local static, filled during static
// initialisation by its plugins' registration globals); add() also enters the plugin in the catalogue above.
template <class Factory>
class PluginRegistry {
 public:
  // `group`: the configuration group; `noun`: what a plugin is called in messages ("augmentation").
  PluginRegistry(std::string group, std::string noun) : group_(std::move(group)), noun_(std::move(noun)) {}
  void add(const std::string& name, const std::string& summary, const std::vector<const SettingBase*>& own_settings,
           Factory make) {
    register_plugin(group_, name, summary, own_settings);
    factories_[name] = std::move(make);
  }
  bool contains(const std::string& name) const { return factories_.count(name) > 0; }
  // The factory of `name`; an unknown name throws std::invalid_argument naming it and the known ones.
  const Factory& get(const std::string& name) const {
    auto it = factories_.find(name);
    if (it == factories_.end()) {
      std::string known;
      for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
      throw std::invalid_argument("unknown " + noun_ + " '" + name + "' (known: " + known + ")");
    }
    return it->second;
  }
  // The registered names, sorted.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& entry : factories_) out.push_back(entry.first);
    return out;
  }

 private:
  std::string group_, noun_;
  std::map<std::string, Factory> factories_;
};

}  // namespace curlrl::config
