// SPDX-License-Identifier: Apache-2.0
//
// EndorserService: the gRPC `protos.Endorser/ProcessProposal` service over an Endorser. An
// error from Endorser::ProcessProposal is sent as gRPC status UNKNOWN with its message (Fabric
// 1.4 returns Go errors, which grpc-go sends as Unknown; SDKs show "2 UNKNOWN: <message>");
// everything else is OK with the ProposalResponse.
//
// Server model: gRPC's callback API. The callback hands each proposal to a WorkerPool of at most
// `workers` threads (started on demand), since simulation blocks on the chaincode; up to
// `max_queued` more wait for a worker, and beyond that a proposal is refused at once with
// RESOURCE_EXHAUSTED "too many requests for /protos.Endorser, exceeding concurrency limit (N)",
// as Fabric 2.x's peer.limits.concurrency.endorserService does. The sync API's thread per call
// cost about 40% of the throughput and let RSS grow with the load (420-490 MiB at 64 proposals
// in flight, against 40 MiB now).
//
// Register with a grpc::ServerBuilder; the peer wiring owns the server. Shut the server down
// before destroying the service. Destroying the service (or Shutdown) answers queued proposals
// UNAVAILABLE "peer is shutting down" and waits for running ones.
// Ownership: borrows the Endorser. Thread-safety: concurrent calls.

#pragma once

#include <atomic>
#include <chrono>
#include <functional>

#include <grpcpp/grpcpp.h>

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
  Endorser& endorser_;
  const Options options_;
  const Observer observer_;
  std::atomic<bool> shutting_down_{false};
  WorkerPool pool_;
};

}  // namespace fabric::endorser
