// SPDX-License-Identifier: Apache-2.0
//
// WorkerPool: runs tasks on at most `max_threads` owned threads, started on demand; up to
// `max_queued` further tasks wait in FIFO order. TrySubmit never blocks, so the stream reader
// can hand over transactions without stalling.
//
// Thread-safety: all methods may be called from any thread. Shutdown (also run by the
// destructor) drops queued tasks, waits for running ones and joins every thread; it must not be
// called from a task.

#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace fabric::shim::internal {

class WorkerPool {
 public:
  WorkerPool(int max_threads, int max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Returns false (and does not run `task`) if the pool is shut down or every worker is busy
  // and the queue is full.
  bool TrySubmit(std::function<void()> task);

  // Drops queued tasks, waits for running tasks to return, joins the threads. Idempotent.
  void Shutdown();

 private:
  void Loop();

  const int max_threads_;
  const int max_queued_;

  std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  std::deque<std::function<void()>> queue_;
  int idle_ = 0;
  bool stopped_ = false;
  std::vector<std::jthread> threads_;
};

}  // namespace fabric::shim::internal
