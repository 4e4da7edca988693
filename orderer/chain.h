// SPDX-License-Identifier: Apache-2.0
//
// ChainSupport: one channel of the orderer — its block store, current config (Bundle), block
// cutter, block writer and the solo consenter's ordering thread (Fabric's
// multichannel.ChainSupport with orderer/consensus/solo/consensus.go).
//
// Broadcast validates an envelope against bundle() and hands it over with Order() or
// Configure() together with the config sequence it was validated at. The ordering thread takes
// messages in order: a normal message validated at an older sequence is re-validated, then
// given to the block cutter, and cut batches become blocks; a BatchTimeout after the first
// pending message the pending batch is cut. A config message (re-processed from its original
// CONFIG_UPDATE if the config changed meanwhile) first cuts the pending batch, then goes into a
// block of its own; a CONFIG block switches the channel to the new config, an
// ORDERER_TRANSACTION block (system channel) first creates the new channel through the
// create_channel callback. Blocks are signed and durable in the BlockStore before Deliver sees
// them. A write failure halts the chain (logged; Order then returns Unavailable).
//
// Thread-safety: all public methods may be called from any thread. Halt() (also run by the
// destructor) stops and joins the ordering thread; messages still queued are dropped, as in
// Fabric (Broadcast answered SUCCESS meaning "accepted for ordering").
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/channelconfig/bundle.h"
#include "common/common.pb.h"
#include "common/ledger/blkstorage/block_store.h"
#include "common/msp/signing_identity.h"
#include "fabric/base/status.h"
#include "orderer/block_writer.h"
#include "orderer/blockcutter.h"

namespace fabric::orderer {

class ChainSupport {
 public:
  struct Options {
    std::string channel_id;
    ledger::blkstorage::BlockStoreOptions store;
    // Creates the channel whose genesis CONFIG envelope is given (system channel only); called
    // on this chain's ordering thread before the ORDERER_TRANSACTION block is written.
    std::function<Status(const common::Envelope& config_envelope)> create_channel;
    // Called with the channel's config when the chain opens and after each config block is
    // written (on the ordering thread, no lock held); e.g. to update the TLS client CAs.
    std::function<void(const channelconfig::Bundle& bundle)> on_config;
    // Messages waiting for the ordering thread (one per caller at most: see Order).
    size_t queue_capacity = 1000;
  };

  // Opens the channel's block store. An empty store is initialised with `genesis` (required
  // then; ignored otherwise). The config is loaded from the newest config block. `signer` must
  // outlive the chain. Errors from the store, or InvalidArgument when the config does not parse.
  static StatusOr<std::unique_ptr<ChainSupport>> Open(Options options, const common::Block* genesis,
                                                      const msp::SigningIdentity& signer);
  ~ChainSupport();
  ChainSupport(const ChainSupport&) = delete;
  ChainSupport& operator=(const ChainSupport&) = delete;

  // Starts the ordering thread.
  void Start();
  // Stops the ordering thread and wakes blocked Order/Configure calls. Idempotent.
  void Halt();

  const std::string& channel_id() const { return options_.channel_id; }
  // The current config; never null.
  std::shared_ptr<const channelconfig::Bundle> bundle() const;
  // True for an orderer system channel (it has Consortiums).
  bool is_system_channel() const;
  ledger::blkstorage::BlockStore& store() { return *store_; }
  const msp::SigningIdentity& signer() const { return signer_; }

  // Hands a normal message validated at config sequence `config_seq` to the ordering thread
  // and returns once that thread has taken it (into the batch being cut), as Fabric's solo
  // orderer hands it over an unbuffered channel: what Broadcast acknowledges is never waiting
  // in a queue, so a crash loses at most the batch being cut. Unavailable when the chain halts
  // first.
  Status Order(common::Envelope envelope, uint64_t config_seq);
  // The same for a config message (CONFIG, or ORDERER_TRANSACTION on the system channel)
  // produced from `update` at `config_seq`.
  Status Configure(common::Envelope config, uint64_t config_seq, common::Envelope update);

 private:
  struct Message {
    common::Envelope envelope;
    uint64_t config_seq = 0;
    bool is_config = false;
    common::Envelope update;  // The CONFIG_UPDATE a config message came from.
  };

  ChainSupport(Options options, const msp::SigningIdentity& signer,
               std::unique_ptr<ledger::blkstorage::BlockStore> store,
               std::shared_ptr<const channelconfig::Bundle> bundle, uint64_t last_config);

  Status Enqueue(Message message);
  void Run();
  // Returns false when the chain must halt.
  bool HandleNormal(Message message);
  bool HandleConfig(Message message);
  bool CutPending();
  bool WriteBatch(const Batch& batch);
  void MarkHalted();
  Status WriteConfigBlock(const common::Envelope& config);

  const Options options_;
  const msp::SigningIdentity& signer_;
  const std::unique_ptr<ledger::blkstorage::BlockStore> store_;

  // Used only by the ordering thread:
  BlockCutter cutter_;
  BlockWriter writer_;
  std::optional<std::chrono::steady_clock::time_point> batch_deadline_;

  // Guarded by mu_:
  mutable std::mutex mu_;
  std::condition_variable cv_;  // queue changed or halted
  std::deque<Message> queue_;
  bool halted_ = false;
  uint64_t enqueued_ = 0;  // messages queued so far
  uint64_t taken_ = 0;     // messages the ordering thread has taken so far
  std::shared_ptr<const channelconfig::Bundle> bundle_;

  std::jthread thread_;  // The ordering thread; joined by Halt().
};

}  // namespace fabric::orderer
