// libFuzzer target: the CSV readers (core/csv.h): the parser, resume's log cut (csv_rows_up_to) and rollout's
// actions file (number_rows). Any input either reads or is a curlrl::Error; a kept log reads back to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/csv.h"
#include "core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const curlrl::CsvTable table = curlrl::parse_csv(text);
  try {
    const std::string kept = curlrl::csv_rows_up_to(table, "env_steps", 1000, "fuzz");
    // What is kept is a log of the same header whose rows all pass the cut again unchanged.
    if (!kept.empty() && curlrl::csv_rows_up_to(curlrl::parse_csv(kept), "env_steps", 1000, "again") != kept) {
      std::abort();
    }
  } catch (const curlrl::Error&) {
  }
  for (int dim = 1; dim <= 3; ++dim) {
    try {
      for (const auto& row : curlrl::number_rows(table, dim, "fuzz")) {
        if (static_cast<int>(row.size()) != dim) std::abort();
      }
    } catch (const curlrl::Error&) {
    }
  }
  return 0;
}
