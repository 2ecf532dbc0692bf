// A library that exports LLVM's C API target initialisers, as Debian 13's libtorch_cpu does (it carries an LLVM of
// its own). Preloaded into `curlrl render` by tests/envs/test_egl_device.cpp: if Mesa's llvmpipe bound to these
// rather than to its own libLLVM, it would call them while creating a context, and they abort.
#include <cstdio>
#include <cstdlib>

namespace {
[[noreturn]] void called(const char* name) {
  std::fprintf(stderr, "llvm_impostor: Mesa called %s from the global scope\n", name);
  std::abort();
}
}  // namespace

extern "C" {
void LLVMInitializeX86TargetInfo() { called("LLVMInitializeX86TargetInfo"); }
void LLVMInitializeX86Target() { called("LLVMInitializeX86Target"); }
void LLVMInitializeX86TargetMC() { called("LLVMInitializeX86TargetMC"); }
void LLVMInitializeX86AsmPrinter() { called("LLVMInitializeX86AsmPrinter"); }
}
