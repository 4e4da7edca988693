// SPDX-License-Identifier: Apache-2.0
//
// KvLedger::NewHistoryQueryExecutor: history rows (history_db.h) resolved against the block
// store.

#include <absl/strings/str_format.h>

#include "fabric/base/status_macros.h"
#include "peer/ledger/kv_ledger.h"

namespace fabric::ledger {
namespace {

class HistoryIterator : public ResultsIterator<queryresult::KeyModification> {
 public:
  HistoryIterator(const blkstorage::BlockStore& blocks, std::unique_ptr<HistoryScanner> scanner,
                  std::string ns, std::string key)
      : blocks_(blocks), scanner_(std::move(scanner)), ns_(std::move(ns)), key_(std::move(key)) {}

  StatusOr<std::optional<queryresult::KeyModification>> Next() override {
    if (scanner_ == nullptr) {
      return FailedPreconditionError("history iterator is closed");
    }
    while (true) {
      ASSIGN_OR_RETURN(auto height, scanner_->Next());
      if (!height.has_value()) {
        return std::optional<queryresult::KeyModification>();
      }
      ASSIGN_OR_RETURN(auto mod, Load(*height));
      if (mod.has_value()) {
        return mod;
      }
    }
  }

  void Close() override { scanner_.reset(); }

 private:
  // The modification of (ns_, key_) by the transaction at `h`, or nullopt when that
  // transaction does not write the key (a row of another key sharing the prefix).
  StatusOr<std::optional<queryresult::KeyModification>> Load(Height h) {
    auto env = blocks_.RetrieveTxByBlockNumTranNum(h.block_num, h.tx_num);
    if (!env.ok()) {
      return DataLossError(absl::StrFormat("history ns=%s key=%s: transaction %s: %s", ns_, key_,
                                           h.ToString(), env.status().message()));
    }
    ParsedTx tx = ParseTx(h.tx_num, env->SerializeAsString(), protos::VALID);
    for (const auto& ns : tx.rwset) {
      if (ns.ns != ns_) {
        continue;
      }
      for (const auto& w : ns.kv.writes()) {
        if (w.key() == key_) {
          queryresult::KeyModification mod;
          mod.set_tx_id(tx.tx_id);
          mod.set_value(w.value());
          *mod.mutable_timestamp() = tx.timestamp;
          mod.set_is_delete(w.is_delete());
          return std::optional<queryresult::KeyModification>(std::move(mod));
        }
      }
    }
    return std::optional<queryresult::KeyModification>();
  }

  const blkstorage::BlockStore& blocks_;
  std::unique_ptr<HistoryScanner> scanner_;
  const std::string ns_;
  const std::string key_;
};

class HistoryExecutor : public HistoryQueryExecutor {
 public:
  HistoryExecutor(const blkstorage::BlockStore& blocks, const HistoryDB& history)
      : blocks_(blocks), history_(history) {}

  StatusOr<std::unique_ptr<ResultsIterator<queryresult::KeyModification>>> GetHistoryForKey(
      const std::string& ns, const std::string& key) override {
    return std::unique_ptr<ResultsIterator<queryresult::KeyModification>>(
        std::make_unique<HistoryIterator>(blocks_, history_.Scan(ns, key), ns, key));
  }

 private:
  const blkstorage::BlockStore& blocks_;
  const HistoryDB& history_;
};

}  // namespace

StatusOr<std::unique_ptr<HistoryQueryExecutor>> KvLedger::NewHistoryQueryExecutor() const {
  if (history_ == nullptr) {
    return FailedPreconditionError(
        absl::StrFormat("ledger %s: history database is disabled", ledger_id_));
  }
  return std::unique_ptr<HistoryQueryExecutor>(
      std::make_unique<HistoryExecutor>(*blocks_, *history_));
}

}  // namespace fabric::ledger
