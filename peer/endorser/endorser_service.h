// SPDX-License-Identifier: Apache-2.0
//
// EndorserService: the gRPC `protos.Endorser/ProcessProposal` service over an Endorser. An
// error from Endorser::ProcessProposal is sent as gRPC status UNKNOWN with its message (Fabric
// 1.4 returns Go errors, which grpc-go sends as Unknown; SDKs show "2 UNKNOWN: <message>");
// everything else is OK with the ProposalResponse.
//
// Server model: gRPC's callback API. The callback hands each proposal to a WorkerPool of at most
// `workers` threads (started on demand), since validation and simulation may block (disk,
// system chaincodes, chaincode launches); more wait for a worker. At most workers + max_queued
// proposals are in the service at once (running, waiting or parked); beyond that a proposal is
// refused at once with RESOURCE_EXHAUSTED "too many requests for /protos.Endorser, exceeding
// concurrency limit (N)", as Fabric 2.x's peer.limits.concurrency.endorserService does. The
// sync API's thread per call cost about 40% of the throughput and let RSS grow with the load
// (420-490 MiB at 64 proposals in flight, against 40 MiB now).
//
// With `fibers` (the default) each proposal runs as a FiberTask on its worker: when it waits for
// a chaincode's outcome (TransactionContext::WaitForOutcome) it parks, the worker takes the next
// proposal, and the chaincode stream's reader resumes it when COMPLETED arrives, so that ESCC
// and the answer run on the reader's thread: one thread wake-up and switch less per proposal.
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

#include "fabric/fiber.h"
#include "fabric/worker_pool.h"
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
    // Park proposals while their chaincode runs (see above); false: the worker waits.
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
