// SPDX-License-Identifier: Apache-2.0
#include "common/protoutil/proputils.h"

#include <absl/strings/str_format.h>

#include "common/crypto/hash.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"

namespace fabric::protoutil {

ProposalWithTxId CreateChaincodeProposalWithNonce(
    common::HeaderType type, std::string_view channel_id,
    const protos::ChaincodeInvocationSpec& invocation, std::string_view creator,
    std::string_view nonce, const std::map<std::string, std::string>& transient_map) {
  protos::ChaincodeHeaderExtension extension;
  *extension.mutable_chaincode_id() = invocation.chaincode_spec().chaincode_id();

  protos::ChaincodeProposalPayload payload;
  payload.set_input(Marshal(invocation));
  payload.mutable_transientmap()->insert(transient_map.begin(), transient_map.end());

  ProposalWithTxId out;
  out.tx_id = ComputeTxId(nonce, creator);
  common::ChannelHeader channel_header = MakeChannelHeader(type, 0, channel_id, 0, out.tx_id);
  channel_header.set_extension(Marshal(extension));

  common::Header header;
  header.set_channel_header(Marshal(channel_header));
  header.set_signature_header(Marshal(MakeSignatureHeader(creator, nonce)));
  out.proposal.set_header(Marshal(header));
  out.proposal.set_payload(Marshal(payload));
  return out;
}

StatusOr<ProposalWithTxId> CreateChaincodeProposal(
    common::HeaderType type, std::string_view channel_id,
    const protos::ChaincodeInvocationSpec& invocation, std::string_view creator,
    const std::map<std::string, std::string>& transient_map) {
  ASSIGN_OR_RETURN(std::string nonce, CreateNonce());
  return CreateChaincodeProposalWithNonce(type, channel_id, invocation, creator, nonce,
                                          transient_map);
}

StatusOr<protos::SignedProposal> SignProposal(const protos::Proposal& proposal,
                                              const msp::SigningIdentity& signer) {
  protos::SignedProposal signed_proposal;
  signed_proposal.set_proposal_bytes(Marshal(proposal));
  ASSIGN_OR_RETURN(std::string signature, signer.Sign(signed_proposal.proposal_bytes()));
  signed_proposal.set_signature(std::move(signature));
  return signed_proposal;
}

StatusOr<std::string> ProposalPayloadForTx(std::string_view proposal_payload) {
  ASSIGN_OR_RETURN(auto payload, Unmarshal<protos::ChaincodeProposalPayload>(
                                     proposal_payload, "chaincode proposal payload"));
  payload.clear_transientmap();
  return Marshal(payload);
}

StatusOr<std::string> ProposalHash(const common::Header& header,
                                   std::string_view proposal_payload) {
  ASSIGN_OR_RETURN(std::string for_tx, ProposalPayloadForTx(proposal_payload));
  crypto::Sha256Hasher hasher;
  hasher.Update(header.channel_header());
  hasher.Update(header.signature_header());
  hasher.Update(for_tx);
  return hasher.Finish();
}

StatusOr<protos::ProposalResponse> CreateProposalResponse(
    const common::Header& header, std::string_view proposal_payload,
    const protos::Response& response, std::string_view results, std::string_view events,
    const protos::ChaincodeID& chaincode_id, const msp::SigningIdentity& endorser) {
  ASSIGN_OR_RETURN(std::string hash, ProposalHash(header, proposal_payload));
  protos::ChaincodeAction action;
  action.set_results(std::string(results));
  action.set_events(std::string(events));
  *action.mutable_response() = response;
  *action.mutable_chaincode_id() = chaincode_id;
  protos::ProposalResponsePayload payload;
  payload.set_proposal_hash(std::move(hash));
  payload.set_extension(Marshal(action));

  protos::ProposalResponse out;
  out.set_version(1);
  out.set_payload(Marshal(payload));
  *out.mutable_response() = response;
  const std::string& identity = endorser.Serialize();
  ASSIGN_OR_RETURN(std::string signature, endorser.Sign(out.payload() + identity));
  out.mutable_endorsement()->set_endorser(identity);
  out.mutable_endorsement()->set_signature(std::move(signature));
  return out;
}

namespace {

Status CheckResponsesMatch(const std::vector<protos::ProposalResponse>& responses) {
  if (responses.empty()) {
    return InvalidArgumentError("create transaction: at least one proposal response is required");
  }
  const protos::Response& first = responses[0].response();
  if (first.status() < 200 || first.status() >= 400) {
    return InvalidArgumentError(
        absl::StrFormat("create transaction: proposal response was not successful, status %d: %s",
                        first.status(), first.message()));
  }
  for (size_t i = 1; i < responses.size(); ++i) {
    if (responses[i].payload() != responses[0].payload()) {
      return InvalidArgumentError(absl::StrFormat(
          "create transaction: proposal response payloads do not match (response %d differs "
          "from response 0)",
          i));
    }
  }
  return Status();
}

}  // namespace

StatusOr<common::Envelope> CreateSignedTx(const protos::Proposal& proposal,
                                          const msp::SigningIdentity& signer,
                                          const std::vector<protos::ProposalResponse>& responses) {
  RETURN_IF_ERROR(CheckResponsesMatch(responses));
  ASSIGN_OR_RETURN(auto header, Unmarshal<common::Header>(proposal.header(), "proposal header"));
  ASSIGN_OR_RETURN(auto signature_header, Unmarshal<common::SignatureHeader>(
                                              header.signature_header(), "signature header"));
  if (signature_header.creator() != signer.Serialize()) {
    return InvalidArgumentError(
        "create transaction: the signer must be the creator of the proposal");
  }
  ASSIGN_OR_RETURN(std::string payload_for_tx, ProposalPayloadForTx(proposal.payload()));

  protos::ChaincodeActionPayload action_payload;
  action_payload.set_chaincode_proposal_payload(std::move(payload_for_tx));
  protos::ChaincodeEndorsedAction* endorsed = action_payload.mutable_action();
  endorsed->set_proposal_response_payload(responses[0].payload());
  for (const protos::ProposalResponse& response : responses) {
    *endorsed->add_endorsements() = response.endorsement();
  }
  protos::Transaction tx;
  protos::TransactionAction* action = tx.add_actions();
  action->set_header(header.signature_header());
  action->set_payload(Marshal(action_payload));

  common::Payload payload;
  *payload.mutable_header() = header;
  payload.set_data(Marshal(tx));
  return SignPayload(payload, signer);
}

}  // namespace fabric::protoutil
