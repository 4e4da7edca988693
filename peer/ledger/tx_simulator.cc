// SPDX-License-Identifier: Apache-2.0
//
// One implementation serves both interfaces: a QueryExecutor is a simulator that records
// nothing and refuses writes by construction (only the QueryExecutor interface is handed out).

#include "peer/ledger/tx_simulator.h"

#include <mutex>

#include <absl/strings/str_format.h>

#include "fabric/base/status_macros.h"
#include "peer/ledger/range_query_hashing.h"
#include "peer/ledger/rwset_builder.h"

namespace fabric::ledger {
namespace {

// Go's utf8.ValidString: no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xc0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// One range scan of a simulation.
struct RangeScan {
  std::string ns;
  std::string end_key;                // the query's end key
  std::unique_ptr<StateIterator> it;  // null once closed
  kvrwset::RangeQueryInfo info;
  RangeQueryResultsHelper results;  // the reads, raw or summarised
  int32_t limit = 0;                // 0: unpaginated
  int32_t returned = 0;
};

// Everything a simulation and its iterators share.
struct SimState {
  std::mutex mu;
  // Guarded by mu:
  std::shared_ptr<const StateSnapshot> snapshot;  // null after Done()
  std::unique_ptr<RWSetBuilder> builder;          // null for a QueryExecutor
  std::vector<std::shared_ptr<RangeScan>> scans;
  Status error;  // first storage error seen; poisons GetTxSimulationResults
  bool write_performed = false;
  bool paginated_query_performed = false;
  bool results_computed = false;
};

Status PrivateDataError(const std::string& ns, const std::string& collection) {
  return UnimplementedError(absl::StrFormat(
      "private data ns=%s collection=%s: private data collections are not supported", ns,
      collection));
}

Status DoneError() {
  return FailedPreconditionError("this instance should not be used after calling Done()");
}

class RangeIterator : public QueryResultsIterator {
 public:
  RangeIterator(std::shared_ptr<SimState> state, std::shared_ptr<RangeScan> scan)
      : state_(std::move(state)), scan_(std::move(scan)) {}

  StatusOr<std::optional<queryresult::KV>> Next() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (scan_->it == nullptr) {
      return FailedPreconditionError("range query iterator is closed");
    }
    if (scan_->limit > 0 && scan_->returned >= scan_->limit) {
      return std::optional<queryresult::KV>();
    }
    auto next = scan_->it->Next();
    if (!next.ok()) {
      state_->error = next.status();
      return next.status();
    }
    const bool record = state_->builder != nullptr;
    if (!next->has_value()) {
      if (record) {
        scan_->info.set_itr_exhausted(true);
        scan_->info.set_end_key(scan_->end_key);
      }
      return std::optional<queryresult::KV>();
    }
    VersionedKV& kv = **next;
    if (record) {
      kvrwset::KVRead read;
      read.set_key(kv.key);
      *read.mutable_version() = kv.value.version.ToProto();
      scan_->results.AddResult(std::move(read));
      scan_->info.set_end_key(kv.key);
    }
    ++scan_->returned;
    queryresult::KV out;
    out.set_namespace_(scan_->ns);
    out.set_key(std::move(kv.key));
    out.set_value(std::move(kv.value.value));
    return std::optional<queryresult::KV>(std::move(out));
  }

  std::string GetBookmarkAndClose() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    std::string bookmark = scan_->it != nullptr ? scan_->it->PeekKey() : std::string();
    scan_->it.reset();
    return bookmark;
  }

  void Close() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    scan_->it.reset();
  }

 private:
  std::shared_ptr<SimState> state_;
  std::shared_ptr<RangeScan> scan_;
};

class Simulator : public TxSimulator {
 public:
  Simulator(std::shared_ptr<const StateSnapshot> snapshot, std::string tx_id, bool record)
      : state_(std::make_shared<SimState>()), tx_id_(std::move(tx_id)) {
    state_->snapshot = std::move(snapshot);
    if (record) {
      state_->builder = std::make_unique<RWSetBuilder>();
    }
  }
  ~Simulator() override { Done(); }

