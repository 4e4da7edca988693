// SPDX-License-Identifier: Apache-2.0
//
// Msp: Fabric's X.509 membership service provider (Go: msp/mspimpl.go, "bccspmsp", at MSP
// version 1.4.3, the one Fabric 2.x channels use). Built from an msp.MSPConfig of type FABRIC
// (from LoadMspConfigFromDir or from a channel's config), it turns serialized identities of its
// MSP id into Identity objects, validates them against its roots of trust, revocation lists and
// OU rules, and decides which principals (member, admin, client, peer, orderer, organizational
// unit, exact identity) an identity satisfies.
//
// Validation rules, in order (Validate() on a deserialized identity):
//   1. the certificate is not a CA (CA:TRUE certificates cannot be identities);
//   2. it chains through the MSP's intermediate certificates to one of its root certificates, at
//      the time given by Options::clock (Options::check_expiry) and with a single chain whose
//      issuing CA is a leaf of the MSP's certification tree;
//   3. the issuing CA's CRL in revocation_list (matched by its authority key identifier and
//      signature) does not list the certificate's serial number;
//   4. with organizational_unit_identifiers configured, one of the certificate's OUs (with the
//      same certifiers identifier) is listed;
//   5. with NodeOUs enabled, the certificate carries exactly one of the client, peer, admin and
//      orderer OUs.
//
// Identities are cached by their serialized bytes (bounded LRU, Options::identity_cache_size),
// and a successful validation is remembered in the cached identity until the earliest notAfter
// of its chain, so the endorsement and validation hot paths pay for chain verification once per
// identity. Failed validations are not remembered.
//
// Ownership: identities returned by DeserializeIdentity keep the MSP's immutable validation state
// alive, so they stay usable after the Msp is destroyed (e.g. across a channel config update).
//
// Thread-safety: Msp is immutable after Create apart from its internal cache, which is
// synchronised; every method may be called concurrently.

#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/msp/identity.h"
#include "common/msp/msp_version.h"
#include "common/msp/signing_identity.h"
#include "fabric/base/status.h"
#include "msp/msp_config.pb.h"
#include "msp/msp_principal.pb.h"

namespace fabric::msp {

// MSPConfig.type values (Go: msp.ProviderType).
inline constexpr int32_t kMspTypeFabric = 0;
inline constexpr int32_t kMspTypeIdemix = 1;

namespace internal {
struct MspState;
class IdentityCache;
}  // namespace internal

class Msp : public IdentityDeserializer {
 public:
  struct Options {
    // The rules to follow (see MspVersion).
    MspVersion version = MspVersion::kV1_4_3;
    // The current time; empty means std::chrono::system_clock::now. Tests inject a fake clock.
    std::function<std::chrono::system_clock::time_point()> clock;
    // True: certificates are checked for expiry at clock() time (what the endorser's expiration
    // filter and the orderer's broadcast do in Fabric). False: Fabric's MSP rule, which checks
    // the chain at the certificate's notBefore + 1 s so that validating old blocks gives the
    // same answer on every peer forever; committers replaying blocks should use false.
    bool check_expiry = true;
    // Maximum number of deserialized identities kept; 0 disables the cache.
    size_t identity_cache_size = 10000;
  };

  // Builds an MSP from `config`. Returns Unimplemented for Idemix (type 1) and other types;
  // InvalidArgument when the FabricMSPConfig does not parse or is not valid: empty name, no root
  // certificate, a root or intermediate that does not parse, is not a CA or has no subject key
  // identifier, an intermediate that does not chain to a root, an admin certificate that is not
  // valid for this MSP (or, with NodeOUs, is neither client nor admin), a CRL that does not parse
  // or has no authority key identifier, a NodeOUs or OU-identifier certificate that is not one of
  // the MSP's CAs, an unsupported hash function, or a signing identity whose key does not match
  // its certificate or that has expired.
  static StatusOr<std::unique_ptr<Msp>> Create(const ::msp::MSPConfig& config);
  static StatusOr<std::unique_ptr<Msp>> Create(const ::msp::MSPConfig& config, Options options);

  ~Msp() override;
  Msp(const Msp&) = delete;
  Msp& operator=(const Msp&) = delete;

  // The MSP id (FabricMSPConfig.name), e.g. "Org1MSP".
  const std::string& MspId() const;

  // Parses a marshalled msp.SerializedIdentity of this MSP. InvalidArgument when the bytes are
  // not a SerializedIdentity or id_bytes is not a PEM X.509 certificate with a P-256 key;
  // NotFound when its mspid is not this MSP's. The identity is not validated: call Validate().
  StatusOr<std::shared_ptr<const Identity>> DeserializeIdentity(
      std::string_view serialized) const override;

  // Validates `identity` (see the rules above) as this MSP. PermissionDenied with the reason,
  // including identities of another MSP.
  Status Validate(const Identity& identity) const;

  // OK if `identity` satisfies `principal` under this MSP; PermissionDenied saying why not.
  Status SatisfiesPrincipal(const Identity& identity, const common::MSPPrincipal& principal) const;

  // The signing identity of a local MSP (FabricMSPConfig.signing_identity with key material), as
  // LoadMspConfigFromDir produces. NotFound for verifying-only MSPs (channel MSPs).
  StatusOr<std::shared_ptr<const SigningIdentity>> GetDefaultSigningIdentity() const;

  // True when FabricMSPConfig.fabric_node_ous.enable is set.
  bool NodeOUsEnabled() const;

  // PEM certificates of the MSP's TLS roots and intermediates, as configured.
  const std::vector<std::string>& TlsRootCerts() const;
  const std::vector<std::string>& TlsIntermediateCerts() const;

  // How many certificate chain verifications this MSP ran (setup excluded). For tests of the
  // identity cache.
  uint64_t ChainVerificationsForTesting() const;

 private:
  Msp(std::shared_ptr<const internal::MspState> state, size_t cache_size,
      std::shared_ptr<const SigningIdentity> signer);

  std::shared_ptr<const internal::MspState> state_;
  std::unique_ptr<internal::IdentityCache> cache_;  // Internally synchronised.
  std::shared_ptr<const SigningIdentity> signer_;   // Null for verifying-only MSPs.
};

}  // namespace fabric::msp
