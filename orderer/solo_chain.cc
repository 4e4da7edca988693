// SPDX-License-Identifier: Apache-2.0
#include "orderer/solo_chain.h"

#include <utility>

#include <absl/strings/str_format.h>

#include "common/logging/logging.h"
#include "fabric/base/thread_name.h"

namespace fabric::orderer {
namespace {

logging::Logger logger("orderer.consensus.solo");

}  // namespace

void SoloChain::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!thread_.joinable() && !halted_) {
    thread_ = std::jthread([this] {
      SetThreadName("chain/" + support_.channel_id());
      Run();
    });
  }
}

void SoloChain::MarkHalted() {
  std::lock_guard<std::mutex> lock(mu_);
  halted_ = true;
  cv_.notify_all();
}

void SoloChain::Halt() {
  MarkHalted();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) {
    thread_.join();
  }
}

Status SoloChain::Enqueue(Message message) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return halted_ || queue_.size() < queue_capacity_; });
  if (halted_) {
    return UnavailableError(absl::StrFormat("channel %s is halted", support_.channel_id()));
  }
  queue_.push_back(std::move(message));
  const uint64_t seq = ++enqueued_;
  cv_.notify_all();
  cv_.wait(lock, [&] { return halted_ || taken_ >= seq; });
  if (taken_ < seq) {
    return UnavailableError(
        absl::StrFormat("channel %s halted before ordering the message", support_.channel_id()));
  }
  return Status::OK();
}

Status SoloChain::Order(common::Envelope envelope, uint64_t config_seq) {
  return Enqueue(Message{std::move(envelope), config_seq, false, {}});
}

Status SoloChain::Configure(common::Envelope config, uint64_t config_seq, common::Envelope update) {
  return Enqueue(Message{std::move(config), config_seq, true, std::move(update)});
}

void SoloChain::Run() {
  for (;;) {
    std::unique_lock<std::mutex> lock(mu_);
    auto ready = [&] { return halted_ || !queue_.empty(); };
    bool timed_out = false;
    if (batch_deadline_.has_value()) {
      timed_out = !cv_.wait_until(lock, *batch_deadline_, ready);
    } else {
      cv_.wait(lock, ready);
    }
    if (halted_) {
      return;
    }
    if (timed_out) {
      lock.unlock();
      batch_deadline_.reset();
      if (!CutPending()) {
        MarkHalted();
        return;
      }
      continue;
    }
    Message message = std::move(queue_.front());
    queue_.pop_front();
    ++taken_;
    cv_.notify_all();  // The sender's acknowledgement, and room in the queue.
    lock.unlock();
    bool ok =
        message.is_config ? HandleConfig(std::move(message)) : HandleNormal(std::move(message));
    if (!ok) {
      MarkHalted();
      return;
    }
  }
}

bool SoloChain::HandleNormal(Message message) {
  std::optional<BlockCutter::OrderedResult> result =
      support_.CutterOrdered(std::move(message.envelope), message.config_seq);
  if (!result.has_value()) {
    return true;
  }
  for (const Batch& batch : result->batches) {
    if (!support_.WriteBatch(batch).ok()) {
      return false;
    }
  }
  if (!result->pending) {
    batch_deadline_.reset();
  } else if (!batch_deadline_.has_value()) {
    batch_deadline_ = std::chrono::steady_clock::now() + support_.bundle()->batch_timeout();
  }
  return true;
}

bool SoloChain::HandleConfig(Message message) {
  if (message.config_seq < support_.bundle()->sequence()) {
    StatusOr<common::Envelope> redone = support_.ReprocessConfig(message.update);
    if (!redone.ok()) {
      FLOG_WARN(logger,
                "[channel: %s] discarding config message revalidated after a config "
                "change: %s",
                support_.channel_id(), redone.status().ToString());
      return true;
    }
    message.envelope = *std::move(redone);
  }
  if (!CutPending()) {
    return false;
  }
  batch_deadline_.reset();
  return support_.WriteConfigBlock(message.envelope).ok();
}

bool SoloChain::CutPending() {
  Batch batch = support_.CutPending();
  return batch.empty() || support_.WriteBatch(batch).ok();
}

}  // namespace fabric::orderer
