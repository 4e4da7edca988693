// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace fabric::protoutil {

// One signature to check against a policy: `signature` by the identity `identity` (marshalled
// msp.SerializedIdentity) over `data`. Fabric's protoutil.SignedData.
struct SignedData {
  std::string data;
  std::string identity;
  std::string signature;
  // Set only by code that has itself just verified `signature` over `data` with the public key
  // of `identity` (the endorser, whose ACL check evaluates the channel policy over the proposal
  // signature it verified a moment before). A policy evaluation then still deserializes and
  // validates the identity and matches principals, but does not verify the signature again:
  // the result would be the same, and an ECDSA verification is the largest single cost of an
  // endorsement. Fabric verifies the proposal signature twice; the outcome does not differ.
  bool signature_verified = false;
};

}  // namespace fabric::protoutil
