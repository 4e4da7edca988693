// SPDX-License-Identifier: Apache-2.0
#include "peer/scc/lscc.h"

#include <absl/strings/str_format.h>

#include "common/logging/logging.h"
#include "common/policies/builder.h"
#include "common/policies/signature_policy.h"
#include "common/protoutil/go_text.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "peer/chaincode.pb.h"
#include "peer/platforms/code_package.h"
#include "peer/query.pb.h"

namespace fabric::scc {
namespace {

logging::Logger& Log() {
  static logging::Logger* log = new logging::Logger("lscc");
  return *log;
}

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string InvalidArgsLen(size_t n) {
  return absl::StrFormat("invalid number of arguments to lscc: %d", n);
}

shim::Response ErrorResponse(const Status& s) { return shim::Error(std::string(s.message())); }

std::vector<std::string> AppMspIds(const channelconfig::Bundle& bundle) {
  std::vector<std::string> ids;
  for (const auto& org : bundle.application_orgs()) {
    ids.push_back(org.msp_id);
  }
  return ids;
}

Status ValidateNameVersion(const std::string& name, const std::string& version) {
  if (name.empty()) {
    return InvalidArgumentError("chaincode name not provided");
  }
  if (!IsValidChaincodeName(name)) {
    return InvalidArgumentError(absl::StrFormat(
        "invalid chaincode name '%s'. Names can only consist of alphanumerics, '_', and '-'",
        name));
  }
  if (version.empty()) {
    return InvalidArgumentError(
        absl::StrFormat("version not provided for chaincode with name '%s'", name));
  }
  if (!IsValidChaincodeVersion(version)) {
    return InvalidArgumentError(absl::StrFormat(
        "invalid chaincode version '%s'. Versions can only consist of alphanumerics, '_',  "
        "'-', '+', and '.'",
        version));
  }
  return Status::OK();
}

}  // namespace

bool IsValidChaincodeName(std::string_view name) {
  // ^[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*$
  if (name.empty() || !IsAlnum(name.front()) || !IsAlnum(name.back())) {
    return false;
  }
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '-' || c == '_') {
      if (!IsAlnum(name[i + 1])) {
        return false;
      }
    } else if (!IsAlnum(c)) {
      return false;
    }
  }
  return true;
}

bool IsValidChaincodeVersion(std::string_view version) {
  if (version.empty()) {
    return false;
  }
  for (char c : version) {
    if (!IsAlnum(c) && c != '_' && c != '.' && c != '+' && c != '-') {
      return false;
    }
  }
  return true;
}

StatusOr<ccprovider::ChaincodeData> GetChaincodeData(ledger::QueryExecutor& reader,
                                                     const std::string& name) {
  ASSIGN_OR_RETURN(std::string bytes, reader.GetState(kLscc, name));
  if (bytes.empty()) {
    // Fabric's lscc ChaincodeDefinition words it so; chaincode calling another sees the text.
    return NotFoundError(absl::StrFormat("chaincode %s not found", name));
  }
  return protoutil::Unmarshal<ccprovider::ChaincodeData>(bytes, "chaincode data");
}

Status CheckInstalledInstantiationPolicy(const PackageStore& packages,
                                         const ccprovider::ChaincodeData& cd) {
  auto pkg = packages.Info(cd.name(), cd.version());
  if (!pkg.ok()) {
    return FailedPreconditionError(absl::StrFormat(
        "cannot retrieve package for chaincode %s/%s, error %s: install it on this peer", cd.name(),
        cd.version(), pkg.status().message()));
  }
  if (!pkg->instantiation_policy.empty() &&
      pkg->instantiation_policy != cd.instantiation_policy()) {
    return PermissionDeniedError(
        absl::StrFormat("Instantiation policy mismatch for cc %s/%s", cd.name(), cd.version()));
  }
  return Status::OK();
}

