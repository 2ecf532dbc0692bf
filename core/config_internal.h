// Internal to core/: the text helpers shared by the schema's value parser (core/key_schema.cpp) and composition
// (core/compose.cpp). Not part of the configuration's interface.
#pragma once

#include <string>
#include <vector>

namespace curlrl::config::internal {

// `s` without its leading and trailing spaces and tabs.
std::string trim(const std::string& s);
// Splits "[a, b]" or "a,b" or "a" into items.
std::vector<std::string> split_list(const std::string& text);
// A value as error messages show it: one over 80 characters is cut, with its length (a 100 kB value is not echoed
// whole).
std::string shown(const std::string& text);

}  // namespace curlrl::config::internal
