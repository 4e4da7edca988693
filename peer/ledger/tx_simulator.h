// SPDX-License-Identifier: Apache-2.0
//
// QueryExecutor and TxSimulator: how the endorser and chaincode support read and write a
// channel's state during a simulation, with Fabric's semantics (core/ledger/ledger_interface.go,
// kvledger/txmgmt/txmgr/lockbasedtxmgr):
//  - every read of a simulation sees one consistent snapshot of the committed state, taken
//    when the executor was created; commits proceeding meanwhile are not visible;
//  - no read-your-own-writes: GetState after SetState in the same simulation returns the
//    committed value;
//  - a TxSimulator records each read with the version it saw (none for an absent key), each
//    range query as a RangeQueryInfo with its raw reads (for phantom detection at commit), and
//    each write, delete and metadata write; GetTxSimulationResults() returns the TxReadWriteSet;
//  - paginated range queries are allowed only in read-only simulations (as in Fabric); a page
//    that stops at its limit is recorded as not exhausted, ending at the last key returned
//    (Fabric 1.4 records it as exhausted up to the query's end key, which makes the
//    transaction fail phantom validation if keys exist past the page);
//  - rich (JSON) queries are not supported on LevelDB state: ExecuteQuery returns Unimplemented;
//    private data collections are not supported either (Unimplemented).
//
// An absent key reads as an empty value (Fabric's nil). Writing an empty value deletes the key.
//
// Ownership: executors hold their snapshot until Done() or destruction. Iterators belong to
// the executor that made them and must not be used after its Done().
// Thread-safety: each object is internally synchronised, but a simulation is meant to be
// driven by one caller at a time.

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fabric/base/status.h"
#include "ledger/queryresult/kv_query_result.pb.h"
#include "ledger/rwset/rwset.pb.h"
#include "peer/ledger/statedb.h"

namespace fabric::ledger {

// Iterates the results of a range query (queryresult.KV) or of a history query.
template <typename T>
class ResultsIterator {
 public:
  virtual ~ResultsIterator() = default;
  // The next result, or nullopt when there are no more. FailedPrecondition after Close() or
  // after the executor's Done(); DataLoss/Internal on storage errors.
  virtual StatusOr<std::optional<T>> Next() = 0;
  // Releases the iterator's resources; Next() fails afterwards. Idempotent.
  virtual void Close() = 0;
};

// A range query iterator. For paginated queries GetBookmarkAndClose() returns the key at
// which the next page starts ("" when the range is exhausted) and closes the iterator.
class QueryResultsIterator : public ResultsIterator<queryresult::KV> {
 public:
  virtual std::string GetBookmarkAndClose() = 0;
};

class QueryExecutor {
 public:
  virtual ~QueryExecutor() = default;

  // The committed value of (ns, key), empty when absent. FailedPrecondition after Done().
  virtual StatusOr<std::string> GetState(const std::string& ns, const std::string& key) = 0;
  // GetState for each key, in order.
  virtual StatusOr<std::vector<std::string>> GetStateMultipleKeys(
      const std::string& ns, const std::vector<std::string>& keys) = 0;
  // Keys of `ns` in [start_key, end_key) in key order; empty bounds mean the namespace's first
  // or last key.
  virtual StatusOr<std::unique_ptr<QueryResultsIterator>> GetStateRangeScanIterator(
      const std::string& ns, const std::string& start_key, const std::string& end_key) = 0;
  // At most `page_size` results starting at `start_key` (callers pass the previous page's
  // bookmark as start_key). InvalidArgument when page_size <= 0; FailedPrecondition in a
  // TxSimulator that has written.
  virtual StatusOr<std::unique_ptr<QueryResultsIterator>> GetStateRangeScanIteratorWithPagination(
      const std::string& ns, const std::string& start_key, const std::string& end_key,
      int32_t page_size) = 0;
  // The metadata of (ns, key); empty when the key or its metadata is absent. A simulator
  // records the read.
  virtual StatusOr<Metadata> GetStateMetadata(const std::string& ns, const std::string& key) = 0;
  // Always Unimplemented: LevelDB state has no rich queries.
  virtual StatusOr<std::unique_ptr<QueryResultsIterator>> ExecuteQuery(
      const std::string& ns, const std::string& query) = 0;
  // Always Unimplemented: private data collections are not supported by this peer.
  virtual StatusOr<std::string> GetPrivateData(const std::string& ns, const std::string& collection,
                                               const std::string& key) = 0;
  // Releases the snapshot and closes all iterators. Idempotent.
  virtual void Done() = 0;
};

class TxSimulator : public QueryExecutor {
 public:
  // Records a write of `value` (empty value: a delete). InvalidArgument when the key is not
  // valid UTF-8; FailedPrecondition after Done(), after GetTxSimulationResults() or after a
  // paginated query.
  virtual Status SetState(const std::string& ns, const std::string& key, std::string value) = 0;
  virtual Status DeleteState(const std::string& ns, const std::string& key) = 0;
  virtual Status SetStateMultipleKeys(const std::string& ns,
                                      const std::map<std::string, std::string>& kvs) = 0;
  // Records a metadata write replacing all of the key's metadata; Delete clears it.
  virtual Status SetStateMetadata(const std::string& ns, const std::string& key,
                                  const Metadata& metadata) = 0;
  virtual Status DeleteStateMetadata(const std::string& ns, const std::string& key) = 0;
  // Always Unimplemented (private data collections are not supported).
  virtual Status SetPrivateData(const std::string& ns, const std::string& collection,
                                const std::string& key, std::string value) = 0;
  virtual Status DeletePrivateData(const std::string& ns, const std::string& collection,
                                   const std::string& key) = 0;
  // Always Unimplemented.
  virtual Status ExecuteUpdate(const std::string& query) = 0;
  // The simulation's read-write set. May be called once; FailedPrecondition afterwards or
  // after a storage error was returned to a read.
  virtual StatusOr<rwset::TxReadWriteSet> GetTxSimulationResults() = 0;
  virtual const std::string& tx_id() const = 0;
};

// A QueryExecutor over `snapshot` that records nothing.
std::unique_ptr<QueryExecutor> NewQueryExecutor(std::shared_ptr<const StateSnapshot> snapshot);

// A TxSimulator for transaction `tx_id` over `snapshot`.
std::unique_ptr<TxSimulator> NewTxSimulator(std::shared_ptr<const StateSnapshot> snapshot,
                                            std::string tx_id);

}  // namespace fabric::ledger
