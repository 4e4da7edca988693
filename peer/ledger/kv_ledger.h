// SPDX-License-Identifier: Apache-2.0
//
// KvLedger: the ledger of one channel (Fabric's kvledger): block store, state, history,
// simulation and commit.
//
// Commit protocol. ValidateAndPrepare(block) checks the block's number and previous hash,
// parses its transactions, keeps the committer's non-VALID codes (TRANSACTIONS_FILTER), marks
// DUPLICATE_TXID (txid already in the block store, or earlier in the block), runs MVCC
// (mvcc_validator.h), writes the final codes into the block's TRANSACTIONS_FILTER and, as Fabric
// 1.4 peers do, the block's COMMIT_HASH (commit_hash.h). Commit()
// then writes, in this order:
//   1. the block to the block store (synced: the durable record, indexed with the codes);
//   2. then, in parallel (independent databases, neither synced):
//      the state updates of the valid transactions with the state savepoint, one LevelDB batch;
//      the history rows with the history savepoint, one LevelDB batch.
// Recovery: Open compares the savepoints with the block store's height and replays the blocks
// that state or history lack, using the codes stored in each block (no re-validation). So a
// crash at any instant loses no block that Commit reported committed, and state and history
// always converge to the block store. If step 2 or 3 fails the ledger refuses further commits
// (FailedPrecondition) until reopened.
//
// Concurrency: ValidateAndPrepare/Commit are serialised by an internal mutex (one committer).
// Simulations and queries never wait for commits: each reads a LevelDB snapshot; state updates
// are applied by one atomic batch.
//
// Thread-safety: all methods are safe to call concurrently. Executors returned by the New*
// methods are owned by the caller, must be released (Done()/destroyed) before the ledger.

#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/common.pb.h"
#include "common/ledger.pb.h"
#include "common/ledger/blkstorage/block_store.h"
#include "fabric/base/status.h"
#include "ledger/queryresult/kv_query_result.pb.h"
#include "peer/ledger/block_parser.h"
#include "peer/ledger/history_db.h"
#include "peer/ledger/statedb.h"
#include "peer/ledger/tx_simulator.h"
#include "peer/transaction.pb.h"

namespace fabric::ledger {

// Reads the history of keys (Fabric's HistoryQueryExecutor).
class HistoryQueryExecutor {
 public:
  virtual ~HistoryQueryExecutor() = default;
  // Every committed write and delete of (ns, key) by a valid transaction, oldest first:
  // KeyModification{tx_id, value, timestamp (the transaction's channel header), is_delete}.
  // Errors from the iterator: DataLoss when the block store lacks an indexed transaction.
  virtual StatusOr<std::unique_ptr<ResultsIterator<queryresult::KeyModification>>> GetHistoryForKey(
      const std::string& ns, const std::string& key) = 0;
};

// What a caller has already checked on a block, so that KvLedger::ValidateAndPrepare and Commit
// do not repeat it (the committer: its deliver client checked the data hash of every block from
// the orderer, its validator looked up every endorser transaction it left VALID in the block
// store).
struct PriorChecks {
  bool data_hash = false;  // header.data_hash matches the block's data
  bool txids = false;      // each VALID endorser transaction's txid was not in the block store
};

class KvLedger {
 public:
  struct Options {
    std::string ledger_id;
    // Shared databases (see StateDB, HistoryDB); not owned, must outlive the ledger. A null
    // history_db disables the history database (NewHistoryQueryExecutor then fails).
    leveldb::DB* state_db = nullptr;
    leveldb::DB* history_db = nullptr;
    blkstorage::BlockStoreOptions block_store;
  };

  // Opens the channel's ledger and recovers state and history (see above). InvalidArgument for
  // bad options; DataLoss when state is ahead of the block store; block store errors as
  // BlockStore::Open.
  static StatusOr<std::unique_ptr<KvLedger>> Open(const Options& options);
  ~KvLedger();
  KvLedger(const KvLedger&) = delete;
  KvLedger& operator=(const KvLedger&) = delete;

  const std::string& ledger_id() const { return ledger_id_; }