  StatusOr<std::string> GetState(const std::string& ns, const std::string& key) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    ASSIGN_OR_RETURN(auto vv, GetLocked(ns, key));
    return vv.has_value() ? std::move(vv->value) : std::string();
  }

  StatusOr<std::vector<std::string>> GetStateMultipleKeys(
      const std::string& ns, const std::vector<std::string>& keys) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    std::vector<std::string> out;
    out.reserve(keys.size());
    for (const auto& key : keys) {
      ASSIGN_OR_RETURN(auto vv, GetLocked(ns, key));
      out.push_back(vv.has_value() ? std::move(vv->value) : std::string());
    }
    return out;
  }

  StatusOr<std::unique_ptr<QueryResultsIterator>> GetStateRangeScanIterator(
      const std::string& ns, const std::string& start_key, const std::string& end_key) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    return NewScanLocked(ns, start_key, end_key, 0);
  }

  StatusOr<std::unique_ptr<QueryResultsIterator>> GetStateRangeScanIteratorWithPagination(
      const std::string& ns, const std::string& start_key, const std::string& end_key,
      int32_t page_size) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (page_size <= 0) {
      return InvalidArgumentError(absl::StrFormat("invalid page size %d", page_size));
    }
    if (state_->builder != nullptr && state_->write_performed) {
      return FailedPreconditionError(absl::StrFormat(
          "txid [%s]: paginated queries are supported only in a read-only transaction", tx_id_));
    }
    state_->paginated_query_performed = true;
    return NewScanLocked(ns, start_key, end_key, page_size);
  }

  StatusOr<Metadata> GetStateMetadata(const std::string& ns, const std::string& key) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    // A query records nothing, so it can skip the read where no key can have metadata (the
    // committer asks for every key a transaction writes, for key-level endorsement).
    if (state_->builder == nullptr && state_->snapshot != nullptr &&
        !state_->snapshot->MayHaveMetadata(ns)) {
      return Metadata();
    }
    ASSIGN_OR_RETURN(auto vv, GetLocked(ns, key));
    if (!vv.has_value()) {
      return Metadata();
    }
    return DeserializeMetadata(vv->metadata);
  }

  StatusOr<std::unique_ptr<QueryResultsIterator>> ExecuteQuery(const std::string&,
                                                               const std::string&) override {
    // Fabric's LevelDB state says exactly this; chaincode may embed the text in its response.
    return UnimplementedError("ExecuteQuery not supported for leveldb");
  }

  StatusOr<std::string> GetPrivateData(const std::string& ns, const std::string& collection,
                                       const std::string&) override {
    return PrivateDataError(ns, collection);
  }

  Status SetPrivateData(const std::string& ns, const std::string& collection, const std::string&,
                        std::string) override {
    return PrivateDataError(ns, collection);
  }

  Status DeletePrivateData(const std::string& ns, const std::string& collection,
                           const std::string&) override {
    return PrivateDataError(ns, collection);
  }

  void Done() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    for (auto& scan : state_->scans) {
      scan->it.reset();
    }
    state_->snapshot.reset();
  }

  Status SetState(const std::string& ns, const std::string& key, std::string value) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    RETURN_IF_ERROR(CheckWriteLocked(ns, key));
    state_->builder->AddToWriteSet(ns, key, std::move(value));
    return Status();
  }

  Status DeleteState(const std::string& ns, const std::string& key) override {
    return SetState(ns, key, std::string());
  }

  Status SetStateMultipleKeys(const std::string& ns,
                              const std::map<std::string, std::string>& kvs) override {
    for (const auto& [key, value] : kvs) {
      RETURN_IF_ERROR(SetState(ns, key, value));
    }
    return Status();
  }

  Status SetStateMetadata(const std::string& ns, const std::string& key,
                          const Metadata& metadata) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    RETURN_IF_ERROR(CheckWriteLocked(ns, key));
    state_->builder->AddToMetadataWriteSet(ns, key, metadata);
    return Status();
  }

  Status DeleteStateMetadata(const std::string& ns, const std::string& key) override {
    return SetStateMetadata(ns, key, Metadata());
  }

  Status ExecuteUpdate(const std::string&) override {
    return UnimplementedError("execute update: not supported");
  }

  StatusOr<rwset::TxReadWriteSet> GetTxSimulationResults() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->results_computed) {
      return FailedPreconditionError(
          "this function should only be called once on a transaction simulator instance");
    }
    state_->results_computed = true;
    RETURN_IF_ERROR(state_->error);
    for (const auto& scan : state_->scans) {
      scan->results.Done(&scan->info);
      state_->builder->AddToRangeQuerySet(scan->ns, scan->info);
    }
    return state_->builder->GetTxSimulationResults();
  }

  const std::string& tx_id() const override { return tx_id_; }

 private:
  StatusOr<std::optional<VersionedValue>> GetLocked(const std::string& ns, const std::string& key) {
    if (state_->snapshot == nullptr) {
      return DoneError();
    }
    auto vv = state_->snapshot->GetState(ns, key);
    if (!vv.ok()) {
      state_->error = vv.status();
      return vv.status();
    }
    if (state_->builder != nullptr) {
      state_->builder->AddToReadSet(
          ns, key, vv->has_value() ? std::optional<Height>((*vv)->version) : std::nullopt);
    }
    return vv;
  }

  StatusOr<std::unique_ptr<QueryResultsIterator>> NewScanLocked(const std::string& ns,
                                                                const std::string& start_key,
                                                                const std::string& end_key,
                                                                int32_t limit) {
    if (state_->snapshot == nullptr) {
      return DoneError();
    }
    auto scan = std::make_shared<RangeScan>();
    scan->ns = ns;
    scan->end_key = end_key;
    scan->limit = limit;
    scan->it = state_->snapshot->GetStateRangeScanIterator(ns, start_key, end_key);
    scan->info.set_start_key(start_key);
    state_->scans.push_back(scan);  // so that Done() closes it
    return std::unique_ptr<QueryResultsIterator>(
        std::make_unique<RangeIterator>(state_, std::move(scan)));
  }

  Status CheckWriteLocked(const std::string& ns, const std::string& key) {
    if (state_->snapshot == nullptr) {
      return DoneError();
    }
    if (state_->results_computed) {
      return FailedPreconditionError("write after the simulation results were computed");
    }
    if (state_->paginated_query_performed) {
      return FailedPreconditionError(absl::StrFormat(
          "txid [%s]: transaction has already performed a paginated query; writes are not "
          "allowed",
          tx_id_));
    }
    if (!IsValidUtf8(key)) {
      return InvalidArgumentError(
          absl::StrFormat("set state ns=%s: invalid key, must be a valid utf8 string", ns));
    }
    state_->write_performed = true;
    return Status();
  }

  std::shared_ptr<SimState> state_;
  const std::string tx_id_;
};

}  // namespace

std::unique_ptr<QueryExecutor> NewQueryExecutor(std::shared_ptr<const StateSnapshot> snapshot) {
  return std::make_unique<Simulator>(std::move(snapshot), std::string(), false);
}

std::unique_ptr<TxSimulator> NewTxSimulator(std::shared_ptr<const StateSnapshot> snapshot,
                                            std::string tx_id) {
  return std::make_unique<Simulator>(std::move(snapshot), std::move(tx_id), true);
}

}  // namespace fabric::ledger
