// The program runs OpenBLAS with kernels for this CPU (re-executing itself with OPENBLAS_CORETYPE when OpenBLAS
// falls back to its generic Prescott kernels), keeps its arguments through the re-execution, and leaves a
// user's own OPENBLAS_CORETYPE alone. Through the re-execution the process keeps its name (ps shows curlrl).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "core/cpu_tuning.h"
#include "tests/test_util.h"

namespace curlrl {
namespace {

using testing::curlrl_binary;
using testing::run_command;

// The value of `key=` on the "matmul ..." line of `curlrl bench blas`.
std::string field(const std::string& out, const std::string& key) {
  const size_t line = out.find("matmul ");
  if (line == std::string::npos) return "";
  const size_t at = out.find(" " + key + "=", line);
  if (at == std::string::npos) return "";
  const size_t begin = at + key.size() + 2;
  return out.substr(begin, out.find_first_of(" \n", begin) - begin);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

TEST(CpuTuning, OpenBlasUsesKernelsForThisCpu) {
  const auto r = run_command("env -u OPENBLAS_CORETYPE -u CURLRL_KEEP_BLAS_CORE " + curlrl_binary() +
                             " bench blas threads=1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string core = field(r.out, "blas_core");
  ASSERT_FALSE(core.empty()) << r.out;
  EXPECT_EQ(field(r.out, "threads"), "1") << "arguments must survive the re-execution: " << r.out;
  EXPECT_EQ(field(r.out, "process"), "curlrl") << "the process keeps its name through the re-execution: " << r.out;
  if (core == "not-openblas") GTEST_SKIP() << "the BLAS here is not OpenBLAS";
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    EXPECT_NE(lower(core), "prescott") << r.out;
  }
}

TEST(CpuTuning, AUsersCoreTypeWins) {
  if (openblas_core().empty()) GTEST_SKIP() << "the BLAS here is not OpenBLAS";
  const auto r = run_command("OPENBLAS_CORETYPE=Sandybridge " + curlrl_binary() + " bench blas threads=1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lower(field(r.out, "blas_core")), "sandybridge") << r.out;
}

}  // namespace
}  // namespace curlrl
