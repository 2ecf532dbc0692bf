// libFuzzer target: the command line's key=value grammar and configuration composition (core/config.h). Each input
// line is one override; composing either gives a configuration whose every value passes the schema, or a
// curlrl::ConfigError (a one-line message). Anything else thrown is a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "tests/fuzz/small_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> overrides;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line) && overrides.size() < 16;) overrides.push_back(line);
  const auto& schema = curlrl::fuzz::small_schema();
  try {
    const auto composed = curlrl::config::compose(schema, curlrl::fuzz::small_config_dir().string(), overrides);
    for (const auto& [key, value] : composed.config.values()) {
      const auto* spec = schema.find(key);
      if (spec == nullptr) std::abort();
      curlrl::config::Schema::check(*spec, value);  // throws ConfigError if a value escaped the schema: a crash
    }
  } catch (const curlrl::ConfigError& e) {
    if (std::string(e.what()).find('\n') != std::string::npos) {
      std::fprintf(stderr, "message of more than one line: %s\n", e.what());
      std::abort();
    }  // one line
  }
  // Each line as the text of every key's type.
  for (const auto& line : overrides) {
    for (const auto& spec : schema.keys()) {
      try {
        curlrl::config::Schema::parse(spec, line);
      } catch (const curlrl::ConfigError&) {
      }
    }
  }
  return 0;
}
