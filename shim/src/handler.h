// SPDX-License-Identifier: Apache-2.0
//
// Handler: the shim side of the chaincode stream (Fabric's shim/handler.go).
//
// States created -> (REGISTER sent) -> established on REGISTERED -> ready on READY. In ready,
// INIT and TRANSACTION go to a WorkerPool (one worker per transaction; when the pool and its
// queue are full the peer gets ERROR "too many concurrent transactions"); RESPONSE and ERROR
// wake the stub waiting on that (channel_id, txid). KEEPALIVE is echoed in every state. Any other
// message is answered with ERROR and logged; the stream is kept, except that an ERROR before
// READY (the peer refusing the registration) ends it.
//
// Threading: Serve() runs on the caller's thread, which is the stream's only reader. Every write
// goes through Send() and a SerialWriter (one writer at a time; a thread that finds another
// writing queues its message for it and returns); no lock is held while writing. With
// Execution::kThreads workers block in Call() on a per-(channel, txid) mailbox with a deadline.
// With Execution::kCoroutines each transaction is a Fiber started on the reader thread; Call()
// parks it in its mailbox and whoever delivers the reply (the reader) resumes it; the shared
// DeadlineTimer (fabric/base/fiber.h) resumes fibers whose request timed out (they finish on the
// timer's thread), as the peer does for its parked transactions.
//
// Ownership: borrows the Chaincode and the stream, which must outlive the Handler.

#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>

#include "fabric/base/fiber.h"
#include "fabric/base/serial_writer.h"
#include "fabric/base/status.h"
#include "fabric/base/worker_pool.h"
#include "fabric/shim/chaincode.h"
#include "fabric/shim/stream.h"
#include "peer/chaincode_shim.pb.h"
#include "src/peer_caller.h"

namespace fabric::shim::internal {

using shim::ChaincodeStream;

struct HandlerOptions {
  int max_concurrent_transactions = 64;
  int max_queued_transactions = 4096;
  std::chrono::milliseconds request_timeout{30000};
  StartOptions::Execution execution = StartOptions::Execution::kThreads;
};

// The handler-related fields of StartOptions.
HandlerOptions HandlerOptionsFrom(const StartOptions& options);

class Handler final : public PeerCaller {
 public:
  Handler(Chaincode& chaincode, ChaincodeStream& stream, const HandlerOptions& options);
  ~Handler() override;
  Handler(const Handler&) = delete;
  Handler& operator=(const Handler&) = delete;

  // Sends REGISTER{ChaincodeID{name = chaincode_id_name}} and serves the stream until Read
  // fails or the peer refuses the registration. On return every waiting request has failed with
  // UNAVAILABLE. Returns why serving stopped (never OK): UNAVAILABLE when the stream ended,
  // PERMISSION_DENIED when the peer answered the registration with ERROR.
  Status Serve(const std::string& chaincode_id_name);

  // Stops the workers (queued transactions are dropped, running ones finish) and makes further
  // Send() calls fail without touching the stream. Call after Serve() returned; idempotent.
  void Shutdown();

  // PeerCaller.
  StatusOr<protos::ChaincodeMessage> Call(const protos::ChaincodeMessage& request) override;

  // Writes `msg`, or queues it for the thread that is writing. Errors: UNAVAILABLE if this
  // write failed, or after a failed write or Shutdown().
  Status Send(const protos::ChaincodeMessage& msg);

 private:
  enum class State { kCreated, kEstablished, kReady };
  // One pending Call(). Its own lock, so that the reader thread hands a reply over without
  // holding the lock of every mailbox, and wakes the caller only after releasing it (a caller
  // woken under a held lock would block on it again at once: two context switches, not one).
  struct Mailbox {
    std::mutex mu;
    std::condition_variable cv;
    // Guarded by mu:
    std::optional<protos::ChaincodeMessage> reply;
    std::optional<Status> closed;  // the stream ended before the reply came
    Fiber* parked = nullptr;       // the fiber waiting for the reply (coroutine execution)
  };
  using MailboxKey = std::pair<std::string, std::string>;  // (channel_id, txid)

  // Returns false if the stream must end. May move from `msg` (a reply or a transaction is
  // taken over rather than copied: a TRANSACTION carries the whole signed proposal).
  bool HandleMessage(protos::ChaincodeMessage& msg);
  void HandleReady(protos::ChaincodeMessage& msg);
  void RouteReply(protos::ChaincodeMessage& msg);
  void Dispatch(protos::ChaincodeMessage msg);
  // Runs one INIT or TRANSACTION on a worker and sends COMPLETED or ERROR.
  void Execute(protos::ChaincodeMessage msg);
  void SendError(const protos::ChaincodeMessage& about, const std::string& text);
  // Waits up to the request timeout for `box`'s reply; the stream's end or DeadlineExceeded.
  StatusOr<protos::ChaincodeMessage> WaitForReply(const std::shared_ptr<Mailbox>& box);
  // Fails every waiting Call() and refuses new ones.
  void CloseMailboxes(const Status& why);

  // Coroutine execution. StartFiber runs `msg`'s transaction as a new fiber until it parks;
  // ResumeFiber resumes a parked one; both clean up a finished fiber and start queued ones.
  void StartFiber(protos::ChaincodeMessage msg);
  void ResumeFiber(Fiber* fiber);
  // After a reply or the stream's end was put in `box`: resumes `parked` (the fiber taken out of
  // box.parked under its lock), or wakes the thread waiting on box.cv when there was none.
  void WakeWaiter(Mailbox& box, Fiber* parked);
  void FiberFinished(Fiber* fiber);
  // At a parked request's deadline (on the shared DeadlineTimer's thread): resumes the fiber if
  // it still waits; it then finds no reply and fails its request with DeadlineExceeded.
  void ExpireRequest(const std::weak_ptr<Mailbox>& box);
  // Drops queued transactions and waits until no fiber is left (after CloseMailboxes).
  void DrainFibers();

  Chaincode& chaincode_;
  ChaincodeStream& stream_;
  const HandlerOptions options_;
  State state_ = State::kCreated;  // Only touched by the reader thread.

  // Every write; closed by Shutdown().
  fabric::SerialWriter<protos::ChaincodeMessage> writer_;

  std::mutex mailbox_mu_;
  // Guarded by mailbox_mu_ (a mailbox's contents by its own mu):
  std::map<MailboxKey, std::shared_ptr<Mailbox>> mailboxes_;
  std::optional<Status> closed_;  // Set once the stream has ended.

  // Coroutine execution.
  FiberStacks stacks_;
  std::mutex fibers_mu_;
  std::condition_variable fibers_cv_;
  // Guarded by fibers_mu_:
  int live_fibers_ = 0;
  std::deque<protos::ChaincodeMessage> queued_;
  bool fibers_closed_ = false;

  // Last member: destroyed (joined) first.
  fabric::WorkerPool pool_;
};

}  // namespace fabric::shim::internal
