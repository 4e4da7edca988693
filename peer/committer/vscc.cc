// SPDX-License-Identifier: Apache-2.0

#include "peer/committer/vscc.h"

#include <optional>
#include <set>
#include <vector>

#include <absl/strings/str_format.h>

#include "common/policies/builder.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "peer/chaincode.pb.h"
#include "peer/chaincode_event.pb.h"
#include "peer/ledger/rwset_builder.h"
#include "peer/proposal.pb.h"

namespace fabric::committer {
namespace {

VsccResult Invalid(protos::TxValidationCode code, std::string reason) {
  VsccResult r;
  r.code = code;
  r.reason = std::move(reason);
  return r;
}

// Sets the verdict of `r`: `code`, for `reason`.
void Reject(VsccResult* r, protos::TxValidationCode code, std::string reason) {
  r->code = code;
  r->reason = std::move(reason);
}

// Fabric's txWritesToNamespace (private data assumed on, as from V1_2).
bool WritesTo(const ledger::NsRwSet& ns, bool key_level) {
  if (ns.kv.writes_size() > 0) {
    return true;
  }
  for (const ledger::CollHashedRwSet& coll : ns.collections) {
    if (coll.hashed.hashed_writes_size() > 0 ||
        (key_level && coll.hashed.metadata_writes_size() > 0)) {
      return true;
    }
  }
  return key_level && ns.kv.metadata_writes_size() > 0;
}

// The chaincode invocation an endorser transaction carries.
struct Invocation {
  protos::ChaincodeHeaderExtension ext;
  protos::ChaincodeAction action;
  std::vector<ledger::NsRwSet> rwset;
};

// Parses the invocation of `tx` into `inv`; when a layer does not parse, the rejection that
// names it.
std::optional<VsccResult> ParseInvocation(const EndorserTx& tx, Invocation* inv) {
  auto ext = protoutil::Unmarshal<protos::ChaincodeHeaderExtension>(tx.channel_header.extension(),
                                                                    "chaincode header extension");
  if (!ext.ok()) {
    return Invalid(protos::BAD_HEADER_EXTENSION, std::string(ext.status().message()));
  }
  auto action = protoutil::Unmarshal<protos::ChaincodeAction>(tx.response_payload.extension(),
                                                              "chaincode action");
  if (!action.ok()) {
    return Invalid(protos::BAD_RESPONSE_PAYLOAD, std::string(action.status().message()));
  }
  auto rwset = ledger::ParseTxRwSet(action->results());
  if (!rwset.ok()) {
    return Invalid(protos::BAD_RWSET, std::string(rwset.status().message()));
  }
  if (!ext->has_chaincode_id() || !action->has_chaincode_id()) {
    return Invalid(protos::INVALID_OTHER_REASON, "nil chaincode id");
  }
  inv->ext = std::move(*ext);
  inv->action = std::move(*action);
  inv->rwset = std::move(*rwset);
  return std::nullopt;
}

// Fabric's sanity checks of the invoked chaincode's name and version, and of the chaincode
// event's chaincode id; rejects `r` when one fails.
void CheckInvokedChaincode(const Invocation& inv, VsccResult* r) {
  const std::string& cc = inv.ext.chaincode_id().name();
  const protos::ChaincodeAction& action = inv.action;
  if (cc.empty()) {
    Reject(r, protos::INVALID_OTHER_REASON, "invalid chaincode id");
    return;
  }
  if (cc != action.chaincode_id().name()) {
    Reject(r, protos::INVALID_OTHER_REASON,
           absl::StrFormat("inconsistent ccid info (%s/%s)", cc, action.chaincode_id().name()));
    return;
  }
  if (action.chaincode_id().version().empty()) {
    Reject(r, protos::INVALID_OTHER_REASON, "invalid chaincode version");
    return;
  }
  if (!action.events().empty()) {
    auto event = protoutil::Unmarshal<protos::ChaincodeEvent>(action.events(), "chaincode event");
    if (!event.ok() || event->chaincode_id() != cc) {
      Reject(r, protos::INVALID_OTHER_REASON,
             "chaincode event chaincode id does not match chaincode action chaincode id");
    }
  }
}

const ledger::NsRwSet* FindNamespace(const std::vector<ledger::NsRwSet>& rwset,
                                     const std::string& ns) {
  for (const ledger::NsRwSet& n : rwset) {
    if (n.ns == ns) {
      return &n;
    }
  }
  return nullptr;
}

}  // namespace

StatusOr<std::shared_ptr<const policies::SignaturePolicy>> PolicyCache::Get(
    const std::string& bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = policies_.find(bytes);
  if (it != policies_.end()) {
    return it->second;
  }
  ASSIGN_OR_RETURN(std::unique_ptr<policies::SignaturePolicy> policy,
                   policies::SignaturePolicy::FromBytes(bytes, deserializer_));
  std::shared_ptr<const policies::SignaturePolicy> shared(std::move(policy));
  policies_.emplace(bytes, shared);
  return shared;
}

std::vector<protoutil::SignedData> EndorsementsAsSignedData(const EndorserTx& tx) {
  std::vector<protoutil::SignedData> out;
  const auto& action = tx.action_payload.action();
  out.reserve(action.endorsements_size());
  for (const auto& e : action.endorsements()) {
    protoutil::SignedData sd;
    sd.data.reserve(action.proposal_response_payload().size() + e.endorser().size());
    sd.data.append(action.proposal_response_payload());
    sd.data.append(e.endorser());
    sd.identity = e.endorser();
    sd.signature = e.signature();
    out.push_back(std::move(sd));
  }
  return out;
}

// What the checks of one transaction share.
struct Vscc::Context {
  const EndorserTx& tx;
  const channelconfig::Bundle& config;
  ledger::QueryExecutor& qe;
  PolicyCache& policies;
  ValidationParameterSource& params;
  const std::vector<ledger::NsRwSet>& rwset;
  const bool key_level;
  const std::vector<protoutil::SignedData> endorsements;
};

// The namespaces a transaction writes, and whether they include ones no application chaincode
// may write (Fabric's wrNamespace, writesToLSCC and writesToNonInvokableSCC).
struct Vscc::WrittenNamespaces {
  std::vector<std::string> names;  // the invoked chaincode first, then every other one written
  bool lscc = false;
  bool protected_scc = false;
};

StatusOr<VsccResult> Vscc::Validate(const EndorserTx& tx, const channelconfig::Bundle& config,
                                    ledger::QueryExecutor& qe, PolicyCache& policies,
                                    ValidationParameterSource& params) const {
  Invocation inv;
  if (std::optional<VsccResult> bad = ParseInvocation(tx, &inv)) {
    return std::move(*bad);
  }
  const std::string& cc = inv.ext.chaincode_id().name();
  VsccResult result;
  result.invoked_cc = cc;
  CheckInvokedChaincode(inv, &result);
  if (result.code != protos::VALID) {
    return result;
  }
  Context ctx{tx,
              config,
              qe,
              policies,
              params,
              inv.rwset,
              config.KeyLevelEndorsement(),
              EndorsementsAsSignedData(tx)};
  if (ctx.key_level) {
    result.metadata_writes = MetadataWrites(inv.rwset);
  }
  const WrittenNamespaces written = CollectWrittenNamespaces(ctx, cc, &result);
  if (result.code != protos::VALID) {
    return result;
  }
  if (scc_.IsSystem(cc)) {
    RETURN_IF_ERROR(ValidateSystemInvocation(ctx, cc, &result));
    return result;
  }
  RETURN_IF_ERROR(ValidateApplicationInvocation(ctx, cc, inv.action.chaincode_id().version(),
                                                written, &result));
  return result;
}

Vscc::WrittenNamespaces Vscc::CollectWrittenNamespaces(const Context& ctx, const std::string& cc,
                                                       VsccResult* out) const {
  WrittenNamespaces written;
  written.names = {cc};
  std::set<std::string> seen;
  for (const ledger::NsRwSet& ns : ctx.rwset) {
    if (!seen.insert(ns.ns).second) {
      Reject(out, protos::ILLEGAL_WRITESET,
             absl::StrFormat("duplicate namespace '%s' in txRWSet", ns.ns));
      return written;
    }
    if (!WritesTo(ns, ctx.key_level)) {
      continue;
    }
    if (ns.ns != cc) {
      written.names.push_back(ns.ns);
    }
    written.lscc |= ns.ns == kLsccNamespace;
    written.protected_scc |=
        scc_.not_invokable_cc2cc.count(ns.ns) > 0 || scc_.not_invokable_external.count(ns.ns) > 0;
  }
  return written;
}

Status Vscc::ValidateSystemInvocation(Context& ctx, const std::string& cc, VsccResult* out) const {
  if (scc_.not_invokable_external.count(cc) > 0) {
    Reject(out, protos::ILLEGAL_WRITESET,
           absl::StrFormat("committing an invocation of cc %s is illegal", cc));
    return Status::OK();
  }
  // One signature by any member of the channel: the policy of system chaincodes.
  const std::string any_member =
      policies::SignedByAnyMember(ctx.config.msp_manager().MspIds()).SerializeAsString();
  return RunPlugin(ctx, cc, any_member, out);
}

Status Vscc::ValidateApplicationInvocation(Context& ctx, const std::string& cc,
                                           const std::string& version,
                                           const WrittenNamespaces& written,
                                           VsccResult* out) const {
  if (written.lscc) {
    Reject(out, protos::ILLEGAL_WRITESET,
           absl::StrFormat("chaincode %s attempted to write to the namespace of LSCC", cc));
    return Status::OK();
  }
  if (written.protected_scc) {
    Reject(out, protos::ILLEGAL_WRITESET,
           absl::StrFormat("chaincode %s attempted to write to the namespace of a system "
                           "chaincode that cannot be invoked",
                           cc));
    return Status::OK();
  }
  for (const std::string& ns : written.names) {
    if (scc_.IsSystem(ns)) {
      // A write to an invokable system chaincode's namespace (qscc): no policy to check it by.
      Reject(out, protos::ILLEGAL_WRITESET,
             absl::StrFormat("chaincode %s attempted to write to namespace %s", cc, ns));
      return Status::OK();
    }
    RETURN_IF_ERROR(ValidateNamespace(ctx, ns, ns == cc ? version : "", out));
    if (out->code != protos::VALID) {
      return Status::OK();
    }
  }
  return Status::OK();
}

Status Vscc::RunPlugin(Context& ctx, const std::string& ns, const std::string& policy,
                       VsccResult* out) const {
  Status verdict;
  if (ctx.key_level) {
    verdict = CheckKeyLevelEndorsement(ns, FindNamespace(ctx.rwset, ns), policy, ctx.endorsements,
                                       ctx.policies, ctx.params);
  } else if (auto compiled = ctx.policies.Get(policy); !compiled.ok()) {
    verdict = PermissionDeniedError(compiled.status().message());
  } else {
    verdict = (*compiled)->Evaluate(ctx.endorsements);
  }
  if (!verdict.ok() && !verdict.IsPermissionDenied() && !verdict.IsInvalidArgument()) {
    return verdict;  // state could not be read
  }
  if (!verdict.ok()) {
    out->code = protos::ENDORSEMENT_POLICY_FAILURE;
    out->reason = absl::StrFormat("endorsement policy of %s: %s", ns, verdict.message());
    return Status::OK();
  }
  if (ns == kLsccNamespace) {
    ASSIGN_OR_RETURN(VsccResult lscc, ValidateLscc(ctx.tx, ctx.rwset, ctx.qe, ctx.policies));
    if (lscc.code != protos::VALID) {
      out->code = lscc.code;
      out->reason = std::move(lscc.reason);
      return Status::OK();
    }
    out->definition = std::move(lscc.definition);
    out->upgrade = lscc.upgrade;
    out->upgrade_conflicts_in_block = lscc.upgrade_conflicts_in_block;
  }
  out->passed_namespaces.push_back(ns);
  return Status::OK();
}

Status Vscc::ValidateNamespace(Context& ctx, const std::string& ns,
                               const std::string& invoked_version, VsccResult* out) const {
  // Fabric's GetInfoForValidate: any definition that cannot be used is INVALID_OTHER_REASON.
  StatusOr<ccprovider::ChaincodeData> def = definitions_.GetChaincodeDefinition(ctx.qe, ns);
  if (!def.ok()) {
    if (!def.status().IsNotFound() && !def.status().IsInvalidArgument()) {
      return def.status();
    }
    out->code = protos::INVALID_OTHER_REASON;
    out->reason = std::string(def.status().message());
    return Status::OK();
  }
  if (!invoked_version.empty() && def->version() != invoked_version) {
    out->code = protos::EXPIRED_CHAINCODE;
    out->reason = absl::StrFormat("chaincode %s:%s didn't match %s:%s in lscc", ns, invoked_version,
                                  def->name(), def->version());
    return Status::OK();
  }
  return RunPlugin(ctx, ns, def->policy(), out);
}

}  // namespace fabric::committer
