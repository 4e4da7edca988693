// SPDX-License-Identifier: Apache-2.0
//
// Handler: the peer's end of one chaincode connection (Fabric's core/chaincode/handler.go).
//
// States: created -> (REGISTER with an expected ChaincodeID; REGISTERED sent) established ->
// (READY sent) ready. KEEPALIVE is ignored in every state. In created only REGISTER is legal;
// in ready COMPLETED/ERROR are routed to the waiting Execute by (channel, txid) and requests
// (GET_STATE, PUT_STATE, ...) are served by worker pools against the transaction's context.
// Any other message (REGISTER twice, INIT from the chaincode, unknown types) gets an ERROR
// reply and ends the stream. When the stream ends, every in-flight Execute fails at once with
// "chaincode stream terminated" and the handler is deregistered; the next Launch relaunches.
//
// Threading: ProcessStream runs on the stream's one reader thread; it routes replies and serves
// the point requests (GET_STATE, PUT_STATE, DEL_STATE and their metadata forms) itself; range
// queries, history and rich queries run on the request pool and INVOKE_CHAINCODE on its own
// pool (it blocks on another chaincode's requests); every write goes through Send() under one
// mutex.
//
// Ownership: created by ChaincodeSupport for each Register stream, shared with the registry
// and with Execute callers; the stream must outlive ProcessStream (after it returns, Send
// fails without touching the stream).

#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "fabric/base/fiber.h"
#include "fabric/base/serial_writer.h"
#include "fabric/base/status.h"
#include "fabric/base/worker_pool.h"
#include "peer/chaincode.pb.h"
#include "peer/chaincode/backpressure_pool.h"
#include "peer/chaincode/chaincode_stream.h"
#include "peer/chaincode/handler_registry.h"
#include "peer/chaincode/transaction_context.h"
#include "peer/chaincode_shim.pb.h"

namespace fabric::chaincode {

// Runs INVOKE_CHAINCODE requests (implemented by ChaincodeSupport).
class ChaincodeInvoker {
 public:
  virtual ~ChaincodeInvoker() = default;
  // Executes `spec` (target "name[:version][/channel]") inside `caller`'s transaction and
  // returns the callee's COMPLETED or ERROR message; errors when the callee cannot be
  // launched or run.
  virtual StatusOr<protos::ChaincodeMessage> InvokeChaincode(const TransactionContext& caller,
                                                             const protos::ChaincodeSpec& spec) = 0;
};

struct HandlerOptions {
  // Results per QueryResponse batch (Fabric's maxResultLimit).
  int max_results_per_batch = 100;
  // Results per query in all, and cap on a page size (ledger.state.totalQueryLimit).
  int total_query_limit = 10000;
  // Whether a channel's application capabilities allow state metadata (Fabric's
  // KeyLevelEndorsement); GET/PUT_STATE_METADATA are refused where not. Unset: allowed.
  std::function<bool(const std::string& channel_id)> key_level_endorsement;
  // When set, each INVOKE_CHAINCODE runs as a FiberTask (stacks from `invoke_stacks`, moved to
  // `invoke_blocking` before it blocks, e.g. to launch the callee): it parks while the callee
  // runs, so nested chaincode-to-chaincode calls never wait for a free invoke worker. Borrowed.
  FiberStacks* invoke_stacks = nullptr;
  fabric::WorkerPool* invoke_blocking = nullptr;
};

class Handler : public std::enable_shared_from_this<Handler> {
 public:
  enum class State { kCreated, kEstablished, kReady };

  Handler(ChaincodeStream& stream, HandlerRegistry& registry, BackpressurePool& request_pool,
          BackpressurePool& invoke_pool, ChaincodeInvoker& invoker, HandlerOptions options);
  ~Handler();
  Handler(const Handler&) = delete;
  Handler& operator=(const Handler&) = delete;

  // Reads and handles messages until the stream ends (OK) or the chaincode breaks the protocol
  // (the error, also sent to the chaincode as ERROR). Then fails in-flight transactions and
  // deregisters. Call once, on the stream's reader thread.
  Status ProcessStream();

