// Hydra-like configuration: one typed schema (every key with its type, range and meaning), values composed from
// YAML files under configs/ and `key=value` overrides from the command line.
//
// Composition order (later wins):
//   1. configs/config.yaml's own keys;
//   2. one file per group, in the order of config.yaml's `defaults:` list (task, agent, encoder, augment), each
//      merged at the root so that a task file may also set agent keys (per-task paper settings);
//   3. command-line overrides: group choices (`task=walker_walk`, `augment=[crop,cutout]`) pick other files,
//      dotted keys (`agent.batch_size=256`) set values.
// Every key must be declared in the schema; every value is checked against its type and range. Errors are
// ConfigError with one line that names the key (and the nearest valid key for a typo).
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
  std::optional<Value> fallback;     // value when no config file sets it (command-specific keys)
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
  // Reads a file written by to_yaml back (every key checked against `schema`).
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
// Available choices for a group: the YAML file stems in <config_dir>/<group>/, sorted.
std::vector<std::string> group_choices(const std::string& config_dir, const std::string& group);

// What one group file says about itself: the first line of its leading comment, and the dotted keys it sets
// (`augment.cutout_min`, ...), for `curlrl list` and `--help`.
struct GroupFileInfo {
  std::string summary;
  std::vector<std::string> keys;
};
GroupFileInfo group_file_info(const std::string& config_dir, const std::string& group, const std::string& choice);

struct Composed {
  Config config;
  std::vector<std::string> overrides;  // the overrides as given, in order
};

// Composes the configuration from `config_dir` and command-line `overrides` (see the top of this file).
Composed compose(const Schema& schema, const std::string& config_dir, const std::vector<std::string>& overrides);

// The configs/ folder: CURLRL_CONFIG_DIR, else the source tree's configs/, else <exe>/../share/curlrl/configs.
std::string default_config_dir();

}  // namespace curlrl::config