shim::Response Lscc::Invoke(shim::ChaincodeStub& stub) {
  const std::vector<std::string>& args = stub.GetArgs();
  if (args.empty()) {
    return shim::Error(InvalidArgsLen(0));
  }
  const std::string& function = args[0];
  auto sp = stub.GetSignedProposal();
  if (!sp.ok()) {
    return shim::Error(
        absl::StrFormat("Failed retrieving signed proposal on executing %s with error %s", function,
                        sp.status().message()));
  }
  if (function == "install") {
    if (args.size() < 2) {
      return shim::Error(InvalidArgsLen(args.size()));
    }
    Status s = acl_.CheckLocal(AclProvider::LocalRole::kAdmin, *sp);
    if (!s.ok()) {
      return shim::Error(absl::StrFormat("access denied for [%s]: %s", function, s.message()));
    }
    return Install(args[1]);
  }
  if (function == "deploy" || function == "upgrade") {
    return DeployOrUpgrade(stub, *sp, args, function == "upgrade");
  }
  if (function == "getid" || function == "ChaincodeExists" || function == "getdepspec" ||
      function == "GetDeploymentSpec" || function == "getccdata" ||
      function == "GetChaincodeData") {
    return Query(stub, *sp, function, args);
  }
  if (function == "getchaincodes" || function == "GetChaincodes") {
    if (args.size() != 1) {
      return shim::Error(InvalidArgsLen(args.size()));
    }
    Status s = acl_.CheckACL(resources::kLsccGetInstantiatedChaincodes, stub.GetChannelID(), *sp);
    if (!s.ok()) {
      return shim::Error(absl::StrFormat("access denied for [%s][%s]: %s", function,
                                         stub.GetChannelID(), s.message()));
    }
    return GetChaincodes(stub);
  }
  if (function == "getinstalledchaincodes" || function == "GetInstalledChaincodes") {
    if (args.size() != 1) {
      return shim::Error(InvalidArgsLen(args.size()));
    }
    Status s = acl_.CheckLocal(AclProvider::LocalRole::kAdmin, *sp);
    if (!s.ok()) {
      return shim::Error(absl::StrFormat("access denied for [%s]: %s", function, s.message()));
    }
    return GetInstalledChaincodes();
  }
  return shim::Error("invalid function to lscc: " + function);
}

shim::Response Lscc::Install(const std::string& package_bytes) {
  auto pkg = ParsePackage(package_bytes);
  if (!pkg.ok()) {
    return ErrorResponse(pkg.status());
  }
  const protos::ChaincodeID& id = pkg->cds.chaincode_spec().chaincode_id();
  Status s = ValidateNameVersion(id.name(), id.version());
  if (s.ok() && sccs_.IsSysCC(id.name())) {
    s = InvalidArgumentError(
        absl::StrFormat("cannot install: %s is the name of a system chaincode", id.name()));
  }
  if (s.ok()) {
    s = platforms::ValidateInstallPackage(pkg->cds.chaincode_spec().type(), pkg->cds.code_package())
            .Annotate(absl::StrFormat("cannot install %s:%s", id.name(), id.version()));
  }
  if (s.ok()) {
    s = packages_.Put(id.name(), id.version(), package_bytes);
  }
  if (!s.ok()) {
    return ErrorResponse(s);
  }
  FLOG_INFO(Log(), "installed chaincode %s:%s", id.name(), id.version());
  return shim::Success("OK");
}

shim::Response Lscc::DeployOrUpgrade(shim::ChaincodeStub& stub, const protos::SignedProposal& sp,
                                     const std::vector<std::string>& args, bool upgrade) {
  if (args.size() < 3 || args.size() > 7) {
    return shim::Error(InvalidArgsLen(args.size()));
  }
  const std::string& channel = args[1];
  auto bundle = channels_.GetBundle(channel);
  if (channel.empty() || bundle == nullptr) {
    return shim::Error(absl::StrFormat("invalid channel name '%s'", channel));
  }
  if (channel != stub.GetChannelID()) {
    return shim::Error(
        absl::StrFormat("channel '%s' in the arguments differs from the proposal's "
                        "channel '%s'",
                        channel, stub.GetChannelID()));
  }
  auto cds = protoutil::Unmarshal<protos::ChaincodeDeploymentSpec>(args[2], "deployment spec");
  if (!cds.ok()) {
    return ErrorResponse(cds.status());
  }
  std::string policy = args.size() > 3 ? args[3] : std::string();
  if (policy.empty()) {
    policy = protoutil::Marshal(policies::SignedByAnyMember(AppMspIds(*bundle)));
  }
  std::string escc = args.size() > 4 && !args[4].empty() ? args[4] : std::string(kEscc);
  std::string vscc = args.size() > 5 && !args[5].empty() ? args[5] : std::string(kVscc);
  if (args.size() > 6 && !args[6].empty()) {
    return shim::Error("private channel data is not supported by this peer");
  }
  auto cd = ExecuteDeployOrUpgrade(stub, sp, *bundle, *cds, policy, escc, vscc, upgrade);
  if (!cd.ok()) {
    return ErrorResponse(cd.status());
  }
  return shim::Success(protoutil::Marshal(*cd));
}

