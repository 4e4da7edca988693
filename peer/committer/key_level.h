// SPDX-License-Identifier: Apache-2.0
//
// Key-level (state-based) endorsement, as Fabric 1.4's validation plugin checks it
// (core/common/validation/statebased: validator_keylevel.go, vpmanagerimpl.go). Chaincode may
// give a key its own endorsement policy: the metadata entry VALIDATION_PARAMETER, a marshalled
// SignaturePolicyEnvelope. On channels whose application capabilities include V1_3 or V1_4_2,
// the endorsements of a transaction are checked, for one namespace, key by key in this order:
// public writes, public metadata writes, collection hashed writes, collection metadata writes:
//   the key has a validation parameter   -> the endorsements must satisfy it
//   it has none                          -> the chaincode's policy must hold (checked once)
//   an earlier transaction of the same block that passed validation for the namespace wrote
//   the key's metadata                   -> the transaction fails, whatever its endorsements
// and when no policy was checked (no writes in the namespace), the chaincode's policy must
// hold. Every failure is ENDORSEMENT_POLICY_FAILURE, including a parameter or chaincode policy
// that does not compile.
//
// Private data is not kept by this peer and no chaincode can define collections here, so
// collection keys never have a validation parameter: Fabric then skips the key-level check
// (CollConfigNotDefinedError) and the chaincode's policy applies, as here.

#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/protoutil/signed_data.h"
#include "fabric/base/status.h"
#include "peer/committer/policy_cache.h"
#include "peer/ledger/rwset_builder.h"
#include "peer/ledger/tx_simulator.h"

namespace fabric::committer {

// A key of a channel's state: public (coll empty) or, in a collection, the key's hash.
struct KeyRef {
  std::string ns;
  std::string coll;
  std::string key;

  friend auto operator<=>(const KeyRef&, const KeyRef&) = default;
};

// A cheap fingerprint of a key, for finding which transactions of a block may depend on each
// other before comparing keys exactly.
uint64_t KeyFingerprint(std::string_view ns, std::string_view coll, std::string_view key);

// Where the key-level checks of one transaction read validation parameters.
class ValidationParameterSource {
 public:
  virtual ~ValidationParameterSource() = default;
  // The VALIDATION_PARAMETER of `key` in namespace `ns` (collection `coll`, "" for public
  // state), empty when it has none. Aborted when an earlier transaction of the block changed it
  // (Fabric's ValidationParameterUpdatedError); other errors when state cannot be read.
  virtual StatusOr<std::string> Get(const std::string& ns, const std::string& coll,
                                    const std::string& key) = 0;
};

// The committed VALIDATION_PARAMETER of a key as `qe` sees it (always empty for collection keys,
// see above).
StatusOr<std::string> CommittedValidationParameter(ledger::QueryExecutor& qe, const std::string& ns,
                                                   const std::string& coll, const std::string& key);

// Checks `endorsements` for the writes of namespace `ns` (`ns_rwset` null when the transaction
// has no rwset for it) against the keys' parameters and the chaincode policy `cc_policy`
// (marshalled SignaturePolicyEnvelope). OK when satisfied; PermissionDenied with the reason when
// not (ENDORSEMENT_POLICY_FAILURE); other errors when a parameter cannot be read.
Status CheckKeyLevelEndorsement(const std::string& ns, const ledger::NsRwSet* ns_rwset,
                                const std::string& cc_policy,
                                const std::vector<protoutil::SignedData>& endorsements,
                                PolicyCache& policies, ValidationParameterSource& params);

// The keys whose metadata `rwset` writes, in every namespace and collection.
std::vector<KeyRef> MetadataWrites(const std::vector<ledger::NsRwSet>& rwset);

}  // namespace fabric::committer
