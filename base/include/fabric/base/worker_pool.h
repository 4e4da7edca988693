// SPDX-License-Identifier: Apache-2.0
//
// WorkerPool: runs tasks on at most `max_threads` owned threads, started on demand; up to
// `max_queued` further tasks wait in FIFO order. TrySubmit never blocks, so a stream reader or a
// gRPC callback can hand work over without stalling, and a full pool is a refusal the caller can
// report (the shim's transactions, the peer's proposals).
//
// Header-only and dependency-free (part of fabric_base), so the shim and the peer share it.
//
// Thread-safety: all methods may be called from any thread. Shutdown (also run by the
// destructor) destroys queued tasks without running them (outside the pool's lock, so a task's
// destructor may report the refusal), waits for running ones and joins every thread; it must
// not be called from a task.

#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "fabric/base/thread_name.h"

namespace fabric {

class WorkerPool {
 public:
  // `name` names the pool's threads (fabric/base/thread_name.h); empty keeps the creator's name.
  WorkerPool(int max_threads, int max_queued, std::string name = "")
      : max_threads_(max_threads < 1 ? 1 : max_threads),
        max_queued_(max_queued < 0 ? 0 : max_queued),
        name_(std::move(name)) {}
  ~WorkerPool() { Shutdown(); }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Returns false (and does not run `task`) if the pool is shut down, every worker is busy
  // and the queue is full, or no worker thread can be started.
  bool TrySubmit(std::function<void()> task) {
    bool wake = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) {
        return false;
      }
      int waiting = static_cast<int>(queue_.size());
      if (waiting + running_ >= max_threads_ + max_queued_) {
        return false;
      }
      queue_.push_back(std::move(task));
      if (idle_ > waiting) {
        wake = true;
      } else if (static_cast<int>(threads_.size()) < max_threads_) {
        try {
          threads_.emplace_back([this] { Loop(); });
        } catch (const std::system_error&) {
          // Out of threads (a pids limit, RLIMIT_NPROC, memory): the workers already running
          // take the task; with none, it is refused like a full queue.
          if (threads_.empty()) {
            task = std::move(queue_.back());
            queue_.pop_back();
            return false;
          }
        }
      }
    }
    // After unlocking: a worker woken under the lock would block on it again at once.
    if (wake) {
      cv_.notify_one();
    }
    return true;
  }

  // Destroys queued tasks unrun, waits for running tasks to return, joins the threads.
  // Idempotent.
  void Shutdown() {
    std::vector<std::jthread> threads;
    std::deque<std::function<void()>> dropped;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopped_ = true;
      dropped.swap(queue_);
      threads.swap(threads_);
    }
    cv_.notify_all();
    dropped.clear();
    threads.clear();  // joins
  }

  // Tasks waiting for a worker.
  int queued() const {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int>(queue_.size());
  }

 private:
  void Loop() {
    if (!name_.empty()) {
      SetThreadName(name_);
    }
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
      ++running_;
      lock.unlock();
      task();
      task = nullptr;
      lock.lock();
      --running_;
    }
  }

  const int max_threads_;
  const int max_queued_;
  const std::string name_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  std::deque<std::function<void()>> queue_;
  int idle_ = 0;
  int running_ = 0;
  bool stopped_ = false;
  std::vector<std::jthread> threads_;
};

}  // namespace fabric
