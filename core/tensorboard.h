// A TensorBoard event-file writer with no dependency on TensorFlow or a protobuf library.
//
// The file `events.out.tfevents.<unix time>.<host>` is a sequence of TFRecords, each
//   uint64 length | uint32 masked CRC-32C of the 8 length bytes | data | uint32 masked CRC-32C of the data
// (little-endian; masked(crc) = ((crc >> 15) | (crc << 17)) + 0xa282ead8), whose data is one serialized `Event`
// protocol buffer, encoded here by hand:
//   Event       { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5;
//                 SessionLog session_log = 7; }
//   Summary     { repeated Value value = 1; }
//   Value       { string tag = 1; float simple_value = 2; TensorProto tensor = 8; SummaryMetadata metadata = 9; }
//   SummaryMetadata { PluginData plugin_data = 1 { string plugin_name = 1; bytes content = 2; } }
//   TensorProto { DataType dtype = 1 (DT_STRING = 7); TensorShapeProto tensor_shape = 2; repeated bytes string_val = 8; }
//   SessionLog  { SessionStatus status = 1 (START = 1); }
// The first record is the event with file_version "brain.Event:2". Every event is flushed as it is written, so a
// crash loses nothing already logged.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>

namespace curlrl {

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven. crc32c("123456789") == 0xE3069283.
uint32_t crc32c(std::span<const uint8_t> data, uint32_t crc = 0);
uint32_t crc32c(std::string_view data);
// The TFRecord mask applied to the CRCs stored in the file.
uint32_t masked_crc32c(std::string_view data);

namespace tensorboard {
// Protocol-buffer wire encoding helpers (exposed for tests).
void put_varint(std::string& out, uint64_t value);
void put_tag(std::string& out, uint32_t field, uint32_t wire_type);
void put_bytes_field(std::string& out, uint32_t field, std::string_view bytes);  // wire type 2
void put_double_field(std::string& out, uint32_t field, double value);           // wire type 1
void put_float_field(std::string& out, uint32_t field, float value);             // wire type 5
void put_varint_field(std::string& out, uint32_t field, uint64_t value);         // wire type 0
// One TFRecord around `data`.
std::string frame_record(std::string_view data);
}  // namespace tensorboard

class TensorBoardWriter {
 public:
  // Creates `dir` if needed and opens a new event file in it (a suffix .1, .2, ... if the name is taken); writes
  // the file_version event. Throws curlrl::Error if the file cannot be written.
  explicit TensorBoardWriter(const std::filesystem::path& dir);

  // One scalar (stored as float32 simple_value, as TensorBoard's scalar dashboard reads it).
  void add_scalar(const std::string& tag, double value, int64_t step, double wall_time);
  // A text summary for TensorBoard's text plugin (shown as markdown): a string tensor with plugin_name "text".
  void add_text(const std::string& tag, const std::string& text, int64_t step, double wall_time);
  // A SessionLog START at `step`: TensorBoard then drops earlier-written events with larger steps, which is what a
  // run resumed from a checkpoint wants (its old file holds steps past the checkpoint).
  void add_session_start(int64_t step, double wall_time);
  void flush();

  const std::filesystem::path& path() const { return path_; }

 private:
  void write_event(const std::string& event);

  std::filesystem::path path_;
  std::ofstream out_;
};

}  // namespace curlrl
