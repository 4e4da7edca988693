// SPDX-License-Identifier: Apache-2.0
//
// BlockStream: one Deliver stream (the orderer's orderer.AtomicBroadcast/Deliver, the peer's
// protos.Deliver), as Fabric's common/deliver Handler serves it, on gRPC's callback API. Per
// request envelope:
//   the service's Opener checks it: a refusal is sent as the final status;
//   else blocks session.start..session.stop from the block store, each after
//   Session::CheckBlock; a block not yet added is waited for (BLOCK_UNTIL_READY) or ends the
//   request with NOT_FOUND (FAIL_IF_NOT_READY);
//   then the final status SUCCESS, after which the client may send another request.
// Any status but SUCCESS ends the stream (gRPC OK); so does the client closing its side. A
// client that cancels gets nothing more. Shutdown (of the StreamRegistry) answers a request in
// progress with SERVICE_UNAVAILABLE.
//
// No thread is held while a stream waits: for a request (gRPC reads it), for a block (the block
// store calls back when it is added) or for a write to drain. Checks and block reads run on the
// registry's workers.
//
// Thread-safety: gRPC, the registry's workers and the block store's committing thread all call
// in; at most one of the stream's own steps (check, read, write, wait) is in progress at a time.

#pragma once

#include <memory>
#include <mutex>
#include <string>

#include <grpcpp/grpcpp.h>

#include "common/comm/callback_stream.h"
#include "common/comm/stream_registry.h"
#include "common/comm/tls.h"
#include "common/common.pb.h"
#include "common/ledger/blkstorage/block_store.h"

namespace fabric::deliver {

using comm::StreamRegistry;
using comm::TrackedStream;

// One admitted request: what to send and the checks before each block.
template <typename Response>
class Session {
 public:
  virtual ~Session() = default;
  // Before each block: SUCCESS to send it, else the status that ends the request (Fabric's
  // session access control: an expired certificate, access lost in a config change).
  virtual common::Status CheckBlock() = 0;
  // Puts `block` into `response`; `block` stays alive until Release(response).
  virtual void Fill(const common::Block& block, Response* response) = 0;
  // Takes back what Fill lent `response` (if anything) once it has been written.
  virtual void Release(Response* /*response*/) {}

  ledger::blkstorage::BlockStore* store = nullptr;
  uint64_t start = 0;
  uint64_t stop = 0;
  bool fail_if_not_ready = false;
};

// Who sent a request.
struct Client {
  std::string address;        // gRPC's peer string ("ipv4:127.0.0.1:41234"), for log lines
  std::string tls_cert_hash;  // comm::ClientTlsCertHash of the connection; empty without one
};

// Checks a request: the Session to serve it, or null with the refusal in `*status`.
template <typename Response>
using Opener = std::function<std::unique_ptr<Session<Response>>(
    const common::Envelope& request, const Client& client, common::Status* status)>;

template <typename Response>
class BlockStream final : public comm::CallbackStream<common::Envelope, Response>,
                          public std::enable_shared_from_this<BlockStream<Response>> {
 public:
  // Starts a stream for `context`; gRPC owns the returned reactor until OnDone. `registry`
  // must outlive the stream (shut the gRPC server down before destroying it).
  static grpc::ServerBidiReactor<common::Envelope, Response>* Start(
      grpc::CallbackServerContext* context, StreamRegistry& registry, Opener<Response> opener) {
    auto stream = std::shared_ptr<BlockStream>(new BlockStream(context, registry, opener));
    if (BlockStream::Open(stream)) {
      stream->StartRead(&stream->request_);
    }
    return stream.get();
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      this->End(grpc::Status::OK);  // the client closed its side (or went away)
      return;
    }
    this->NoteRequest();
    Post(&BlockStream::Begin);
  }

  void OnWriteDone(bool ok) override {
    if (session_ != nullptr) {
      session_->Release(&response_);
    }
    block_.reset();
    if (!ok) {
      this->End(grpc::Status(grpc::StatusCode::CANCELLED, "deliver stream broken"));
      return;
    }
    if (writing_status_) {
      writing_status_ = false;
      session_.reset();
      if (final_status_ != common::SUCCESS) {
        this->End(grpc::Status::OK);
        return;
      }
      response_.Clear();
      this->StartRead(&request_);
      return;
    }
    if (last_sent_) {
      SendStatus(common::SUCCESS);
      return;
    }
    Post(&BlockStream::Pump);
  }

