// libFuzzer target: the checkpoint manifest reader (core/manifest.h). Any input is either a manifest or a
// curlrl::Error; a manifest that reads back is written and read again to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "core/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  curlrl::Manifest m;
  try {
    m = curlrl::parse_manifest(text, "fuzz");
  } catch (const curlrl::Error&) {
    return 0;
  }
  if (m.version == 2) {
    bool writable = true;  // values holding a newline cannot be written on one line; the writer never makes them
    for (const auto& [key, value] : m.config) writable &= key.find('\n') == std::string::npos;
    if (writable && !(curlrl::parse_manifest(curlrl::format_manifest(m), "again") == m)) std::abort();
  }
  return 0;
}
