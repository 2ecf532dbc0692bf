#include "core/csv.h"

#include <algorithm>
#include <cctype>
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
  return parse_csv(ss.str());
}

namespace {

std::string record_text(const std::vector<std::string>& cells) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + CsvWriter::quote(cells[i]);
  return out + "\n";
}

bool parse_whole(const std::string& text, int64_t& out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
}

bool parse_finite(const std::string& text, double& out) {
  const size_t first = text.find_first_not_of(" \t");
  const size_t last = text.find_last_not_of(" \t");
  if (first == std::string::npos) return false;
  const char* begin = text.data() + first;
  const char* end = text.data() + last + 1;
  if (*begin == '+') ++begin;  // from_chars takes no plus sign
  const auto [ptr, ec] = std::from_chars(begin, end, out);
  return begin != end && ec == std::errc() && ptr == end && std::isfinite(out);
}

// Whether a cell is meant as a number: it starts as one does (a digit, a sign or a point), well-formed or not.
bool starts_like_a_number(const std::string& cell) {
  const size_t i = cell.find_first_not_of(" \t");
  if (i == std::string::npos) return false;
  const char c = cell[i];
  return std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.';
}

}  // namespace

std::string csv_rows_up_to(const CsvTable& table, const std::string& column, int64_t max_value,
                           const std::string& where) {
  if (table.header.empty()) return "";
  const auto it = std::find(table.header.begin(), table.header.end(), column);
  if (it == table.header.end()) throw Error(where + ": no column '" + column + "'");
  const size_t col = static_cast<size_t>(it - table.header.begin());
  std::string out = record_text(table.header);
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    if (row.size() == 1 && row[0].empty()) continue;  // a blank line
    int64_t value = 0;
    if (row.size() <= col || !parse_whole(row[col], value)) {
      throw Error(where + ": line " + std::to_string(r + 2) + ": " + column + " '" +
                  (row.size() <= col ? std::string() : row[col].substr(0, 40)) +
                  "' is not a whole number (the log is damaged)");
    }
    if (value <= max_value) out += record_text(row);
  }
  return out;
}

std::vector<std::vector<double>> number_rows(const CsvTable& table, int dim, const std::string& where) {
  std::vector<std::vector<std::string>> rows = table.rows;
  const bool header = std::none_of(table.header.begin(), table.header.end(), starts_like_a_number);
  if (!header) rows.insert(rows.begin(), table.header);
  std::vector<std::vector<double>> out;
  for (size_t r = 0; r < rows.size(); ++r) {
    const size_t line = r + (header ? 2 : 1);
    if (rows[r].size() == 1 && rows[r][0].empty()) continue;  // blank line
    if (static_cast<int>(rows[r].size()) != dim) {
      throw Error(where + ": line " + std::to_string(line) + " has " + std::to_string(rows[r].size()) +
                  " columns, the task has " + std::to_string(dim) + " action components");
    }
    std::vector<double> values;
    for (const auto& cell : rows[r]) {
      double v = 0;
      if (!parse_finite(cell, v)) {
        throw Error(where + ": line " + std::to_string(line) + ": '" + cell.substr(0, 40) + "' is not a number");
      }
      values.push_back(v);
    }
    out.push_back(std::move(values));
  }
  if (out.empty()) throw Error(where + ": no actions (the file has no rows of numbers)");
  return out;
}

CsvTable parse_csv(const std::string& text) {
  CsvTable table;
  size_t pos = 0;
  if (text.empty()) return table;
  table.header = parse_record(text, pos);
  while (pos < text.size()) table.rows.push_back(parse_record(text, pos));
  return table;
}

}  // namespace curlrl
