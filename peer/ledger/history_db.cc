// SPDX-License-Identifier: Apache-2.0

#include "peer/ledger/history_db.h"

#include <absl/strings/str_format.h>
#include <leveldb/write_batch.h>

#include "fabric/base/status_macros.h"
#include "peer/ledger/leveldb_util.h"

namespace fabric::ledger {
namespace {

std::string RowPrefix(const std::string& prefix, const std::string& ns, const std::string& key) {
  std::string k;
  k.reserve(prefix.size() + ns.size() + key.size() + 2 + 18);
  k.append(prefix);
  k.append(ns);
  k.push_back('\0');
  k.append(key);
  k.push_back('\0');
  return k;
}

std::string SavepointKey(const std::string& prefix) { return prefix + std::string(1, '\0'); }

}  // namespace

HistoryScanner::HistoryScanner(leveldb::DB* db, std::string prefix)
    : db_(db), prefix_(std::move(prefix)), snapshot_(db->GetSnapshot()) {
  leveldb::ReadOptions ro;
  ro.snapshot = snapshot_;
  it_.reset(db_->NewIterator(ro));
  it_->Seek(prefix_);
}

HistoryScanner::~HistoryScanner() {
  it_.reset();
  db_->ReleaseSnapshot(snapshot_);
}

StatusOr<std::optional<Height>> HistoryScanner::Next() {
  for (; it_->Valid() && it_->key().starts_with(prefix_); it_->Next()) {
    std::string_view suffix(it_->key().data() + prefix_.size(), it_->key().size() - prefix_.size());
    size_t used = 0;
    auto h = Height::FromBytes(suffix, &used);
    if (h.ok() && used == suffix.size()) {
      it_->Next();
      return std::optional<Height>(*h);
    }
  }
  RETURN_IF_ERROR(FromLevelDBStatus(it_->status(), "history scan"));
  return std::optional<Height>();
}

HistoryDB::HistoryDB(leveldb::DB* db, std::string ledger_id)
    : db_(db), ledger_id_(std::move(ledger_id)), prefix_(LedgerPrefix(ledger_id_)) {}

Status HistoryDB::Commit(uint64_t block_num, const std::vector<ParsedTx>& txs) {
  leveldb::WriteBatch wb;
  for (const auto& tx : txs) {
    if (tx.code != protos::VALID) {
      continue;
    }
    const std::string height = Height{block_num, tx.tx_num}.ToBytes();
    for (const auto& ns : tx.rwset) {
      for (const auto& w : ns.kv.writes()) {
        wb.Put(RowPrefix(prefix_, ns.ns, w.key()) + height, leveldb::Slice());
      }
    }
  }
  const uint64_t last_tx = txs.empty() ? 0 : txs.size() - 1;
  wb.Put(SavepointKey(prefix_), Height{block_num, last_tx}.ToBytes());
  return FromLevelDBStatus(
      db_->Write(leveldb::WriteOptions(), &wb),
      absl::StrFormat("commit history ledger=%s block=%d", ledger_id_, block_num));
}

StatusOr<std::optional<Height>> HistoryDB::GetLastSavepoint() const {
  std::string raw;
  leveldb::Status s = db_->Get(leveldb::ReadOptions(), SavepointKey(prefix_), &raw);
  if (s.IsNotFound()) {
    return std::optional<Height>();
  }
  RETURN_IF_ERROR(FromLevelDBStatus(s, "get history savepoint"));
  auto h = Height::FromBytes(raw);
  if (!h.ok()) {
    return DataLossError("history savepoint: " + std::string(h.status().message()));
  }
  return std::optional<Height>(*h);
}

std::unique_ptr<HistoryScanner> HistoryDB::Scan(const std::string& ns,
                                                const std::string& key) const {
  return std::make_unique<HistoryScanner>(db_, RowPrefix(prefix_, ns, key));
}

}  // namespace fabric::ledger
