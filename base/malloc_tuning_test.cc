// SPDX-License-Identifier: Apache-2.0
#include "fabric/base/malloc_tuning.h"

#include <cstdlib>
#include <vector>

#include <gtest/gtest.h>

#include "fabric/base/sanitizers.h"

namespace fabric {
namespace {

#if defined(__GLIBC__)
// Bytes held in freed fast-bin chunks after 200 blocks of 48 bytes are freed (the per-thread
// cache keeps 7 of them; glibc puts the rest in a fast bin while fast bins are on).
size_t FastBinBytesAfterSmallFrees() {
  std::vector<void*> blocks;
  for (int i = 0; i < 200; ++i) {
    blocks.push_back(std::malloc(48));
  }
  for (void* p : blocks) {
    std::free(p);
  }
  return mallinfo2().fsmblks;
}

TEST(MallocTuningTest, SmallFreesNoLongerGoToFastBins) {
  if (FABRIC_ASAN || FABRIC_TSAN) {
    GTEST_SKIP() << "a sanitizer's allocator replaces glibc's malloc: there are no fast bins";
  }
  ASSERT_GT(FastBinBytesAfterSmallFrees(), 0u) << "fast bins already off in this process";
  TuneMallocForServers();
  EXPECT_EQ(mallinfo2().fsmblks, 0u);  // what was there is merged
  EXPECT_EQ(FastBinBytesAfterSmallFrees(), 0u);
  // Allocation still works at every size class around the former fast-bin limit.
  for (size_t size : {1, 16, 64, 120, 128, 160, 1024, 4096}) {
    void* p = std::malloc(size);
    ASSERT_NE(p, nullptr);
    std::free(p);
  }
}
#endif

}  // namespace
}  // namespace fabric
