// SPDX-License-Identifier: Apache-2.0
//
// The MSP's view of an identity, and the deserializer interface that policies, the endorser and
// the committer use to turn SignatureHeader.creator / Endorsement.endorser bytes into one.
// Fabric's msp.Identity and msp.IdentityDeserializer.
//
// Implementations are immutable and thread-safe.

#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fabric/base/status.h"
#include "msp/msp_principal.pb.h"

namespace fabric::msp {

class Identity {
 public:
  virtual ~Identity() = default;

  // The id of the MSP that issued this identity, e.g. "Org1MSP".
  virtual const std::string& MspId() const = 0;

  // The marshalled msp.SerializedIdentity this identity was deserialized from or would
  // serialize to.
  virtual const std::string& Serialize() const = 0;

  // The organizational units of the certificate subject (e.g. "peer", "client", "admin").
  virtual const std::vector<std::string>& OrganizationalUnits() const = 0;

  // When the certificate expires.
  virtual std::chrono::system_clock::time_point ExpiresAt() const = 0;

  // OK if the identity is valid for its MSP now: the certificate chains to one of the MSP's
  // roots (through its intermediates), is not expired or revoked, and satisfies the MSP's OU
  // rules. Returns PermissionDenied with the reason otherwise.
  virtual Status Validate() const = 0;

  // OK if `signature` (DER ECDSA-SHA256, low-S) over `message` verifies with this identity's
  // key. Returns PermissionDenied ("signature verification failed ...") otherwise.
  virtual Status Verify(std::string_view message, std::string_view signature) const = 0;

  // OK if this identity satisfies `principal` (role member/admin/client/peer/orderer of an MSP,
  // an organizational unit, or an exact identity). Returns PermissionDenied saying why not.
  virtual Status SatisfiesPrincipal(const common::MSPPrincipal& principal) const = 0;

  // Bytes equal for two identities exactly when they are the same identity however it was
  // serialized (Fabric's GetIdentifier: the MSP id and the certificate's DER), for telling
  // signers apart. Empty when the identity has no such key; callers then derive one.
  virtual std::string_view UniqueKey() const { return {}; }
};

class IdentityDeserializer {
 public:
  virtual ~IdentityDeserializer() = default;

  // Parses a marshalled msp.SerializedIdentity. Returns InvalidArgument when the bytes or the
  // certificate are malformed and NotFound when the MSP id is not known here. The identity is
  // not yet validated: call Validate().
  virtual StatusOr<std::shared_ptr<const Identity>> DeserializeIdentity(
      std::string_view serialized) const = 0;
};

}  // namespace fabric::msp
