// SPDX-License-Identifier: Apache-2.0
#include "launcher/launcher.h"

namespace fabric::launcher {

void MapPackageProvider::Add(ChaincodePackage package) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string ccid = package.ccid;
  packages_[ccid] = std::move(package);
}

StatusOr<ChaincodePackage> MapPackageProvider::GetPackage(const std::string& ccid) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = packages_.find(ccid);
  if (it == packages_.end()) {
    return NotFoundError("chaincode package " + ccid + " not found");
  }
  return it->second;
}

}  // namespace fabric::launcher
