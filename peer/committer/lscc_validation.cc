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
//  - the deployment spec has a known chaincode type (GOLANG, NODE, CAR, JAVA, or fabric-cpp's
//    CPP, which Fabric does not know) whose platform accepts the code package, and the
//    chaincode's name and version follow Fabric's rules and the name is not a system
//    chaincode's;
//  - lscc's namespace receives one or two writes (LsccWrite below), the first at key = the
//    chaincode name, whose value is a ChaincodeData naming the same chaincode and version as
//    the deployment spec (its endorsement policy is not compiled here, as in Fabric: a policy
//    that does not compile makes every later invocation fail instead);
//  - no namespace other than lscc and the chaincode's own (its Init writes) has writes;
//  - deploy: lscc holds nothing for the chaincode yet; its instantiation policy (from the new
//    ChaincodeData) is satisfied by the transaction's creator (envelope signature);
//  - upgrade: lscc holds a definition (any ChaincodeData); its instantiation policy and the new
//    one are both satisfied by the creator; the version changes.
// The code package of a GOLANG, NODE or JAVA deployment spec is checked as Fabric's platforms
// check it (code_package.h); fabric-cpp's CPP packages are not inspected at commit.

#include <optional>
#include <regex>

#include <absl/strings/str_format.h>

#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "peer/chaincode.pb.h"
#include "peer/committer/vscc.h"
#include "peer/ledger/rwset_builder.h"
#include "peer/platforms/code_package.h"
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

// Fabric's chaincode name and version rules (core/scc/lscc).
bool ValidChaincodeName(const std::string& name) {
  static const std::regex kName("^[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*$");
  return std::regex_match(name, kName);
}
bool ValidChaincodeVersion(const std::string& version) {
  static const std::regex kVersion("^[A-Za-z0-9_.+-]+$");
  return std::regex_match(version, kVersion);
}

// The deployment spec of the invocation: a known chaincode type (Fabric's platforms, plus
// fabric-cpp's CPP and EXTERNAL), a valid name and version that is not a system chaincode's.
StatusOr<protos::ChaincodeDeploymentSpec> DeploymentSpec(const std::string& bytes,
                                                         const SystemChaincodes& scc) {
  ASSIGN_OR_RETURN(auto cds,
                   protoutil::Unmarshal<protos::ChaincodeDeploymentSpec>(bytes, "deployment spec"));
  const auto type = cds.chaincode_spec().type();
  // Fabric's platforms; CPP and EXTERNAL are fabric-cpp's own.
  if (type != protos::ChaincodeSpec::CPP && type != protos::ChaincodeSpec::EXTERNAL) {
    if (Status s = platforms::ValidateCodePackage(type, cds.code_package()); !s.ok()) {
      return PermissionDeniedError(
          absl::StrFormat("GetChaincodeDeploymentSpec error %s", s.message()));
    }
  }
  const std::string& name = cds.chaincode_spec().chaincode_id().name();
  const std::string& version = cds.chaincode_spec().chaincode_id().version();
  if (!ValidChaincodeName(name) || scc.IsSystem(name)) {
    return PermissionDeniedError(absl::StrFormat("invalid chaincode name '%s'", name));
  }
  if (!ValidChaincodeVersion(version)) {
    return PermissionDeniedError(absl::StrFormat("invalid chaincode version '%s'", version));
  }
  return cds;
}

// The ChaincodeData lscc writes for `name`, or why the write set is not acceptable. Fabric's
// rules (with private channel data, V1_2+): lscc's namespace has one or two writes, the first at
// `name` holding the ChaincodeData, a second only at "<name>~collection" with exactly the
// collection argument's bytes (none: fabric-cpp defines no collections); no namespace other than
// lscc's and the chaincode's own has writes. As in Fabric, metadata writes and delete flags are
// not looked at.
StatusOr<ccprovider::ChaincodeData> LsccWrite(const std::vector<ledger::NsRwSet>& rwset,
                                              const std::string& name) {
  const ledger::NsRwSet* lscc = nullptr;
  for (const ledger::NsRwSet& ns : rwset) {
    if (ns.ns == kLsccNamespace) {
      lscc = &ns;  // namespaces are unique (checked before)
    } else if (ns.ns != name && ns.kv.writes_size() > 0) {
      return PermissionDeniedError(
          absl::StrFormat("LSCC invocation is attempting to write to namespace %s", ns.ns));
    }
  }
  if (lscc == nullptr || lscc->kv.writes_size() < 1 || lscc->kv.writes_size() > 2) {
    return PermissionDeniedError("LSCC can only issue one or two putState upon deploy/upgrade");
  }
  if (lscc->kv.writes(0).key() != name) {
    return PermissionDeniedError(
        absl::StrFormat("expected key %s, found %s", name, lscc->kv.writes(0).key()));
  }
  if (lscc->kv.writes_size() == 2) {
    const auto& second = lscc->kv.writes(1);
    if (second.key() != name + "~collection" || !second.value().empty()) {
      return PermissionDeniedError(absl::StrFormat(
          "collection configuration in the lscc write set of %s does not match the arguments",
          name));
    }
  }
  return protoutil::Unmarshal<ccprovider::ChaincodeData>(lscc->kv.writes(0).value(),
                                                         "lscc chaincode data");
}

