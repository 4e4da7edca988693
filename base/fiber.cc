// SPDX-License-Identifier: Apache-2.0

#include "fabric/base/fiber.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <utility>

#include "fabric/base/sanitizers.h"
#include "fabric/base/thread_name.h"

#if FABRIC_ASAN
#include <sanitizer/common_interface_defs.h>
#endif
#if FABRIC_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace fabric {
namespace {

thread_local Fiber* current_fiber = nullptr;

size_t PageBytes() {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

constexpr size_t kMaxCachedStacks = 256;

}  // namespace

FiberStacks::~FiberStacks() {
  for (void* s : free_) {
    munmap(static_cast<char*>(s) - PageBytes(), kStackBytes + PageBytes());
  }
}

void* FiberStacks::Take() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      void* s = free_.back();
      free_.pop_back();
      return s;
    }
  }
  const size_t guard = PageBytes();
  void* base = mmap(nullptr, kStackBytes + guard, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (base == MAP_FAILED) {
    return nullptr;
  }
  if (mprotect(base, guard, PROT_NONE) != 0) {
    munmap(base, kStackBytes + guard);
    return nullptr;
  }
  return static_cast<char*>(base) + guard;
}

void FiberStacks::Give(void* stack) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.size() < kMaxCachedStacks) {
      free_.push_back(stack);
      return;
    }
  }
  munmap(static_cast<char*>(stack) - PageBytes(), kStackBytes + PageBytes());
}

Fiber::Fiber(std::function<void()> body, FiberStacks& stacks)
    : body_(std::move(body)), stacks_(stacks), stack_(stacks.Take()) {
  if (stack_ == nullptr) {
    return;
  }
  getcontext(&context_);
  context_.uc_stack.ss_sp = stack_;
  context_.uc_stack.ss_size = FiberStacks::kStackBytes;
  context_.uc_link = nullptr;  // Entry never returns: it switches back to the resumer.
  const auto self = reinterpret_cast<uintptr_t>(this);
  makecontext(&context_, reinterpret_cast<void (*)()>(&Fiber::Entry), 2,
              static_cast<unsigned int>(self & 0xffffffffu), static_cast<unsigned int>(self >> 32));
#if FABRIC_TSAN
  tsan_fiber_ = __tsan_create_fiber(0);
#endif
}

Fiber::~Fiber() {
#if FABRIC_TSAN
  if (tsan_fiber_ != nullptr) {
    __tsan_destroy_fiber(tsan_fiber_);
  }
#endif
  if (stack_ != nullptr) {
    stacks_.Give(stack_);
  }
}

// A sanitizer keeps one stack per thread: a switch it is not told of makes ASan take the new
// stack's frames for wild accesses and TSan mix up two call stacks. ASan: start before each
// switch (saving the outgoing stack's fake stack; none when that stack is done with), finish after
// it (learning the stack switched from, which the fiber switches back to). TSan: each fiber is a
// TSan fiber; flag 0 orders what ran before a switch before what runs after it.
void Fiber::SwitchingIn([[maybe_unused]] void** resumer_fake_stack) {
#if FABRIC_ASAN
  __sanitizer_start_switch_fiber(resumer_fake_stack, stack_, FiberStacks::kStackBytes);
#endif
#if FABRIC_TSAN
  resumer_tsan_fiber_ = __tsan_get_current_fiber();
  __tsan_switch_to_fiber(tsan_fiber_, 0);
#endif
}

void Fiber::SwitchedIn() {
#if FABRIC_ASAN
  __sanitizer_finish_switch_fiber(asan_fake_stack_, &resumer_stack_, &resumer_stack_bytes_);
#endif
}

