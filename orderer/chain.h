// SPDX-License-Identifier: Apache-2.0
//
// ChainSupport: one channel of the orderer — its block store, current config (Bundle), block
// cutter, block writer and its consenter (Fabric's multichannel.ChainSupport). The consenter is
// a Chain: the solo one (SoloChain, orderer/solo_chain.h) unless Options::consenter makes
// another, such as the cluster chain (orderer/cluster/cluster_chain.h).
//
// Broadcast validates an envelope against bundle() and hands it over with Order() or
// Configure() together with the config sequence it was validated at; the consenter decides the
// order and, on its ordering thread, turns messages into blocks with the operations below,
// which every consenter shares: a normal message validated at an older sequence is
// re-validated, then given to the block cutter, and cut batches become blocks; a config
// message (re-processed from its original CONFIG_UPDATE if the config changed meanwhile) first
// cuts the pending batch, then goes into a block of its own; a CONFIG block switches the
// channel to the new config, an ORDERER_TRANSACTION block (system channel) first creates the
// new channel through the create_channel callback. Blocks are signed and durable in the
// BlockStore before Deliver sees them.
//
// Thread-safety: the public methods above "Consenter operations" may be called from any
// thread. The consenter operations are called only from the consenter's ordering thread.
// Halt() (also run by the destructor) stops the consenter.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/channelconfig/bundle.h"
#include "common/common.pb.h"
#include "common/ledger/blkstorage/block_store.h"
#include "common/msp/signing_identity.h"
#include "fabric/base/status.h"
#include "orderer/block_writer.h"
#include "orderer/blockcutter.h"

