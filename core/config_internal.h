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

}  // namespace curlrl::config::internal
