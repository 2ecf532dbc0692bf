#include "core/config.h"
#include "core/io.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace curlrl::config {
namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::string unquote(const std::string& s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

std::string describe_expected(const KeySpec& spec) {
  std::string what = type_name(spec.type);
  if (spec.min && spec.max) {
    what += " in [" + value_to_string(spec.type == Type::kInt ? Value(int64_t(*spec.min)) : Value(*spec.min)) +
            ", " + value_to_string(spec.type == Type::kInt ? Value(int64_t(*spec.max)) : Value(*spec.max)) + "]";
  } else if (spec.min) {
    what += " >= " + value_to_string(spec.type == Type::kInt ? Value(int64_t(*spec.min)) : Value(*spec.min));
  } else if (spec.max) {
    what += " <= " + value_to_string(spec.type == Type::kInt ? Value(int64_t(*spec.max)) : Value(*spec.max));
  }
  if (!spec.choices.empty()) what += " (one of: " + join(spec.choices, ", ") + ")";
  return what;
}

[[noreturn]] void bad_value(const KeySpec& spec, const std::string& text) {
  throw ConfigError(spec.key + "=" + text + ": expected " + describe_expected(spec));
}

// Splits "[a, b]" or "a,b" or "a" into items.
std::vector<std::string> split_list(const std::string& text) {
  std::string body = trim(text);
  if (!body.empty() && body.front() == '[') {
    if (body.back() != ']') throw ConfigError("unterminated list '" + text + "'");
    body = body.substr(1, body.size() - 2);
  }
  std::vector<std::string> items;
  if (trim(body).empty()) return items;
  std::stringstream ss(body);
  std::string item;
  while (std::getline(ss, item, ',')) items.push_back(unquote(trim(item)));
  return items;
}

}  // namespace

const char* type_name(Type type) {
  switch (type) {
    case Type::kBool: return "bool";
    case Type::kInt: return "int";
    case Type::kFloat: return "float";
    case Type::kString: return "string";
    case Type::kStringList: return "list of strings";
  }
  return "?";
}

std::string value_to_string(const Value& value) {
  struct Visitor {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      if (std::isnan(d)) return ".nan";
      if (std::isinf(d)) return d > 0 ? ".inf" : "-.inf";
      char buf[64];
      auto res = std::to_chars(buf, buf + sizeof(buf), d);  // shortest text that reads back exactly
      std::string s(buf, res.ptr);
      if (s.find_first_of(".e") == std::string::npos) s += ".0";
      return s;
    }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const std::vector<std::string>& v) const { return "[" + join(v, ", ") + "]"; }
  };
  return std::visit(Visitor{}, value);
}

// ---------------------------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------------------------
Schema& Schema::add(KeySpec spec) {
  if (index_.count(spec.key)) throw std::logic_error("config key declared twice: " + spec.key);
  index_[spec.key] = keys_.size();
  keys_.push_back(std::move(spec));
  return *this;
}
Schema& Schema::add_bool(const std::string& key, const std::string& doc) {
  return add({key, Type::kBool, doc, {}, {}, {}, {}});
}
Schema& Schema::add_int(const std::string& key, const std::string& doc, std::optional<double> min,
                        std::optional<double> max) {
  return add({key, Type::kInt, doc, min, max, {}, {}});
}
Schema& Schema::add_float(const std::string& key, const std::string& doc, std::optional<double> min,
                          std::optional<double> max) {
  return add({key, Type::kFloat, doc, min, max, {}, {}});
}
Schema& Schema::add_string(const std::string& key, const std::string& doc, std::vector<std::string> choices) {
  return add({key, Type::kString, doc, {}, {}, std::move(choices), {}});
}
Schema& Schema::add_list(const std::string& key, const std::string& doc, std::vector<std::string> choices) {
  return add({key, Type::kStringList, doc, {}, {}, std::move(choices), {}});
}
Schema& Schema::fallback(const std::string& key, Value value) {
  auto it = index_.find(key);
  if (it == index_.end()) throw std::logic_error("fallback for undeclared key " + key);
  check(keys_[it->second], value);
  keys_[it->second].fallback = std::move(value);
  return *this;
}

const KeySpec* Schema::find(const std::string& key) const {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &keys_[it->second];
}

std::string Schema::nearest(const std::string& key) const {
  std::string best;
  size_t best_d = std::string::npos;
  for (const auto& spec : keys_) {
    const std::string& k = spec.key;
    const auto dot = k.rfind('.');
    size_t d = edit_distance(key, k);
    if (dot != std::string::npos) d = std::min(d, edit_distance(key, k.substr(dot + 1)));
    if (d < best_d) best_d = d, best = k;
  }
  return best;
}

