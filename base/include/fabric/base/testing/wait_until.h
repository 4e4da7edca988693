// SPDX-License-Identifier: Apache-2.0
//
// WaitUntil (tests only): waits for a state another thread or process brings about and the code
// under test exposes (a counter, a registry, a file) but does not signal. Where the code under
// test can signal (a callback, a future), a test waits for that instead.

#pragma once

#include <chrono>
#include <thread>

namespace fabric {

// Checks `condition` every millisecond until it holds or `timeout` passes; returns whether it
// held. The timeout only bounds a failing test: a passing one returns as soon as the condition
// holds.
template <typename Condition>
[[nodiscard]] bool WaitUntil(Condition condition,
                             std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return condition();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace fabric
