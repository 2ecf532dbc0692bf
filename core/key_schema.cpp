// The Schema: declaring keys, finding them (and the nearest one for a typo), parsing and checking their values.
#include "core/config.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/config_internal.h"
#include "core/io.h"

namespace curlrl::config {

using internal::shown;
using internal::split_list;
using internal::trim;

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

// `why`, when given, says what is wrong beyond the expectation (a number too large for the type).
[[noreturn]] void bad_value(const KeySpec& spec, const std::string& text, const std::string& why = "") {
  throw ConfigError(spec.key + "=" + shown(text) + ": expected " + describe_expected(spec) +
                    (why.empty() ? "" : "; " + why));
}

}  // namespace

namespace internal {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::string shown(const std::string& text) {
  constexpr size_t kMax = 80;
  std::string out;
  for (const char ch : text.substr(0, kMax)) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte == '\n') {
      out += "\\n";
    } else if (byte < 0x20 || byte == 0x7f) {  // control characters would break the one-line message
      static const char* hex = "0123456789abcdef";
      out += std::string("\\x") + hex[byte >> 4] + hex[byte & 0xf];
    } else {
      out += ch;
    }
  }
  if (text.size() <= kMax) return out;
  return out + "... (" + std::to_string(text.size()) + " characters)";
}

std::vector<std::string> split_list(const std::string& text) {
  std::string body = trim(text);
  if (!body.empty() && body.front() == '[') {
    if (body.back() != ']') throw ConfigError("unterminated list '" + shown(text) + "'");
    body = body.substr(1, body.size() - 2);
  }
  std::vector<std::string> items;
  if (trim(body).empty()) return items;
  std::stringstream ss(body);
  std::string item;
  while (std::getline(ss, item, ',')) items.push_back(unquote(trim(item)));
  return items;
}

}  // namespace internal

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
      const bool whole = p2 == text.data() + text.size() && !text.empty();
      if (e2 == std::errc() && whole && text.find_first_of("eE") != std::string::npos && std::isfinite(d) &&
          d == std::floor(d) && std::abs(d) < 9.0e18) {
        value = static_cast<int64_t>(d);
        break;
      }
      if (whole && (e2 == std::errc::result_out_of_range || (e2 == std::errc() && std::abs(d) >= 9.0e18))) {
        bad_value(spec, raw, "it is beyond the range of a 64-bit integer");
      }
      bad_value(spec, raw);
    }
    case Type::kFloat: {
      double d = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(d)) {
        const bool whole = ptr == text.data() + text.size() && !text.empty();
        if (whole && ec == std::errc()) bad_value(spec, raw, "it must be a finite number");  // inf, nan
        static const std::set<std::string> kYamlSpecial = {".inf", "-.inf", "+.inf", ".nan", ".Inf", ".NaN", ".INF",
                                                          ".NAN", "-.Inf", "-.INF"};
        if (kYamlSpecial.count(text)) bad_value(spec, raw, "it must be a finite number");
        if (ec == std::errc::result_out_of_range && whole)
          bad_value(spec, raw, "it is beyond the range of a double");
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
  const auto fail = [&] { throw ConfigError(spec.key + "=" + shown(value_to_string(value)) + ": expected " +
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

}  // namespace curlrl::config
