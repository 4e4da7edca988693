// SPDX-License-Identifier: Apache-2.0
#include "fabric/base/sched_batch.h"

#include <thread>

#include <gtest/gtest.h>

namespace fabric {
namespace {

TEST(SchedBatchTest, CallingThreadAndThreadsItStartsRunUnderSchedBatch) {
  const bool main_batch = UsesBatchScheduling();
  bool child_batch = false;
  std::thread([&] {
    // A fresh thread, so the test runner's main thread keeps its policy.
    Status s = UseBatchScheduling();
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_TRUE(UsesBatchScheduling());
    std::thread([&] { child_batch = UsesBatchScheduling(); }).join();
  }).join();
  EXPECT_TRUE(child_batch);
  EXPECT_EQ(UsesBatchScheduling(), main_batch);
}

}  // namespace
}  // namespace fabric
