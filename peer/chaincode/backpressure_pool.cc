// SPDX-License-Identifier: Apache-2.0
#include "peer/chaincode/backpressure_pool.h"

#include "fabric/base/thread_name.h"

namespace fabric::chaincode {

BackpressurePool::BackpressurePool(int threads, size_t queue_capacity)
    : capacity_(queue_capacity == 0 ? 1 : queue_capacity) {
  for (int i = 0; i < (threads < 1 ? 1 : threads); ++i) {
    threads_.emplace_back([this] { Run(); });
  }
}

BackpressurePool::~BackpressurePool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  not_empty_.notify_all();
  not_full_.notify_all();
  threads_.clear();  // joins
}

bool BackpressurePool::Submit(std::function<void()> task) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [this] { return stopping_ || queue_.size() < capacity_; });
    if (stopping_) {
      return false;
    }
    queue_.push_back(std::move(task));
  }
  not_empty_.notify_one();
  return true;
}

void BackpressurePool::Run() {
  SetThreadName("cc-requests");
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      not_empty_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // stopping and drained
      }
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    not_full_.notify_one();
    task();
  }
}

}  // namespace fabric::chaincode
