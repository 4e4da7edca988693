// SPDX-License-Identifier: Apache-2.0
//
// ESCC: the endorsement of a simulated proposal, Fabric 1.4's DefaultEndorsement plugin
// (core/handlers/endorsement/builtin/default_endorsement.go) and 1.0's escc system chaincode.
//
// Endorse: a chaincode response with status >= 400 is not endorsed ({response} only);
// otherwise ProposalResponse{version 1, response, payload = ProposalResponsePayload{
// proposal_hash, ChaincodeAction{results, events, response, chaincode_id}}, endorsement{
// endorser = signer's SerializedIdentity, signature = Sign(payload || endorser)}}
// (protoutil::CreateProposalResponse; deterministic bytes).
// CreateProposalResponseFailure: the same payload without endorsement, for chaincode errors
// (status >= 500), as Fabric's endorser returns them.
//
// Escc (the SCC form, not invokable externally): args [fn, Header, ChaincodeProposalPayload,
// ChaincodeID, Response, results, events, (visibility)] -> marshalled ProposalResponse.
//
// Thread-safety: stateless; the signer must be thread-safe.

#pragma once

#include <string_view>

#include "common/common.pb.h"
#include "common/msp/signing_identity.h"
#include "fabric/base/status.h"
#include "fabric/shim/chaincode.h"
#include "peer/chaincode.pb.h"
#include "peer/proposal_response.pb.h"

namespace fabric::scc {

StatusOr<protos::ProposalResponse> Endorse(const common::Header& header,
                                           std::string_view proposal_payload,
                                           const protos::Response& response,
                                           std::string_view results, std::string_view events,
                                           const protos::ChaincodeID& chaincode_id,
                                           const msp::SigningIdentity& signer);

StatusOr<protos::ProposalResponse> CreateProposalResponseFailure(
    const common::Header& header, std::string_view proposal_payload,
    const protos::Response& response, std::string_view results, std::string_view events,
    const protos::ChaincodeID& chaincode_id);

class Escc : public shim::Chaincode {
 public:
  explicit Escc(const msp::SigningIdentity& signer) : signer_(signer) {}
  shim::Response Init(shim::ChaincodeStub&) override { return shim::Success(); }
  shim::Response Invoke(shim::ChaincodeStub& stub) override;

 private:
  const msp::SigningIdentity& signer_;
};

}  // namespace fabric::scc
