#include <gtest/gtest.h>

#include <sstream>

#include "core/progress.h"

namespace curlrl {
namespace {

TEST(Progress, PlainLinesAtAFixedIntervalWhenNotATerminal) {
  std::ostringstream out;
  double now = 0;
  Progress p(1000, out, /*interactive=*/false, /*interval=*/10.0, [&] { return now; });
  p.update(0);  // first call prints
  now = 4;
  p.update(100);  // within the interval: silent
  now = 10;
  p.update(200, "last eval 12.5");  // 200 steps in 10 s
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_EQ(text.find('\r'), std::string::npos);  // no carriage returns in logs
  EXPECT_NE(text.find("progress: 200/1000 env steps (20.0%), 20.0 steps/s, elapsed 0:00:10, ETA 0:00:40, "
                      "last eval 12.5\n"),
            std::string::npos)
      << text;
}

TEST(Progress, RateAndEtaFollowTheLastTwoMinutes) {
  // 100 steps/s for the first 100 s (random actions), then 10 steps/s: after 300 s in all, the rate shown is the
  // last kWindow = 120 s's, 10 steps/s, and the ETA for the remaining 98000 steps is 9800 s (not the whole
  // run's 12000 / 300 = 40 steps/s, which would say 2450 s).
  std::ostringstream out;
  double now = 0;
  int64_t done = 0;
  Progress p(110000, out, /*interactive=*/false, /*interval=*/1e9, [&] { return now; });
  p.update(0);
  for (int t = 1; t <= 300; ++t) {
    now = t;
    done += t <= 100 ? 100 : 10;
    p.update(done);
  }
  ASSERT_EQ(done, 12000);
  p.finish();
  const std::string text = out.str();
  EXPECT_NE(text.find("progress: 12000/110000 env steps (10.9%), 10.0 steps/s, elapsed 0:05:00, ETA 2:43:20"),
            std::string::npos)
      << text;
}

TEST(Progress, TerminalBarRedrawsInPlace) {
  std::ostringstream out;
  double now = 0;
  Progress p(100, out, /*interactive=*/true, 10.0, [&] { return now; });
  p.update(0);
  now = 1;
  p.update(50);
  const std::string text = out.str();
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_NE(text.find("\r[###############...............] 50/100 env steps"), std::string::npos) << text;
}

TEST(Progress, DurationFormat) {
  EXPECT_EQ(Progress::format_duration(0), "0:00:00");
  EXPECT_EQ(Progress::format_duration(3725), "1:02:05");
  EXPECT_EQ(Progress::format_duration(-1), "?:??:??");
}

}  // namespace
}  // namespace curlrl
