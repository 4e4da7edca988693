// SPDX-License-Identifier: Apache-2.0
//
// Vscc: the per-transaction chaincode checks of the committer for an endorser transaction
// whose envelope, headers, creator signature and txid already passed (Fabric 1.4
// core/committer/txvalidator/vscc_validator.go VSCCValidateTx and the builtin validation plugin
// core/handlers/validation/builtin/v13 with its lscc rules). In order:
//   ChaincodeHeaderExtension does not parse                         -> BAD_HEADER_EXTENSION
//   the ChaincodeAction (proposal response extension) does not parse -> BAD_RESPONSE_PAYLOAD
//   its results are not a TxReadWriteSet                             -> BAD_RWSET
//   no chaincode id / name or version empty / header and action name
//   differ / chaincode event of another chaincode                    -> INVALID_OTHER_REASON
//   a namespace twice in the rwset                                   -> ILLEGAL_WRITESET
//   an application chaincode writing to lscc or to a system chaincode
//   that cannot be called chaincode-to-chaincode                    -> ILLEGAL_WRITESET
//   an invocation of escc/vscc                                       -> ILLEGAL_WRITESET
//   for the invoked chaincode and every namespace written (V1_2 rules: writes to another
//   application chaincode's namespace are allowed and checked against its own policy; a
//   namespace counts as written by its public writes, by its collections' hashed writes, and,
//   with V1_3 or V1_4_2, by metadata writes):
//     no definition in lscc, or a malformed one                      -> INVALID_OTHER_REASON
//     invoked chaincode's version differs from the definition's      -> EXPIRED_CHAINCODE
//     the validation plugin: the endorsements (signature over proposal_response_payload ||
//     endorser) do not satisfy the endorsement policy, or with V1_3 / V1_4_2 the key-level
//     policies (key_level.h)                                         -> ENDORSEMENT_POLICY_FAILURE
//   system chaincodes are checked against SignedByAnyMember(channel MSPs) by the same plugin; an
//   lscc transaction must also be a valid deploy/upgrade (see lscc rules in
//   lscc_validation.cc)                                              -> ENDORSEMENT_POLICY_FAILURE
// Private data is not served, but hashed write sets count as writes of their namespace.
//
// Thread-safety: Validate may be called concurrently; the PolicyCache is synchronised.

#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ccprovider/ccprovider.pb.h"
#include "common/channelconfig/bundle.h"
#include "common/common.pb.h"
#include "common/policies/signature_policy.h"
#include "fabric/base/status.h"
#include "peer/committer/chaincode_definitions.h"
#include "peer/committer/key_level.h"
#include "peer/committer/policy_cache.h"
#include "peer/ledger/tx_simulator.h"
#include "peer/proposal_response.pb.h"
#include "peer/transaction.pb.h"

namespace fabric::committer {

// An endorser transaction with the layers the header checks already parsed.
struct EndorserTx {
  common::Envelope envelope;
  common::Payload payload;
  common::ChannelHeader channel_header;
  common::SignatureHeader signature_header;
  protos::ChaincodeActionPayload action_payload;
  protos::ProposalResponsePayload response_payload;
};

struct VsccResult {
  protos::TxValidationCode code = protos::VALID;
  std::string reason;      // why, when not VALID
  std::string invoked_cc;  // the chaincode named in the header extension (when it parsed)
  // A valid lscc deploy/upgrade: the new definition.
  std::optional<ccprovider::ChaincodeData> definition;
  bool upgrade = false;
  // An upgrade that invalidates other uses of the chaincode in its block (GOLANG deployment
  // specs only, as in Fabric).
  bool upgrade_conflicts_in_block = false;
  // The namespaces whose validation plugin ran and passed, and the keys whose metadata the
  // transaction writes (key-level channels only): what later transactions of the block
  // depend on (key_level.h).
  std::vector<std::string> passed_namespaces;
  std::vector<KeyRef> metadata_writes;
};

class Vscc {
 public:
  Vscc(const SystemChaincodes& system_chaincodes, const ChaincodeDefinitionProvider& definitions)
      : scc_(system_chaincodes), definitions_(definitions) {}

  // Checks `tx` against `config` and the committed state seen by `qe` (see above), reading
  // key-level validation parameters from `params`. Errors only when state cannot be read (the
  // block must then not be committed).
  StatusOr<VsccResult> Validate(const EndorserTx& tx, const channelconfig::Bundle& config,
                                ledger::QueryExecutor& qe, PolicyCache& policies,
                                ValidationParameterSource& params) const;

 private:
  struct Context;
  struct WrittenNamespaces;

  // The namespaces the transaction writes, the invoked chaincode `cc` first; rejects `out` when
  // the read-write set names a namespace twice.
  WrittenNamespaces CollectWrittenNamespaces(const Context& ctx, const std::string& cc,
                                             VsccResult* out) const;
  // An invocation of the system chaincode `cc`: it must be invokable from outside, and its
  // endorsements must satisfy SignedByAnyMember of the channel's MSPs.
  Status ValidateSystemInvocation(Context& ctx, const std::string& cc, VsccResult* out) const;
  // An invocation of the application chaincode `cc` at `version`: it writes neither lscc nor a
  // system chaincode, and every namespace written passes ValidateNamespace.
  Status ValidateApplicationInvocation(Context& ctx, const std::string& cc,
                                       const std::string& version, const WrittenNamespaces& written,
                                       VsccResult* out) const;

  // The validation plugin of one namespace, with `policy` its chaincode's endorsement policy.
  // Appends `ns` to out->passed_namespaces when it passes.
  Status RunPlugin(Context& ctx, const std::string& ns, const std::string& policy,
                   VsccResult* out) const;
  // The definition, version and plugin checks of one written namespace; sets out->code.
  Status ValidateNamespace(Context& ctx, const std::string& ns, const std::string& invoked_version,
                           VsccResult* out) const;
  StatusOr<VsccResult> ValidateLscc(const EndorserTx& tx, const std::vector<ledger::NsRwSet>& rwset,
                                    ledger::QueryExecutor& qe, PolicyCache& policies) const;
  // Deploy: nothing defined yet; upgrade: defined, another version; both: the instantiation
  // policies are satisfied by the creator. PermissionDenied with the reason otherwise.
  static Status CheckLifecycleRules(const EndorserTx& tx, bool upgrade,
                                    const std::optional<ccprovider::ChaincodeData>& existing,
                                    const ccprovider::ChaincodeData& cd, PolicyCache& policies);

  const SystemChaincodes& scc_;
  const ChaincodeDefinitionProvider& definitions_;
};

// The endorsements of `tx` as policy-evaluable signatures: {prp || endorser, endorser, sig}.
std::vector<protoutil::SignedData> EndorsementsAsSignedData(const EndorserTx& tx);

}  // namespace fabric::committer
