// SPDX-License-Identifier: Apache-2.0

#include "peer/cli/package_cmd.h"

#include <absl/strings/str_format.h>

#include "common/crypto/file_util.h"
#include "common/policies/policyparser.h"
#include "common/protoutil/ccpackage.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "peer/cli/ctor.h"
#include "peer/cli/package.h"

namespace fabric::cli {
namespace {

// Fabric writes package files with mode 0700.
Status WritePackageFile(const std::string& path, const std::string& bytes) {
  return crypto::WriteFileAtomic(path, bytes, 0700);
}

// The -i policy, or Fabric's default: an admin of the local MSP must sign instantiation.
StatusOr<common::SignaturePolicyEnvelope> InstantiationPolicy(const Command& cmd,
                                                              const std::string& msp_id) {
  std::string policy = cmd.flags().GetString("instantiate-policy");
  if (policy.empty()) {
    policy = "AND('" + msp_id + ".admin')";
  }
  auto env = policies::FromString(policy);
  if (!env.ok()) {
    return InvalidArgumentError(
        absl::StrFormat("Invalid policy %s, err %s", policy, env.status().message()));
  }
  return env;
}

// The signed package bytes: the envelope of Fabric's OwnerCreateSignedCCDepSpec.
StatusOr<std::string> SignedPackageBytes(Command& cmd, const protos::ChaincodeDeploymentSpec& cds) {
  ASSIGN_OR_RETURN(const msp::SigningIdentity* signer, cmd.Signer());
  ASSIGN_OR_RETURN(auto policy, InstantiationPolicy(cmd, signer->MspId()));
  const msp::SigningIdentity* owner = cmd.flags().GetBool("sign") ? signer : nullptr;
  ASSIGN_OR_RETURN(common::Envelope env, protoutil::CreateSignedCCDepSpec(cds, policy, owner));
  return protoutil::Marshal(env);
}

bool NamesChaincode(const protos::ChaincodeDeploymentSpec& cds) {
  return cds.has_chaincode_spec() && !cds.chaincode_spec().chaincode_id().name().empty();
}

// The deployment spec of a signed package envelope, or NotFound when `bytes` is not one.
StatusOr<protos::ChaincodeDeploymentSpec> SignedPackageSpec(const std::string& bytes) {
  common::Envelope env;
  if (!env.ParseFromString(bytes)) {
    return NotFoundError("not an envelope");
  }
  auto pkg = protoutil::ExtractSignedCCDepSpec(env);
  protos::ChaincodeDeploymentSpec cds;
  if (!pkg.ok() || pkg->channel_header.type() != common::CHAINCODE_PACKAGE ||
      pkg->signed_cds.instantiation_policy().empty() ||
      !cds.ParseFromString(pkg->signed_cds.chaincode_deployment_spec()) || !NamesChaincode(cds)) {
    return NotFoundError("not a signed package");
  }
  return cds;
}

}  // namespace

StatusOr<protos::ChaincodeDeploymentSpec> DeploymentSpec(const Command& cmd) {
  // Fabric's words: checkChaincodeCmdParams, then the platform's for the path.
  if (cmd.flags().GetString("name").empty()) {
    return InvalidArgumentError("must supply value for chaincode name parameter");
  }
  if (cmd.flags().GetString("version").empty()) {
    return InvalidArgumentError("chaincode version is not provided for " + cmd.name());
  }
  if (cmd.flags().GetString("path").empty()) {
    return InvalidArgumentError("must supply value for chaincode path parameter (-p)");
  }
  protos::ChaincodeDeploymentSpec cds;
  protos::ChaincodeSpec& spec = *cds.mutable_chaincode_spec();
  ASSIGN_OR_RETURN(auto type, ParseLanguage(cmd.flags().GetString("lang")));
  spec.set_type(type);
  spec.mutable_chaincode_id()->set_name(cmd.flags().GetString("name"));
  spec.mutable_chaincode_id()->set_version(cmd.flags().GetString("version"));
  // A Go module's folder is recorded as its import path, what its build needs.
  ASSIGN_OR_RETURN(*spec.mutable_chaincode_id()->mutable_path(),
                   ChaincodePath(type, cmd.flags().GetString("path")));
  // Fabric always sets the input ("{}" is an empty ChaincodeInput), so it is in the bytes.
  spec.mutable_input();
  if (cmd.flags().GetString("ctor") != "{}") {
    ASSIGN_OR_RETURN(*spec.mutable_input(), ParseCtor(cmd.flags().GetString("ctor")));
  }
  ASSIGN_OR_RETURN(std::string code, BuildCodePackage(type, cmd.flags().GetString("path")));
  cds.set_code_package(std::move(code));
  return cds;
}

Status Package(Command& cmd) {
  const auto& pos = cmd.flags().positionals();
  if (pos.size() != 1) {
    return InvalidArgumentError(
        "output file not specified or invalid number of args (filename should be the only arg)");
  }
  ASSIGN_OR_RETURN(auto cds, DeploymentSpec(cmd));
  std::string bytes;
  if (cmd.flags().GetBool("cc-package")) {
    ASSIGN_OR_RETURN(bytes, SignedPackageBytes(cmd, cds));
  } else {
    bytes = protoutil::Marshal(cds);
  }
  RETURN_IF_ERROR(WritePackageFile(pos[0], bytes));
  cmd.Info(absl::StrFormat("Wrote package for %s:%s (%d bytes) to %s",
                           cds.chaincode_spec().chaincode_id().name(),
                           cds.chaincode_spec().chaincode_id().version(), bytes.size(), pos[0]));
  return Status::OK();
}

Status SignPackage(Command& cmd) {
  const auto& pos = cmd.flags().positionals();
  if (pos.size() < 2) {
    return InvalidArgumentError("peer chaincode signpackage <inputpackage> <outputpackage>");
  }
  ASSIGN_OR_RETURN(std::string in, crypto::ReadFile(pos[0]));
  common::Envelope env;
  if (!env.ParseFromString(in)) {
    return InvalidArgumentError(absl::StrFormat(
        "error unmarshaling Envelope: %s is not a signed chaincode package (create one with "
        "peer chaincode package -s -S)",
        pos[0]));
  }
  ASSIGN_OR_RETURN(const msp::SigningIdentity* signer, cmd.Signer());
  ASSIGN_OR_RETURN(common::Envelope signed_env, protoutil::SignExistingPackage(env, *signer));
  RETURN_IF_ERROR(WritePackageFile(pos[1], protoutil::Marshal(signed_env)));
  cmd.out() << "Wrote signed package to " << pos[1] << " successfully\n";
  return Status::OK();
}

StatusOr<InstallPackage> ReadInstallPackage(const Command& cmd, const std::string& path) {
  ASSIGN_OR_RETURN(std::string bytes, crypto::ReadFile(path));
  InstallPackage pkg;
  pkg.bytes = bytes;
  auto signed_cds = SignedPackageSpec(bytes);
  if (signed_cds.ok()) {
    pkg.cds = std::move(signed_cds).value();
  } else if (!pkg.cds.ParseFromString(bytes) || !NamesChaincode(pkg.cds)) {
    return InvalidArgumentError("could not unmarshal chaincode package to CDS or SignedCDS");
  }
  const protos::ChaincodeID& id = pkg.cds.chaincode_spec().chaincode_id();
  std::string name = cmd.flags().GetString("name");
  std::string version = cmd.flags().GetString("version");
  if (!name.empty() && name != id.name()) {
    return InvalidArgumentError(
        absl::StrFormat("chaincode name %s does not match name %s in package", name, id.name()));
  }
  if (!version.empty() && version != id.version()) {
    return InvalidArgumentError(absl::StrFormat(
        "chaincode version %s does not match version %s in packages", version, id.version()));
  }
  return pkg;
}

}  // namespace fabric::cli
