// SPDX-License-Identifier: Apache-2.0
#include "fabric/base/worker_pool.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <memory>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "fabric/base/testing/wait_until.h"

namespace fabric {
namespace {

TEST(WorkerPoolTest, RunsEveryTaskOnAtMostMaxThreads) {
  std::atomic<int> ran{0};
  std::mutex mu;
  std::set<std::thread::id> ids;
  {
    WorkerPool pool(3, 1000);
    for (int i = 0; i < 500; ++i) {
      ASSERT_TRUE(pool.TrySubmit([&] {
        std::lock_guard<std::mutex> lock(mu);
        ids.insert(std::this_thread::get_id());
        ++ran;
      }));
    }
    while (ran.load() < 500) {
      std::this_thread::yield();
    }
  }
  EXPECT_EQ(ran.load(), 500);
  EXPECT_LE(ids.size(), 3u);
}

TEST(WorkerPoolTest, RefusesWhenWorkersAndQueueAreFull) {
  WorkerPool pool(2, 1);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<int> started{0};
  auto blocker = [&, gate] {
    ++started;
    gate.wait();
  };
  EXPECT_TRUE(pool.TrySubmit(blocker));
  EXPECT_TRUE(pool.TrySubmit(blocker));
  EXPECT_TRUE(pool.TrySubmit(blocker));   // queued
  EXPECT_FALSE(pool.TrySubmit(blocker));  // two busy, one queued: full
  release.set_value();
  pool.Shutdown();
  EXPECT_FALSE(pool.TrySubmit([] {}));
}

TEST(WorkerPoolTest, ShutdownDestroysQueuedTasksUnrunSoTheyCanReportIt) {
  WorkerPool pool(1, 10);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> running;
  ASSERT_TRUE(pool.TrySubmit([&running, gate] {
    running.set_value();
    gate.wait();
  }));
  running.get_future().wait();
  std::atomic<int> ran{0};
  std::atomic<int> dropped{0};
  struct Guard {
    std::atomic<int>* dropped = nullptr;
    bool done = false;
    ~Guard() {
      if (!done)
        ++*dropped;
    }
  };
  for (int i = 0; i < 4; ++i) {
    auto guard = std::make_shared<Guard>();
    guard->dropped = &dropped;
    ASSERT_TRUE(pool.TrySubmit([guard, &ran] {
      guard->done = true;
      ++ran;
    }));
  }
  std::thread releaser([&release, &dropped] {
    // Shutdown has taken the queue once it destroyed the queued tasks.
    EXPECT_TRUE(WaitUntil([&dropped] { return dropped.load() == 4; }));
    release.set_value();
  });
  pool.Shutdown();  // waits for the running task; the four queued ones are destroyed unrun
  releaser.join();
  EXPECT_EQ(ran.load(), 0);
  EXPECT_EQ(dropped.load(), 4);
}

// A process that cannot start another thread (here: a user at its RLIMIT_NPROC) gets a refusal
// from TrySubmit, not an exception that would abort whatever called it.
TEST(WorkerPoolTest, NoThreadToStartIsARefusal) {
  if (geteuid() != 0) {
    GTEST_SKIP() << "needs root to switch to an unprivileged user in a child";
  }
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // An unprivileged user with no room for one more thread.
    rlimit one{1, 1};
    if (setgid(65534) != 0 || setuid(65534) != 0 || setrlimit(RLIMIT_NPROC, &one) != 0) {
      _exit(3);
    }
    WorkerPool pool(2, 10);
    std::atomic<bool> ran{false};
    const bool accepted = pool.TrySubmit([&] { ran = true; });
    _exit(accepted ? 1 : 0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child died of signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace fabric