  // Sends `msg` (INIT or TRANSACTION; txid, channel_id and proposal are filled from `params`)
  // and waits until `deadline` for the chaincode's COMPLETED or ERROR message, serving its
  // requests against `params` meanwhile. Errors: AlreadyExists "txid <txid>(<channel>) exists"
  // for a concurrent execution with the same key; DeadlineExceeded "timeout expired while
  // executing transaction"; Unavailable "chaincode stream terminated ..." when the connection
  // ends. The transaction's context is gone when this returns: late replies are dropped.
  StatusOr<protos::ChaincodeMessage> Execute(const TxParams& params, protos::ChaincodeMessage msg,
                                             std::chrono::steady_clock::time_point deadline);

  // Writes one message (or queues it for the thread that is writing); Unavailable once the
  // stream has ended or a write failed.
  Status Send(const protos::ChaincodeMessage& msg);

  // "name:version" as registered; empty before REGISTER. Stable after registration.
  const std::string& ccid() const { return ccid_; }
  State state() const { return state_.load(); }
  size_t in_flight() const { return contexts_.size(); }

 private:
  Status HandleMessage(protos::ChaincodeMessage& msg);
  Status HandleRegister(const protos::ChaincodeMessage& msg);
  void Notify(protos::ChaincodeMessage msg);
  void Shutdown();

  // Per-request handling (handler_requests.cc), on a worker thread.
  void HandleRequest(const protos::ChaincodeMessage& msg);
  StatusOr<std::string> Serve(TransactionContext& ctx, const protos::ChaincodeMessage& msg);
  Status RefusePrivateRead(TransactionContext& ctx, const std::string& collection);
  Status RefusePrivateWrite(TransactionContext& ctx);
  Status CheckMetadataCapability(const TransactionContext& ctx) const;
  StatusOr<std::string> HandleGetState(TransactionContext& ctx, const std::string& payload);
  StatusOr<std::string> HandleGetPrivateDataHash(TransactionContext& ctx,
                                                 const std::string& payload);
  StatusOr<std::string> HandleGetStateMetadata(TransactionContext& ctx, const std::string& payload);
  StatusOr<std::string> HandlePutState(TransactionContext& ctx, const std::string& payload);
  StatusOr<std::string> HandlePutStateMetadata(TransactionContext& ctx, const std::string& payload);
  StatusOr<std::string> HandleDelState(TransactionContext& ctx, const std::string& payload);
  StatusOr<std::string> HandleGetStateByRange(TransactionContext& ctx, const std::string& payload);
  StatusOr<std::string> HandleQueryStateNext(TransactionContext& ctx, const std::string& payload);
  StatusOr<std::string> HandleQueryStateClose(TransactionContext& ctx, const std::string& payload);
  StatusOr<std::string> HandleGetQueryResult(TransactionContext& ctx, const std::string& payload);
  StatusOr<std::string> HandleGetHistoryForKey(TransactionContext& ctx, const std::string& payload);
  StatusOr<std::string> HandleInvokeChaincode(TransactionContext& ctx, const std::string& payload);
  // Registers `it` with the context and returns its first batch.
  StatusOr<std::string> FirstBatch(TransactionContext& ctx, std::unique_ptr<QueryIterator> it);

  ChaincodeStream& stream_;
  HandlerRegistry& registry_;
  BackpressurePool& request_pool_;
  BackpressurePool& invoke_pool_;
  ChaincodeInvoker& invoker_;
  const HandlerOptions options_;
  TransactionContexts contexts_;

  // Written by the reader thread at REGISTER only, before the handler is published.
  std::string ccid_;
  std::string chaincode_name_;  // namespace of the chaincode's state
  bool registered_ = false;
  std::atomic<State> state_{State::kCreated};

  // Every write; closed when the stream ends.
  SerialWriter<protos::ChaincodeMessage> writer_;
};

// "GET_STATE" etc.
std::string MessageTypeName(protos::ChaincodeMessage::Type type);

}  // namespace fabric::chaincode
