// SPDX-License-Identifier: Apache-2.0
//
// Fibers: functions running on their own stacks that park themselves and are resumed later, on
// any thread (ucontext). Waiting for a message this way costs two stack switches instead of two
// thread wake-ups. Used by the shim's coroutine execution (each transaction a Fiber on the
// stream's reader thread) and by the peer's endorser (each proposal a FiberTask started on the
// gRPC callback thread, parked while its chaincode runs, resumed by the chaincode stream's reader
// when COMPLETED arrives).
//
// Stacks are 4 MiB of address space with a guard page below (touched pages only are memory),
// kept in a FiberStacks pool for reuse.
//
// Rules for code that runs in a fiber: hold no lock across a park (another fiber on the same
// thread may want it); where the fiber runs on a thread that serves others (a gRPC callback, a
// stream reader, a timer), do not block it for long: call MoveToBlockingPool() first; and in a
// function that parks, touch nothing thread-specific both before and after the park: the compiler
// may keep a thread_local's address, errno's, or pthread_self() (std::this_thread::get_id();
// declared const) from before, which then belong to the thread the fiber left (fiber_test.cc shows
// it). Reach them through a function that does not park, outside the parking function's own body.
//
// Thread-safety: one thread at a time may resume a given fiber (whoever takes a parked fiber out
// of the structure it parked in resumes it). Park is called only from inside the fiber.
// Different fibers may run on different threads at once.

#pragma once

#include <ucontext.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "fabric/base/worker_pool.h"

namespace fabric {

// Reusable fiber stacks. Thread-safe.
class FiberStacks {
 public:
  static constexpr size_t kStackBytes = 4 << 20;
  FiberStacks() = default;
  ~FiberStacks();
  FiberStacks(const FiberStacks&) = delete;
  FiberStacks& operator=(const FiberStacks&) = delete;

  // The usable part of a stack (guard page excluded), or nullptr when mmap fails.
  void* Take();
  void Give(void* stack);

 private:
  std::mutex mu_;
  std::vector<void*> free_;  // Guarded by mu_.
};

class Fiber {
 public:
  // Takes a stack from `stacks` (returned by the destructor). ok() is false when none could be
  // mapped; such a fiber must not be resumed.
  Fiber(std::function<void()> body, FiberStacks& stacks);
  ~Fiber();
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

  bool ok() const { return stack_ != nullptr; }

  // Runs the fiber on the calling thread until it parks or its body returns. Returns true once
  // the body has returned (the fiber may then be destroyed). When it returns false the fiber is
  // parked and may already be running elsewhere: the caller must not touch it again.
  bool Resume();

  // From inside a fiber: switches back to the thread's Resume call. `held` is a mutex the caller
  // has locked; it is unlocked only after the switch, so that nobody can resume this fiber before
  // it is parked. Returns (with `held` unlocked) when someone resumes the fiber.
  static void Park(std::mutex& held);

  // The fiber running on the calling thread, or nullptr on a thread's own stack.
  static Fiber* Current();

  // A word for the fiber's owner (FiberTask keeps itself here).
  void* owner = nullptr;

 private:
  static void Entry(unsigned int low, unsigned int high);
  // Tell ASan and TSan of each stack switch (fabric/base/sanitizers.h); no-ops in other builds.
  // SwitchingIn runs on the resumer's stack before it switches to the fiber, SwitchedIn first
  // thing on the fiber's stack after each switch to it, SwitchingOut on the fiber's stack before
  // it switches back (`finished`: for the last time), SwitchedBack on the resumer's stack after
  // that (`parked`: the mutex it is about to unlock for a parking fiber, or null).
  void SwitchingIn(void** resumer_fake_stack);
  void SwitchedIn();
  void SwitchingOut(bool finished);
  void SwitchedBack(void* resumer_fake_stack, std::mutex* parked);

