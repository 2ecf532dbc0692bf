// CSV logs (train.csv, eval.csv): a fixed header written once, one row per log event, flushed per row, RFC 4180
// quoting. Reopening an existing file for a resumed run appends after checking that its header matches.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace curlrl {

class CsvWriter {
 public:
  using Cell = std::variant<int64_t, double, std::string>;

  // Opens `path` with `columns`. append=false truncates; append=true keeps existing rows (the header must match).
  CsvWriter(const std::filesystem::path& path, std::vector<std::string> columns, bool append = false);

  // Writes one row; cells missing from `row` are left empty, a key that is not a column is an error.
  void write(const std::map<std::string, Cell>& row);
  const std::vector<std::string>& columns() const { return columns_; }

  static std::string quote(const std::string& field);
  static std::string format(const Cell& cell);  // numbers: shortest text that reads back exactly

 private:
  std::filesystem::path path_;
  std::vector<std::string> columns_;
  std::ofstream out_;
};

// Reads a CSV written by CsvWriter (quoted fields allowed): the header and the rows as strings.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  // Column index by name; throws if absent.
  size_t column(const std::string& name) const;
};
CsvTable read_csv(const std::filesystem::path& path);

}  // namespace curlrl
