// SPDX-License-Identifier: Apache-2.0
//
// QueryIterator: a ledger iterator kept open between a chaincode's GET_STATE_BY_RANGE /
// GET_HISTORY_FOR_KEY / GET_QUERY_RESULT and its QUERY_STATE_NEXT / QUERY_STATE_CLOSE, yielding
// each result as the bytes the shim expects (marshalled queryresult.KV or KeyModification), and
// BuildQueryResponse, which pages results into a protos::QueryResponse as Fabric's
// query_response_generator.go does.
//
// Not thread-safe: a TransactionContext hands an iterator to one request at a time.

#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "fabric/base/status.h"
#include "peer/chaincode_shim.pb.h"
#include "peer/ledger/tx_simulator.h"

namespace fabric::chaincode {

class QueryIterator {
 public:
  virtual ~QueryIterator() = default;
  // The next result marshalled, or nullopt at the end.
  virtual StatusOr<std::optional<std::string>> Next() = 0;
  virtual void Close() = 0;
  // Results read so far (for the total query limit).
  int returned() const { return returned_; }
  void CountReturned() { ++returned_; }
  // The result read past the last full batch, which opens the next one.
  void Carry(std::string result) { carried_ = std::move(result); }
  std::optional<std::string> TakeCarried() { return std::exchange(carried_, std::nullopt); }

 private:
  int returned_ = 0;
  std::optional<std::string> carried_;
};

// Adapts a ledger ResultsIterator<T> (T = queryresult::KV or KeyModification).
template <typename T>
class LedgerQueryIterator : public QueryIterator {
 public:
  explicit LedgerQueryIterator(std::unique_ptr<ledger::ResultsIterator<T>> it)
      : it_(std::move(it)) {}
  ~LedgerQueryIterator() override { Close(); }
  StatusOr<std::optional<std::string>> Next() override {
    auto next = it_->Next();
    if (!next.ok()) {
      return next.status();
    }
    if (!next->has_value()) {
      return std::optional<std::string>();
    }
    return std::optional<std::string>((*next)->SerializeAsString());
  }
  void Close() override { it_->Close(); }

 private:
  std::unique_ptr<ledger::ResultsIterator<T>> it_;
};

// Fills a QueryResponse with up to `batch_size` results from `it`, as Fabric's
// QueryResponseBuilder does: a batch is cut when one more result has been read, and that result
// opens the next batch; so after k full batches the ledger iterator has read k * batch_size + 1
// results, which is what the transaction's read set records. Stops when `total_limit` results
// were read in all. Sets has_more when a result may follow; `*exhausted` is set when it may not
// (the caller then closes and forgets the iterator).
StatusOr<protos::QueryResponse> BuildQueryResponse(QueryIterator& it, const std::string& id,
                                                   int batch_size, int total_limit,
                                                   bool* exhausted);

}  // namespace fabric::chaincode
