// SPDX-License-Identifier: Apache-2.0
//
// Internal to common/msp: the immutable validation state of one Msp (its parsed configuration)
// and the rules that check a certificate against it. Identities keep a shared_ptr to it, so it
// outlives the Msp that built it.
//
// Thread-safety: immutable after construction except the atomic counter; safe to share.

#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/crypto/x509.h"
#include "common/msp/crl.h"
#include "common/msp/msp_version.h"
#include "common/msp/signing_identity.h"
#include "fabric/base/status.h"
#include "msp/msp_config.pb.h"

namespace fabric::msp::internal {

using TimePoint = std::chrono::system_clock::time_point;

// One NodeOUs or OrganizationalUnitIdentifiers entry.
struct OuIdentifier {
  std::string ou;             // e.g. "peer".
  std::string certifiers_id;  // SHA-256 of the issuing CA's chain; empty means any CA.
};

struct MspState {
  std::string name;
  std::vector<crypto::Certificate> roots;          // Sanitized (low-S).
  std::vector<crypto::Certificate> intermediates;  // Sanitized (low-S).
  // DER of the CAs that issued one of the intermediates; identities must not be issued by them.
  std::set<std::string> internal_nodes;
  std::vector<std::string> admin_tbs;  // TBSCertificate bytes of the admin certificates.
  std::vector<Crl> crls;
  // organizational_unit_identifiers: OU -> accepted certifiers ids.
  std::map<std::string, std::vector<std::string>> ou_identifiers;
  MspVersion version = MspVersion::kV1_4_3;
  bool node_ous = false;
  // admin_ou and orderer_ou only from version 1.4.3.
  std::optional<OuIdentifier> client_ou, peer_ou, admin_ou, orderer_ou;
  std::vector<std::string> tls_roots, tls_intermediates;
  std::function<TimePoint()> clock;  // Never empty.
  bool check_expiry = true;
  mutable std::atomic<uint64_t> chain_verifications{0};
};

// What a successful validation proved, and until when.
struct ValidationResult {
  TimePoint valid_from;       // Latest notBefore of the chain (min() without expiry checks).
  TimePoint valid_until;      // Earliest notAfter of the chain (max() without expiry checks).
  std::string certifiers_id;  // SHA-256 over the DER of chain[1..] (issuer up to the root).
};

// What SetupMsp builds from a FabricMSPConfig.
struct SetupResult {
  std::shared_ptr<MspState> state;
  std::shared_ptr<const SigningIdentity> signer;  // Null without signing key material.
};

// Parses and checks `conf` (see Msp::Create for the errors). `clock` must not be empty.
StatusOr<SetupResult> SetupMsp(const ::msp::FabricMSPConfig& conf, std::function<TimePoint()> clock,
                               bool check_expiry, MspVersion version);

// Validates `cert` (with subject OUs `ous`) against `state` (rules 1-5 of msp.h).
// PermissionDenied with the reason.
StatusOr<ValidationResult> ValidateCertificate(const MspState& state,
                                               const crypto::Certificate& cert,
                                               const std::vector<std::string>& ous);

// The verification chain of an identity or admin certificate at the MSP's validation time,
// leaf first. Counts one chain verification. PermissionDenied with the reason.
StatusOr<std::vector<crypto::Certificate>> IdentityChain(const MspState& state,
                                                         const crypto::Certificate& cert);

// SHA-256 over the concatenated DER of `chain` (Fabric's certification chain identifier).
std::string ChainIdentifier(const std::vector<crypto::Certificate>& chain);

// The TBSCertificate bytes of a DER certificate: what stays equal when only the signature's S
// value changes. Empty when `der` is not a DER SEQUENCE.
std::string TbsBytes(const std::string& der);

}  // namespace fabric::msp::internal
