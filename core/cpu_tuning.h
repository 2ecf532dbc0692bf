// Process-wide CPU settings that make LibTorch fast on this kind of machine; called first thing in main().
#pragma once

#include <string>

namespace curlrl {

// OpenBLAS picks its kernels from the CPU model number. On virtual machines that report a model it does not know
// it falls back to "Prescott" (SSE3) kernels, about 5x slower than the machine can do (measured here: 31 vs 150
// GFLOP/s per core). OpenBLAS reads OPENBLAS_CORETYPE only while it loads, before main(), so when the loaded
// OpenBLAS says Prescott and the CPU has AVX-512 (or AVX2 with FMA), this sets OPENBLAS_CORETYPE to SkylakeX
// (or Haswell) and re-executes the program in place (same process id, arguments and descriptors). It does nothing
// when OPENBLAS_CORETYPE is already set, when the BLAS is not OpenBLAS, or when CURLRL_KEEP_BLAS_CORE is set. The
// process keeps its name (curlrl, as ps and top show it).
void fix_openblas_core(char** argv);

// This process's name as ps shows it (/proc/self/comm).
std::string process_name();

// The core OpenBLAS runs with ("SkylakeX", "Haswell", ...), or "" when the BLAS is not OpenBLAS.
std::string openblas_core();

// Whether the CPU has bfloat16 arithmetic that oneDNN uses for convolutions and matrix products (AVX512-BF16 or
// AMX-BF16, from /proc/cpuinfo's flags).
bool cpu_has_bf16();

// Keeps freed tensor memory in the heap instead of returning it to the kernel: without this every large tensor is
// a fresh mmap whose pages the kernel zeroes and faults in again on each update.
void tune_malloc();

}  // namespace curlrl
