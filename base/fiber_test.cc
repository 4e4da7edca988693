// SPDX-License-Identifier: Apache-2.0

#include "fabric/base/fiber.h"

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "fabric/base/testing/wait_until.h"

namespace fabric {
namespace {

using namespace std::chrono_literals;

// The calling thread's id, never folded across a park: pthread_self (behind get_id) is declared
// const, so within one function the compiler may reuse a value read before the park, on the
// thread the fiber left (fabric/base/fiber.h's rule about thread-locals). Clang has no noipa; it
// infers nothing about an optnone function.
#if defined(__clang__)
#define FABRIC_NO_IPA [[gnu::noinline, clang::optnone]]
#else
#define FABRIC_NO_IPA [[gnu::noipa]]
#endif
FABRIC_NO_IPA std::thread::id ThreadNow() { return std::this_thread::get_id(); }

// A place a FiberTask parks in, as TransactionContext is for the endorser's proposals.
class Slot {
 public:
  // From inside a task: parks it here until Wake.
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    parked_ = FiberTask::Current();
    FiberTask::Park(*lock.release());
  }
  // Resumes the parked task on the calling thread; false when none is parked.
  bool Wake() {
    FiberTask* task = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      task = std::exchange(parked_, nullptr);
    }
    if (task == nullptr) {
      return false;
    }
    task->Continue();
    return true;
  }

 private:
  std::mutex mu_;
  FiberTask* parked_ = nullptr;  // Guarded by mu_.
};

TEST(FiberTaskTest, ParksOnOneThreadAndFinishesOnTheOneThatResumesIt) {
  FiberStacks stacks;
  Slot slot;
  std::thread::id started_on, finished_on;
  std::atomic<bool> done{false};
  ASSERT_TRUE(FiberTask::Start(
      [&] {
        EXPECT_NE(FiberTask::Current(), nullptr);
        started_on = ThreadNow();
        slot.Wait();
        finished_on = ThreadNow();
        done = true;
      },
      stacks));
  EXPECT_EQ(started_on, std::this_thread::get_id());
  EXPECT_FALSE(done.load()) << "Start returns once the task parks";
  EXPECT_EQ(FiberTask::Current(), nullptr) << "back on the thread's own stack";
  std::thread other([&] { EXPECT_TRUE(slot.Wake()); });
  other.join();
  EXPECT_TRUE(done.load());
  EXPECT_NE(finished_on, started_on);
  EXPECT_FALSE(slot.Wake()) << "the task ended and deleted itself";
}

TEST(FiberTaskTest, ManyTasksParkedAtOnceAllFinish) {
  FiberStacks stacks;
  std::vector<Slot> slots(300);  // more than the stack cache keeps
  std::atomic<int> finished{0};
  for (Slot& slot : slots) {
    ASSERT_TRUE(FiberTask::Start(
        [&slot, &finished] {
          int local = 7;  // lives on the fiber's stack across the park
          slot.Wait();
          finished += local == 7 ? 1 : 0;
        },
        stacks));
  }
  EXPECT_EQ(finished.load(), 0);
  std::thread a([&] {
    for (size_t i = 0; i < slots.size(); i += 2)
      slots[i].Wake();
  });
  std::thread b([&] {
    for (size_t i = 1; i < slots.size(); i += 2)
      slots[i].Wake();
  });
  a.join();
  b.join();
  EXPECT_EQ(finished.load(), 300);
}

TEST(FiberTaskTest, ATaskThatNeverParksFinishesInsideStart) {
  FiberStacks stacks;
  int ran = 0;
  ASSERT_TRUE(FiberTask::Start([&] { ++ran; }, stacks));
  EXPECT_EQ(ran, 1);
}

TEST(MoveToBlockingPoolTest, TheRestOfTheTaskRunsOnAPoolThread) {
  FiberStacks stacks;
  WorkerPool pool(2, 10);
  std::promise<std::pair<bool, std::thread::id>> moved;
  std::thread::id started_on;
  ASSERT_TRUE(FiberTask::Start(
      [&] {
        started_on = ThreadNow();
        const bool ok = MoveToBlockingPool();
        moved.set_value({ok, ThreadNow()});
      },
      stacks, &pool));
  auto [ok, now_on] = moved.get_future().get();
  EXPECT_TRUE(ok);
  EXPECT_EQ(started_on, std::this_thread::get_id());
  EXPECT_NE(now_on, started_on);
  EXPECT_TRUE(MoveToBlockingPool()) << "outside a task: nothing to do";
}

