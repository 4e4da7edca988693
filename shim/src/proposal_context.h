// SPDX-License-Identifier: Apache-2.0
//
// What a stub derives from the client's SignedProposal, exactly as Fabric's Go shim
// (newChaincodeStub): creator from the SignatureHeader, transient map from the
// ChaincodeProposalPayload, binding = SHA-256(nonce || creator || epoch as 8-byte little-endian),
// timestamp from the ChannelHeader. The binding is computed when asked for (few chaincodes do;
// hashing the creator's certificate for every transaction was 2-4% of a small chaincode's CPU).
// Thread-safety: a value; ParseSignedProposal is pure.

#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "fabric/base/status.h"
#include "google/protobuf/timestamp.pb.h"
#include "peer/proposal.pb.h"

namespace fabric::shim::internal {

struct ProposalContext {
  std::optional<protos::SignedProposal> signed_proposal;  // unset: no proposal.
  std::string creator;
  std::map<std::string, std::string> transient;
  std::string nonce;
  uint64_t epoch = 0;
  std::optional<google::protobuf::Timestamp> timestamp;

  // SHA-256(nonce || creator || epoch as 8-byte little-endian); empty without a proposal.
  std::string Binding() const;
};

// Parses `sp`. Errors: INVALID_ARGUMENT when a layer does not parse, the header is missing or
// the channel header type is neither ENDORSER_TRANSACTION nor CONFIG (Go shim's messages).
// Takes `sp` by value: a caller done with it moves it in and saves a copy of the proposal.
StatusOr<ProposalContext> ParseSignedProposal(protos::SignedProposal sp);

}  // namespace fabric::shim::internal
