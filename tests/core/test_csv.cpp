#include <gtest/gtest.h>

#include <functional>

#include "core/csv.h"
#include "core/error.h"
#include "tests/test_util.h"

namespace curlrl {
namespace {

using testing::TempDir;

TEST(Csv, FixedHeaderAndRowsWithEmptyCellsForMissingValues) {
  TempDir tmp;
  CsvWriter w(tmp / "log.csv", {"env_steps", "episode_return", "note"});
  w.write({{"env_steps", int64_t{1000}}, {"episode_return", 12.5}});
  w.write({{"env_steps", int64_t{2000}}, {"note", std::string("ok")}});
  EXPECT_EQ(testing::read_text(tmp / "log.csv"), "env_steps,episode_return,note\n1000,12.5,\n2000,,ok\n");
}

TEST(Csv, QuotingFollowsRfc4180AndReadsBack) {
  EXPECT_EQ(CsvWriter::quote("plain"), "plain");
  EXPECT_EQ(CsvWriter::quote("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvWriter::quote("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvWriter::quote("two\nlines"), "\"two\nlines\"");
  TempDir tmp;
  {
    CsvWriter w(tmp / "q.csv", {"a", "b"});
    w.write({{"a", std::string("x,\"y\"\nz")}, {"b", 0.1}});
  }
  const CsvTable t = read_csv(tmp / "q.csv");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0][0], "x,\"y\"\nz");
  EXPECT_EQ(std::stod(t.rows[0][1]), 0.1);  // shortest text that reads back exactly
}

TEST(Csv, EachRowIsFlushedAsItIsWritten) {
  TempDir tmp;
  CsvWriter w(tmp / "f.csv", {"x"});
  w.write({{"x", int64_t{1}}});
  // Read while the writer is still open: the row is already on disk.
  EXPECT_EQ(testing::read_text(tmp / "f.csv"), "x\n1\n");
  w.write({{"x", int64_t{2}}});
  EXPECT_EQ(testing::read_text(tmp / "f.csv"), "x\n1\n2\n");
}

TEST(Csv, AppendChecksTheHeaderAndKeepsRows) {
  TempDir tmp;
  { CsvWriter(tmp / "a.csv", {"x", "y"}).write({{"x", int64_t{1}}}); }
  { CsvWriter(tmp / "a.csv", {"x", "y"}, /*append=*/true).write({{"x", int64_t{2}}}); }
  EXPECT_EQ(testing::read_text(tmp / "a.csv"), "x,y\n1,\n2,\n");
  EXPECT_THROW(CsvWriter(tmp / "a.csv", {"x", "z"}, true), Error);
}

TEST(Csv, UnknownColumnIsAnError) {
  TempDir tmp;
  CsvWriter w(tmp / "u.csv", {"x"});
  EXPECT_THROW(w.write({{"y", int64_t{1}}}), std::logic_error);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Csv, ALogCutAtACheckpointKeepsTheRowsUpToItsStep) {
  const CsvTable t = parse_csv("env_steps,note\n0,a\n1000,\"x,y\"\n\n2000,b\n1500,c\n");
  EXPECT_EQ(csv_rows_up_to(t, "env_steps", 1500, "log"), "env_steps,note\n0,a\n1000,\"x,y\"\n1500,c\n");
  EXPECT_EQ(csv_rows_up_to(parse_csv(""), "env_steps", 5, "log"), "");
  // A damaged row is named, not skipped (it would silently lose or keep the wrong rows) and not a crash.
  const std::string bad = error_of([] { csv_rows_up_to(parse_csv("env_steps\n10\n1e3x\n"), "env_steps", 5, "log"); });
  EXPECT_EQ(bad, "log: line 3: env_steps '1e3x' is not a whole number (the log is damaged)");
  EXPECT_NE(error_of([] { csv_rows_up_to(parse_csv("a,env_steps\n10\n"), "env_steps", 5, "log"); }).find("line 2"),
            std::string::npos);
  EXPECT_NE(error_of([] { csv_rows_up_to(parse_csv("steps\n10\n"), "env_steps", 5, "log"); }).find("no column"),
            std::string::npos);
}

TEST(Csv, NumberRowsTakeAHeaderOnlyWhenNoCellLooksLikeANumber) {
  auto rows = number_rows(parse_csv("action:0,action:1\n0.5,-1\n\n+0.25, 1e-3\n"), 2, "f");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1], (std::vector<double>{0.25, 0.001}));
  rows = number_rows(parse_csv("0.5,-1\n"), 2, "f");
  EXPECT_EQ(rows.size(), 1u);
  EXPECT_EQ(error_of([] { number_rows(parse_csv("0.5x,-1\n"), 2, "f"); }), "f: line 1: '0.5x' is not a number");
  EXPECT_EQ(error_of([] { number_rows(parse_csv("a,b\n1,inf\n"), 2, "f"); }), "f: line 2: 'inf' is not a number");
  EXPECT_EQ(error_of([] { number_rows(parse_csv("1,2,3\n"), 2, "f"); }),
            "f: line 1 has 3 columns, the task has 2 action components");
  EXPECT_EQ(error_of([] { number_rows(parse_csv(""), 2, "f"); }), "f: no actions (the file has no rows of numbers)");
}

}  // namespace
}  // namespace curlrl