TEST(MoveToBlockingPoolTest, ASecondMoveBeforeTheNextParkStaysPut) {
  FiberStacks stacks;
  WorkerPool pool(1, 10);
  std::promise<bool> second;
  std::thread shutdown;
  ASSERT_TRUE(FiberTask::Start(
      [&] {
        ASSERT_TRUE(MoveToBlockingPool());
        // Stop the pool while the task runs on it: a real second move would now be refused.
        shutdown = std::thread([&] { pool.Shutdown(); });
        EXPECT_TRUE(WaitUntil([&] { return !pool.TrySubmit([] {}); }));
        second.set_value(MoveToBlockingPool());
      },
      stacks, &pool));
  EXPECT_TRUE(second.get_future().get()) << "already on the pool: nothing to move";
  shutdown.join();
}

TEST(MoveToBlockingPoolTest, APoolThatShutsDownResumesTheTaskWhereItWasWithFalse) {
  FiberStacks stacks;
  WorkerPool pool(1, 10);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ASSERT_TRUE(pool.TrySubmit([released] { released.wait(); }));  // the pool's only thread
  std::promise<std::pair<bool, bool>> outcome;
  ASSERT_TRUE(FiberTask::Start(
      [&] {
        const bool ok = MoveToBlockingPool();  // queued behind the blocker
        outcome.set_value({ok, FiberTask::Current()->refused()});
      },
      stacks, &pool));
  std::thread shutdown([&] { pool.Shutdown(); });  // drops the queued move, waits for the blocker
  auto result = outcome.get_future().get();
  EXPECT_FALSE(result.first);
  EXPECT_TRUE(result.second);
  release.set_value();
  shutdown.join();
  // Refused at once by a pool already shut down.
  std::promise<bool> again;
  ASSERT_TRUE(FiberTask::Start([&] { again.set_value(MoveToBlockingPool()); }, stacks, &pool));
  EXPECT_FALSE(again.get_future().get());
}

TEST(DeadlineTimerTest, RunsCallbacksInDeadlineOrderAndNotCancelledOnes) {
  DeadlineTimer timer;
  std::mutex mu;
  std::vector<int> order;
  std::promise<void> last;
  const auto now = DeadlineTimer::Clock::now();
  auto record = [&](int n) {
    return [&, n] {
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(n);
    };
  };
  timer.Add(now + 60ms, record(3));
  timer.Add(now + 20ms, record(1));
  const uint64_t cancelled = timer.Add(now + 40ms, record(99));
  timer.Add(now + 40ms, record(2));
  timer.Add(now + 80ms, [&] { last.set_value(); });
  timer.Cancel(cancelled);
  ASSERT_EQ(last.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_GE(DeadlineTimer::Clock::now() - now, 80ms);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(DeadlineTimerTest, ACallbackMayScheduleAndAnEarlierDeadlineWakesTheTimer) {
  DeadlineTimer timer;
  std::promise<void> second;
  timer.Add(DeadlineTimer::Clock::now() + 1h, [] { FAIL() << "an hour has not passed"; });
  const auto start = DeadlineTimer::Clock::now();
  timer.Add(start + 10ms,
            [&] { timer.Add(DeadlineTimer::Clock::now() + 10ms, [&] { second.set_value(); }); });
  ASSERT_EQ(second.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_LT(DeadlineTimer::Clock::now() - start, 2s);
  // Destroying the timer drops the hour-long one unrun.
}

TEST(DeadlineTimerTest, ADeadlineAddedWhileIdleFiresOnTimeWithoutWakingTheTimer) {
  DeadlineTimer timer;
  std::this_thread::sleep_for(10ms);  // the scenario: the timer thread asleep with nothing due
  std::promise<DeadlineTimer::Clock::time_point> fired;
  const auto deadline = DeadlineTimer::Clock::now() + 1500ms;  // past the idle check
  timer.Add(deadline, [&] { fired.set_value(DeadlineTimer::Clock::now()); });
  auto when = fired.get_future();
  ASSERT_EQ(when.wait_for(10s), std::future_status::ready);
  const auto at = when.get();
  EXPECT_GE(at, deadline);
  EXPECT_LT(at - deadline, 1s) << "found at the next idle check, then waited for";
}

}  // namespace
}  // namespace fabric