  void OnCancel() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled_ = true;
    }
    Wake();
  }

  void Wake() override {
    uint64_t waiter = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!parked_) {
        return;
      }
      parked_ = false;
      waiter = std::exchange(waiter_, 0);
    }
    if (waiter != 0) {
      session_->store->CancelWaiter(waiter);
    }
    Post(&BlockStream::Pump);
  }

 private:
  BlockStream(grpc::CallbackServerContext* context, StreamRegistry& registry,
              Opener<Response> opener)
      : comm::CallbackStream<common::Envelope, Response>(context, registry),
        opener_(std::move(opener)),
        client_{context->peer(), comm::ClientTlsCertHash(context->auth_context().get())} {}

  // Runs `step` on a worker, keeping the stream alive until it has run.
  void Post(void (BlockStream::*step)()) {
    auto self = this->shared_from_this();
    if (!this->registry().Run([self, step] { ((*self).*step)(); })) {
      this->End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server is shutting down"));
    }
  }

  void Begin() {
    if (this->registry().shutting_down()) {
      SendStatus(common::SERVICE_UNAVAILABLE);
      return;
    }
    common::Status refused = common::BAD_REQUEST;
    session_ = opener_(request_, client_, &refused);
    if (session_ == nullptr) {
      SendStatus(refused);
      return;
    }
    next_ = session_->start;
    Pump();
  }

  // Sends the next block, waits for it, or ends the request.
  void Pump() {
    if (cancelled()) {
      // Fabric's handler returns the context's error: nothing more is sent.
      this->End(grpc::Status(grpc::StatusCode::CANCELLED, "deliver stream cancelled"));
      return;
    }
    if (this->registry().shutting_down()) {
      SendStatus(common::SERVICE_UNAVAILABLE);
      return;
    }
    ledger::blkstorage::BlockStore& store = *session_->store;
    if (next_ >= store.Height()) {
      if (session_->fail_if_not_ready) {
        SendStatus(common::NOT_FOUND);
        return;
      }
      Park(store);
      return;
    }
    StatusOr<std::shared_ptr<const common::Block>> block = store.RetrieveSharedBlockByNumber(next_);
    if (!block.ok()) {
      SendStatus(common::SERVICE_UNAVAILABLE);
      return;
    }
    if (common::Status s = session_->CheckBlock(); s != common::SUCCESS) {
      SendStatus(s);
      return;
    }
    block_ = std::move(block).value();
    response_.Clear();
    session_->Fill(*block_, &response_);
    last_sent_ = next_ >= session_->stop;
    ++next_;
    this->StartWrite(&response_);
  }

  // Waits for block next_ without a thread: the store, shutdown or cancellation wakes it.
  void Park(ledger::blkstorage::BlockStore& store) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      parked_ = true;
    }
    std::weak_ptr<BlockStream> weak = this->shared_from_this();
    const uint64_t id = store.WaitForBlockAsync(next_, [weak] {
      if (auto self = weak.lock()) {
        self->Wake();
      }
    });
    bool woken = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      woken = !parked_;
      if (!woken) {
        waiter_ = id;
      }
    }
    if (woken) {
      store.CancelWaiter(id);  // woken by cancellation or shutdown before it was registered
    }
    // Cancellation or shutdown that came before parked_ was set found nothing to wake.
    if (this->registry().shutting_down() || cancelled()) {
      Wake();
    }
  }

  bool cancelled() {
    std::lock_guard<std::mutex> lock(mu_);
    return cancelled_;
  }

  void SendStatus(common::Status status) {
    response_.Clear();
    response_.set_status(status);
    final_status_ = status;
    writing_status_ = true;
    this->StartWrite(&response_);
  }

  const Opener<Response> opener_;
  const Client client_;

  // Used by one step at a time (steps are sequential):
  common::Envelope request_;
  Response response_;
  std::unique_ptr<Session<Response>> session_;
  std::shared_ptr<const common::Block> block_;  // the block being written
  uint64_t next_ = 0;
  bool last_sent_ = false;
  bool writing_status_ = false;
  common::Status final_status_ = common::SUCCESS;

  std::mutex mu_;
  // Guarded by mu_:
  bool cancelled_ = false;
  bool parked_ = false;
  uint64_t waiter_ = 0;  // the store's id of the parked wait; 0 when unknown
};

}  // namespace fabric::deliver
