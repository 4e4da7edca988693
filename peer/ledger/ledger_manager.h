// SPDX-License-Identifier: Apache-2.0
//
// LedgerManager: the peer's ledgers, one KvLedger per channel, under one file-system root
// (Fabric's ledgermgmt + kvledger provider). Layout under `<root>` =
// `<CORE_PEER_FILESYSTEMPATH>/ledgersData`:
//   chains/chains/<channel>/blockfile_NNNNNN, chains/chains/<channel>/index/   block store
//   stateLeveldb/                                                    state, shared by channels
//   historyLeveldb/                                                  history, shared
// A channel's ledger exists once its genesis block is committed; a directory left without
// blocks by a crash during creation is ignored (and reused by the next CreateLedger).
//
// Thread-safety: all methods are safe to call concurrently. Ledgers are owned by the manager
// and live until it is destroyed.

#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/common.pb.h"
#include "fabric/base/status.h"
#include "peer/ledger/kv_ledger.h"
#include "peer/ledger/leveldb_util.h"

namespace fabric::ledger {

class LedgerManager {
 public:
  struct Options {
    std::string root_dir;  // <CORE_PEER_FILESYSTEMPATH>/ledgersData
    bool enable_history = true;
    bool sync_block_files = true;  // BlockStoreOptions::sync; off only in benchmarks
  };

  // Opens the shared databases and every existing ledger (recovering each). Errors as
  // OpenLevelDB / KvLedger::Open, naming the channel.
  static StatusOr<std::unique_ptr<LedgerManager>> Open(const Options& options);
  ~LedgerManager();

  // Creates the ledger of the genesis block's channel and commits the block. AlreadyExists
  // when the channel has a ledger; InvalidArgument when the block is not a block 0 with a
  // channel id; commit errors as KvLedger::CommitBlock.
  StatusOr<KvLedger*> CreateLedger(const common::Block& genesis_block);
  // The open ledger of `ledger_id`; NotFound when there is none.
  StatusOr<KvLedger*> GetLedger(const std::string& ledger_id) const;
  // Channel ids with a ledger, sorted.
  std::vector<std::string> ListLedgers() const;

  // <root>/chains/chains/<ledger_id>.
  std::string BlockDir(const std::string& ledger_id) const;

 private:
  LedgerManager(const Options& options, std::unique_ptr<LevelDBHandle> state,
                std::unique_ptr<LevelDBHandle> history);
  StatusOr<std::unique_ptr<KvLedger>> OpenLedger(const std::string& ledger_id) const;

  const Options options_;
  const std::unique_ptr<LevelDBHandle> state_db_;
  const std::unique_ptr<LevelDBHandle> history_db_;  // null when history is disabled

  mutable std::mutex mu_;
  // Guarded by mu_ (declared last: ledgers close before the databases):
  std::map<std::string, std::unique_ptr<KvLedger>> ledgers_;
};

}  // namespace fabric::ledger
