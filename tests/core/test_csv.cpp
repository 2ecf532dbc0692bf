#include <gtest/gtest.h>

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

}  // namespace
}  // namespace curlrl