StatusOr<ccprovider::ChaincodeData> Lscc::ExecuteDeployOrUpgrade(
    shim::ChaincodeStub& stub, const protos::SignedProposal& sp,
    const channelconfig::Bundle& bundle, const protos::ChaincodeDeploymentSpec& cds,
    const std::string& policy, const std::string& escc, const std::string& vscc, bool upgrade) {
  const std::string& name = cds.chaincode_spec().chaincode_id().name();
  const std::string& version = cds.chaincode_spec().chaincode_id().version();
  RETURN_IF_ERROR(ValidateNameVersion(name, version));
  auto pkg = packages_.Get(name, version);
  if (!pkg.ok()) {
    FLOG_ERROR(Log(), "cannot get package for chaincode (%s:%s)-err:%s", name, version,
               pkg.status().message());
    return FailedPreconditionError(
        absl::StrFormat("cannot get package for chaincode (%s:%s)", name, version));
  }
  ASSIGN_OR_RETURN(std::string existing, stub.GetState(name));
  std::string inst_policy = pkg->instantiation_policy;
  if (inst_policy.empty()) {
    inst_policy = protoutil::Marshal(policies::SignedByAnyAdmin(AppMspIds(bundle)));
  }
  if (!upgrade) {
    if (!existing.empty()) {
      return AlreadyExistsError(absl::StrFormat("chaincode with name '%s' already exists", name));
    }
  } else {
    if (existing.empty()) {
      return NotFoundError(absl::StrFormat("could not find chaincode with name '%s'", name));
    }
    ASSIGN_OR_RETURN(auto old,
                     protoutil::Unmarshal<ccprovider::ChaincodeData>(existing, "chaincode data"));
    if (old.version() == version) {
      return AlreadyExistsError(
          absl::StrFormat("version already exists for chaincode with name '%s'", name));
    }
    if (old.instantiation_policy().empty()) {
      return FailedPreconditionError("instantiation policy missing");
    }
    RETURN_IF_ERROR(CheckInstantiationPolicy(sp, bundle, old.instantiation_policy()));
  }
  RETURN_IF_ERROR(CheckInstantiationPolicy(sp, bundle, inst_policy));
  // The endorsement policy must at least be a well-formed SignaturePolicyEnvelope.
  auto compiled = policies::SignaturePolicy::FromBytes(policy, bundle.msp_manager());
  if (!compiled.ok()) {
    return compiled.status().Annotate("invalid endorsement policy");
  }
  ccprovider::ChaincodeData cd = pkg->chaincode_data;
  cd.set_escc(escc);
  cd.set_vscc(vscc);
  cd.set_policy(policy);
  cd.set_instantiation_policy(inst_policy);
  RETURN_IF_ERROR(stub.PutState(name, protoutil::Marshal(cd)));
  if (upgrade) {
    protos::LifecycleEvent event;
    event.set_chaincode_name(name);
    RETURN_IF_ERROR(stub.SetEvent("upgrade", protoutil::Marshal(event)));
  }
  return cd;
}

Status Lscc::CheckInstantiationPolicy(const protos::SignedProposal& sp,
                                      const channelconfig::Bundle& bundle,
                                      const std::string& policy) const {
  auto compiled = policies::SignaturePolicy::FromBytes(policy, bundle.msp_manager());
  if (!compiled.ok()) {
    return compiled.status().Annotate("instantiation policy violation");
  }
  ASSIGN_OR_RETURN(std::string creator, ProposalCreator(sp));
  Status s = (*compiled)->Evaluate({{sp.proposal_bytes(), creator, sp.signature()}});
  if (!s.ok()) {
    return PermissionDeniedError("instantiation policy violation: " + std::string(s.message()));
  }
  return Status::OK();
}

