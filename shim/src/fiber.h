// SPDX-License-Identifier: Apache-2.0
//
// Fiber: a function running on its own stack that can park itself and be resumed later, on any
// thread (ucontext). The shim's coroutine execution runs each transaction as a Fiber on the
// stream's reader thread: a stub call parks the transaction until the peer's reply arrives, and
// the reader resumes it where it stopped, so a GetState costs two stack switches instead of two
// thread wake-ups (StartOptions::Execution says when to choose it).
//
// Stacks are 4 MiB of address space with a guard page below (touched pages only are memory),
// kept in a FiberStacks pool for reuse.
//
// Thread-safety: one thread at a time may Resume a given Fiber (the shim's mailboxes ensure it:
// whoever takes a parked fiber out of its mailbox resumes it). Park is called only from inside
// the fiber. Different fibers may run on different threads at once.

#pragma once

#include <ucontext.h>

#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

namespace fabric::shim::internal {

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
  // the body has returned (the fiber may then be destroyed).
  bool Resume();

  // From inside a fiber: switches back to the thread's Resume call. `held` is a mutex the caller
  // has locked; it is unlocked only after the switch, so that nobody can resume this fiber before
  // it is parked. Returns (with `held` unlocked) when someone resumes the fiber.
  static void Park(std::mutex& held);

  // The fiber running on the calling thread, or nullptr on a thread's own stack.
  static Fiber* Current();

 private:
  static void Entry(unsigned int low, unsigned int high);

  std::function<void()> body_;
  FiberStacks& stacks_;
  void* stack_;
  ucontext_t context_{};
  ucontext_t* resumer_ = nullptr;  // Context of the Resume call running this fiber.
  std::mutex* unlock_after_switch_ = nullptr;
  bool finished_ = false;
};

}  // namespace fabric::shim::internal