Value Schema::parse(const KeySpec& spec, const std::string& raw) {
  const std::string text = trim(raw);
  Value value;
  switch (spec.type) {
    case Type::kBool: {
      static const std::set<std::string> kTrue = {"true", "True", "TRUE", "yes", "on"};
      static const std::set<std::string> kFalse = {"false", "False", "FALSE", "no", "off"};
      if (kTrue.count(text)) value = true;
      else if (kFalse.count(text)) value = false;
      else bad_value(spec, raw);
      break;
    }
    case Type::kInt: {
      int64_t i = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
      if (ec == std::errc() && ptr == text.data() + text.size() && !text.empty()) {
        value = i;
        break;
      }
      // Scientific notation of a whole number ("5e5") is accepted for budgets; "1.5" is not.
      double d = 0;
      auto [p2, e2] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (e2 == std::errc() && p2 == text.data() + text.size() && text.find_first_of("eE") != std::string::npos &&
          std::isfinite(d) && d == std::floor(d) && std::abs(d) < 9.0e18) {
        value = static_cast<int64_t>(d);
        break;
      }
      bad_value(spec, raw);
    }
    case Type::kFloat: {
      double d = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(d)) {
        if (text == ".inf" || text == "inf") d = INFINITY;
        else bad_value(spec, raw);
      }
      value = d;
      break;
    }
    case Type::kString: value = unquote(text); break;
    case Type::kStringList: value = split_list(text); break;
  }
  try {
    check(spec, value);
  } catch (const ConfigError&) {
    bad_value(spec, raw);
  }
  return value;
}

