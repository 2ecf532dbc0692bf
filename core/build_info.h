// How this curlrl binary was built and where it runs: written into every run's info.txt so that each result names
// its command, commit and machine.
#pragma once

#include <string>

namespace curlrl {

// The git commit the binary was built from ("<hash>-dirty" with uncommitted changes to tracked files, or
// "unknown (...)" outside a git checkout), and the LibTorch version it was built against. Generated at build time
// (cmake/build_info.cmake).
extern const char* const kBuildCommit;
extern const char* const kLibTorchVersion;

// "<host>, <N> cores, <CPU model>, <M> GiB": this machine, from /proc (empty parts are left out).
std::string machine_description();
// The machine's memory in bytes (MemTotal of /proc/meminfo; 0 when unknown).
double machine_memory_bytes();

}  // namespace curlrl