// The definition lscc holds for `name` in committed state, as Fabric's validator reads it (the
// stored bytes only, whatever the definition's fields): nullopt when there is none.
StatusOr<std::optional<ccprovider::ChaincodeData>> StoredDefinition(ledger::QueryExecutor& qe,
                                                                    const std::string& name) {
  ASSIGN_OR_RETURN(std::string bytes, qe.GetState(std::string(kLsccNamespace), name));
  if (bytes.empty()) {
    return std::optional<ccprovider::ChaincodeData>();
  }
  ccprovider::ChaincodeData cd;
  if (!cd.ParseFromString(bytes)) {
    return DataLossError(absl::StrFormat("lscc's state for %s is not a ChaincodeData", name));
  }
  return std::optional<ccprovider::ChaincodeData>(std::move(cd));
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
  auto cds = DeploymentSpec((*args)[2], scc_);
  if (!cds.ok()) {
    return PolicyFailure(std::string(cds.status().message()));
  }
  const std::string& name = cds->chaincode_spec().chaincode_id().name();
  const std::string& version = cds->chaincode_spec().chaincode_id().version();
  auto cd = LsccWrite(rwset, name);
  if (!cd.ok()) {
    return PolicyFailure(std::string(cd.status().message()));
  }
  if (cd->name() != name || cd->version() != version) {
    return PolicyFailure(absl::StrFormat("chaincode data %s:%s does not match deployment %s:%s",
                                         cd->name(), cd->version(), name, version));
  }
  ASSIGN_OR_RETURN(std::optional<ccprovider::ChaincodeData> existing, StoredDefinition(qe, name));
  const bool upgrade = fn == kUpgrade;
  if (Status s = CheckLifecycleRules(tx, upgrade, existing, *cd, policies); !s.ok()) {
    return PolicyFailure(std::string(s.message()));
  }
  VsccResult r;
  r.definition = std::move(*cd);
  r.upgrade = upgrade;
  // Fabric looks for in-block version conflicts only among upgrades whose deployment spec its
  // Go-only platform registry accepts.
  r.upgrade_conflicts_in_block =
      upgrade && cds->chaincode_spec().type() == protos::ChaincodeSpec::GOLANG;
  return r;
}

Status Vscc::CheckLifecycleRules(const EndorserTx& tx, bool upgrade,
                                 const std::optional<ccprovider::ChaincodeData>& existing,
                                 const ccprovider::ChaincodeData& cd, PolicyCache& policies) {
  // The creator's signature, against which instantiation policies are evaluated.
  const std::vector<protoutil::SignedData> creator = {
      {tx.envelope.payload(), tx.signature_header.creator(), tx.envelope.signature()}};
  auto check_instantiation = [&](const std::string& bytes) -> Status {
    if (bytes.empty()) {
      return PermissionDeniedError("no instantiation policy was specified");
    }
    auto policy = policies.Get(bytes);
    Status s = policy.ok() ? (*policy)->Evaluate(creator) : policy.status();
    if (!s.ok()) {
      return PermissionDeniedError(
          absl::StrFormat("chaincode instantiation policy violated: %s", s.message()));
    }
    return Status::OK();
  };
  if (!upgrade && existing.has_value()) {
    return PermissionDeniedError(
        absl::StrFormat("chaincode %s is already instantiated", cd.name()));
  }
  if (upgrade) {
    if (!existing.has_value()) {
      return PermissionDeniedError(
          absl::StrFormat("upgrading non-existent chaincode %s", cd.name()));
    }
    RETURN_IF_ERROR(check_instantiation(existing->instantiation_policy()));
    if (existing->version() == cd.version()) {
      return PermissionDeniedError(absl::StrFormat(
          "existing version of the cc on the ledger (%s) should be different from the upgraded one",
          cd.version()));
    }
  }
  return check_instantiation(cd.instantiation_policy());
}

}  // namespace fabric::committer
