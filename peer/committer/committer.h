// SPDX-License-Identifier: Apache-2.0
//
// Committer: commits the blocks of one channel (Fabric 1.4 core/committer/committer_impl.go
// with the txvalidator in front). For each block, in order:
//   1. TxValidator checks every transaction (in parallel) and yields the committer's codes;
//   2. the codes go into the block's TRANSACTIONS_FILTER and the ledger's ValidateAndPrepare
//      adds MVCC_READ_CONFLICT / PHANTOM_READ_CONFLICT / DUPLICATE_TXID, then Commit writes
//      block, state and history;
//   3. a config transaction's new channel config takes effect (config() returns it);
//   4. observers hear about the block (with its final codes), about chaincodes (re)defined by
//      valid lscc transactions, and about the new config.
//
// Thread-safety: all methods may be called concurrently; blocks are committed one at a time.
// Observers are called on the committing thread, in block order, and must not call
// CommitBlock.

#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/channelconfig/bundle.h"
#include "common/common.pb.h"
#include "fabric/base/status.h"
#include "peer/committer/tx_validator.h"
#include "peer/ledger/kv_ledger.h"

namespace fabric::committer {

// Learns what the committer committed. Default implementations do nothing.
class CommitObserver {
 public:
  virtual ~CommitObserver() = default;
  // `block` carries the final TRANSACTIONS_FILTER.
  virtual void OnBlockCommitted(const std::string& /*channel_id*/, const common::Block& /*block*/) {
  }
  // A valid lscc deploy/upgrade landed: chaincode support can learn the new definition.
  virtual void OnChaincodeDeployed(const std::string& /*channel_id*/,
                                   const ChaincodeDeployment& /*deployment*/) {}
  // The channel's config changed (after the config block was committed).
  virtual void OnConfigUpdate(const std::string& /*channel_id*/,
                              const std::shared_ptr<const channelconfig::Bundle>& /*config*/) {}
};

// What the caller of Committer::CommitBlock has checked already.
struct BlockChecks {
  // The block's data hash (the deliver client, with the orderer's signature); the block store
  // does not hash the data again.
  bool data_hash = false;
};

class Committer {
 public:
  // `ledger` must outlive the committer; `config` is the channel's config as of the ledger's
  // height (see LoadChannelConfig). options.channel_id defaults to the ledger id.
  Committer(TxValidator::Options options, ledger::KvLedger& ledger,
            std::shared_ptr<const channelconfig::Bundle> config);
  ~Committer();

  // Validates and commits `block`, which must be the ledger's next block. Errors: as
  // TxValidator::Validate and KvLedger::ValidateAndPrepare / Commit (FailedPrecondition for a
  // block that does not extend the chain). Nothing is committed on error.
  Status CommitBlock(common::Block block, BlockChecks checks = {});

  // The channel config in force (after the last committed config block).
  std::shared_ptr<const channelconfig::Bundle> config() const;
  const std::string& channel_id() const { return channel_id_; }
  ledger::KvLedger& ledger() { return ledger_; }
  uint64_t Height() const;

  // Registers / unregisters an observer (not owned; must stay alive while registered).
  void AddObserver(CommitObserver* observer);
  void RemoveObserver(CommitObserver* observer);

 private:
  void Notify(const common::Block& block, const BlockValidation& validation,
              const std::vector<protos::TxValidationCode>& codes);

  const std::string channel_id_;
  ledger::KvLedger& ledger_;
  TxValidator validator_;

  std::mutex commit_mu_;  // one block at a time; held while observers run

  mutable std::mutex mu_;
  // Guarded by mu_:
  std::shared_ptr<const channelconfig::Bundle> config_;
  std::vector<CommitObserver*> observers_;
};

// The channel config in force at the ledger's height: the config block named by the last
// block's metadata (SIGNATURES' OrdererBlockMetadata.last_config, else LAST_CONFIG), or found
// by scanning back, parsed with check_expiry = false. NotFound when the ledger has no config
// block; parse errors as Bundle::FromConfigBlock.
StatusOr<std::shared_ptr<const channelconfig::Bundle>> LoadChannelConfig(
    const ledger::KvLedger& ledger);

}  // namespace fabric::committer
