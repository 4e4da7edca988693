// SPDX-License-Identifier: Apache-2.0
//
// PackageStore: the chaincode packages installed on this peer (lscc install), one file per
// chaincode version at `<CORE_PEER_FILESYSTEMPATH>/chaincodes/<name>.<version>` holding the
// bytes as installed: a marshalled ChaincodeDeploymentSpec, or a signed package (a
// CHAINCODE_PACKAGE Envelope around a SignedChaincodeDeploymentSpec, common/protoutil/ccpackage.h)
// (Fabric's core/common/ccprovider: PutChaincodeIntoFS, GetChaincodeFromFS, CDSPackage,
// SignedCDSPackage).
//
// A package's ChaincodeData fingerprint follows Fabric:
//   CDSPackage        data = CDSData{codehash = sha256(code_package), metadatahash =
//                     sha256(name || version)}, id = sha256(codehash || metadatahash)
//   SignedCDSPackage  data = SignedCDSData{hash, metadatahash, signaturehash =
//                     sha256(instantiation_policy || each owner's endorser)},
//                     id = sha256(hash || metadatahash || signaturehash)
//
// Thread-safety: safe to call concurrently (Put writes atomically and refuses existing files).

#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ccprovider/ccprovider.pb.h"
#include "fabric/base/status.h"
#include "peer/chaincode.pb.h"
#include "peer/signed_cc_dep_spec.pb.h"

namespace fabric::scc {

struct InstalledPackage {
  protos::ChaincodeDeploymentSpec cds;
  // Set when the package was installed as a signed package envelope.
  std::optional<protos::SignedChaincodeDeploymentSpec> signed_cds;
  std::string raw;  // the file's bytes
  // ChaincodeData{name, version, data, id} of the package (escc/vscc/policies unset).
  ccprovider::ChaincodeData chaincode_data;
  // The package's own instantiation policy (signed packages); empty otherwise.
  std::string instantiation_policy;
};

// What the endorser needs of an installed package on every proposal (Fabric 1.4 keeps the same in
// ccprovider's ccInfoCache, enabled by peer node start).
struct PackageInfo {
  ccprovider::ChaincodeData chaincode_data;
  std::string instantiation_policy;
};

// Parses installed-package bytes as Fabric's GetCCPackage: a signed package envelope (type
// CHAINCODE_PACKAGE, an instantiation policy, a deployment spec naming a chaincode), else a
// ChaincodeDeploymentSpec naming one. InvalidArgument "could not unmarshal chaincode package to
// CDS or SignedCDS" when neither.
StatusOr<InstalledPackage> ParsePackage(std::string_view bytes);

class PackageStore {
 public:
  // `root` is CORE_PEER_FILESYSTEMPATH; packages live in root/chaincodes.
  explicit PackageStore(std::string root);

  // Stores `bytes` (see ParsePackage) under name.version. AlreadyExists "chaincode <path>
  // exists"; Internal on I/O errors.
  Status Put(const std::string& name, const std::string& version, std::string_view bytes);
  // NotFound "open <path>: no such file or directory" when not installed; InvalidArgument when
  // the file does not parse.
  StatusOr<InstalledPackage> Get(const std::string& name, const std::string& version) const;
  // The ChaincodeData and instantiation policy of an installed package; errors as Get. Parsed
  // once per name.version and then served from memory (installed packages never change:
  // Put refuses an existing name.version), so the endorser does not read and hash the code
  // package on every proposal. A package file removed after it was cached reads as NotFound.
  StatusOr<PackageInfo> Info(const std::string& name, const std::string& version) const;
  // Every installed package that parses, sorted by file name.
  std::vector<InstalledPackage> List() const;
  std::string PathFor(const std::string& name, const std::string& version) const;
  const std::string& dir() const { return dir_; }

 private:
  const std::string dir_;
  mutable std::mutex info_mu_;
  mutable std::map<std::string, PackageInfo, std::less<>> info_;  // by name.version; info_mu_
};

}  // namespace fabric::scc
