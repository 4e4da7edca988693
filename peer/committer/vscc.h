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
//   application chaincode's namespace are allowed and checked against its own policy):
//     no definition in lscc                                          -> INVALID_CHAINCODE
//     malformed definition                                           -> INVALID_OTHER_REASON
//     invoked chaincode's version differs from the definition's      -> EXPIRED_CHAINCODE
//     endorsements (signature over proposal_response_payload ||
//     endorser, de-duplicated) do not satisfy the endorsement policy -> ENDORSEMENT_POLICY_FAILURE
//   system chaincodes are checked against SignedByAnyMember(channel MSPs); an lscc
//   transaction must also be a valid deploy/upgrade (see lscc rules in vscc.cc)
//                                                                    -> ENDORSEMENT_POLICY_FAILURE
// Key-level endorsement (state-based validation parameters) and private data are not
// supported: metadata writes count as writes of the namespace, collections are ignored.
//
// Thread-safety: Validate may be called concurrently; the PolicyCache is synchronised.

#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "ccprovider/ccprovider.pb.h"
#include "common/channelconfig/bundle.h"
#include "common/common.pb.h"
#include "common/policies/signature_policy.h"
#include "fabric/status.h"
#include "peer/committer/chaincode_definitions.h"
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

// Compiled endorsement policies by their marshalled SignaturePolicyEnvelope, for one channel
// config (the deserializer must outlive the cache).
class PolicyCache {
 public:
  explicit PolicyCache(const msp::IdentityDeserializer& deserializer)
      : deserializer_(deserializer) {}
  // The compiled policy; InvalidArgument when the bytes do not compile.
  StatusOr<std::shared_ptr<const policies::SignaturePolicy>> Get(const std::string& bytes);

 private:
  const msp::IdentityDeserializer& deserializer_;
  std::mutex mu_;
  // Guarded by mu_:
  std::map<std::string, std::shared_ptr<const policies::SignaturePolicy>> policies_;
};

struct VsccResult {
  protos::TxValidationCode code = protos::VALID;
  std::string reason;      // why, when not VALID
  std::string invoked_cc;  // the chaincode named in the header extension (when it parsed)
  // A valid lscc deploy/upgrade: the new definition.
  std::optional<ccprovider::ChaincodeData> definition;
  bool upgrade = false;
};

class Vscc {
 public:
  Vscc(const SystemChaincodes& system_chaincodes, const ChaincodeDefinitionProvider& definitions)
      : scc_(system_chaincodes), definitions_(definitions) {}

  // Checks `tx` against `config` and the committed state seen by `qe` (see above). Errors
  // only when state cannot be read (the block must then not be committed).
  StatusOr<VsccResult> Validate(const EndorserTx& tx, const channelconfig::Bundle& config,
                                ledger::QueryExecutor& qe, PolicyCache& policies) const;

 private:
  StatusOr<VsccResult> ValidateNamespace(const EndorserTx& tx, const std::string& ns,
                                         const std::string& invoked_version,
                                         ledger::QueryExecutor& qe, PolicyCache& policies) const;
  StatusOr<VsccResult> ValidateLscc(const EndorserTx& tx, const channelconfig::Bundle& config,
                                    const std::string& results, ledger::QueryExecutor& qe,
                                    PolicyCache& policies) const;

  const SystemChaincodes& scc_;
  const ChaincodeDefinitionProvider& definitions_;
};

// The endorsements of `tx` as policy-evaluable signatures: {prp || endorser, endorser, sig}.
std::vector<protoutil::SignedData> EndorsementsAsSignedData(const EndorserTx& tx);

}  // namespace fabric::committer