namespace fabric::orderer {

class ChainSupport;

// A channel's consenter (Fabric's consensus.Chain): orders the messages Broadcast hands it and
// writes them into blocks through its ChainSupport. Thread-safety: every method may be called
// from any thread.
class Chain {
 public:
  virtual ~Chain() = default;
  // Starts the ordering thread.
  virtual void Start() = 0;
  // Stops and joins the ordering thread; wakes blocked Order/Configure calls. Idempotent.
  virtual void Halt() = 0;
  // Orders a normal message validated at config sequence `config_seq`. OK means accepted for
  // ordering (what Broadcast answers SUCCESS for); Unavailable when the chain cannot take it.
  virtual Status Order(common::Envelope envelope, uint64_t config_seq) = 0;
  // Order without waiting for the outcome: `done` gets what Order would return, on this thread
  // or one of the consenter's, and must not block. Messages one caller hands over one after the
  // other are ordered in that sequence, as Order called in sequence would order them (Broadcast
  // keeps a stream's envelopes in the order they were sent). This default waits in Order.
  using Done = std::function<void(Status)>;
  virtual void OrderAsync(common::Envelope envelope, uint64_t config_seq, Done done) {
    done(Order(std::move(envelope), config_seq));
  }
  // The same for a config message produced from the CONFIG_UPDATE `update` at `config_seq`.
  virtual Status Configure(common::Envelope config, uint64_t config_seq,
                           common::Envelope update) = 0;
};

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
    // Makes the channel's consenter once the store and config are loaded; the solo consenter
    // when empty or when it returns null. Its errors fail Open.
    std::function<StatusOr<std::unique_ptr<Chain>>(ChainSupport& support)> consenter;
    // The solo consenter's queue: messages waiting for the ordering thread.
    size_t queue_capacity = 1000;
  };

  // Opens the channel's block store. An empty store is initialised with `genesis` (required
  // then; ignored otherwise). The config is loaded from the newest config block. `signer` must
  // outlive the chain. Errors from the store, InvalidArgument when the config does not parse,
  // and the consenter's errors.
  static StatusOr<std::unique_ptr<ChainSupport>> Open(Options options, const common::Block* genesis,
                                                      const msp::SigningIdentity& signer);
  ~ChainSupport();
  ChainSupport(const ChainSupport&) = delete;
  ChainSupport& operator=(const ChainSupport&) = delete;

  // Starts the consenter's ordering thread.
  void Start() { chain_->Start(); }
  // Stops the consenter. Idempotent.
  void Halt() { chain_->Halt(); }

  const std::string& channel_id() const { return options_.channel_id; }
  // The current config; never null.
  std::shared_ptr<const channelconfig::Bundle> bundle() const;
  // True for an orderer system channel (it has Consortiums).
  bool is_system_channel() const;
  ledger::blkstorage::BlockStore& store() { return *store_; }
  const msp::SigningIdentity& signer() const { return signer_; }

  // Hands a normal message validated at config sequence `config_seq` to the consenter (see
  // Chain::Order). Unavailable when it cannot take it.
  Status Order(common::Envelope envelope, uint64_t config_seq) {
    return chain_->Order(std::move(envelope), config_seq);
  }
  // The same without waiting: `done` gets the outcome (see Chain::OrderAsync).
  void OrderAsync(common::Envelope envelope, uint64_t config_seq, Chain::Done done) {
    chain_->OrderAsync(std::move(envelope), config_seq, std::move(done));
  }
  // The same for a config message (CONFIG, or ORDERER_TRANSACTION on the system channel)
  // produced from `update` at `config_seq`.
  Status Configure(common::Envelope config, uint64_t config_seq, common::Envelope update) {
    return chain_->Configure(std::move(config), config_seq, std::move(update));
  }

  // Consenter operations (ordering thread only).

  // Gives a normal message validated at `config_seq` to the block cutter, re-validating it
  // first when the config moved since; returns the batches to write now. Nullopt when the
  // message is no longer valid (dropped, with a warning).
  std::optional<BlockCutter::OrderedResult> CutterOrdered(common::Envelope envelope,
                                                          uint64_t config_seq);
  // The config message produced again from its CONFIG_UPDATE `update` under the current
  // config. Errors when the update no longer applies.
  StatusOr<common::Envelope> ReprocessConfig(const common::Envelope& update) const;
  // Cuts the pending batch; empty when nothing is pending.
  Batch CutPending() { return cutter_.Cut(); }
  bool has_pending() const { return cutter_.has_pending(); }
  // Writes `batch` as the next block; `consenter_metadata` (empty for solo) becomes the value
  // of its ORDERER metadata entry. Errors from the writer (logged; the consenter halts).
  Status WriteBatch(const Batch& batch, const std::string& consenter_metadata = "");
  // Writes the config message `config` into a block of its own and applies it: switches to
  // the new config (CONFIG) or creates the channel (ORDERER_TRANSACTION). Errors as WriteBatch.
  Status WriteConfigBlock(const common::Envelope& config,
                          const std::string& consenter_metadata = "");
  // Appends `block`, pulled from another orderer node of the channel and verified by the
  // caller (number, hash chain, data hash, signatures), as it is, and applies it as a written
  // block would be: a CONFIG block switches to its config (on_config called), an
  // ORDERER_TRANSACTION block creates its channel. The block cutter is not touched. Errors:
  // InvalidArgument when a config block's config does not parse; the store's errors.
  Status AppendPulledBlock(std::shared_ptr<const common::Block> block);
  // The number the next block will have.
  uint64_t next_block_number() const { return store_->Height(); }

 private:
  ChainSupport(Options options, const msp::SigningIdentity& signer,
               std::unique_ptr<ledger::blkstorage::BlockStore> store,
               std::shared_ptr<const channelconfig::Bundle> bundle, uint64_t last_config);

  // Calls create_channel for the channel an ORDERER_TRANSACTION block of this (system) channel
  // creates; false when it did not create it (logged).
  bool CreateChannelOf(const common::Envelope& orderer_transaction);
  Status WriteConfigBlockUnlogged(const common::Envelope& config,
                                  const std::string& consenter_metadata);

  const Options options_;
  const msp::SigningIdentity& signer_;
  const std::unique_ptr<ledger::blkstorage::BlockStore> store_;

  // Used only by the ordering thread:
  BlockCutter cutter_;
  BlockWriter writer_;

  // Guarded by mu_:
  mutable std::mutex mu_;
  std::shared_ptr<const channelconfig::Bundle> bundle_;

  // Set by Open; destroyed (halted) before the store.
  std::unique_ptr<Chain> chain_;
};

}  // namespace fabric::orderer
