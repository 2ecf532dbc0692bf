// libFuzzer target: the tensor-file reader (agents/tensor_file.h) that agent.init_weights, `curlrl trace-update`
// and the weight exchange with PyTorch go through. Any input is a dictionary of tensors or a curlrl::Error; a
// dictionary that reads is written and read back to the same names and values.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <torch/serialize.h>

#include "agents/tensor_file.h"
#include "core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<char> bytes(reinterpret_cast<const char*>(data), reinterpret_cast<const char*>(data) + size);
  curlrl::agents::TensorDict dict;
  try {
    dict = curlrl::agents::tensor_dict_from_bytes(bytes, "fuzz");
  } catch (const curlrl::Error& e) {
    if (std::string(e.what()).find('\n') != std::string::npos) {
      std::fprintf(stderr, "message of more than one line: %s\n", e.what());
      std::abort();
    }
    return 0;
  }
  c10::Dict<std::string, at::Tensor> again;
  for (const auto& [name, t] : dict) again.insert(name, t.contiguous());
  const auto back = curlrl::agents::tensor_dict_from_bytes(torch::pickle_save(c10::IValue(again)), "again");
  if (back.size() != dict.size()) std::abort();
  for (const auto& [name, t] : dict) {
    const auto it = back.find(name);
    if (it == back.end() || it->second.sizes() != t.sizes() || it->second.dtype() != t.dtype()) std::abort();
    const auto a = t.contiguous(), b = it->second.contiguous();  // bytes, so that NaNs compare equal to themselves
    if (std::memcmp(a.data_ptr(), b.data_ptr(), a.nbytes()) != 0) std::abort();
  }
  return 0;
}
