// Tensor files: a dictionary of named tensors as a file Python's torch.load reads (LibTorch's pickle format of a
// Dict[str, Tensor]), the exchange format of agents/weights.h. Apart from the agent so that the reader can be fuzzed
// on its own (tests/fuzz/fuzz_tensor_file.cpp).
#pragma once

#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

namespace curlrl::agents {

using TensorDict = std::map<std::string, torch::Tensor>;

// Writes `tensors` atomically.
void save_tensor_dict(const TensorDict& tensors, const std::string& path);
// Reads a file save_tensor_dict or Python's torch.save wrote. A damaged file or one that holds no dictionary of
// tensors is a one-line curlrl::Error naming `path`.
TensorDict load_tensor_dict(const std::string& path);
// The same from the file's bytes; `source` names them in errors.
TensorDict tensor_dict_from_bytes(const std::vector<char>& bytes, const std::string& source);

}  // namespace curlrl::agents
