// SPDX-License-Identifier: Apache-2.0
//
// ChannelResources: what the endorser and the system chaincodes need of the peer's channels:
// each joined channel's ledger and current config (Bundle: MSP manager + policy manager), the
// current config block, and joining a channel (cscc JoinChain). Fabric's peer.GetLedger /
// GetChannelConfig / CreateChainFromBlock.
//
// PeerChannels is the implementation over a LedgerManager. At Open it reads every existing
// ledger's current config block (the block named by the LAST_CONFIG metadata of the newest
// block) into a Bundle. JoinChain checks the genesis block (a CONFIG block with an Application
// group), creates the ledger, records the config and calls the on_join hook (the peer wiring
// starts the channel's deliver client there). The committer reports later config blocks with
// UpdateConfig.
//
// Ownership: PeerChannels borrows the LedgerManager, which must outlive it.
// Thread-safety: all methods are safe to call concurrently.

#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/channelconfig/bundle.h"
#include "common/common.pb.h"
#include "fabric/base/status.h"
#include "peer/ledger/kv_ledger.h"
#include "peer/ledger/ledger_manager.h"

namespace fabric::scc {

class ChannelResources {
 public:
  virtual ~ChannelResources() = default;
  // The ledger of joined channel `channel_id`; null when the peer has not joined it.
  virtual ledger::KvLedger* GetLedger(const std::string& channel_id) const = 0;
  // The channel's current config; null when the peer has not joined it.
  virtual std::shared_ptr<const channelconfig::Bundle> GetBundle(
      const std::string& channel_id) const = 0;
  // The channel's current config block. NotFound "unknown chain ID, <ch>" when not joined.
  virtual StatusOr<common::Block> GetConfigBlock(const std::string& channel_id) const = 0;
  // Joined channels, sorted.
  virtual std::vector<std::string> Channels() const = 0;
  // Joins the channel of `genesis_block` (cscc JoinChain). InvalidArgument for a block that is
  // not a channel's config block with an Application group; AlreadyExists when joined; ledger
  // errors otherwise.
  virtual Status JoinChain(const common::Block& genesis_block) = 0;
};

class PeerChannels : public ChannelResources {
 public:
  using JoinHook = std::function<void(const std::string& channel_id)>;

  // Loads the config of every ledger of `ledgers`. Errors name the channel whose config block
  // cannot be read or parsed.
  static StatusOr<std::unique_ptr<PeerChannels>> Open(ledger::LedgerManager& ledgers,
                                                      JoinHook on_join = {});

  ledger::KvLedger* GetLedger(const std::string& channel_id) const override;
  std::shared_ptr<const channelconfig::Bundle> GetBundle(
      const std::string& channel_id) const override;
  StatusOr<common::Block> GetConfigBlock(const std::string& channel_id) const override;
  std::vector<std::string> Channels() const override;
  Status JoinChain(const common::Block& genesis_block) override;

  // Records a committed config block of a joined channel. InvalidArgument when it does not
  // parse; NotFound when the channel is not joined.
  Status UpdateConfig(const common::Block& config_block);
  // Replaces the join hook (set once by the peer wiring before serving).
  void SetJoinHook(JoinHook on_join);

 private:
  struct Channel {
    ledger::KvLedger* ledger = nullptr;
    std::shared_ptr<const channelconfig::Bundle> bundle;
    common::Block config_block;
  };
  explicit PeerChannels(ledger::LedgerManager& ledgers) : ledgers_(ledgers) {}

  ledger::LedgerManager& ledgers_;
  mutable std::mutex mu_;
  // Guarded by mu_:
  std::map<std::string, Channel> channels_;
  JoinHook on_join_;
};

// The config block a ledger's newest block points to through its LAST_CONFIG metadata.
StatusOr<common::Block> ReadCurrentConfigBlock(const ledger::KvLedger& ledger);

}  // namespace fabric::scc