void Fiber::SwitchingOut([[maybe_unused]] bool finished) {
#if FABRIC_ASAN
  __sanitizer_start_switch_fiber(finished ? nullptr : &asan_fake_stack_, resumer_stack_,
                                 resumer_stack_bytes_);
#endif
#if FABRIC_TSAN
  // The resumer unlocks the mutex this fiber parks with, on another TSan fiber: TSan would take
  // that for an unlock by a thread that does not hold the mutex. Hand the mutex over as TSan sees
  // it: the fiber unlocks it here, the resumer locks it (SwitchedBack) before the real unlock.
  if (unlock_after_switch_ != nullptr) {
    __tsan_mutex_pre_unlock(unlock_after_switch_, 0);
    __tsan_mutex_post_unlock(unlock_after_switch_, 0);
  }
  __tsan_switch_to_fiber(resumer_tsan_fiber_, 0);
#endif
}

void Fiber::SwitchedBack([[maybe_unused]] void* resumer_fake_stack,
                         [[maybe_unused]] std::mutex* parked) {
#if FABRIC_ASAN
  __sanitizer_finish_switch_fiber(resumer_fake_stack, nullptr, nullptr);
#endif
#if FABRIC_TSAN
  if (parked != nullptr) {
    __tsan_mutex_pre_lock(parked, 0);
    __tsan_mutex_post_lock(parked, 0, 0);
  }
#endif
}

bool Fiber::Resume() {
  ucontext_t here;
  // swapcontext does not fill in uc_stack; ASan's swapcontext reads it when Park switches here.
  here.uc_stack = {};
  Fiber* outer = std::exchange(current_fiber, this);
  resumer_ = &here;
  void* fake_stack = nullptr;
  SwitchingIn(&fake_stack);
  swapcontext(&here, &context_);
  std::mutex* parked = std::exchange(unlock_after_switch_, nullptr);
  SwitchedBack(fake_stack, parked);
  current_fiber = outer;
  const bool finished = finished_;  // Read before the unlock: a parked fiber is not ours after it.
  if (parked != nullptr) {
    parked->unlock();
  }
  return finished;
}

void Fiber::Park(std::mutex& held) {
  Fiber* self = current_fiber;
  self->unlock_after_switch_ = &held;
  self->SwitchingOut(false);
  swapcontext(&self->context_, self->resumer_);
  self->SwitchedIn();
}

Fiber* Fiber::Current() { return current_fiber; }

void Fiber::Entry(unsigned int low, unsigned int high) {
  auto* self =
      reinterpret_cast<Fiber*>(static_cast<uintptr_t>(low) | (static_cast<uintptr_t>(high) << 32));
  self->SwitchedIn();
  try {
    self->body_();
  } catch (...) {
    // Bodies catch everything themselves (the shim's RunUserCode, the endorser's proposal);
    // nothing may unwind past here.
    std::abort();
  }
  self->finished_ = true;
  self->SwitchingOut(true);
  // The resumer's context is the one to return to: the fiber may have moved between threads.
  setcontext(self->resumer_);
}

// ---------------------------------------------------------------------------------------------
// FiberTask

FiberTask::FiberTask(std::function<void()> body, FiberStacks& stacks, WorkerPool* blocking)
    : fiber_(std::move(body), stacks), blocking_(blocking) {
  fiber_.owner = this;
}

bool FiberTask::Start(std::function<void()> body, FiberStacks& stacks, WorkerPool* blocking) {
  auto* task = new FiberTask(std::move(body), stacks, blocking);
  if (!task->fiber_.ok()) {
    delete task;
    return false;
  }
  task->Continue();
  return true;
}

void FiberTask::Continue() {
  on_pool_ = false;
  if (fiber_.Resume()) {
    delete this;
  }
}

void FiberTask::ContinueOnPool() {
  on_pool_ = true;
  if (fiber_.Resume()) {
    delete this;
  }
}

FiberTask* FiberTask::Current() {
  Fiber* f = Fiber::Current();
  return f == nullptr ? nullptr : static_cast<FiberTask*>(f->owner);
}

// One move of a parked task onto a pool. The pool's job resumes it; if the pool destroys the job
// unrun (shutdown), the destructor resumes it instead, telling it so through `dropped`. Either
// way the resumer first takes `parked`, which the park releases only once complete.
class FiberHop {
 public:
  FiberHop(FiberTask* task, std::mutex* parked, bool* dropped)
      : task_(task), parked_(parked), dropped_(dropped) {}
  ~FiberHop() {
    if (!done_) {
      Resume(true);
    }
  }
  FiberHop(const FiberHop&) = delete;
  FiberHop& operator=(const FiberHop&) = delete;

