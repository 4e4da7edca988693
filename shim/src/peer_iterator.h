// SPDX-License-Identifier: Apache-2.0
//
// PeerQueryIterator<T>: an iterator over the peer's QueryResponse batches (T = queryresult.KV or
// queryresult.KeyModification), fetching the next batch with QUERY_STATE_NEXT when the last
// buffered result is consumed and has_more is set (as Fabric's CommonIterator), and releasing
// it with QUERY_STATE_CLOSE. Thread-safety: none (see iterators.h).

#pragma once

#include <memory>
#include <string>
#include <utility>

#include "fabric/shim/iterators.h"
#include "src/peer_caller.h"

namespace fabric::shim::internal {

template <typename T>
class PeerQueryIterator final : public QueryIterator<T> {
 public:
  PeerQueryIterator(std::shared_ptr<TxContext> tx, protos::QueryResponse first)
      : tx_(std::move(tx)), batch_(std::move(first)), id_(batch_.id()) {}
  ~PeerQueryIterator() override { (void)Close(); }

  bool HasNext() const override {
    return !closed_ && (index_ < batch_.results_size() || batch_.has_more());
  }

  StatusOr<T> Next() override {
    if (closed_ || index_ >= batch_.results_size()) {
      return OutOfRangeError("iterator has no more results");
    }
    T result;
    if (!result.ParseFromString(batch_.results(index_).resultbytes())) {
      return DataLossError("error unmarshaling result from bytes");
    }
    ++index_;
    if (index_ == batch_.results_size() && batch_.has_more()) {
      Status s = FetchNext();
      if (!s.ok()) {
        return s;
      }
    }
    return result;
  }

  Status Close() override {
    if (closed_) {
      return Status::OK();
    }
    closed_ = true;
    if (tx_->done.load()) {
      return Status::OK();  // The peer released the transaction's iterators already.
    }
    protos::QueryStateClose req;
    req.set_id(id_);
    StatusOr<std::string> r =
        tx_->Request(protos::ChaincodeMessage::QUERY_STATE_CLOSE, req.SerializeAsString());
    return r.ok() ? Status::OK() : r.status();
  }

 private:
  Status FetchNext() {
    protos::QueryStateNext req;
    req.set_id(id_);
    StatusOr<std::string> r =
        tx_->Request(protos::ChaincodeMessage::QUERY_STATE_NEXT, req.SerializeAsString());
    if (!r.ok()) {
      return r.status();
    }
    protos::QueryResponse next;
    if (!next.ParseFromString(*r)) {
      return DataLossError("QUERY_STATE_NEXT: peer sent a QueryResponse that does not parse");
    }
    batch_ = std::move(next);
    if (!batch_.id().empty()) {
      id_ = batch_.id();
    }
    index_ = 0;
    return Status::OK();
  }

  std::shared_ptr<TxContext> tx_;
  protos::QueryResponse batch_;
  std::string id_;  // The peer's iterator id.
  int index_ = 0;
  bool closed_ = false;
};

}  // namespace fabric::shim::internal
