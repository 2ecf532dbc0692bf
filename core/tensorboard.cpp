#include "core/tensorboard.h"

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstring>

#include "core/error.h"

namespace curlrl {

namespace {

// Table for the reflected Castagnoli polynomial: entry n is the CRC of the byte n alone.
constexpr std::array<uint32_t, 256> make_crc32c_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : (c >> 1);
    table[n] = c;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kCrc32cTable = make_crc32c_table();

void put_le(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFFu));
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

}  // namespace

uint32_t crc32c(std::span<const uint8_t> data, uint32_t crc) {
  crc = ~crc;
  for (uint8_t b : data) crc = kCrc32cTable[(crc ^ b) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

uint32_t crc32c(std::string_view data) {
  return crc32c(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

uint32_t masked_crc32c(std::string_view data) {
  const uint32_t crc = crc32c(data);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

namespace tensorboard {

void put_varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void put_tag(std::string& out, uint32_t field, uint32_t wire_type) {
  put_varint(out, (static_cast<uint64_t>(field) << 3) | wire_type);
}

void put_bytes_field(std::string& out, uint32_t field, std::string_view bytes) {
  put_tag(out, field, 2);
  put_varint(out, bytes.size());
  out.append(bytes.data(), bytes.size());
}

void put_double_field(std::string& out, uint32_t field, double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  put_tag(out, field, 1);
  put_le(out, bits, 8);
}

void put_float_field(std::string& out, uint32_t field, float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  put_tag(out, field, 5);
  put_le(out, bits, 4);
}

void put_varint_field(std::string& out, uint32_t field, uint64_t value) {
  put_tag(out, field, 0);
  put_varint(out, value);
}

std::string frame_record(std::string_view data) {
  std::string record;
  record.reserve(data.size() + 16);
  std::string length;
  put_le(length, data.size(), 8);
  record += length;
  put_le(record, masked_crc32c(length), 4);
  record.append(data.data(), data.size());
  put_le(record, masked_crc32c(data), 4);
  return record;
}

}  // namespace tensorboard

namespace {

using namespace tensorboard;

// Event field numbers (tensorboard/compat/proto/event.proto).
constexpr uint32_t kEventWallTime = 1, kEventStep = 2, kEventFileVersion = 3, kEventSummary = 5,
                   kEventSessionLog = 7;
// Summary and Summary.Value (summary.proto).
constexpr uint32_t kSummaryValue = 1;
constexpr uint32_t kValueTag = 1, kValueSimpleValue = 2, kValueTensor = 8, kValueMetadata = 9;
// SummaryMetadata and its PluginData.
constexpr uint32_t kMetadataPluginData = 1, kPluginName = 1;
// TensorProto (tensor.proto), TensorShapeProto (tensor_shape.proto), DataType (types.proto).
constexpr uint32_t kTensorDtype = 1, kTensorShape = 2, kTensorStringVal = 8;
constexpr uint64_t kDtString = 7;
// SessionLog.
constexpr uint32_t kSessionLogStatus = 1;
constexpr uint64_t kSessionStart = 1;

std::string event_header(int64_t step, double wall_time) {
  std::string event;
  put_double_field(event, kEventWallTime, wall_time);
  // int64 is encoded as the two's-complement varint of its 64-bit value (negative steps take 10 bytes).
  put_varint_field(event, kEventStep, static_cast<uint64_t>(step));
  return event;
}

std::string summary_event(const std::string& value, int64_t step, double wall_time) {
  std::string summary;
  put_bytes_field(summary, kSummaryValue, value);
  std::string event = event_header(step, wall_time);
  put_bytes_field(event, kEventSummary, summary);
  return event;
}

}  // namespace

TensorBoardWriter::TensorBoardWriter(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error("tensorboard: cannot create " + dir.string() + ": " + ec.message());
  const auto now = std::chrono::system_clock::now();
  const double wall = std::chrono::duration<double>(now.time_since_epoch()).count();
  const std::string base =
      "events.out.tfevents." + std::to_string(static_cast<int64_t>(wall)) + "." + host_name();
  path_ = dir / base;
  for (int i = 1; std::filesystem::exists(path_); ++i) path_ = dir / (base + "." + std::to_string(i));
  out_.open(path_, std::ios::binary | std::ios::trunc);
  if (!out_) throw Error("tensorboard: cannot write " + path_.string());
  std::string event = event_header(0, wall);
  put_bytes_field(event, kEventFileVersion, "brain.Event:2");
  write_event(event);
}

void TensorBoardWriter::add_scalar(const std::string& tag, double value, int64_t step, double wall_time) {
  std::string v;
  put_bytes_field(v, kValueTag, tag);
  put_float_field(v, kValueSimpleValue, static_cast<float>(value));
  write_event(summary_event(v, step, wall_time));
}

void TensorBoardWriter::add_text(const std::string& tag, const std::string& text, int64_t step, double wall_time) {
  std::string plugin_data;
  put_bytes_field(plugin_data, kPluginName, "text");
  std::string metadata;
  put_bytes_field(metadata, kMetadataPluginData, plugin_data);
  std::string tensor;
  put_varint_field(tensor, kTensorDtype, kDtString);
  put_bytes_field(tensor, kTensorShape, "");  // a scalar: no dims
  put_bytes_field(tensor, kTensorStringVal, text);
  std::string v;
  put_bytes_field(v, kValueTag, tag);
  put_bytes_field(v, kValueMetadata, metadata);
  put_bytes_field(v, kValueTensor, tensor);
  write_event(summary_event(v, step, wall_time));
}

void TensorBoardWriter::add_session_start(int64_t step, double wall_time) {
  std::string log;
  put_varint_field(log, kSessionLogStatus, kSessionStart);
  std::string event = event_header(step, wall_time);
  put_bytes_field(event, kEventSessionLog, log);
  write_event(event);
}

void TensorBoardWriter::flush() { out_.flush(); }

void TensorBoardWriter::write_event(const std::string& event) {
  const std::string record = frame_record(event);
  out_.write(record.data(), static_cast<std::streamsize>(record.size()));
  out_.flush();
  if (!out_) throw Error("tensorboard: write to " + path_.string() + " failed");
}

}  // namespace curlrl