void Schema::check(const KeySpec& spec, const Value& value) {
  const auto fail = [&] { throw ConfigError(spec.key + "=" + value_to_string(value) + ": expected " +
                                            describe_expected(spec)); };
  switch (spec.type) {
    case Type::kBool:
      if (!std::holds_alternative<bool>(value)) fail();
      break;
    case Type::kInt:
    case Type::kFloat: {
      double d = 0;
      if (spec.type == Type::kInt) {
        if (!std::holds_alternative<int64_t>(value)) fail();
        d = static_cast<double>(std::get<int64_t>(value));
      } else {
        if (std::holds_alternative<int64_t>(value)) d = static_cast<double>(std::get<int64_t>(value));
        else if (std::holds_alternative<double>(value)) d = std::get<double>(value);
        else fail();
      }
      if ((spec.min && d < *spec.min) || (spec.max && d > *spec.max)) fail();
      break;
    }
    case Type::kString:
      if (!std::holds_alternative<std::string>(value)) fail();
      if (!spec.choices.empty() &&
          std::find(spec.choices.begin(), spec.choices.end(), std::get<std::string>(value)) == spec.choices.end())
        fail();
      break;
    case Type::kStringList:
      if (!std::holds_alternative<std::vector<std::string>>(value)) fail();
      if (!spec.choices.empty()) {
        for (const auto& item : std::get<std::vector<std::string>>(value)) {
          if (std::find(spec.choices.begin(), spec.choices.end(), item) == spec.choices.end()) fail();
        }
      }
      break;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Config
// ---------------------------------------------------------------------------------------------------------------
const Value& Config::get(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw std::logic_error("config has no key " + key);
  return it->second;
}
bool Config::get_bool(const std::string& key) const { return std::get<bool>(get(key)); }
int64_t Config::get_int(const std::string& key) const { return std::get<int64_t>(get(key)); }
double Config::get_float(const std::string& key) const {
  const Value& v = get(key);
  if (std::holds_alternative<int64_t>(v)) return static_cast<double>(std::get<int64_t>(v));
  return std::get<double>(v);
}
const std::string& Config::get_string(const std::string& key) const { return std::get<std::string>(get(key)); }
const std::vector<std::string>& Config::get_list(const std::string& key) const {
  return std::get<std::vector<std::string>>(get(key));
}

void Config::set(const std::string& key, Value value) {
  const KeySpec* spec = schema_ ? schema_->find(key) : nullptr;
  if (!spec) throw ConfigError("unknown config key '" + key + "'");
  if (spec->type == Type::kFloat && std::holds_alternative<int64_t>(value)) {
    value = static_cast<double>(std::get<int64_t>(value));
  }
  Schema::check(*spec, value);
  values_[key] = std::move(value);
}

std::string Config::to_yaml() const {
  // Build a tree of maps from the dotted keys, then emit it.
  YAML::Node root(YAML::NodeType::Map);
  for (const auto& [key, value] : values_) {
    std::vector<std::string> parts;
    std::stringstream ss(key);
    std::string part;
    while (std::getline(ss, part, '.')) parts.push_back(part);
    std::vector<YAML::Node> path = {root};
    for (size_t i = 0; i + 1 < parts.size(); ++i) path.push_back(path.back()[parts[i]]);
    YAML::Node leaf;
    if (auto* list = std::get_if<std::vector<std::string>>(&value)) {
      leaf = YAML::Node(YAML::NodeType::Sequence);
      for (const auto& item : *list) leaf.push_back(item);
      leaf.SetStyle(YAML::EmitterStyle::Flow);
    } else if (auto* s = std::get_if<std::string>(&value)) {
      leaf = *s;
    } else {
      leaf = value_to_string(value);
    }
    path.back()[parts.back()] = leaf;
  }
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

namespace {

// Flattens a YAML mapping into dotted keys, checking each against the schema. `where` names the file.
void merge_yaml(const Schema& schema, const YAML::Node& node, const std::string& prefix, const std::string& where,
                std::map<std::string, Value>& out, const std::set<std::string>& skip = {}) {
  for (const auto& item : node) {
    const std::string name = item.first.as<std::string>();
    const std::string key = prefix.empty() ? name : prefix + "." + name;
    if (skip.count(key)) continue;
    const YAML::Node& child = item.second;
    const std::string at = where + ":" + std::to_string(child.Mark().line + 1);
    if (const KeySpec* spec = schema.find(key)) {
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
      merge_yaml(schema, child, key, where, out, skip);
    } else {
      throw ConfigError(at + ": unknown config key '" + key + "' (did you mean " + schema.nearest(key) + "?)");
    }
  }
}

YAML::Node load_yaml(const std::string& path) {
  if (!fs::exists(path)) throw ConfigError("config file not found: " + path);
  try {
    YAML::Node node = YAML::LoadFile(path);
    if (node.IsNull()) return YAML::Node(YAML::NodeType::Map);
    if (!node.IsMap()) throw ConfigError(path + ":1: expected a mapping of keys to values");
    return node;
  } catch (const YAML::ParserException& e) {
    throw ConfigError(path + ":" + std::to_string(e.mark.line + 1) + ": malformed YAML: " + e.msg);
  } catch (const YAML::Exception& e) {
    throw ConfigError(path + ": " + e.what());
  }
}

using Choices = std::vector<std::pair<std::string, std::vector<std::string>>>;

// Reads a `defaults:` list of `- group: choice` (or `- group: [a, b]`) entries.
Choices read_defaults(const YAML::Node& node, const std::string& file) {
  Choices choices;
  if (!node["defaults"]) return choices;
  for (const auto& entry : node["defaults"]) {
    const std::string at = file + ":" + std::to_string(entry.Mark().line + 1);
    if (!entry.IsMap() || entry.size() != 1) throw ConfigError(at + ": each defaults entry must be '- group: choice'");
    const auto item = *entry.begin();
    const std::string group = item.first.as<std::string>();
    if (!is_group(group)) {
      throw ConfigError(at + ": unknown config group '" + group + "' (groups: " + join(group_names(), ", ") + ")");
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

Config Config::defaults(const Schema& schema) {
  Config config(&schema);
  for (const auto& spec : schema.keys()) {
    if (spec.fallback) config.values_[spec.key] = *spec.fallback;
  }
  return config;
}

Config Config::from_yaml_file(const Schema& schema, const std::string& path) {
  Config config(&schema);
  const YAML::Node node = load_yaml(path);
  // The file's group choices first: settings of pieces it did not choose are skipped unread (an older version wrote
  // every setting, and its values for unchosen pieces need not fit today's ranges).
  std::map<std::string, Value> choices;
  for (const auto& group : group_names()) {
    const YAML::Node name = node[group] ? node[group]["name"] : YAML::Node();
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
}

std::vector<std::string> group_file_keys(const std::string& config_dir, const std::string& group,
                                         const std::string& choice) {
  const fs::path file = fs::path(config_dir) / group / (choice + ".yaml");
  std::vector<std::string> keys;
  if (fs::exists(file)) collect_keys(load_yaml(file.string()), "", keys);
  return keys;
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
      throw ConfigError("override '" + o + "' is not of the form key=value");
    }
    std::string key = trim(o.substr(0, eq));
    const std::string text = o.substr(eq + 1);
    if (key.size() > 5 && key.ends_with(".name") && is_group(key.substr(0, key.size() - 5))) {
      key = key.substr(0, key.size() - 5);
    }
    if (is_group(key)) {
      const std::vector<std::string> picked = split_list(text);
      const auto available = group_choices(schema, config_dir, key);
      if (picked.empty()) throw ConfigError(key + "=" + text + ": choose one of: " + join(available, ", "));
      for (const auto& p : picked) {
        if (std::find(available.begin(), available.end(), p) == available.end()) {
          throw ConfigError(key + "=" + p + ": unknown " + key + " (available: " + join(available, ", ") + ")");
        }
      }
      const KeySpec* spec = schema.find(key + ".name");
      if (spec && spec->type == Type::kString && picked.size() != 1) {
        throw ConfigError(key + "=" + text + ": choose exactly one " + key);
      }
      auto it = std::find_if(choices.begin(), choices.end(), [&](const auto& c) { return c.first == key; });
      if (it == choices.end()) choices.emplace_back(key, picked);
      else it->second = picked;
      cli_chosen.insert(key);
    } else {
      if (!schema.find(key)) {
        throw ConfigError("unknown config key '" + key + "' (did you mean " + schema.nearest(key) + "?)");
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
        auto it = std::find_if(choices.begin() + g + 1, choices.end(),
                               [&](const auto& c) { return c.first == sub_group; });
        if (it == choices.end()) {
          throw ConfigError(file + ": its defaults may only choose groups listed after '" + group +
                            "' in config.yaml, not '" + sub_group + "'");
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
