// SPDX-License-Identifier: Apache-2.0
//
// LogTail: the last lines a chaincode runtime printed, kept for error messages ("did not
// register within 30s; its last output: ..."). Thread-safe; bounded.

#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace fabric::launcher {

class LogTail {
 public:
  explicit LogTail(size_t max_lines = 50) : max_lines_(max_lines) {}

  void Add(std::string_view line) {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.emplace_back(line);
    if (lines_.size() > max_lines_) {
      lines_.pop_front();
    }
  }

  // The kept lines, oldest first.
  std::vector<std::string> Lines() const {
    std::lock_guard<std::mutex> lock(mu_);
    return {lines_.begin(), lines_.end()};
  }

 private:
  const size_t max_lines_;
  mutable std::mutex mu_;
  // Guarded by mu_:
  std::deque<std::string> lines_;
};

}  // namespace fabric::launcher
