// SPDX-License-Identifier: Apache-2.0
//
// LogCapture: collects every log line (all loggers) while it lives, for tests that assert what a
// part logs. Installs itself as the logging sink; the destructor restores stderr. One at a time.
//
// Thread-safety: lines may be logged from any thread while the test reads them.

#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/logging/logging.h"

namespace fabric::logging::testing {

class LogCapture {
 public:
  LogCapture() {
    SetSink([this](std::string_view line) {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.emplace_back(line);
    });
  }
  ~LogCapture() { SetSink(nullptr); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // The lines logged so far that contain `needle`, in order.
  std::vector<std::string> Lines(std::string_view needle) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const std::string& line : lines_) {
      if (line.find(needle) != std::string::npos) {
        out.push_back(line);
      }
    }
    return out;
  }

  bool Contains(std::string_view needle) { return !Lines(needle).empty(); }

 private:
  std::mutex mu_;
  // Guarded by mu_:
  std::vector<std::string> lines_;
};

}  // namespace fabric::logging::testing
