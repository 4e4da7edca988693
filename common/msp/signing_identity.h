// SPDX-License-Identifier: Apache-2.0
//
// SigningIdentity: an identity that can sign, i.e. a certificate from an MSP together with its
// private key. The peer's and orderer's local identity, and a client's in the CLI and tools.
//
// Implementations are immutable after construction and thread-safe: Sign may be called from
// many threads at once.

#pragma once

#include <string>
#include <string_view>

#include "fabric/base/status.h"

namespace fabric::msp {

class SigningIdentity {
 public:
  virtual ~SigningIdentity() = default;

  // The MSP id this identity belongs to, e.g. "Org1MSP".
  virtual const std::string& MspId() const = 0;

  // The marshalled msp.SerializedIdentity{mspid, id_bytes = PEM certificate}: what goes into
  // SignatureHeader.creator and Endorsement.endorser.
  virtual const std::string& Serialize() const = 0;

  // An ECDSA-SHA256 signature over `message`, DER encoded with a low S value (Fabric's rule).
  // Returns Internal if the key cannot sign.
  virtual StatusOr<std::string> Sign(std::string_view message) const = 0;
};

}  // namespace fabric::msp
