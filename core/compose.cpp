// Composition: the configuration from configs/ and command-line overrides, and a run's config.yaml read back.
#include "core/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/config_internal.h"
#include "core/io.h"

namespace fs = std::filesystem;

namespace curlrl::config {

using internal::shown;
using internal::split_list;
using internal::trim;

namespace {

// yaml-cpp's own exceptions from reading a parsed file (a subscript or a conversion that does not fit the node's
// kind: `task: repeat 8`, a mapping where a name belongs) as a ConfigError naming the file and line.
ConfigError yaml_error(const std::string& where, const YAML::Exception& e) {
  return ConfigError(where + (e.mark.is_null() ? std::string() : ":" + std::to_string(e.mark.line + 1)) + ": " +
                     (e.msg.empty() ? std::string("unexpected YAML structure") : shown(e.msg)));
}

// Flattens a YAML mapping into dotted keys, checking each against the schema. `where` names the file. A key set
// twice in one file (`agent.hidden_dim: 8` and `agent: {hidden_dim: 16}`) is an error: `set` holds those seen.
void merge_yaml(const Schema& schema, const YAML::Node& node, const std::string& prefix, const std::string& where,
                std::map<std::string, Value>& out, const std::set<std::string>& skip = {},
                std::map<std::string, int>* set = nullptr) try {
  std::map<std::string, int> own;
  if (set == nullptr) set = &own;
  for (const auto& item : node) {
    const std::string name = item.first.as<std::string>();
    const std::string key = prefix.empty() ? name : prefix + "." + name;
    if (skip.count(key)) continue;
    const YAML::Node& child = item.second;
    const int line = child.Mark().line + 1;
    const std::string at = where + ":" + std::to_string(line);
    if (const KeySpec* spec = schema.find(key)) {
      if (const auto before = set->find(key); before != set->end()) {
        throw ConfigError(at + ": " + key + " is set twice in this file (also on line " +
                          std::to_string(before->second) + ")");
      }
      set->emplace(key, line);
      std::string text;
      if (child.IsSequence()) {
        if (spec->type != Type::kStringList) throw ConfigError(at + ": " + key + " expects a " + type_name(spec->type) + ", got a list");
        std::vector<std::string> items;
        for (const auto& e : child) items.push_back(e.as<std::string>());
        text = "[" + join(items, ",") + "]";
      } else if (child.IsScalar()) {
        text = child.Scalar();
      } else {
        throw ConfigError(at + ": " + key + " expects a " + std::string(type_name(spec->type)) + ", got " +
                          (child.IsMap() ? "a mapping" : "nothing"));
      }
      try {
        out[key] = Schema::parse(*spec, text);
      } catch (const ConfigError& e) {
        throw ConfigError(at + ": " + e.what());
      }
    } else if (child.IsMap()) {
      merge_yaml(schema, child, key, where, out, skip, set);
    } else {
      throw ConfigError(at + ": unknown config key '" + shown(key) + "' (did you mean " + schema.nearest(key) + "?)");
    }
  }
} catch (const YAML::Exception& e) {
  throw yaml_error(where, e);
}

// A mapping that names a key twice: YAML forbids it, yaml-cpp keeps both and answers lookups with the first.
void check_unique_keys(const YAML::Node& node, const std::string& path) {
  if (node.IsMap()) {
    std::map<std::string, int> lines;
    for (const auto& item : node) {
      const std::string name = item.first.IsScalar() ? item.first.Scalar() : std::string();
      const int line = item.first.Mark().line + 1;
      if (!name.empty() && !lines.emplace(name, line).second) {
        throw ConfigError(path + ":" + std::to_string(line) + ": key '" + shown(name) +
                          "' appears twice in one mapping (first on line " + std::to_string(lines[name]) + ")");
      }
      check_unique_keys(item.second, path);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) check_unique_keys(item, path);
  }
}

// The line of the innermost '[' or '{' still open at byte `end` of `text` (quoted text and comments skipped), or
// -1: where an unclosed flow collection starts, which yaml-cpp reports only where it gave up (often a later line).
int unclosed_flow_line(const std::string& text, size_t end) {
  std::vector<int> open;
  int line = 1;
  char quote = 0;
  bool comment = false;
  for (size_t i = 0; i < std::min(end, text.size()); ++i) {
    const char ch = text[i];
    if (ch == '\n') {
      ++line;
      comment = false;
      if (quote == 0) continue;
    }
    if (comment) continue;
    if (quote != 0) {
      if (ch == quote) quote = 0;
      continue;
    }
    if (ch == '"' || ch == '\'') quote = ch;
    else if (ch == '#') comment = true;
    else if (ch == '[' || ch == '{') open.push_back(line);
    else if ((ch == ']' || ch == '}') && !open.empty()) open.pop_back();
  }
  return open.empty() ? -1 : open.back();
}

YAML::Node load_yaml(const std::string& path) {
  if (!fs::exists(path)) throw ConfigError("config file not found: " + path);
  try {
    YAML::Node node = YAML::LoadFile(path);
    if (node.IsNull()) return YAML::Node(YAML::NodeType::Map);
    if (!node.IsMap()) throw ConfigError(path + ":1: expected a mapping of keys to values");
    check_unique_keys(node, path);
    return node;
  } catch (const YAML::ParserException& e) {
    int line = e.mark.line + 1;
    if (e.msg.find("flow not found") != std::string::npos && e.mark.pos >= 0) {
      const int opened = unclosed_flow_line(read_file(path), static_cast<size_t>(e.mark.pos));
      if (opened > 0) line = opened;
    }
    throw ConfigError(path + ":" + std::to_string(line) + ": malformed YAML: " + shown(e.msg));
  } catch (const YAML::Exception& e) {
    throw ConfigError(path + ": " + shown(e.what()));
  }
}

using Choices = std::vector<std::pair<std::string, std::vector<std::string>>>;

// Reads a `defaults:` list of `- group: choice` (or `- group: [a, b]`) entries.
Choices read_defaults(const YAML::Node& node, const std::string& file) try {
  Choices choices;
  if (!node["defaults"]) return choices;
  for (const auto& entry : node["defaults"]) {
    const std::string at = file + ":" + std::to_string(entry.Mark().line + 1);
    if (!entry.IsMap() || entry.size() != 1) throw ConfigError(at + ": each defaults entry must be '- group: choice'");
    const auto item = *entry.begin();
    const std::string group = item.first.as<std::string>();
    if (!is_group(group)) {
      throw ConfigError(at + ": unknown config group '" + shown(group) + "' (groups: " + join(group_names(), ", ") + ")");
    }
    std::vector<std::string> picked;
    if (item.second.IsSequence()) {
      for (const auto& c : item.second) picked.push_back(c.as<std::string>());
    } else {
      picked.push_back(item.second.as<std::string>());
    }
    choices.emplace_back(group, picked);
  }
  return choices;
} catch (const YAML::Exception& e) {
  throw yaml_error(file, e);
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// Composition
// ---------------------------------------------------------------------------------------------------------------
bool is_group(const std::string& name) {
  const auto& g = group_names();
  return std::find(g.begin(), g.end(), name) != g.end();
}

namespace {

// The members of `group` a configuration may choose: the schema's choices for <group>.name (the registered
// plugins), or, for a schema that declares none, the YAML files in <config_dir>/<group>/.
std::vector<std::string> group_choices(const Schema& schema, const std::string& config_dir,
                                       const std::string& group) {
  const KeySpec* spec = schema.find(group + ".name");
  if (spec && !spec->choices.empty()) return spec->choices;
  std::vector<std::string> out;
  const fs::path dir = fs::path(config_dir) / group;
  if (fs::is_directory(dir)) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".yaml") out.push_back(entry.path().stem().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void collect_keys(const YAML::Node& node, const std::string& prefix, std::vector<std::string>& out) {
  if (!node.IsMap()) return;
  for (const auto& item : node) {
    const std::string name = item.first.as<std::string>();
    if (prefix.empty() && name == "defaults") continue;
    const std::string key = prefix.empty() ? name : prefix + "." + name;
    if (item.second.IsMap()) {
      collect_keys(item.second, key, out);
    } else {
      out.push_back(key);
    }
  }
}

// The group members `values` chose (<group>.name, a string or a list).
std::vector<std::string> chosen(const std::map<std::string, Value>& values, const std::string& group) {
  auto it = values.find(group + ".name");
  if (it == values.end()) return {};
  if (const auto* list = std::get_if<std::vector<std::string>>(&it->second)) return *list;
  if (const auto* one = std::get_if<std::string>(&it->second)) return {*one};
  return {};
}

// Whether `spec` belongs in a configuration with the group choices of `values`: keys without owners always do,
// a plugin's keys when one of its owners is chosen.
bool active(const KeySpec& spec, const std::map<std::string, Value>& values) {
  if (spec.owners.empty()) return true;
  const std::string group = spec.key.substr(0, spec.key.find('.'));
  for (const auto& c : chosen(values, group)) {
    if (std::find(spec.owners.begin(), spec.owners.end(), c) != spec.owners.end()) return true;
  }
  return false;
}

// Makes `values` hold exactly the keys of its choices: the missing ones from their defaults; keys of unchosen
// plugins are an error when `strict` (the user set one), else dropped (a run's config.yaml from an older version).
void complete(const Schema& schema, std::map<std::string, Value>& values, bool strict, const std::string& where) {
  for (const auto& spec : schema.keys()) {
    const bool present = values.count(spec.key) > 0;
    if (!active(spec, values)) {
      if (present && strict) {
        const std::string group = spec.key.substr(0, spec.key.find('.'));
        throw ConfigError(spec.key + " is a setting of " + group + " " + join(spec.owners, ", ") + ", but " +
                          group + "=" + join(chosen(values, group), ",") + " was chosen");
      }
      values.erase(spec.key);
    } else if (!present) {
      if (!spec.fallback) {
        throw ConfigError("config key '" + spec.key + "' has no value: set it in " + where + " or on the command line");
      }
      values[spec.key] = *spec.fallback;
    }
  }
}

}  // namespace

Config Config::from_yaml_file(const Schema& schema, const std::string& path) try {
  Config config(&schema);
  const YAML::Node node = load_yaml(path);
  // The file's group choices first: settings of pieces it did not choose are skipped unread (an older version wrote
  // every setting, and its values for unchosen pieces need not fit today's ranges).
  std::map<std::string, Value> choices;
  for (const auto& group : group_names()) {
    const YAML::Node name = node[group] && node[group].IsMap() ? node[group]["name"] : YAML::Node();
    if (!name) continue;
    std::vector<std::string> picked;
    if (name.IsSequence()) {
      for (const auto& item : name) picked.push_back(item.as<std::string>());
    } else {
      picked.push_back(name.as<std::string>());
    }
    choices[group + ".name"] = picked;
  }
  std::set<std::string> unchosen;
  for (const auto& spec : schema.keys()) {
    if (!active(spec, choices)) unchosen.insert(spec.key);
  }
  merge_yaml(schema, node, "", path, config.values_, unchosen);
  complete(schema, config.values_, /*strict=*/false, path);
  return config;
} catch (const YAML::Exception& e) {
  throw yaml_error(path, e);
}

std::vector<std::string> group_file_keys(const std::string& config_dir, const std::string& group,
                                         const std::string& choice) {
  const fs::path file = fs::path(config_dir) / group / (choice + ".yaml");
  std::vector<std::string> keys;
  if (fs::exists(file)) collect_keys(load_yaml(file.string()), "", keys);
  return keys;
}

std::string specialisation_file(const std::string& config_dir, const std::string& task, const std::string& agent) {
  const fs::path file = fs::path(config_dir) / "task" / (task + "+" + agent + ".yaml");
  return fs::exists(file) ? file.string() : "";
}

Composed compose(const Schema& schema, const std::string& config_dir, const std::vector<std::string>& overrides) {
  const std::string main_file = (fs::path(config_dir) / "config.yaml").string();
  const YAML::Node main = load_yaml(main_file);

  // 1. The defaults list: group -> choice(s).
  auto choices = read_defaults(main, main_file);

  // 2. Split the overrides into group choices and key assignments, checking the syntax first.
  std::vector<std::pair<std::string, std::string>> assignments;
  std::set<std::string> cli_chosen;
  for (const auto& o : overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw ConfigError("override '" + shown(o) + "' is not of the form key=value");
    }
    std::string key = trim(o.substr(0, eq));
    const std::string text = o.substr(eq + 1);
    if (key.size() > 5 && key.ends_with(".name") && is_group(key.substr(0, key.size() - 5))) {
      key = key.substr(0, key.size() - 5);
    }
    if (is_group(key)) {
      const std::vector<std::string> picked = split_list(text);
      const auto available = group_choices(schema, config_dir, key);
      if (picked.empty()) throw ConfigError(key + "=" + shown(text) + ": choose one of: " + join(available, ", "));
      for (const auto& p : picked) {
        if (std::find(available.begin(), available.end(), p) == available.end()) {
          throw ConfigError(key + "=" + shown(p) + ": unknown " + key + " (available: " + join(available, ", ") + ")");
        }
      }
      const KeySpec* spec = schema.find(key + ".name");
      if (spec && spec->type == Type::kString && picked.size() != 1) {
        throw ConfigError(key + "=" + shown(text) + ": choose exactly one " + key);
      }
      auto it = std::find_if(choices.begin(), choices.end(), [&](const auto& c) { return c.first == key; });
      if (it == choices.end()) choices.emplace_back(key, picked);
      else it->second = picked;
      cli_chosen.insert(key);
    } else {
      if (!schema.find(key)) {
        throw ConfigError("unknown config key '" + shown(key) + "' (did you mean " + schema.nearest(key) + "?)");
      }
      assignments.emplace_back(key, text);
    }
  }

  // 3. Merge config.yaml's own keys, then each chosen member's file (if it has one), then the assignments.
  Composed result{Config(&schema), overrides};
  std::map<std::string, Value> values;
  merge_yaml(schema, main, "", main_file, values, {"defaults"});
  for (size_t g = 0; g < choices.size(); ++g) {
    const auto& [group, picked] = choices[g];
    const auto available = group_choices(schema, config_dir, group);
    for (const auto& choice : picked) {
      if (std::find(available.begin(), available.end(), choice) == available.end()) {
        throw ConfigError(main_file + ": " + group + "=" + choice + ": unknown " + group + " (available: " +
                          join(available, ", ") + ")");
      }
      const std::string file = (fs::path(config_dir) / group / (choice + ".yaml")).string();
      if (!fs::exists(file)) continue;
      const YAML::Node node = load_yaml(file);
      // A group file may choose later groups (agent/state_sac.yaml picks the identity encoder), unless the
      // command line chose them.
      for (const auto& [sub_group, sub_picked] : read_defaults(node, file)) {
        const std::string& wanted = sub_group;  // (clang 14 cannot capture a structured binding)
        auto it = std::find_if(choices.begin() + g + 1, choices.end(),
                               [&](const auto& c) { return c.first == wanted; });
        if (it == choices.end()) {
          throw ConfigError(file + ": its defaults may only choose groups listed after '" + group +
                            "' in config.yaml, not '" + shown(sub_group) + "'");
        }
        if (!cli_chosen.count(sub_group)) it->second = sub_picked;
      }
      merge_yaml(schema, node, "", file, values, {"defaults"});
    }
    if (const KeySpec* spec = schema.find(group + ".name")) {
      if (spec->type == Type::kStringList) values[group + ".name"] = picked;
      else values[group + ".name"] = picked.front();
    }
  }
  // 4. The chosen task's specialisation for the chosen agent (configs/task/<task>+<agent>.yaml), when there is one:
  //    what that agent's paper sets differently on that task (DrQ's single learning rate on cheetah_run).
  const auto task = chosen(values, "task"), agent = chosen(values, "agent");
  if (const std::string file =
          task.size() == 1 && agent.size() == 1 ? specialisation_file(config_dir, task[0], agent[0]) : "";
      !file.empty()) {
    const YAML::Node node = load_yaml(file);
    if (node["defaults"]) throw ConfigError(file + ": a task's specialisation for an agent chooses no groups (defaults:)");
    merge_yaml(schema, node, "", file, values, {});
  }
  // A group file may set keys of the pieces its defaults choose (agent/drq.yaml: the pixel encoder's tanh); when
  // the command line chose another piece, those keys do not apply and are dropped. A key the command line sets for
  // a piece that is not chosen stays an error (complete(), strict).
  for (const auto& spec : schema.keys()) {
    if (values.count(spec.key) && !active(spec, values)) values.erase(spec.key);
  }
  for (const auto& [key, text] : assignments) values[key] = Schema::parse(*schema.find(key), text);

  complete(schema, values, /*strict=*/true, config_dir);
  for (auto& [key, value] : values) result.config.set(key, value);
  return result;
}

std::string default_config_dir() {
  if (const char* env = std::getenv("CURLRL_CONFIG_DIR")) return env;
#ifdef CURLRL_SOURCE_DIR
  if (fs::exists(fs::path(CURLRL_SOURCE_DIR) / "configs" / "config.yaml")) {
    return (fs::path(CURLRL_SOURCE_DIR) / "configs").string();
  }
#endif
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "curlrl" / "configs";
    if (fs::exists(installed / "config.yaml")) return installed.string();
  }
  throw ConfigError("cannot find the configs/ folder: set CURLRL_CONFIG_DIR or pass --config-dir");
}

}  // namespace curlrl::config
