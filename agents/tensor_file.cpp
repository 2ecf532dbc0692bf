#include "agents/tensor_file.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/export.h>
#include <torch/csrc/jit/serialization/import_read.h>
#include <torch/csrc/jit/serialization/pickler.h>
#include <torch/csrc/jit/serialization/storage_context.h>
#include <torch/serialize.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>

#include "core/error.h"
#include "core/io.h"

namespace curlrl::agents {
namespace {

// The file's bytes for LibTorch's zip reader, which asks for byte ranges taken from the (possibly damaged) zip
// headers. LibTorch 1.13's own adapter behind torch::pickle_load copies them without a bounds check, reading past the
// end of the buffer (found by tests/fuzz/fuzz_tensor_file.cpp); this one gives only the bytes there are, and the zip
// reader then fails cleanly.
class BoundedReader : public caffe2::serialize::ReadAdapterInterface {
 public:
  explicit BoundedReader(const std::vector<char>& data) : data_(data) {}
  size_t size() const override { return data_.size(); }
  size_t read(uint64_t pos, void* buf, size_t n, const char* /*what*/) const override {
    if (pos >= data_.size()) return 0;
    n = static_cast<size_t>(std::min<uint64_t>(n, data_.size() - pos));
    std::memcpy(buf, data_.data() + pos, n);
    return n;
  }

 private:
  const std::vector<char>& data_;
};

}  // namespace

void save_tensor_dict(const TensorDict& tensors, const std::string& path) {
  c10::Dict<std::string, at::Tensor> dict;
  for (const auto& [name, t] : tensors) dict.insert(name, t.contiguous());
  // What torch::pickle_save writes, less the type tag it wraps a typed dictionary in (a call to
  // torch.jit._pickle.restore_type_tag): PyTorch 2.6's torch.load (weights_only by default) refuses that call,
  // while a plain dictionary of tensors it reads as it is. LibTorch reads both.
  std::vector<char> pickle;
  torch::jit::Pickler pickler([&](const char* data, size_t n) { pickle.insert(pickle.end(), data, data + n); },
                              /*tensor_table=*/nullptr, /*type_renamer=*/nullptr, /*memoized_class_types=*/nullptr,
                              /*get_tensor_id=*/nullptr, /*tag_aggregates=*/false);
  pickler.protocol();
  pickler.pushIValue(c10::IValue(dict));
  pickler.stop();
  std::string bytes;
  caffe2::serialize::PyTorchStreamWriter writer([&](const void* data, size_t n) {
    bytes.append(static_cast<const char*>(data), n);
    return n;
  });
  torch::jit::writeArchiveAndTensors("data", pickle.data(), pickle.size(), pickler.tensorData(), writer);
  writer.writeEndOfFile();
  write_file_atomic(path, bytes);
}

TensorDict load_tensor_dict(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open " + path);
  return tensor_dict_from_bytes(std::vector<char>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()),
                                path);
}

TensorDict tensor_dict_from_bytes(const std::vector<char>& bytes, const std::string& source) {
  c10::IValue value;
  std::map<const void*, size_t> record_bytes;  // each tensor record's data and its true size
  try {
    // What torch::pickle_load does, through the bounded reader, and with every tensor storage read here at the size
    // of its record: LibTorch 1.13 otherwise sizes a storage by the element count the pickle claims, so a damaged
    // file gives tensors that read past their data. With storages of their true size, a tensor that claims more
    // elements than its record holds is refused (LibTorch does not grow a storage it did not allocate).
    caffe2::serialize::PyTorchStreamReader reader(std::make_shared<BoundedReader>(bytes));
    auto storages = std::make_shared<torch::jit::DeserializationStorageContext>();
    for (const auto& record : reader.getAllRecords()) {
      if (record.rfind("data/", 0) != 0) continue;
      auto [data, size] = reader.getRecord(record);
      record_bytes[data.get()] = size;
      storages->addStorage(record.substr(5), c10::Storage(c10::Storage::use_byte_size_t(), size, std::move(data),
                                                          /*allocator=*/nullptr, /*resizable=*/false));
    }
    value = torch::jit::readArchiveAndTensors("data", /*pickle_prefix=*/"", /*tensor_prefix=*/"", c10::nullopt,
                                              c10::nullopt, c10::nullopt, reader,
                                              torch::jit::Unpickler::defaultTypeParser, storages);
  } catch (const std::exception& e) {
    const std::string msg = e.what();
    throw Error("cannot read " + source + " as a tensor file: " + first_line(msg));
  }
  if (!value.isGenericDict()) throw Error(source + " holds no dictionary of tensors");
  TensorDict out;
  for (const auto& item : value.toGenericDict()) {
    if (!item.key().isString() || !item.value().isTensor()) {
      throw Error(source + " holds a dictionary entry that is not name -> tensor");
    }
    const at::Tensor t = item.value().toTensor();
    // Every element the tensor addresses must lie inside the record it was read from.
    const auto record = record_bytes.find(t.storage().data_ptr().get());
    bool inside = record != record_bytes.end() && t.storage_offset() >= 0;
    if (inside && t.numel() > 0) {
      int64_t last = t.storage_offset();
      for (int64_t d = 0; d < t.dim(); ++d) {
        inside &= t.stride(d) >= 0;
        last += (t.size(d) - 1) * t.stride(d);
      }
      inside &= static_cast<uint64_t>(last + 1) * t.element_size() <= record->second;
    }
    if (!inside) {
      throw Error(source + " is damaged: tensor '" + item.key().toStringRef().substr(0, 80) +
                  "' addresses more bytes than its data record holds");
    }
    out[item.key().toStringRef()] = t;
  }
  return out;
}

}  // namespace curlrl::agents
