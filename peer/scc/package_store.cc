// SPDX-License-Identifier: Apache-2.0
#include "peer/scc/package_store.h"

#include <filesystem>
#include <system_error>

#include "common/crypto/file_util.h"
#include "common/crypto/hash.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"

namespace fabric::scc {

StatusOr<InstalledPackage> ParsePackage(std::string_view bytes) {
  InstalledPackage pkg;
  pkg.raw = std::string(bytes);
  protos::SignedChaincodeDeploymentSpec scds;
  bool is_signed = false;
  if (scds.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) &&
      !scds.chaincode_deployment_spec().empty() &&
      pkg.cds.ParseFromString(scds.chaincode_deployment_spec()) && pkg.cds.has_chaincode_spec() &&
      !pkg.cds.chaincode_spec().chaincode_id().name().empty()) {
    is_signed = true;
  }
  if (is_signed) {
    pkg.instantiation_policy = scds.instantiation_policy();
    pkg.signed_cds = std::move(scds);
  } else {
    pkg.cds.Clear();
    if (!pkg.cds.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return InvalidArgumentError("failed to unmarshal deployment spec from the CC package");
    }
  }
  const protos::ChaincodeID& id = pkg.cds.chaincode_spec().chaincode_id();
  if (!pkg.cds.has_chaincode_spec() || id.name().empty()) {
    return InvalidArgumentError("nil deployment spec from the CC package");
  }
  ccprovider::CDSData data;
  data.set_codehash(crypto::Sha256(pkg.cds.code_package()));
  data.set_metadatahash(crypto::Sha256(id.name() + id.version()));
  pkg.chaincode_data.set_name(id.name());
  pkg.chaincode_data.set_version(id.version());
  pkg.chaincode_data.set_id(crypto::Sha256(data.codehash() + data.metadatahash()));
  pkg.chaincode_data.set_data(protoutil::Marshal(data));
  return pkg;
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
