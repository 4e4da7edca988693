// SPDX-License-Identifier: Apache-2.0
#include "peer/scc/package_store.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <system_error>

#include "common/crypto/file_util.h"
#include "common/crypto/hash.h"
#include "common/protoutil/ccpackage.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"

namespace fabric::scc {

namespace {

// Fabric's isPrintable check on package names (ccprovider ValidateCC): garbage that happens to
// parse as a protobuf is not a package.
bool IsPrintable(std::string_view name) {
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
}

bool NamesChaincode(const protos::ChaincodeDeploymentSpec& cds) {
  const std::string& name = cds.chaincode_spec().chaincode_id().name();
  return cds.has_chaincode_spec() && !name.empty() && IsPrintable(name);
}

// CDSPackage: data = CDSData{codehash, metadatahash}, id = sha256(codehash || metadatahash).
void FingerprintCds(InstalledPackage& pkg) {
  const protos::ChaincodeID& id = pkg.cds.chaincode_spec().chaincode_id();
  ccprovider::CDSData data;
  data.set_codehash(crypto::Sha256(pkg.cds.code_package()));
  data.set_metadatahash(crypto::Sha256(id.name() + id.version()));
  pkg.chaincode_data.set_id(crypto::Sha256(data.codehash() + data.metadatahash()));
  pkg.chaincode_data.set_data(protoutil::Marshal(data));
}

// SignedCDSPackage: data = SignedCDSData{codehash, metadatahash, signaturehash =
// sha256(instantiation policy || each owner's identity)}, id = sha256 of the three.
void FingerprintSigned(InstalledPackage& pkg) {
  const protos::ChaincodeID& id = pkg.cds.chaincode_spec().chaincode_id();
  ccprovider::SignedCDSData data;
  data.set_hash(crypto::Sha256(pkg.cds.code_package()));
  data.set_metadatahash(crypto::Sha256(id.name() + id.version()));
  std::string owners = pkg.signed_cds->instantiation_policy();
  for (const auto& e : pkg.signed_cds->owner_endorsements()) {
    owners += e.endorser();
  }
  data.set_signaturehash(crypto::Sha256(owners));
  pkg.chaincode_data.set_id(
      crypto::Sha256(data.hash() + data.metadatahash() + data.signaturehash()));
  pkg.chaincode_data.set_data(protoutil::Marshal(data));
}

// The CHAINCODE_PACKAGE envelope form, or nullopt when `bytes` is not one.
std::optional<InstalledPackage> ParseSignedPackage(std::string_view bytes) {
  common::Envelope envelope;
  if (!envelope.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return std::nullopt;
  }
  auto extracted = protoutil::ExtractSignedCCDepSpec(envelope);
  if (!extracted.ok() || extracted->channel_header.type() != common::CHAINCODE_PACKAGE ||
      extracted->signed_cds.instantiation_policy().empty()) {
    return std::nullopt;
  }
  InstalledPackage pkg;
  if (!pkg.cds.ParseFromString(extracted->signed_cds.chaincode_deployment_spec()) ||
      !NamesChaincode(pkg.cds)) {
    return std::nullopt;
  }
  pkg.instantiation_policy = extracted->signed_cds.instantiation_policy();
  pkg.signed_cds = std::move(extracted->signed_cds);
  FingerprintSigned(pkg);
  return pkg;
}

}  // namespace

StatusOr<InstalledPackage> ParsePackage(std::string_view bytes) {
  // Fabric's GetCCPackage tries both forms and prefers the signed one when both parse.
  std::optional<InstalledPackage> pkg = ParseSignedPackage(bytes);
  if (!pkg) {
    pkg.emplace();
    if (!pkg->cds.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) ||
        !NamesChaincode(pkg->cds)) {
      return InvalidArgumentError("could not unmarshal chaincode package to CDS or SignedCDS");
    }
    FingerprintCds(*pkg);
  }
  pkg->raw = std::string(bytes);
  const protos::ChaincodeID& id = pkg->cds.chaincode_spec().chaincode_id();
  pkg->chaincode_data.set_name(id.name());
  pkg->chaincode_data.set_version(id.version());
  return std::move(pkg).value();
}

PackageStore::PackageStore(std::string root) : dir_(std::move(root) + "/chaincodes") {}

std::string PackageStore::PathFor(const std::string& name, const std::string& version) const {
  return dir_ + "/" + name + "." + version;
}

Status PackageStore::Put(const std::string& name, const std::string& version,
                         std::string_view bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    return InternalError("create " + dir_ + ": " + ec.message());
  }
  std::string path = PathFor(name, version);
  if (std::filesystem::exists(path, ec)) {
    return AlreadyExistsError("chaincode " + path + " exists");
  }
  return crypto::WriteFileAtomic(path, bytes, 0644);
}

namespace {

// NotFound "open <path>: no such file or directory" unless the package file exists.
Status CheckInstalled(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return NotFoundError("open " + path + ": no such file or directory");
  }
  return Status::OK();
}

}  // namespace

StatusOr<InstalledPackage> PackageStore::Get(const std::string& name,
                                             const std::string& version) const {
  std::string path = PathFor(name, version);
  RETURN_IF_ERROR(CheckInstalled(path));
  ASSIGN_OR_RETURN(std::string bytes, crypto::ReadFile(path));
  auto pkg = ParsePackage(bytes);
  if (!pkg.ok()) {
    return pkg.status().Annotate(path);
  }
  return pkg;
}

StatusOr<PackageInfo> PackageStore::Info(const std::string& name,
                                         const std::string& version) const {
  std::string path = PathFor(name, version);
  RETURN_IF_ERROR(CheckInstalled(path));
  {
    std::lock_guard<std::mutex> lock(info_mu_);
    auto it = info_.find(path);
    if (it != info_.end()) {
      return it->second;
    }
  }
  ASSIGN_OR_RETURN(InstalledPackage pkg, Get(name, version));
  PackageInfo info{std::move(pkg.chaincode_data), std::move(pkg.instantiation_policy)};
  std::lock_guard<std::mutex> lock(info_mu_);
  info_.emplace(path, info);
  return info;
}

std::vector<InstalledPackage> PackageStore::List() const {
  std::vector<std::string> paths;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir_, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) {
      paths.push_back(it->path().string());
    }
  }
  std::sort(paths.begin(), paths.end());
  std::vector<InstalledPackage> out;
  for (const std::string& path : paths) {
    auto bytes = crypto::ReadFile(path);
    if (!bytes.ok()) {
      continue;
    }
    auto pkg = ParsePackage(*bytes);
    if (pkg.ok()) {
      out.push_back(std::move(pkg).value());
    }
  }
  return out;
}

}  // namespace fabric::scc
