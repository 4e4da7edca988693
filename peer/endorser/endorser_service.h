// SPDX-License-Identifier: Apache-2.0
//
// EndorserService: the gRPC `protos.Endorser/ProcessProposal` service over an Endorser. An
// error from Endorser::ProcessProposal is sent as gRPC status UNKNOWN with its message (Fabric
// 1.4 returns Go errors, which grpc-go sends as Unknown; SDKs show "2 UNKNOWN: <message>");
// everything else is OK with the ProposalResponse.
//
// Server model: gRPC's callback API. With `fibers` (the default) each proposal runs as a
// FiberTask started on the callback's own thread: validation, ACL and the start of simulation run
// there; while its chaincode works the task parks (TransactionContext::WaitForOutcome) and the
// callback thread goes back to gRPC; the chaincode stream's reader resumes it when COMPLETED
// arrives, so ESCC and the answer run on the reader's thread. No thread wakes another for a
// proposal. Work that may block (system chaincodes, a chaincode launch, an executor that waits
// on its thread) first moves the task to a WorkerPool of at most `workers` threads
// (fabric::MoveToBlockingPool). Without `fibers` every proposal goes to that pool and its worker
// waits for the chaincode.
//
// At most workers + max_queued proposals are in the service at once (running, waiting or
// parked); beyond that a proposal is refused at once with RESOURCE_EXHAUSTED "too many requests
// for /protos.Endorser, exceeding concurrency limit (N)", as Fabric 2.x's
// peer.limits.concurrency.endorserService does. The callback API, not the sync API: a thread per
// call costs about 40% of the throughput and lets RSS grow with the load (420-490 MiB at 64
// proposals in flight, against 40 MiB with the callback API).
//
// Register with a grpc::ServerBuilder; the peer wiring owns the server. Shut the server down
// before destroying the service. Destroying the service (or Shutdown) answers queued proposals
// UNAVAILABLE "peer is shutting down" and waits for running and parked ones (a parked one ends
// when its chaincode answers, fails or times out).
// Ownership: borrows the Endorser. Thread-safety: concurrent calls.

#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

#include <grpcpp/grpcpp.h>

#include "fabric/base/fiber.h"
#include "fabric/base/worker_pool.h"
#include "peer/endorser/endorser.h"
#include "peer/peer.grpc.pb.h"

namespace fabric::endorser {

class EndorserService final : public protos::Endorser::CallbackService {
 public:
  struct Options {
    // Proposals simulated at once.
    int workers = 64;
    // Proposals waiting for a worker; more are refused (Fabric's endorserService limit is the
    // sum, 2500 by default).
    int max_queued = 2500 - 64;
    // Proposals as fibers (see above); false: each runs on a worker, which waits.
    bool fibers = true;
  };
  // Called on the worker thread after each proposal with the status sent, the response (empty
  // unless the status is OK) and the time from arrival to the answer. For metrics.
  using Observer = std::function<void(const grpc::Status&, const protos::ProposalResponse&,
                                      std::chrono::steady_clock::duration)>;

  explicit EndorserService(Endorser& endorser) : EndorserService(endorser, Options{}, nullptr) {}
  EndorserService(Endorser& endorser, Options options, Observer observer);
  ~EndorserService() override;

  grpc::ServerUnaryReactor* ProcessProposal(grpc::CallbackServerContext* context,
                                            const protos::SignedProposal* request,
                                            protos::ProposalResponse* response) override;

  // Stops taking proposals; see above. Idempotent.
  void Shutdown();

  // Proposals waiting for a worker.
  int queued_proposals() const { return pool_.queued(); }

 private:
  // One proposal left the service (answered).
  void Release();

  Endorser& endorser_;
  const Options options_;
  const Observer observer_;
  std::atomic<bool> shutting_down_{false};
  std::atomic<int> in_flight_{0};
  std::mutex idle_mu_;
  std::condition_variable idle_cv_;  // in_flight_ reached 0
  FiberStacks stacks_;
  WorkerPool pool_;  // last: shut down (joined) first
};

}  // namespace fabric::endorser
