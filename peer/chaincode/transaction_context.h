// SPDX-License-Identifier: Apache-2.0
//
// TransactionContext: the peer's state for one transaction executing on one chaincode
// connection (Fabric's core/chaincode/transaction_context.go): the ledger executors the
// chaincode's requests run against, the open query iterators, and the slot where the
// chaincode's COMPLETED/ERROR (or a failure) is delivered to the waiting Execute.
//
// TransactionContexts holds the contexts of one Handler keyed by (channel, txid); a second
// context with the same key is refused while the first exists (Fabric's "txid exists").
//
// Ownership: contexts are shared between Execute (which creates and deletes them) and the
// workers serving requests; the ledger executors in TxParams are owned by Execute's caller and
// must outlive the context: Execute ends with Close(), which waits for running requests.
// Thread-safety: all methods are safe to call concurrently.

#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "fabric/base/fiber.h"
#include "fabric/base/status.h"
#include "peer/chaincode/query_iterator.h"
#include "peer/chaincode_shim.pb.h"
#include "peer/ledger/kv_ledger.h"
#include "peer/ledger/tx_simulator.h"
#include "peer/proposal.pb.h"

namespace fabric::chaincode {

// What one execution runs against. Pointers are borrowed (see above); any may be null:
// without a tx_simulator the transaction is query-only (reads use query_executor, writes are
// refused); without a history_query_executor GET_HISTORY_FOR_KEY fails.
struct TxParams {
  std::string channel_id;
  std::string tx_id;
  const protos::SignedProposal* signed_proposal = nullptr;
  const protos::Proposal* proposal = nullptr;
  ledger::TxSimulator* tx_simulator = nullptr;
  ledger::QueryExecutor* query_executor = nullptr;
  ledger::HistoryQueryExecutor* history_query_executor = nullptr;
};

class TransactionContext : public std::enable_shared_from_this<TransactionContext> {
 public:
  // `init`: the execution is an INIT (Fabric's IsInitTransaction).
  TransactionContext(const TxParams& params, std::chrono::steady_clock::time_point deadline,
                     bool init = false);
  ~TransactionContext();

  const std::string& channel_id() const { return params_.channel_id; }
  const std::string& tx_id() const { return params_.tx_id; }
  const TxParams& params() const { return params_; }
  // True for an INIT: Fabric refuses private data calls in a chaincode's Init().
  bool init() const { return init_; }
  // When the execution times out; requests made on its behalf (cc2cc) share the deadline.
  std::chrono::steady_clock::time_point deadline() const { return deadline_; }
  ledger::TxSimulator* tx_simulator() const { return params_.tx_simulator; }
  // The executor reads go to: the simulator when there is one (records reads), else the
  // query executor; null when the context has neither.
  ledger::QueryExecutor* reader() const {
    return params_.tx_simulator != nullptr ? params_.tx_simulator : params_.query_executor;
  }

  // Delivers the outcome of the execution; the first delivery wins, later ones are dropped
  // (returns false).
  bool Deliver(StatusOr<protos::ChaincodeMessage> outcome);
  // Waits for the outcome until `deadline`; nullopt on timeout. Called once. On a thread it
  // blocks; in a FiberTask (the endorser's proposals) it parks the task instead, and the thread
  // that delivers the outcome (the chaincode stream's reader, or FailAll's caller) resumes it,
  // or the shared DeadlineTimer's thread at the deadline. The context must be owned by a
  // shared_ptr (TransactionContexts::Create).
  std::optional<StatusOr<protos::ChaincodeMessage>> WaitForOutcome(
      std::chrono::steady_clock::time_point deadline);

  // Brackets one request served against this context. BeginRequest returns false once the
  // context is closed: the request must not touch the ledger executors.
  bool BeginRequest();
  void EndRequest();
  // Refuses further requests, waits for running ones to end, and closes every iterator. After
  // Close() the caller may release the ledger executors.
  void Close();

  // Iterator bookkeeping. Add returns the new iterator's id. Take removes the iterator while a
  // request uses it (null when unknown); Put returns it.
  std::string AddIterator(std::unique_ptr<QueryIterator> it);
  std::unique_ptr<QueryIterator> TakeIterator(const std::string& id);
  void PutIterator(const std::string& id, std::unique_ptr<QueryIterator> it);
  // Closes and forgets the iterator; false when unknown.
  bool CloseIterator(const std::string& id);

 private:
  const TxParams params_;
  const std::chrono::steady_clock::time_point deadline_;
  const bool init_;
  std::mutex mu_;
  // Separate so that serving a request never wakes the thread waiting for the outcome (one
  // spurious wake-up per GET_STATE/PUT_STATE was a third of the peer's futex calls).
  std::condition_variable outcome_cv_;  // outcome_ set
  std::condition_variable drained_cv_;  // active_requests_ reached 0 after Close began
  // Resumes a parked waiter that found no outcome (the deadline passed).
  void Expire();

  // Guarded by mu_:
  std::optional<StatusOr<protos::ChaincodeMessage>> outcome_;
  FiberTask* waiter_ = nullptr;  // the parked task waiting for outcome_
  bool closed_ = false;
  int active_requests_ = 0;
  uint64_t next_iterator_ = 0;
  std::map<std::string, std::unique_ptr<QueryIterator>> iterators_;
};

class TransactionContexts {
 public:
  // AlreadyExists "txid <txid>(<channel>) exists" when a context with the same key exists;
  // Unavailable with the reason given to FailAll once the connection is gone.
  StatusOr<std::shared_ptr<TransactionContext>> Create(
      const TxParams& params, std::chrono::steady_clock::time_point deadline, bool init = false);
  // Null when there is none.
  std::shared_ptr<TransactionContext> Get(const std::string& channel_id,
                                          const std::string& tx_id) const;
  void Delete(const std::string& channel_id, const std::string& tx_id);
  // Delivers `reason` to every context and refuses new ones from now on.
  void FailAll(const Status& reason);
  size_t size() const;

 private:
  static std::string Key(const std::string& channel_id, const std::string& tx_id);

  mutable std::mutex mu_;
  // Guarded by mu_:
  std::map<std::string, std::shared_ptr<TransactionContext>> contexts_;
  Status failed_;
};

}  // namespace fabric::chaincode
