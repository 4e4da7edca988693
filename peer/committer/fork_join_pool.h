// SPDX-License-Identifier: Apache-2.0
//
// ForkJoinPool: a fixed set of threads running one parallel loop at a time; the committer uses
// it to check a block's transactions in parallel. The calling thread works too.
//
// Thread-safety: ParallelFor may be called from one thread at a time. The destructor stops
// and joins the threads.

#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace fabric::committer {

class ForkJoinPool {
 public:
  // `threads` workers in all (the caller counts as one); at least 1.
  explicit ForkJoinPool(int threads);
  ~ForkJoinPool();
  ForkJoinPool(const ForkJoinPool&) = delete;
  ForkJoinPool& operator=(const ForkJoinPool&) = delete;

  // Calls fn(worker, i) for every i in [0, n), spread over the workers (worker in
  // [0, threads())); returns once all calls returned.
  void ParallelFor(size_t n, const std::function<void(int worker, size_t i)>& fn);

  int threads() const { return static_cast<int>(threads_.size()) + 1; }

 private:
  void Work(int worker, std::stop_token stop);
  void RunItems(int worker);

  std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  uint64_t generation_ = 0;
  int busy_ = 0;
  const std::function<void(int, size_t)>* fn_ = nullptr;
  size_t n_ = 0;

  std::atomic<size_t> next_{0};
  std::vector<std::jthread> threads_;  // last: joined before the rest is destroyed
};

}  // namespace fabric::committer
