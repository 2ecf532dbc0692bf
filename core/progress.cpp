#include "core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace curlrl {

Progress::Progress(int64_t total, std::ostream& out, bool interactive, double interval, Clock clock)
    : total_(std::max<int64_t>(total, 1)), out_(out), interactive_(interactive), interval_(interval),
      clock_(clock ? std::move(clock) : Clock([] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
      })),
      start_time_(clock_()) {}

bool Progress::stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

std::string Progress::format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?:??:??";
  const auto s = static_cast<int64_t>(seconds + 0.5);
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

double Progress::recent_rate(double now, int64_t done) const {
  // From the oldest sample kept (at most kWindow seconds old); the whole run's rate until there is one.
  if (!samples_.empty() && now - samples_.front().first > 0 && samples_.front().second < done) {
    return static_cast<double>(done - samples_.front().second) / (now - samples_.front().first);
  }
  const double elapsed = now - start_time_;
  return elapsed > 0 ? static_cast<double>(done - start_done_) / elapsed : 0.0;
}

std::string Progress::line(int64_t done, const std::string& status) const {
  const double now = clock_();
  const double elapsed = now - start_time_;
  const double rate = recent_rate(now, done);
  const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : NAN;
  const double frac = std::clamp(static_cast<double>(done) / static_cast<double>(total_), 0.0, 1.0);
  char buf[256];
  if (interactive_) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(frac * kWidth);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::snprintf(buf, sizeof(buf), "\r[%s] %lld/%lld env steps | %.1f steps/s | ETA %s", bar.c_str(),
                  static_cast<long long>(done), static_cast<long long>(total_), rate, format_duration(eta).c_str());
  } else {
    std::snprintf(buf, sizeof(buf), "progress: %lld/%lld env steps (%.1f%%), %.1f steps/s, elapsed %s, ETA %s",
                  static_cast<long long>(done), static_cast<long long>(total_), 100.0 * frac, rate,
                  format_duration(elapsed).c_str(), format_duration(eta).c_str());
  }
  std::string out = buf;
  if (!status.empty()) out += (interactive_ ? " | " : ", ") + status;
  if (interactive_) out += "\033[K";  // clear what a longer previous line left
  return out;
}

void Progress::update(int64_t done, const std::string& status) {
  if (start_done_ < 0) start_done_ = done;
  last_done_ = done;
  if (!status.empty()) last_status_ = status;
  const double now = clock_();
  if (samples_.empty()) samples_.emplace_back(start_time_, start_done_);
  if (now - samples_.back().first >= 1.0) samples_.emplace_back(now, done);
  while (samples_.size() > 2 && now - samples_[1].first >= kWindow) samples_.pop_front();
  const double min_gap = interactive_ ? 0.2 : interval_;
  if (now - last_print_ < min_gap) return;
  last_print_ = now;
  out_ << line(done, last_status_);
  if (!interactive_) out_ << '\n';
  out_.flush();
}

void Progress::finish() {
  if (start_done_ < 0) start_done_ = last_done_;
  out_ << line(last_done_, last_status_) << '\n';
  out_.flush();
}

}  // namespace curlrl
