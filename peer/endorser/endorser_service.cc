// SPDX-License-Identifier: Apache-2.0
#include "peer/endorser/endorser_service.h"

namespace fabric::endorser {

grpc::Status EndorserService::ProcessProposal(grpc::ServerContext*,
                                              const protos::SignedProposal* request,
                                              protos::ProposalResponse* response) {
  auto result = endorser_.ProcessProposal(*request);
  if (!result.ok()) {
    return grpc::Status(grpc::StatusCode::UNKNOWN, std::string(result.status().message()));
  }
  *response = std::move(result).value();
  return grpc::Status::OK;
}

}  // namespace fabric::endorser
