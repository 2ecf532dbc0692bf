// Values and the resolved Config: reading, setting and writing values. The Schema is in core/key_schema.cpp,
// composition (and Config::from_yaml_file, which shares its machinery) in core/compose.cpp.
#include "core/config.h"
#include "core/config_internal.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/io.h"

namespace curlrl::config {

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
  if (!spec) throw ConfigError("unknown config key '" + internal::shown(key) + "'");
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

Config Config::defaults(const Schema& schema) {
  Config config(&schema);
  for (const auto& spec : schema.keys()) {
    if (spec.fallback) config.values_[spec.key] = *spec.fallback;
  }
  return config;
}

}  // namespace curlrl::config
