// SPDX-License-Identifier: Apache-2.0
//
// BackpressurePool: a fixed set of owned threads running submitted tasks in order of submission,
// with a bounded queue. Submit blocks while the queue is full (back-pressure on the stream
// reader that feeds it; fabric::WorkerPool refuses instead). The destructor runs the queued tasks,
// then joins the threads.
//
// Thread-safety: Submit may be called from any thread, including from a task.

#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace fabric::chaincode {

class BackpressurePool {
 public:
  BackpressurePool(int threads, size_t queue_capacity);
  ~BackpressurePool();
  BackpressurePool(const BackpressurePool&) = delete;
  BackpressurePool& operator=(const BackpressurePool&) = delete;

  // Queues `task`; returns false (task dropped) only after shutdown began.
  bool Submit(std::function<void()> task);

 private:
  void Run();

  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  // Guarded by mu_:
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::jthread> threads_;  // last: started after the other members
};

}  // namespace fabric::chaincode
