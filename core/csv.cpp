#include "core/csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

#include "core/error.h"

namespace curlrl {
namespace {

// Splits one CSV record starting at `pos` of `text` (which may span lines inside quotes).
std::vector<std::string> parse_record(const std::string& text, size_t& pos) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  while (pos < text.size()) {
    const char c = text[pos++];
    if (quoted) {
      if (c == '"') {
        if (pos < text.size() && text[pos] == '"') {
          field += '"';
          ++pos;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      break;
    } else if (c != '\r') {
      field += c;
    }
  }
  fields.push_back(std::move(field));
  return fields;
}

std::string header_line(const std::vector<std::string>& columns) {
  std::string line;
  for (size_t i = 0; i < columns.size(); ++i) line += (i ? "," : "") + CsvWriter::quote(columns[i]);
  return line;
}

}  // namespace

std::string CsvWriter::quote(const std::string& field) {
  if (field.find_first_of(",\"\n\r") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) out += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string CsvWriter::format(const Cell& cell) {
  if (const auto* i = std::get_if<int64_t>(&cell)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&cell)) {
    if (std::isnan(*d)) return "nan";
    if (std::isinf(*d)) return *d > 0 ? "inf" : "-inf";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof(buf), *d);
    return std::string(buf, res.ptr);
  }
  return quote(std::get<std::string>(cell));
}

CsvWriter::CsvWriter(const std::filesystem::path& path, std::vector<std::string> columns, bool append)
    : path_(path), columns_(std::move(columns)) {
  const bool existing = append && std::filesystem::exists(path) && std::filesystem::file_size(path) > 0;
  if (existing) {
    const CsvTable table = read_csv(path);
    if (table.header != columns_) {
      throw Error(path.string() + ": existing header does not match the expected columns (" +
                  header_line(columns_) + ")");
    }
  }
  out_.open(path, append ? std::ios::app : std::ios::trunc);
  if (!out_) throw Error("cannot open " + path.string() + " for writing");
  if (!existing) {
    out_ << header_line(columns_) << '\n';
    out_.flush();
  }
}

void CsvWriter::write(const std::map<std::string, Cell>& row) {
  for (const auto& [key, value] : row) {
    if (std::find(columns_.begin(), columns_.end(), key) == columns_.end()) {
      throw std::logic_error(path_.string() + ": '" + key + "' is not a column");
    }
  }
  std::string line;
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (i) line += ',';
    auto it = row.find(columns_[i]);
    if (it != row.end()) line += format(it->second);
  }
  out_ << line << '\n';
  out_.flush();  // a crash or a `tail -f` sees every finished row
  if (!out_) throw Error("error while writing " + path_.string());
}

size_t CsvTable::column(const std::string& name) const {
  auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) throw Error("CSV has no column '" + name + "'");
  return static_cast<size_t>(it - header.begin());
}

CsvTable read_csv(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  CsvTable table;
  size_t pos = 0;
  if (text.empty()) return table;
  table.header = parse_record(text, pos);
  while (pos < text.size()) table.rows.push_back(parse_record(text, pos));
  return table;
}

}  // namespace curlrl