  // Validates `block` (see above) and keeps it pending for Commit(); returns the final codes.
  // FailedPrecondition "block number N but ledger height is H" or "previous hash mismatch
  // ..." for a block that does not extend the chain; InvalidArgument for a block without
  // header; storage errors as Internal/DataLoss. A later call replaces a pending block.
  StatusOr<std::vector<protos::TxValidationCode>> ValidateAndPrepare(common::Block block,
                                                                     PriorChecks prior = {});
  // Commits the pending block and returns it as stored (TRANSACTIONS_FILTER holding the final
  // codes; shared with the block store's recent blocks, not copied). FailedPrecondition when
  // nothing is pending or the ledger failed earlier; block store errors as
  // BlockStore::AddBlock (state and history untouched).
  StatusOr<std::shared_ptr<const common::Block>> Commit();
  // ValidateAndPrepare + Commit.
  Status CommitBlock(common::Block block);

  // OK while blocks commit. Once a commit failed in storage (disk full, a failed state or
  // history write), Unavailable with the cause: the ledger then refuses further commits until
  // the peer restarts, and its state no longer follows the channel. Cheap; never blocks on a
  // commit in progress.
  Status CommitHealth() const;

  // A simulator / query executor over the state as of now.
  std::unique_ptr<TxSimulator> NewTxSimulator(std::string tx_id) const;
  std::unique_ptr<QueryExecutor> NewQueryExecutor() const;
  // FailedPrecondition when the history database is disabled.
  StatusOr<std::unique_ptr<HistoryQueryExecutor>> NewHistoryQueryExecutor() const;

  // Block store reads (see BlockStore for errors).
  common::BlockchainInfo GetBlockchainInfo() const { return blocks_->GetBlockchainInfo(); }
  StatusOr<common::Block> GetBlockByNumber(uint64_t n) const;
  StatusOr<common::Block> GetBlockByHash(std::string_view hash) const;
  StatusOr<common::Block> GetBlockByTxId(std::string_view txid) const;
  // The transaction envelope with its validation code (qscc GetTransactionByID).
  StatusOr<protos::ProcessedTransaction> GetTransactionByID(std::string_view txid) const;
  StatusOr<protos::TxValidationCode> GetTxValidationCodeByTxID(std::string_view txid) const;
  StatusOr<bool> TxIdExists(std::string_view txid) const { return blocks_->TxIdExists(txid); }
  StatusOr<std::unique_ptr<blkstorage::BlocksIterator>> GetBlocksIterator(uint64_t start);

  // The underlying stores, for tests and tools; do not write through them.
  StateDB& state() { return *state_; }
  blkstorage::BlockStore& block_store() { return *blocks_; }

 private:
  struct Pending {
    std::shared_ptr<common::Block> block;
    bool data_hash_checked = false;
    std::vector<ParsedTx> txs;
    UpdateBatch batch;
    std::string commit_hash;  // empty when the block carries none
  };

  KvLedger(const Options& options, std::unique_ptr<blkstorage::BlockStore> blocks);
  Status Recover();
  Status ReplayBlock(uint64_t n, bool state, bool history);
  Status CheckExtendsChain(const common::Block& block) const;
  // Marks a VALID transaction DUPLICATE_TXID when its txid occurred earlier in the block or is
  // in the block store (not looked up for endorser transactions when `ledger_checked`).
  Status MarkDuplicates(std::vector<ParsedTx>& txs, bool ledger_checked) const;

  const std::string ledger_id_;
  const std::unique_ptr<blkstorage::BlockStore> blocks_;
  const std::unique_ptr<StateDB> state_;
  const std::unique_ptr<HistoryDB> history_;  // null when disabled

  std::mutex commit_mu_;
  // Guarded by commit_mu_:
  std::optional<Pending> pending_;
  Status failed_;
  // The COMMIT_HASH of the last committed block; empty when it has none (then no later block
  // gets one either, except block 1).
  std::string commit_hash_;

  void SetCommitFailure(const Status& s);
  std::atomic<bool> commit_failed_{false};
  mutable std::mutex health_mu_;
  Status commit_failure_;  // guarded by health_mu_
};

}  // namespace fabric::ledger
