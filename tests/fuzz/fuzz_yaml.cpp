// libFuzzer target: the YAML loading path. The input is a group file of the small configuration (composed with
// it) and a run's config.yaml (read back with Config::from_yaml_file); either gives a configuration or a
// curlrl::Error naming the file. Anything else thrown (a yaml-cpp exception escaping) is a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "tests/fuzz/small_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto dir = curlrl::fuzz::small_config_dir();
  const auto& schema = curlrl::fuzz::small_schema();
  curlrl::fuzz::write(dir / "task/t2.yaml", text);
  try {
    curlrl::config::compose(schema, dir.string(), {"task=t2"});
  } catch (const curlrl::Error& e) {
    if (std::string(e.what()).find('\n') != std::string::npos) {
      std::fprintf(stderr, "message of more than one line: %s\n", e.what());
      std::abort();
    }
  }
  try {
    curlrl::config::Config::from_yaml_file(schema, (dir / "task/t2.yaml").string());
  } catch (const curlrl::Error& e) {
    if (std::string(e.what()).find('\n') != std::string::npos) {
      std::fprintf(stderr, "message of more than one line: %s\n", e.what());
      std::abort();
    }
  }
  return 0;
}
