// SPDX-License-Identifier: Apache-2.0

#include "peer/committer/fork_join_pool.h"

#include <string>

#include "fabric/base/thread_name.h"

namespace fabric::committer {

ForkJoinPool::ForkJoinPool(int threads) {
  for (int i = 1; i < threads; ++i) {
    threads_.emplace_back([this, i](std::stop_token stop) { Work(i, stop); });
  }
}

ForkJoinPool::~ForkJoinPool() {
  for (auto& t : threads_) {
    t.request_stop();
  }
  { std::lock_guard<std::mutex> lock(mu_); }
  cv_.notify_all();
  threads_.clear();
}

void ForkJoinPool::RunItems(int worker) {
  for (size_t i = next_.fetch_add(1); i < n_; i = next_.fetch_add(1)) {
    (*fn_)(worker, i);
  }
}

void ForkJoinPool::ParallelFor(size_t n, const std::function<void(int, size_t)>& fn) {
  if (n == 0) {
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    fn_ = &fn;
    n_ = n;
    next_.store(0);
    busy_ = static_cast<int>(threads_.size());
    ++generation_;
  }
  cv_.notify_all();
  RunItems(0);
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return busy_ == 0; });
  fn_ = nullptr;
}

void ForkJoinPool::Work(int worker, std::stop_token stop) {
  SetThreadName("validate-" + std::to_string(worker));
  uint64_t seen = 0;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop.stop_requested() || generation_ != seen; });
      if (stop.stop_requested()) {
        return;
      }
      seen = generation_;
    }
    RunItems(worker);
    {
      std::lock_guard<std::mutex> lock(mu_);
      --busy_;
    }
    cv_.notify_all();
  }
}

}  // namespace fabric::committer