  std::function<void()> body_;
  FiberStacks& stacks_;
  void* stack_;
  ucontext_t context_{};
  ucontext_t* resumer_ = nullptr;  // Context of the Resume call running this fiber.
  std::mutex* unlock_after_switch_ = nullptr;
  bool finished_ = false;
  // Sanitizer state (see SwitchingIn): the fiber's ASan fake stack while it is switched out,
  // the bounds of the stack that resumed it; its TSan fiber and the resumer's.
  [[maybe_unused]] void* asan_fake_stack_ = nullptr;
  [[maybe_unused]] const void* resumer_stack_ = nullptr;
  [[maybe_unused]] size_t resumer_stack_bytes_ = 0;
  [[maybe_unused]] void* tsan_fiber_ = nullptr;
  [[maybe_unused]] void* resumer_tsan_fiber_ = nullptr;
};

// A Fiber that owns itself: Start runs it on the calling thread until it parks or ends; whoever
// takes it out of the place it parked in calls Continue; it deletes itself when its body returns.
class FiberTask {
 public:
  // Runs `body` as a new task on this thread. `blocking` (borrowed, may be null) is where
  // MoveToBlockingPool moves it. False, with nothing run, when no stack could be mapped (the
  // caller then runs the work another way).
  static bool Start(std::function<void()> body, FiberStacks& stacks,
                    WorkerPool* blocking = nullptr);
  // Resumes the parked task on this thread until it parks again or ends.
  void Continue();
  // The task running on the calling thread, or nullptr.
  static FiberTask* Current();
  // From inside the task: parks it; `held` (locked by the caller) is unlocked after the switch.
  static void Park(std::mutex& held) { Fiber::Park(held); }
  // True once a MoveToBlockingPool of this task returned false (its pool is shutting down).
  bool refused() const { return refused_; }

 private:
  FiberTask(std::function<void()> body, FiberStacks& stacks, WorkerPool* blocking);
  // Resumes the task on a thread of its blocking pool (MoveToBlockingPool's job).
  void ContinueOnPool();

  Fiber fiber_;
  WorkerPool* const blocking_;
  bool refused_ = false;
  bool on_pool_ = false;  // resumed by its pool and not parked since: moving again is a no-op
  friend bool MoveToBlockingPool();
  friend class FiberHop;
};

// Called before work that may block the thread for long (disk, starting a process, code that
// waits on a condition variable). In a FiberTask started with a blocking pool: parks the task and
// resumes it on a thread of that pool, so that the thread it ran on goes back to serving others.
// Returns true when the caller may go on and block: it now runs on the pool (or already did:
// a second call before the task parks again does nothing), or it is not in such a task. Returns
// false when the pool refused the task or dropped it unrun (shutting down): the caller is still
// where it was and should give up at once.
bool MoveToBlockingPool();

// Runs callbacks at deadlines on one owned thread (for fibers parked with a timeout). Thread-safe;
// callbacks run without the timer's lock held, so they may Add and Cancel.
class DeadlineTimer {
 public:
  using Clock = std::chrono::steady_clock;
  DeadlineTimer();
  ~DeadlineTimer();  // Drops pending callbacks unrun and joins the thread.
  DeadlineTimer(const DeadlineTimer&) = delete;
  DeadlineTimer& operator=(const DeadlineTimer&) = delete;

  // Schedules `callback` at `deadline`; the id cancels it.
  uint64_t Add(Clock::time_point deadline, std::function<void()> callback);
  // Forgets the callback unless it already started.
  void Cancel(uint64_t id);
  // A process-wide timer, started on first use.
  static DeadlineTimer& Shared();

 private:
  void Loop(std::stop_token stop);

  static constexpr std::chrono::seconds kIdleCheck{1};

  std::mutex mu_;
  std::condition_variable_any cv_;
  // Guarded by mu_: (deadline, id) -> callback, and id -> deadline for Cancel.
  std::map<std::pair<Clock::time_point, uint64_t>, std::function<void()>> due_;
  std::map<uint64_t, Clock::time_point> ids_;
  uint64_t next_id_ = 1;
  // When the thread next looks at due_ on its own; min() while it is awake.
  Clock::time_point wake_at_ = Clock::time_point::min();
  std::jthread thread_;  // last: joined first
};

}  // namespace fabric
