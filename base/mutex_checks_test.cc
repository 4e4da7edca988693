// SPDX-License-Identifier: Apache-2.0
#include "fabric/base/mutex_checks.h"

#include <gtest/gtest.h>

namespace fabric {
namespace {

// Takes a then b, then b then a: a lock-order inversion Abseil's detection reports.
void InvertLockOrder() {
  absl::Mutex a;
  absl::Mutex b;
  {
    absl::MutexLock la(&a);
    absl::MutexLock lb(&b);
  }
  {
    absl::MutexLock lb(&b);
    absl::MutexLock la(&a);
  }
}

// The detection this switches off is live in the Abseil we link (Debian's, built without
// NDEBUG): with kAbort the inversion ends the process. Without it the next test proves nothing.
TEST(MutexChecksDeathTest, AbseilReportsALockOrderInversionWhenDetectionIsOn) {
  EXPECT_DEATH(
      {
        absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kAbort);
        InvertLockOrder();
      },
      "[Dd]eadlock");
}

TEST(MutexChecksTest, SkipMutexDeadlockChecksStopsTheTracking) {
  EXPECT_EXIT(
      {
        absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kAbort);
        SkipMutexDeadlockChecks();
        InvertLockOrder();
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace fabric
