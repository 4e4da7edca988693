// SPDX-License-Identifier: Apache-2.0
#include "peer/scc/escc.h"

#include <absl/strings/str_format.h>

#include "common/protoutil/proputils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "fabric/shim/chaincode_stub.h"
#include "peer/proposal.pb.h"

namespace fabric::scc {

StatusOr<protos::ProposalResponse> Endorse(const common::Header& header,
                                           std::string_view proposal_payload,
                                           const protos::Response& response,
                                           std::string_view results, std::string_view events,
                                           const protos::ChaincodeID& chaincode_id,
                                           const msp::SigningIdentity& signer) {
  if (response.status() >= 400) {
    protos::ProposalResponse out;
    *out.mutable_response() = response;
    return out;
  }
  return protoutil::CreateProposalResponse(header, proposal_payload, response, results, events,
                                           chaincode_id, signer);
}

StatusOr<protos::ProposalResponse> CreateProposalResponseFailure(
    const common::Header& header, std::string_view proposal_payload,
    const protos::Response& response, std::string_view results, std::string_view events,
    const protos::ChaincodeID& chaincode_id) {
  ASSIGN_OR_RETURN(std::string hash, protoutil::ProposalHash(header, proposal_payload));
  protos::ChaincodeAction action;
  action.set_results(std::string(results));
  action.set_events(std::string(events));
  *action.mutable_response() = response;
  *action.mutable_chaincode_id() = chaincode_id;
  protos::ProposalResponsePayload payload;
  payload.set_proposal_hash(std::move(hash));
  payload.set_extension(protoutil::Marshal(action));
  protos::ProposalResponse out;
  *out.mutable_response() = response;
  out.set_payload(protoutil::Marshal(payload));
  return out;
}

shim::Response Escc::Invoke(shim::ChaincodeStub& stub) {
  const std::vector<std::string>& args = stub.GetArgs();
  if (args.size() < 6) {
    return shim::Error(absl::StrFormat(
        "Incorrect number of arguments (expected a minimum of 5, provided %d)", args.size()));
  }
  if (args.size() > 8) {
    return shim::Error(absl::StrFormat(
        "Incorrect number of arguments (expected a maximum of 7, provided %d)", args.size()));
  }
  auto header = protoutil::Unmarshal<common::Header>(args[1], "header");
  auto ccid = protoutil::Unmarshal<protos::ChaincodeID>(args[3], "chaincode id");
  auto response = protoutil::Unmarshal<protos::Response>(args[4], "response");
  if (!header.ok() || !ccid.ok() || !response.ok()) {
    return shim::Error("escc: malformed header, chaincode id or response");
  }
  if (response->status() >= 400) {
    return shim::Error(
        absl::StrFormat("Status code less than 200 or greater than 399: %d", response->status()));
  }
  std::string events = args.size() > 6 ? args[6] : std::string();
  auto pr = Endorse(*header, args[2], *response, args[5], events, *ccid, signer_);
  if (!pr.ok()) {
    return shim::Error(std::string(pr.status().message()));
  }
  return shim::Success(protoutil::Marshal(*pr));
}

}  // namespace fabric::scc
