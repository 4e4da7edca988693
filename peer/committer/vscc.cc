// SPDX-License-Identifier: Apache-2.0

#include "peer/committer/vscc.h"

#include <set>
#include <vector>

#include <absl/strings/str_format.h>

#include "common/policies/builder.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/status_macros.h"
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

bool WritesTo(const ledger::NsRwSet& ns) {
  return ns.kv.writes_size() > 0 || ns.kv.metadata_writes_size() > 0;
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

StatusOr<VsccResult> Vscc::Validate(const EndorserTx& tx, const channelconfig::Bundle& config,
                                    ledger::QueryExecutor& qe, PolicyCache& policies) const {
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
  const std::string& cc = ext->chaincode_id().name();
  const std::string& version = action->chaincode_id().version();
  VsccResult base;
  base.invoked_cc = cc;
  auto fail = [&](protos::TxValidationCode code, std::string reason) {
    VsccResult r = base;
    r.code = code;
    r.reason = std::move(reason);
    return r;
  };
  if (cc.empty()) {
    return fail(protos::INVALID_OTHER_REASON, "invalid chaincode id");
  }
  if (cc != action->chaincode_id().name()) {
    return fail(protos::INVALID_OTHER_REASON, absl::StrFormat("inconsistent ccid info (%s/%s)", cc,
                                                              action->chaincode_id().name()));
  }
  if (version.empty()) {
    return fail(protos::INVALID_OTHER_REASON, "invalid chaincode version");
  }
  if (!action->events().empty()) {
    auto event = protoutil::Unmarshal<protos::ChaincodeEvent>(action->events(), "chaincode event");
    if (!event.ok() || event->chaincode_id() != cc) {
      return fail(protos::INVALID_OTHER_REASON,
                  "chaincode event chaincode id does not match chaincode action chaincode id");
    }
  }

  // The namespaces to validate: the invoked chaincode first, then every other one written.
  std::vector<std::string> written = {cc};
  std::set<std::string> seen;
  bool writes_lscc = false;
  bool writes_protected_scc = false;
  for (const ledger::NsRwSet& ns : *rwset) {
    if (!seen.insert(ns.ns).second) {
      return fail(protos::ILLEGAL_WRITESET,
                  absl::StrFormat("duplicate namespace '%s' in txRWSet", ns.ns));
    }
    if (!WritesTo(ns)) {
      continue;
    }
    if (ns.ns != cc) {
      written.push_back(ns.ns);
    }
    writes_lscc |= ns.ns == kLsccNamespace;
    writes_protected_scc |=
        scc_.not_invokable_cc2cc.count(ns.ns) > 0 || scc_.not_invokable_external.count(ns.ns) > 0;
  }

  if (scc_.IsSystem(cc)) {
    if (scc_.not_invokable_external.count(cc) > 0) {
      return fail(protos::ILLEGAL_WRITESET,
                  absl::StrFormat("committing an invocation of cc %s is illegal", cc));
    }
    if (cc == kLsccNamespace) {
      ASSIGN_OR_RETURN(VsccResult r, ValidateLscc(tx, config, action->results(), qe, policies));
      r.invoked_cc = cc;
      return r;
    }
    // Other system chaincodes: one signature by any member of the channel.
    ASSIGN_OR_RETURN(
        auto policy,
        policies.Get(
            policies::SignedByAnyMember(config.msp_manager().MspIds()).SerializeAsString()));
    Status s = policy->Evaluate(EndorsementsAsSignedData(tx));
    if (!s.ok()) {
      return fail(protos::ENDORSEMENT_POLICY_FAILURE, std::string(s.message()));
    }
    return base;
  }
  if (writes_lscc) {
    return fail(protos::ILLEGAL_WRITESET,
                absl::StrFormat("chaincode %s attempted to write to the namespace of LSCC", cc));
  }
  if (writes_protected_scc) {
    return fail(protos::ILLEGAL_WRITESET,
                absl::StrFormat("chaincode %s attempted to write to the namespace of a system "
                                "chaincode that cannot be invoked",
                                cc));
  }
  for (const std::string& ns : written) {
    if (scc_.IsSystem(ns)) {
      // A write to an invokable system chaincode's namespace (qscc): no policy to check it by.
      return fail(protos::ILLEGAL_WRITESET,
                  absl::StrFormat("chaincode %s attempted to write to namespace %s", cc, ns));
    }
    ASSIGN_OR_RETURN(VsccResult r,
                     ValidateNamespace(tx, ns, ns == cc ? version : "", qe, policies));
    if (r.code != protos::VALID) {
      return fail(r.code, std::move(r.reason));
    }
  }
  return base;
}

StatusOr<VsccResult> Vscc::ValidateNamespace(const EndorserTx& tx, const std::string& ns,
                                             const std::string& invoked_version,
                                             ledger::QueryExecutor& qe,
                                             PolicyCache& policies) const {
  StatusOr<ccprovider::ChaincodeData> def = definitions_.GetChaincodeDefinition(qe, ns);
  if (!def.ok()) {
    if (def.status().IsNotFound()) {
      return Invalid(protos::INVALID_CHAINCODE, std::string(def.status().message()));
    }
    if (def.status().IsInvalidArgument()) {
      return Invalid(protos::INVALID_OTHER_REASON, std::string(def.status().message()));
    }
    return def.status();
  }
  if (!invoked_version.empty() && def->version() != invoked_version) {
    return Invalid(protos::EXPIRED_CHAINCODE,
                   absl::StrFormat("chaincode %s:%s didn't match %s:%s in lscc", ns,
                                   invoked_version, def->name(), def->version()));
  }
  auto policy = policies.Get(def->policy());
  if (!policy.ok()) {
    return Invalid(protos::INVALID_OTHER_REASON,
                   absl::StrFormat("endorsement policy of %s: %s", ns, policy.status().message()));
  }
  Status s = (*policy)->Evaluate(EndorsementsAsSignedData(tx));
  if (!s.ok()) {
    return Invalid(protos::ENDORSEMENT_POLICY_FAILURE,
                   absl::StrFormat("endorsement policy of %s: %s", ns, s.message()));
  }
  return VsccResult{};
}

}  // namespace fabric::committer
