// SPDX-License-Identifier: Apache-2.0
#include "fabric/base/thread_name.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace fabric {
namespace {

// What the kernel reports for the calling thread (what top -H and perf show).
std::string KernelName() {
  std::ifstream comm("/proc/self/task/" + std::to_string(syscall(SYS_gettid)) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

TEST(ThreadNameTest, NamesTheCallingThreadAndCutsAt15Bytes) {
  std::thread([] {
    SetThreadName("validate-1");
    EXPECT_EQ(ThreadName(), "validate-1");
    EXPECT_EQ(KernelName(), "validate-1");
    SetThreadName("deliver/mychannel");
    EXPECT_EQ(ThreadName(), "deliver/mychann");
    EXPECT_EQ(KernelName(), "deliver/mychann");
  }).join();
}

TEST(ThreadNameTest, NewThreadsInheritTheNameUnlessTheyAreNamed) {
  std::thread([] {
    SetThreadName("parent");
    std::string child;
    std::thread([&] { child = ThreadName(); }).join();
    EXPECT_EQ(child, "parent");
  }).join();
}

TEST(ThreadNameTest, ScopedNameGivesTheOldNameBack) {
  std::thread([] {
    SetThreadName("pool-thread");
    {
      ScopedThreadName scoped("cc/mycc:1.0");
      EXPECT_EQ(KernelName(), "cc/mycc:1.0");
    }
    EXPECT_EQ(KernelName(), "pool-thread");
  }).join();
}

}  // namespace
}  // namespace fabric
