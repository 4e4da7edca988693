// SPDX-License-Identifier: Apache-2.0
//
// The rules a committed lscc transaction must follow (Fabric 1.4
// core/handlers/validation/builtin/v13/validation_logic.go ValidateLSCCInvocation, without
// collection configs). Every failure is ENDORSEMENT_POLICY_FAILURE, as Fabric's VSCC reports
// them. They apply once the endorsements passed the policy of system chaincodes (any member of
// the channel, vscc.cc):
//  - the function is deploy or upgrade (any other lscc function must not be committed), with
//    3..7 arguments: fn, channel, ChaincodeDeploymentSpec, [policy, escc, vscc, collections];
//    collection configs are not supported and make the transaction invalid;
//  - the chaincode name is not a system chaincode's;
//  - lscc's namespace receives exactly one write, not a delete, at key = the chaincode name,
//    whose value is a ChaincodeData naming the same chaincode and version as the deployment
//    spec, with an endorsement policy that compiles (hardening beyond Fabric: a definition
//    whose policy does not compile would make every later invocation fail);
//  - no namespace other than lscc and the chaincode's own (its Init writes) is written;
//  - deploy: the chaincode is not defined yet; its instantiation policy (from the new
//    ChaincodeData) is satisfied by the transaction's creator (envelope signature);
//  - upgrade: the chaincode is defined; the old definition's instantiation policy and the new
//    one are both satisfied by the creator; the version changes.

#include <absl/strings/str_format.h>

#include "common/protoutil/unmarshal.h"
#include "fabric/status_macros.h"
#include "peer/chaincode.pb.h"
#include "peer/committer/vscc.h"
#include "peer/ledger/rwset_builder.h"
#include "peer/proposal.pb.h"

