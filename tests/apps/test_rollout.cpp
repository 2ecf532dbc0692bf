// curlrl rollout with actions from a file: what it reads, and one-line errors for files it cannot use.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/csv.h"
#include "tests/test_util.h"

namespace curlrl {
namespace {

using testing::run_command;
using testing::TempDir;

struct Rollout {
  testing::CommandResult result;
  size_t rows = 0;  // data rows of the output CSV (row 0, the initial state, included)
};

// cartpole_swingup has one action component.
Rollout rollout(const TempDir& tmp, const std::string& policy, const std::string& extra = "") {
  const std::string out = (tmp / "out.csv").string();
  Rollout r;
  r.result = run_command(testing::curlrl_binary() + " rollout task=cartpole_swingup 'policy=" + policy +
                         "' out=" + out + " " + extra);
  if (std::filesystem::exists(out)) r.rows = read_csv(out).rows.size();
  return r;
}

void expect_one_line_error(const Rollout& r, const std::string& part) {
  EXPECT_NE(r.result.exit_code, 0);
  EXPECT_NE(r.result.err.find(part), std::string::npos) << r.result.err;
  EXPECT_EQ(r.result.err.find('\n'), r.result.err.size() - 1) << "one line: " << r.result.err;
  EXPECT_EQ(r.rows, 0u) << "nothing is written";
}

TEST(Rollout, ActionsFileWithOrWithoutHeader) {
  TempDir tmp;
  testing::write_text(tmp / "with_header.csv", "action:0\n0.5\n-0.5\n0.25\n");
  testing::write_text(tmp / "numbers.csv", "0.5\n-0.5\n0.25\n");
  for (const char* file : {"with_header.csv", "numbers.csv"}) {
    const Rollout r = rollout(tmp, "file:" + (tmp / file).string(), "steps=3");
    ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
    EXPECT_EQ(r.result.err, "") << file;
    EXPECT_EQ(r.rows, 4u) << file;  // the initial state and three steps
    const CsvTable t = read_csv(tmp / "out.csv");
    EXPECT_EQ(t.rows[1][1], "0.5") << file;
    EXPECT_EQ(t.rows[3][1], "0.25") << file;
  }
}

TEST(Rollout, UnusableActionsFilesAreOneLineErrors) {
  TempDir tmp;
  testing::write_text(tmp / "empty.csv", "");
  expect_one_line_error(rollout(tmp, "file:" + (tmp / "empty.csv").string()), "no actions");
  testing::write_text(tmp / "header_only.csv", "action:0\n");
  expect_one_line_error(rollout(tmp, "file:" + (tmp / "header_only.csv").string()), "no actions");
  // A malformed number in the first row is not taken for a header.
  testing::write_text(tmp / "bad_first.csv", "0.5x\n0.25\n");
  expect_one_line_error(rollout(tmp, "file:" + (tmp / "bad_first.csv").string()), "line 1: '0.5x' is not a number");
  testing::write_text(tmp / "bad_later.csv", "action:0\n0.5\nabc\n");
  expect_one_line_error(rollout(tmp, "file:" + (tmp / "bad_later.csv").string()), "line 3: 'abc' is not a number");
  testing::write_text(tmp / "two_columns.csv", "0.5,0.5\n");
  expect_one_line_error(rollout(tmp, "file:" + (tmp / "two_columns.csv").string()),
                        "line 1 has 2 columns, the task has 1 action components");
  expect_one_line_error(rollout(tmp, "file:"), "policy=file: needs the actions file's path");
  expect_one_line_error(rollout(tmp, "file:" + (tmp / "missing.csv").string()), "missing.csv");
}

TEST(Rollout, AFileShorterThanTheStepsAskedSaysSo) {
  TempDir tmp;
  testing::write_text(tmp / "two.csv", "0.5\n-0.5\n");
  const Rollout r = rollout(tmp, "file:" + (tmp / "two.csv").string(), "steps=10");
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  EXPECT_EQ(r.rows, 3u);
  EXPECT_NE(r.result.err.find("holds 2 actions: stopped after 2 of the 10 steps asked"), std::string::npos)
      << r.result.err;
  // As many actions as steps: nothing to say.
  const Rollout exact = rollout(tmp, "file:" + (tmp / "two.csv").string(), "steps=2");
  EXPECT_EQ(exact.result.err, "");
  EXPECT_EQ(exact.rows, 3u);
}

}  // namespace
}  // namespace curlrl
