// SPDX-License-Identifier: Apache-2.0
//
// `cryptogen generate`: writes the key material of every org in a Config under an output
// directory, in the layout of Fabric's cryptogen 2.x:
//
//   <out>/peerOrganizations/<domain>/
//     {ca/, tlsca/, msp/, peers/<cn>/{msp,tls}, users/<cn>/{msp,tls}}
//   <out>/ordererOrganizations/<domain>/
//     {ca/, tlsca/, msp/, orderers/<cn>/{msp,tls}, users/Admin@<domain>/{msp,tls}}
//
// The whole config is resolved and checked before anything is written, so a bad config writes
// nothing. Each org is built in a staging directory next to its final place
// (".<domain>.staging") and then swapped in: an existing org directory is replaced as a whole
// (Fabric's generate overwrites too), and a crash leaves either the old org or the new one,
// never a half-written key file. Leftover staging directories are removed by the next run.
//
// Not safe to run concurrently on the same output directory.

#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/crypto/x509.h"
#include "fabric/base/status.h"
#include "tools/cryptogen/config.h"

namespace fabric::cryptogen {

struct GenerateOptions {
  // The time certificates are issued at (not_before = now rounded, minus five minutes).
  crypto::TimePoint now = std::chrono::system_clock::now();
  // Adds DNS "localhost" and IP 127.0.0.1 to the SANs of peer and orderer TLS certificates.
  // Off by default, as in Fabric; the default template (sampleconfig/crypto-config.yaml) asks
  // for them through SANS instead.
  bool loopback_sans = false;
};

// Generates every org of `config` under `output_dir` (created if missing). Returns the org
// directories written, relative to `output_dir` ("peerOrganizations/org1.example.com"), peer
// orgs first. InvalidArgument for a config that does not resolve (nothing is written then);
// Internal / PermissionDenied / NotFound for I/O errors, naming the path.
StatusOr<std::vector<std::string>> Generate(const Config& config, const std::string& output_dir,
                                            const GenerateOptions& options);

}  // namespace fabric::cryptogen
