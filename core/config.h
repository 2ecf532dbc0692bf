// Hydra-like configuration: values composed from YAML files under configs/ and `key=value` overrides from the
// command line, checked against a typed schema. The schema is not written here: every setting is declared beside
// the code that reads it (core/settings.h), and make_schema() (core/schema.h) collects the declarations.
//
// Composition order (later wins):
//   1. every setting's declared default;
//   2. configs/config.yaml's own keys (it holds the `defaults:` list of group choices);
//   3. one file per chosen group member, in the order of config.yaml's `defaults:` list, each merged at the root
//      so that a task file may also set agent keys (per-task paper settings); the files hold only what a choice
//      changes, and a choice without a file is fine;
//   4. command-line overrides: group choices (`task=walker_walk`, `augment=[crop,cutout]`) pick other members,
//      dotted keys (`agent.batch_size=256`) set values.
// A plugin's own settings (encoder.num_filters of the pixel encoder) are part of the configuration only when it is
// chosen; setting one of an unchosen plugin is an error. Errors are ConfigError with one line that names the key
// (and the nearest valid key for a typo).
//
// Everything is declared here; the definitions are split by concern: core/config.cpp (Value helpers and Config),
// core/key_schema.cpp (Schema: declaring, finding, parsing and checking keys), core/compose.cpp (composition, and
// Config::from_yaml_file, which reads a file back through the same merging and completion).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/error.h"

namespace curlrl::config {

enum class Type { kBool, kInt, kFloat, kString, kStringList };
const char* type_name(Type type);

using Value = std::variant<bool, int64_t, double, std::string, std::vector<std::string>>;

struct KeySpec {
  std::string key;  // dotted: "agent.batch_size"
  Type type = Type::kString;
  std::string doc;  // one line of meaning, shown by --help
  std::optional<double> min;  // inclusive bounds for numbers
  std::optional<double> max;
  std::vector<std::string> choices;  // allowed strings (for kString and the items of kStringList), if any
  std::optional<Value> fallback;     // the default: the value when no config file or override sets it
  // The plugins of the key's group (its prefix) that own it: the key is part of a configuration only when one of
  // them is chosen (encoder.num_filters belongs to the pixel and drq encoders). Empty: always part of it.
  std::vector<std::string> owners;
  // A resumed run may change it (env_steps, threads, ...); the others fix what a checkpoint means.
  bool resumable = false;
};

class Schema {
 public:
  Schema& add(KeySpec spec);
  // Shorthands used where keys are declared.
  Schema& add_bool(const std::string& key, const std::string& doc);
  Schema& add_int(const std::string& key, const std::string& doc, std::optional<double> min = std::nullopt,
                  std::optional<double> max = std::nullopt);
  Schema& add_float(const std::string& key, const std::string& doc, std::optional<double> min = std::nullopt,
                    std::optional<double> max = std::nullopt);
  Schema& add_string(const std::string& key, const std::string& doc, std::vector<std::string> choices = {});
  Schema& add_list(const std::string& key, const std::string& doc, std::vector<std::string> choices = {});
  // Gives an already declared key a value used when no file sets it.
  Schema& fallback(const std::string& key, Value value);

  const KeySpec* find(const std::string& key) const;
  const std::vector<KeySpec>& keys() const { return keys_; }
  // The declared key closest to `key` (edit distance on the whole key and on its last component).
  std::string nearest(const std::string& key) const;
  // Parses and checks a command-line or YAML scalar text for `spec`; throws ConfigError naming key and value.
  static Value parse(const KeySpec& spec, const std::string& text);
  static void check(const KeySpec& spec, const Value& value);

 private:
  std::vector<KeySpec> keys_;
  std::map<std::string, size_t> index_;
};

// The resolved configuration: a value for every key of the schema.
class Config {
 public:
  Config() = default;
  explicit Config(const Schema* schema) : schema_(schema) {}

  bool has(const std::string& key) const { return values_.count(key) > 0; }
  const Value& get(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  int64_t get_int(const std::string& key) const;
  double get_float(const std::string& key) const;
  const std::string& get_string(const std::string& key) const;
  const std::vector<std::string>& get_list(const std::string& key) const;
  // Sets a value after checking it against the schema.
  void set(const std::string& key, Value value);
  const std::map<std::string, Value>& values() const { return values_; }
  const Schema& schema() const { return *schema_; }

  // Nested YAML of every value (keys sorted, grouped by their dotted prefix).
  std::string to_yaml() const;
  // Every key of `schema` that has a default, at its default (the keys of every plugin, chosen or not).
  static Config defaults(const Schema& schema);
  // Reads a file written by to_yaml back (every key checked against `schema`). Keys the file lacks get their
  // defaults; keys of plugins its choices did not pick (written by older versions) are dropped.
  static Config from_yaml_file(const Schema& schema, const std::string& path);

  bool operator==(const Config& other) const { return values_ == other.values_; }

 private:
  const Schema* schema_ = nullptr;
  std::map<std::string, Value> values_;
};

std::string value_to_string(const Value& value);

// The configuration groups: each is a folder of YAML files under the config directory.
inline const std::vector<std::string>& group_names() {
  static const std::vector<std::string> kGroups = {"task", "agent", "encoder", "augment"};
  return kGroups;
}
bool is_group(const std::string& name);
// The dotted keys that <config_dir>/<group>/<choice>.yaml sets (empty when there is no such file), for
// `curlrl list` and `--help`.
std::vector<std::string> group_file_keys(const std::string& config_dir, const std::string& group,
                                         const std::string& choice);

// <config_dir>/task/<task>+<agent>.yaml, the task's settings specialised for one agent (merged right after the
// group files), when it exists; empty otherwise.
std::string specialisation_file(const std::string& config_dir, const std::string& task, const std::string& agent);

struct Composed {
  Config config;
  std::vector<std::string> overrides;  // the overrides as given, in order
};

// Composes the configuration from `config_dir` and command-line `overrides` (see the top of this file). The
// choices of a group are its registered plugins (core/settings.h); a choice's YAML file is optional.
Composed compose(const Schema& schema, const std::string& config_dir, const std::vector<std::string>& overrides);

// The configs/ folder: CURLRL_CONFIG_DIR, else the source tree's configs/, else <exe>/../share/curlrl/configs.
std::string default_config_dir();

}  // namespace curlrl::config
