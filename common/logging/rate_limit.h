// SPDX-License-Identifier: Apache-2.0
//
// RateLimit: at most one log line per interval from one call site that a flood can trigger
// (every rejected Broadcast, every message for an unknown transaction): the first occurrence is
// logged at once, later ones within the interval are counted, and the next line logged says how
// many were left out. A flood then costs a line per interval instead of a line per message.
//
// Thread-safe; lock-free on the suppressed path.

#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

namespace fabric::logging {

class RateLimit {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit RateLimit(std::chrono::steady_clock::duration interval = std::chrono::seconds(1),
                     Clock clock = std::chrono::steady_clock::now)
      : interval_(interval), clock_(std::move(clock)) {}

  // True when this occurrence should be logged; then `*suppressed` is the number of occurrences
  // left out since the last logged one.
  bool Allow(uint64_t* suppressed) {
    const int64_t now = clock_().time_since_epoch().count();
    int64_t next = next_.load(std::memory_order_relaxed);
    if (now < next ||
        !next_.compare_exchange_strong(next, now + interval_.count(), std::memory_order_relaxed)) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    *suppressed = dropped_.exchange(0, std::memory_order_relaxed);
    return true;
  }

 private:
  const std::chrono::steady_clock::duration interval_;
  const Clock clock_;
  std::atomic<int64_t> next_{0};
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace fabric::logging
