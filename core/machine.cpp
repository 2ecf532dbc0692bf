#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/build_info.h"

namespace curlrl {

namespace {
// The value of the first "key<spaces>: value" line of a /proc file, or "".
std::string proc_field(const char* file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const auto start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}
}  // namespace

std::string machine_description() {
  std::vector<std::string> parts;
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) == 0 && host[0] != '\0') parts.emplace_back(host);
  if (const unsigned n = std::thread::hardware_concurrency(); n > 0) parts.push_back(std::to_string(n) + " cores");
  if (std::string cpu = proc_field("/proc/cpuinfo", "model name"); !cpu.empty()) parts.push_back(cpu);
  if (const std::string mem = proc_field("/proc/meminfo", "MemTotal"); !mem.empty()) {
    const double kib = std::stod(mem);  // "24625012 kB"
    parts.push_back(std::to_string(static_cast<int>(kib / 1048576.0 + 0.5)) + " GiB");
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

double machine_memory_bytes() {
  const std::string mem = proc_field("/proc/meminfo", "MemTotal");
  try {
    return mem.empty() ? 0.0 : std::stod(mem) * 1024.0;
  } catch (const std::exception&) {
    return 0.0;
  }
}

}  // namespace curlrl
