// SPDX-License-Identifier: Apache-2.0
//
// SoloChain: the solo consenter (Fabric's orderer/consensus/solo/consensus.go). One ordering
// thread takes the messages in the order Broadcast hands them over and cuts blocks through its
// ChainSupport; a BatchTimeout after the first pending message the pending batch is cut. A
// write failure halts the chain (logged; Order then returns Unavailable).
//
// Thread-safety: all methods may be called from any thread. Halt() (also run by the
// destructor) stops and joins the ordering thread; messages still queued are dropped, as in
// Fabric (Broadcast answered SUCCESS meaning "accepted for ordering").
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "orderer/chain.h"

namespace fabric::orderer {

class SoloChain final : public Chain {
 public:
  // `support` must outlive the chain. At most `queue_capacity` messages wait for the thread.
  SoloChain(ChainSupport& support, size_t queue_capacity)
      : support_(support), queue_capacity_(queue_capacity) {}
  ~SoloChain() override { Halt(); }

  void Start() override;
  void Halt() override;
  // Hands the message to the ordering thread and returns once that thread has taken it (into
  // the batch being cut), as Fabric's solo orderer hands it over an unbuffered channel: what
  // Broadcast acknowledges is never waiting in a queue, so a crash loses at most the batch
  // being cut. Unavailable when the chain halts first.
  Status Order(common::Envelope envelope, uint64_t config_seq) override;
  Status Configure(common::Envelope config, uint64_t config_seq, common::Envelope update) override;

 private:
  struct Message {
    common::Envelope envelope;
    uint64_t config_seq = 0;
    bool is_config = false;
    common::Envelope update;  // The CONFIG_UPDATE a config message came from.
  };

  Status Enqueue(Message message);
  void Run();
  // Returns false when the chain must halt.
  bool HandleNormal(Message message);
  bool HandleConfig(Message message);
  bool CutPending();
  void MarkHalted();

  ChainSupport& support_;
  const size_t queue_capacity_;

  // Used only by the ordering thread:
  std::optional<std::chrono::steady_clock::time_point> batch_deadline_;

  // Guarded by mu_:
  std::mutex mu_;
  std::condition_variable cv_;  // queue changed or halted
  std::deque<Message> queue_;
  bool halted_ = false;
  uint64_t enqueued_ = 0;  // messages queued so far
  uint64_t taken_ = 0;     // messages the ordering thread has taken so far

  std::jthread thread_;  // The ordering thread; joined by Halt().
};

}  // namespace fabric::orderer
