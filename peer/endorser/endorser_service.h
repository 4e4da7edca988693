// SPDX-License-Identifier: Apache-2.0
//
// EndorserService: the gRPC `protos.Endorser/ProcessProposal` service over an Endorser. An
// error from Endorser::ProcessProposal is sent as gRPC status UNKNOWN with its message (Fabric
// 1.4 returns Go errors, which grpc-go sends as Unknown; SDKs show "2 UNKNOWN: <message>");
// everything else is OK with the ProposalResponse.
//
// Register with a grpc::ServerBuilder; the peer wiring owns the server.
// Ownership: borrows the Endorser. Thread-safety: as the Endorser (concurrent calls).

#pragma once

#include <grpcpp/grpcpp.h>

#include "peer/endorser/endorser.h"
#include "peer/peer.grpc.pb.h"

namespace fabric::endorser {

class EndorserService final : public protos::Endorser::Service {
 public:
  explicit EndorserService(Endorser& endorser) : endorser_(endorser) {}

  grpc::Status ProcessProposal(grpc::ServerContext* context,
                               const protos::SignedProposal* request,
                               protos::ProposalResponse* response) override;

 private:
  Endorser& endorser_;
};

}  // namespace fabric::endorser