  void Run() { Resume(false); }
  void Disarm() { done_ = true; }

 private:
  void Resume(bool dropped) {
    done_ = true;
    { std::lock_guard<std::mutex> wait_for_park(*parked_); }
    *dropped_ = dropped;
    // The task's stack (parked_, dropped_) may be gone after this.
    if (dropped) {
      task_->Continue();  // still where it was, not on the pool
    } else {
      task_->ContinueOnPool();
    }
  }

  FiberTask* const task_;
  std::mutex* const parked_;
  bool* const dropped_;
  bool done_ = false;
};

bool MoveToBlockingPool() {
  FiberTask* task = FiberTask::Current();
  if (task == nullptr || task->blocking_ == nullptr || task->on_pool_) {
    return true;
  }
  bool dropped = false;
  std::mutex parked;
  parked.lock();
  auto hop = std::make_shared<FiberHop>(task, &parked, &dropped);
  if (!task->blocking_->TrySubmit([hop] { hop->Run(); })) {
    hop->Disarm();
    parked.unlock();
    task->refused_ = true;
    return false;
  }
  hop.reset();  // The pool's job holds the only reference now.
  FiberTask::Park(parked);
  if (dropped) {
    task->refused_ = true;
  }
  return !dropped;
}

// ---------------------------------------------------------------------------------------------
// DeadlineTimer

DeadlineTimer::DeadlineTimer() : thread_([this](std::stop_token stop) { Loop(std::move(stop)); }) {}

DeadlineTimer::~DeadlineTimer() {
  thread_.request_stop();
  cv_.notify_all();
  thread_.join();
}

uint64_t DeadlineTimer::Add(Clock::time_point deadline, std::function<void()> callback) {
  bool wake = false;
  uint64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_id_++;
    due_.emplace(std::make_pair(deadline, id), std::move(callback));
    ids_.emplace(id, deadline);
    // The thread looks at the map again by wake_at_ anyway: wake it only for an earlier deadline.
    wake = deadline < wake_at_;
  }
  if (wake) {
    cv_.notify_all();
  }
  return id;
}

void DeadlineTimer::Cancel(uint64_t id) {
  std::function<void()> dropped;  // destroyed outside the lock
  std::lock_guard<std::mutex> lock(mu_);
  auto it = ids_.find(id);
  if (it == ids_.end()) {
    return;
  }
  auto due = due_.find({it->second, id});
  dropped = std::move(due->second);
  due_.erase(due);
  ids_.erase(it);
}

DeadlineTimer& DeadlineTimer::Shared() {
  static DeadlineTimer* timer = new DeadlineTimer();  // never destroyed: used until exit
  return *timer;
}

void DeadlineTimer::Loop(std::stop_token stop) {
  SetThreadName("deadlines");
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop.stop_requested()) {
    const Clock::time_point now = Clock::now();
    if (due_.empty() || now < due_.begin()->first.first) {
      // Asleep until the first deadline, and when there is none for at most kIdleCheck: a
      // deadline added later than that (a request's 30 s, the usual case) then costs its adder
      // no wake-up of this thread, which finds it at the next check.
      wake_at_ = due_.empty() ? now + kIdleCheck : due_.begin()->first.first;
      cv_.wait_until(lock, stop, wake_at_,
                     [this] { return !due_.empty() && due_.begin()->first.first < wake_at_; });
      wake_at_ = Clock::time_point::min();  // awake: it sees whatever is added from now on
      continue;
    }
    auto first = due_.begin();
    std::function<void()> callback = std::move(first->second);
    ids_.erase(first->first.second);
    due_.erase(first);
    lock.unlock();
    callback();
    callback = nullptr;
    lock.lock();
  }
}

}  // namespace fabric
