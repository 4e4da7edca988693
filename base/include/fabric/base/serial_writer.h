// SPDX-License-Identifier: Apache-2.0
//
// SerialWriter: many threads sending on one stream that allows a single writer at a time (a
// gRPC stream's Write), without making them wait for each other. A thread that finds nobody
// writing becomes the writer: it writes its message, then every message other threads queued
// meanwhile, and returns. A thread that finds a writer at work queues its message and returns
// at once. Under load this turns a lock convoy (one futex sleep and wake per message, about a
// fifth of the chaincode stream's CPU) into a queue the current writer drains.
//
// A queued message is reported sent before it is written; if the stream then fails, the
// stream's reader sees it end, which is how both ends of the chaincode stream learn of it
// anyway. Messages are written in the order their Write calls took the lock.
//
// The queue is bounded: while `max_queued` messages wait (the other end reads slower than this
// end writes, or not at all), Write waits for room. That wait is the stream's back-pressure; it
// ends when the writer drains the queue or the writer is closed.
//
// Header-only, part of fabric_base (the shim's and the peer's chaincode stream handlers).
// Thread-safety: Write and Close from any thread; `write` is called by one thread at a time.

#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <utility>

namespace fabric {

template <typename Message>
class SerialWriter {
 public:
  enum class Result { kSent, kClosed, kFailed };

  // `write(msg, more)` writes one message and returns false when the stream is broken. `more`
  // says another message follows at once, so the stream may hold this one back and send both
  // together (gRPC's buffer hint: one syscall, and one wake-up of the reader on the other end,
  // for a burst); the last message of a burst always has more == false.
  explicit SerialWriter(std::function<bool(const Message&, bool more)> write,
                        size_t max_queued = 4096)
      : write_(std::move(write)), max_queued_(max_queued < 1 ? 1 : max_queued) {}
  SerialWriter(const SerialWriter&) = delete;
  SerialWriter& operator=(const SerialWriter&) = delete;

  // kSent: written, or queued for the thread that is writing. kClosed: after Close() or a
  // failed write (nothing is written then). kFailed: this call's own write failed; the writer
  // is closed from then on.
  Result Write(const Message& msg) {
    std::unique_lock<std::mutex> lock(mu_);
    auto has_room = [this] { return closed_ || !writing_ || queue_.size() < max_queued_; };
    if (!has_room()) {
      ++waiting_writers_;
      room_.wait(lock, has_room);
      --waiting_writers_;
    }
    if (closed_) {
      return Result::kClosed;
    }
    if (writing_) {
      queue_.push_back(msg);
      return Result::kSent;
    }
    writing_ = true;
    lock.unlock();
    bool ok = write_(msg, false);  // the queue is empty whenever nobody writes
    lock.lock();
    Result result = ok ? Result::kSent : Result::kFailed;
    while (ok && !closed_ && !queue_.empty()) {
      Message next = std::move(queue_.front());
      queue_.pop_front();
      const bool more = !queue_.empty();
      lock.unlock();
      room_.notify_one();
      ok = write_(next, more);
      lock.lock();
    }
    if (!ok) {
      closed_ = true;
    }
    if (closed_) {
      queue_.clear();
    }
    writing_ = false;
    idle_.notify_all();
    room_.notify_all();
    return result;
  }

  // Later writes return kClosed; queued messages not yet written are dropped. Waits for a write
  // in progress to return, so the stream may be destroyed afterwards. Must not be called from
  // `write`. Idempotent.
  void Close() {
    std::unique_lock<std::mutex> lock(mu_);
    closed_ = true;
    queue_.clear();
    room_.notify_all();
    idle_.wait(lock, [this] { return !writing_; });
  }

  bool closed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }

  // Write calls waiting for room in the queue (what a test of the back-pressure waits for).
  int waiting_writers() const {
    std::lock_guard<std::mutex> lock(mu_);
    return waiting_writers_;
  }

 private:
  const std::function<bool(const Message&, bool more)> write_;
  const size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable idle_;  // writing_ became false
  std::condition_variable room_;  // the queue shrank, writing_ became false, or closed
  // Guarded by mu_:
  std::deque<Message> queue_;
  bool writing_ = false;
  bool closed_ = false;
  int waiting_writers_ = 0;
};

}  // namespace fabric