namespace fabric::committer {
namespace {

constexpr char kDeploy[] = "deploy";
constexpr char kUpgrade[] = "upgrade";

VsccResult PolicyFailure(std::string reason) {
  VsccResult r;
  r.code = protos::ENDORSEMENT_POLICY_FAILURE;
  r.reason = "lscc: " + reason;
  return r;
}

// The arguments of the lscc invocation carried by the transaction.
StatusOr<std::vector<std::string>> LsccArgs(const EndorserTx& tx) {
  ASSIGN_OR_RETURN(
      auto cpp, protoutil::Unmarshal<protos::ChaincodeProposalPayload>(
                    tx.action_payload.chaincode_proposal_payload(), "chaincode proposal payload"));
  ASSIGN_OR_RETURN(auto cis, protoutil::Unmarshal<protos::ChaincodeInvocationSpec>(
                                 cpp.input(), "chaincode invocation spec"));
  const auto& args = cis.chaincode_spec().input().args();
  return std::vector<std::string>(args.begin(), args.end());
}

// The single ChaincodeData lscc writes for `name`, or why the write set is not acceptable.
StatusOr<ccprovider::ChaincodeData> LsccWrite(const std::vector<ledger::NsRwSet>& rwset,
                                              const std::string& name) {
  const ledger::NsRwSet* lscc = nullptr;
  for (const ledger::NsRwSet& ns : rwset) {
    if (ns.ns == kLsccNamespace) {
      lscc = &ns;
    } else if (ns.ns != name && (ns.kv.writes_size() > 0 || ns.kv.metadata_writes_size() > 0)) {
      return PermissionDeniedError(
          absl::StrFormat("LSCC invocation is attempting to write to namespace %s", ns.ns));
    }
  }
  if (lscc == nullptr || lscc->kv.writes_size() != 1 || lscc->kv.metadata_writes_size() != 0) {
    return PermissionDeniedError("LSCC can only issue a single putState upon deploy/upgrade");
  }
  const auto& write = lscc->kv.writes(0);
  if (write.key() != name || write.is_delete()) {
    return PermissionDeniedError(
        absl::StrFormat("expected a write of key %s in lscc, got %s", name, write.key()));
  }
  return protoutil::Unmarshal<ccprovider::ChaincodeData>(write.value(), "lscc chaincode data");
}

}  // namespace

StatusOr<VsccResult> Vscc::ValidateLscc(const EndorserTx& tx,
                                        const std::vector<ledger::NsRwSet>& rwset,
                                        ledger::QueryExecutor& qe, PolicyCache& policies) const {
  auto args = LsccArgs(tx);
  if (!args.ok() || args->empty()) {
    return PolicyFailure("malformed lscc invocation");
  }
  const std::string& fn = (*args)[0];
  if (fn != kDeploy && fn != kUpgrade) {
    return PolicyFailure(
        absl::StrFormat("committing an invocation of function %s of lscc is invalid", fn));
  }
  if (args->size() < 3 || args->size() > 7) {
    return PolicyFailure(
        absl::StrFormat("wrong number of arguments for lscc(%s): %d", fn, args->size()));
  }
  if (args->size() == 7 && !(*args)[6].empty()) {
    return PolicyFailure("collection configurations are not supported");
  }
  auto cds = protoutil::Unmarshal<protos::ChaincodeDeploymentSpec>((*args)[2], "deployment spec");
  if (!cds.ok()) {
    return PolicyFailure(std::string(cds.status().message()));
  }
  const std::string& name = cds->chaincode_spec().chaincode_id().name();
  const std::string& version = cds->chaincode_spec().chaincode_id().version();
  if (name.empty() || version.empty() || scc_.IsSystem(name)) {
    return PolicyFailure(absl::StrFormat("invalid chaincode name/version '%s:%s'", name, version));
  }
  auto cd = LsccWrite(rwset, name);
  if (!cd.ok()) {
    return PolicyFailure(std::string(cd.status().message()));
  }
  if (cd->name() != name || cd->version() != version) {
    return PolicyFailure(absl::StrFormat("chaincode data %s:%s does not match deployment %s:%s",
                                         cd->name(), cd->version(), name, version));
  }
  if (auto p = policies.Get(cd->policy()); !p.ok()) {
    return PolicyFailure(
        absl::StrFormat("endorsement policy of %s: %s", name, p.status().message()));
  }
  // The creator's signature, against which instantiation policies are evaluated.
  const std::vector<protoutil::SignedData> creator = {
      {tx.envelope.payload(), tx.signature_header.creator(), tx.envelope.signature()}};
  auto check_instantiation = [&](const std::string& bytes) -> Status {
    if (bytes.empty()) {
      return PermissionDeniedError("no instantiation policy was specified");
    }
    ASSIGN_OR_RETURN(auto policy, policies.Get(bytes));
    Status s = policy->Evaluate(creator);
    if (!s.ok()) {
      return PermissionDeniedError(
          absl::StrFormat("chaincode instantiation policy violated: %s", s.message()));
    }
    return Status::OK();
  };

  StatusOr<ccprovider::ChaincodeData> existing = definitions_.GetChaincodeDefinition(qe, name);
  if (!existing.ok() && !existing.status().IsNotFound() && !existing.status().IsInvalidArgument()) {
    return existing.status();  // storage error
  }
  const bool upgrade = fn == kUpgrade;
  if (!upgrade) {
    if (existing.ok() || existing.status().IsInvalidArgument()) {
      return PolicyFailure(absl::StrFormat("chaincode %s is already instantiated", name));
    }
  } else {
    if (!existing.ok()) {
      return PolicyFailure(absl::StrFormat("upgrading non-existent chaincode %s", name));
    }
    if (Status s = check_instantiation(existing->instantiation_policy()); !s.ok()) {
      return PolicyFailure(std::string(s.message()));
    }
    if (existing->version() == version) {
      return PolicyFailure(absl::StrFormat(
          "existing version of the cc on the ledger (%s) should be different from the "
          "upgraded one",
          version));
    }
  }
  if (Status s = check_instantiation(cd->instantiation_policy()); !s.ok()) {
    return PolicyFailure(std::string(s.message()));
  }
  VsccResult r;
  r.definition = std::move(*cd);
  r.upgrade = upgrade;
  return r;
}

}  // namespace fabric::committer
