// SPDX-License-Identifier: Apache-2.0
//
// Query iterators returned by ChaincodeStub range, rich and history queries, as Fabric's
// StateQueryIteratorInterface and HistoryQueryIteratorInterface.
//
// The peer returns results in batches. HasNext() is true while buffered results remain or the
// peer said it has more; Next() returns the next result and, when it consumes the last buffered
// one of a batch that has more, fetches the next batch (QUERY_STATE_NEXT). Close() releases the
// peer-side iterator (QUERY_STATE_CLOSE); the destructor closes an iterator that was not closed.
// Once the transaction has completed the peer has already released its iterators, so Close() is
// then a local no-op.
//
// Ownership: returned as std::unique_ptr, owned by the caller; must not outlive the Init/Invoke
// call whose stub created it.
// Thread-safety: not thread-safe; use an iterator from one thread at a time.

#pragma once

#include <memory>

#include "fabric/base/status.h"
#include "ledger/queryresult/kv_query_result.pb.h"
#include "peer/chaincode_shim.pb.h"

namespace fabric::shim {

template <typename T>
class QueryIterator {
 public:
  virtual ~QueryIterator() = default;

  // True if Next() has a result to return.
  virtual bool HasNext() const = 0;

  // Returns the next result. Errors: OUT_OF_RANGE when exhausted; the peer's error (UNKNOWN) or
  // UNAVAILABLE/DEADLINE_EXCEEDED if fetching the next batch failed; DATA_LOSS if the peer sent
  // bytes that do not parse.
  virtual StatusOr<T> Next() = 0;

  // Releases the iterator. Returns OK, or the peer's error. Idempotent.
  virtual Status Close() = 0;
};

// Results of range, partial-composite-key and rich queries: queryresult.KV{namespace, key, value}.
using StateQueryIterator = QueryIterator<queryresult::KV>;
// Results of GetHistoryForKey: queryresult.KeyModification{tx_id, value, timestamp, is_delete}.
using HistoryQueryIterator = QueryIterator<queryresult::KeyModification>;

// Result of a *WithPagination query: the page's iterator and
// QueryResponseMetadata{fetched_records_count, bookmark}; pass the bookmark to get the next page.
struct PagedStateQuery {
  std::unique_ptr<StateQueryIterator> iterator;
  protos::QueryResponseMetadata metadata;
};

}  // namespace fabric::shim
