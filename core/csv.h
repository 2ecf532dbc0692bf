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
// The same from text in memory.
CsvTable parse_csv(const std::string& text);

// The CSV text of `table` keeping only the rows whose `column` is a whole number <= `max_value` (a resumed run drops
// the log rows written after its checkpoint). A row whose cell is not a whole number is a curlrl::Error naming
// `where`, the line and the cell; so is a missing column.
std::string csv_rows_up_to(const CsvTable& table, const std::string& column, int64_t max_value,
                           const std::string& where);

// Rows of `dim` numbers each (rollout's policy=file:PATH actions). The first line is a header when none of its cells
// starts like a number ("action:0,action:1"); otherwise it is the first row, so a malformed number there is an error,
// not a header. Blank lines are skipped; a wrong column count, a cell that is not a finite number, or no rows at all
// is a curlrl::Error naming `where` and the line.
std::vector<std::vector<double>> number_rows(const CsvTable& table, int dim, const std::string& where);

}  // namespace curlrl