shim::Response Lscc::Query(shim::ChaincodeStub& stub, const protos::SignedProposal& sp,
                           const std::string& function, const std::vector<std::string>& args) {
  if (args.size() != 3) {
    return shim::Error(InvalidArgsLen(args.size()));
  }
  const std::string& channel = args[1];
  const std::string& name = args[2];
  const char* resource = resources::kLsccChaincodeExists;
  if (function == "getdepspec" || function == "GetDeploymentSpec") {
    resource = resources::kLsccGetDeploymentSpec;
  } else if (function == "getccdata" || function == "GetChaincodeData") {
    resource = resources::kLsccGetChaincodeData;
  }
  Status s = acl_.CheckACL(resource, channel, sp);
  if (!s.ok()) {
    return shim::Error(
        absl::StrFormat("access denied for [%s][%s]: %s", function, channel, s.message()));
  }
  auto bytes = stub.GetState(name);
  if (!bytes.ok()) {
    return ErrorResponse(bytes.status());
  }
  if (bytes->empty()) {
    return shim::Error(absl::StrFormat("could not find chaincode with name '%s'", name));
  }
  if (function == "getccdata" || function == "GetChaincodeData") {
    return shim::Success(*bytes);
  }
  auto cd = protoutil::Unmarshal<ccprovider::ChaincodeData>(*bytes, "chaincode data");
  if (!cd.ok()) {
    return ErrorResponse(cd.status());
  }
  if (function == "getid" || function == "ChaincodeExists") {
    return shim::Success(cd->name());
  }
  auto pkg = packages_.Get(cd->name(), cd->version());
  if (!pkg.ok()) {
    return ErrorResponse(pkg.status());
  }
  if (pkg->chaincode_data.id() != cd->id()) {
    return shim::Error(
        absl::StrFormat("chaincode fingerprint mismatch for %s:%s", cd->name(), cd->version()));
  }
  return shim::Success(protoutil::Marshal(pkg->cds));
}

shim::Response Lscc::GetChaincodes(shim::ChaincodeStub& stub) {
  auto it = stub.GetStateByRange("", "");
  if (!it.ok()) {
    return ErrorResponse(it.status());
  }
  protos::ChaincodeQueryResponse out;
  while ((*it)->HasNext()) {
    auto kv = (*it)->Next();
    if (!kv.ok()) {
      return ErrorResponse(kv.status());
    }
    if (kv->key().find('~') != std::string::npos) {
      continue;  // collection configs
    }
    auto cd = protoutil::Unmarshal<ccprovider::ChaincodeData>(kv->value(), "chaincode data");
    if (!cd.ok()) {
      return ErrorResponse(cd.status());
    }
    protos::ChaincodeInfo* info = out.add_chaincodes();
    info->set_name(cd->name());
    info->set_version(cd->version());
    info->set_escc(cd->escc());
    info->set_vscc(cd->vscc());
    // Fabric lists instantiated chaincodes without their code hash (installed ones carry it).
    auto pkg = packages_.Get(cd->name(), cd->version());
    if (pkg.ok()) {
      info->set_path(pkg->cds.chaincode_spec().chaincode_id().path());
      info->set_input(protoutil::GoCompactText(pkg->cds.chaincode_spec().input()));
    }
  }
  return shim::Success(protoutil::Marshal(out));
}

shim::Response Lscc::GetInstalledChaincodes() {
  protos::ChaincodeQueryResponse out;
  for (const InstalledPackage& pkg : packages_.List()) {
    protos::ChaincodeInfo* info = out.add_chaincodes();
    const protos::ChaincodeID& id = pkg.cds.chaincode_spec().chaincode_id();
    info->set_name(id.name());
    info->set_version(id.version());
    info->set_path(id.path());
    info->set_id(pkg.chaincode_data.id());
  }
  return shim::Success(protoutil::Marshal(out));
}

}  // namespace fabric::scc
