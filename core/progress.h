// Console progress for long work: a redrawn bar on a terminal; plain lines at a fixed interval otherwise
// (CI, a log file, a cluster job), so logs stay readable.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <ostream>
#include <string>
#include <utility>

namespace curlrl {

class Progress {
 public:
  using Clock = std::function<double()>;  // seconds, monotonic

  // `total` units (env steps) of work; `interval` seconds between plain lines when not interactive.
  Progress(int64_t total, std::ostream& out, bool interactive, double interval, Clock clock = {});
  // Reports `done` units so far (from `start` for a resumed run) and a status such as "eval 812.3". The rate and
  // the ETA are those of the last `kWindow` seconds, so that a fast start (random actions before updates begin)
  // does not make the ETA optimistic.
  void update(int64_t done, const std::string& status = "");
  // Prints the final state and a newline.
  void finish();

  static bool stdout_is_terminal();
  static std::string format_duration(double seconds);  // H:MM:SS

 static constexpr double kWindow = 120.0;

 private:
  std::string line(int64_t done, const std::string& status) const;
  double recent_rate(double now, int64_t done) const;

  int64_t total_;
  std::ostream& out_;
  bool interactive_;
  double interval_;
  Clock clock_;
  double start_time_;
  double last_print_ = -1e300;
  int64_t start_done_ = -1;
  int64_t last_done_ = 0;
  std::string last_status_;
  std::deque<std::pair<double, int64_t>> samples_;  // (time, done), about one per second, the last kWindow s
};

}  // namespace curlrl
