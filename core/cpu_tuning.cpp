#include "core/cpu_tuning.h"

#include <dlfcn.h>
#include <malloc.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace curlrl {

std::string openblas_core() {
  using CoreNameFn = char* (*)();
  auto fn = reinterpret_cast<CoreNameFn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  if (fn == nullptr) return "";
  const char* name = fn();
  return name != nullptr ? name : "";
}

void fix_openblas_core(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr || std::getenv("CURLRL_KEEP_BLAS_CORE") != nullptr) return;
  std::string core = openblas_core();
  for (auto& c : core) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (core != "prescott") return;
  __builtin_cpu_init();
  const char* wanted = nullptr;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512cd")) {
    wanted = "SkylakeX";
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    wanted = "Haswell";
  }
  if (wanted == nullptr) return;
  setenv("OPENBLAS_CORETYPE", wanted, 1);
  // Through the program's own path, not /proc/self/exe: the kernel names the process after the file executed, and
  // users find and stop their runs by name (ps, top, pkill curlrl).
  std::error_code ec;
  const std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  execv(ec ? "/proc/self/exe" : self.c_str(), argv);  // returns only on failure: go on with the slow kernels
  unsetenv("OPENBLAS_CORETYPE");
}

std::string process_name() {
  std::ifstream in("/proc/self/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

void tune_malloc() {
  // 32 MiB is glibc's largest mmap threshold on 64-bit: blocks below it come from the heap and are reused.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

bool cpu_has_bf16() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    for (std::string flag; words >> flag;) {
      if (flag == "avx512_bf16" || flag == "amx_bf16") return true;
    }
    return false;
  }
  return false;
}

}  // namespace curlrl
