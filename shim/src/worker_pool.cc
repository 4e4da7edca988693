// SPDX-License-Identifier: Apache-2.0

#include "src/worker_pool.h"

#include <utility>

namespace fabric::shim::internal {

WorkerPool::WorkerPool(int max_threads, int max_queued)
    : max_threads_(max_threads < 1 ? 1 : max_threads),
      max_queued_(max_queued < 0 ? 0 : max_queued) {}

WorkerPool::~WorkerPool() { Shutdown(); }

bool WorkerPool::TrySubmit(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) {
    return false;
  }
  // Tasks already queued will take the idle workers first.
  int free_workers = idle_ + (max_threads_ - static_cast<int>(threads_.size()));
  int waiting = static_cast<int>(queue_.size());
  if (waiting >= free_workers + max_queued_) {
    return false;
  }
  queue_.push_back(std::move(task));
  if (idle_ > waiting) {
    cv_.notify_one();
  } else if (static_cast<int>(threads_.size()) < max_threads_) {
    threads_.emplace_back([this] { Loop(); });
  }
  return true;
}

void WorkerPool::Shutdown() {
  std::vector<std::jthread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    queue_.clear();
    threads.swap(threads_);
  }
  cv_.notify_all();
  threads.clear();  // joins
}

void WorkerPool::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    ++idle_;
    cv_.wait(lock, [this] { return stopped_ || !queue_.empty(); });
    --idle_;
    if (stopped_) {
      return;
    }
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    task();
    task = nullptr;
    lock.lock();
  }
}

}  // namespace fabric::shim::internal
