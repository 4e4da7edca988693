// SPDX-License-Identifier: Apache-2.0
//
// Validation of a SignedProposal before simulation, in Fabric 1.4's order
// (core/common/validation/msgvalidation.go ValidateProposalMessage, plus the ExpirationCheck
// auth filter):
//   0. CheckExpiration: a creator certificate past its notAfter -> "identity expired";
//   1. Proposal and Header unmarshal;
//   2. ChannelHeader: type ENDORSER_TRANSACTION or CONFIG ("invalid header type %s"), epoch 0;
//      SignatureHeader: nonce and creator non-empty;
//   3. creator deserializes with the channel's MSPs (the local MSP for a chainless proposal),
//      is valid, and its signature over proposal_bytes verifies; any failure is reported as
//      "access denied: channel [CH] creator org [MSP]" with the cause logged;
//   4. tx_id == hex(sha256(nonce || creator)) ("invalid txid. got [%s], expected [%s]");
//   5. the ChannelHeader extension is a ChaincodeHeaderExtension naming a chaincode, without
//      the (removed) payload_visibility field.
// Every error is InvalidArgument or PermissionDenied with the message the client receives.
//
// Thread-safety: stateless.

#pragma once

#include <chrono>
#include <string>

#include "common/common.pb.h"
#include "common/msp/identity.h"
#include "fabric/base/status.h"
#include "peer/proposal.pb.h"

namespace fabric::endorser {

struct ValidatedProposal {
  protos::Proposal proposal;
  common::Header header;
  common::ChannelHeader channel_header;
  common::SignatureHeader signature_header;
  protos::ChaincodeHeaderExtension extension;
};

// Step 0. Parse errors are reported too ("failed parsing proposal: ..."), as Fabric's filter.
Status CheckExpiration(const protos::SignedProposal& signed_proposal,
                       std::chrono::system_clock::time_point now);

// Steps 1-5. `deserializer_for(channel_id)` returns the identity deserializer of the channel
// ("" = the local MSP), or null when the peer does not know the channel (which ends as access
// denied, as in Fabric).
StatusOr<ValidatedProposal> ValidateProposalMessage(
    const protos::SignedProposal& signed_proposal,
    const std::function<const msp::IdentityDeserializer*(const std::string&)>& deserializer_for);

}  // namespace fabric::endorser
