// SPDX-License-Identifier: Apache-2.0
//
// Proposals, proposal responses and endorser transactions, built and hashed exactly as Fabric
// does, so that endorsements made here verify in Fabric's SDKs and vice versa:
//  - a proposal is Proposal{header = Header{ChannelHeader{ENDORSER_TRANSACTION, txid, channel,
//    extension = ChaincodeHeaderExtension{chaincode_id}}, SignatureHeader{creator, nonce}},
//    payload = ChaincodeProposalPayload{input = ChaincodeInvocationSpec, transient_map}};
//  - the proposal hash an endorser signs is sha256(channel_header || signature_header ||
//    ChaincodeProposalPayload without its transient map);
//  - an endorsement signs ProposalResponsePayload bytes || endorser identity bytes;
//  - a transaction carries one action whose payload holds the proposal payload (no transient
//    map), the response payload and the endorsements.
//
// All functions are stateless and thread-safe.

#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/common.pb.h"
#include "common/msp/signing_identity.h"
#include "fabric/base/status.h"
#include "peer/chaincode.pb.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"
#include "peer/transaction.pb.h"

namespace fabric::protoutil {

struct ProposalWithTxId {
  protos::Proposal proposal;
  std::string tx_id;
};

// A chaincode proposal from `creator` (marshalled SerializedIdentity) with a fresh nonce.
// Returns Internal if the random number generator fails.
StatusOr<ProposalWithTxId> CreateChaincodeProposal(
    common::HeaderType type, std::string_view channel_id,
    const protos::ChaincodeInvocationSpec& invocation, std::string_view creator,
    const std::map<std::string, std::string>& transient_map = {});

// The same with a given nonce (tests and tools that must reproduce a txid).
ProposalWithTxId CreateChaincodeProposalWithNonce(
    common::HeaderType type, std::string_view channel_id,
    const protos::ChaincodeInvocationSpec& invocation, std::string_view creator,
    std::string_view nonce, const std::map<std::string, std::string>& transient_map = {});

// Signs the proposal bytes with `signer`.
StatusOr<protos::SignedProposal> SignProposal(const protos::Proposal& proposal,
                                              const msp::SigningIdentity& signer);

// ChaincodeProposalPayload bytes with the transient map removed: what goes into transactions
// and into the proposal hash. Returns InvalidArgument if `proposal_payload` is malformed.
StatusOr<std::string> ProposalPayloadForTx(std::string_view proposal_payload);

// sha256(header.channel_header || header.signature_header || ProposalPayloadForTx(payload)),
// Fabric's GetProposalHash1. Returns InvalidArgument if the payload is malformed.
StatusOr<std::string> ProposalHash(const common::Header& header, std::string_view proposal_payload);

// What ESCC produces: the ProposalResponsePayload{proposal_hash, ChaincodeAction{results,
// events, response, chaincode_id}} signed by `endorser` over payload || endorser identity.
// The chaincode's response goes both into the action and into ProposalResponse.response.
StatusOr<protos::ProposalResponse> CreateProposalResponse(
    const common::Header& header, std::string_view proposal_payload,
    const protos::Response& response, std::string_view results, std::string_view events,
    const protos::ChaincodeID& chaincode_id, const msp::SigningIdentity& endorser);

// Assembles the endorser transaction envelope from a proposal and its endorsed responses, as a
// client does before broadcasting. Returns InvalidArgument when there are no responses, when
// the first response's status is not in [200, 400), when response payloads differ ("proposal
// response payloads do not match") or when `signer` is not the proposal's creator.
StatusOr<common::Envelope> CreateSignedTx(const protos::Proposal& proposal,
                                          const msp::SigningIdentity& signer,
                                          const std::vector<protos::ProposalResponse>& responses);

}  // namespace fabric::protoutil
