// SPDX-License-Identifier: Apache-2.0
//
// Chaincode packages for tests and benchmarks, built from launcher/docker/testdata and the
// shim samples: abstore (the real sample chaincode), sleeper (never registers), broken
// (does not compile) and Node.js chaincode. `salt` adds a file so the package hash changes
// (stale-image tests).

#pragma once

#include <string>

#include "fabric/base/status.h"

namespace fabric::launcher::docker::testing {

StatusOr<std::string> AbstorePackage(const std::string& salt = "");
StatusOr<std::string> SleeperPackage(const std::string& salt = "");
// bench/endorse's getput chaincode (one GetState + one PutState per invoke).
StatusOr<std::string> GetputPackage(const std::string& salt = "");
StatusOr<std::string> BrokenPackage();
// Node.js chaincode (type NODE) from launcher/docker/testdata: getput on fabric-shim 2.5
// (put/get/getput) and a fabric-contract-api 2.5 contract (CreateAsset/ReadAsset).
StatusOr<std::string> NodeGetputPackage(const std::string& salt = "");
StatusOr<std::string> NodeContractPackage(const std::string& salt = "");
// A package whose build step sleeps for an hour.
StatusOr<std::string> EndlessBuildPackage();

}  // namespace fabric::launcher::docker::testing
