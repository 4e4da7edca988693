// SPDX-License-Identifier: Apache-2.0
//
// Building an msp.MSPConfig from an MSP folder (Go: msp/configbuilder.go). The folder layout is
// cryptogen's and fabric-ca's:
//
//   cacerts/               root CA certificates (required, at least one)
//   intermediatecerts/     intermediate CA certificates (optional)
//   admincerts/            admin certificates (optional; empty with NodeOUs in Fabric 2.x)
//   signcerts/             the signing certificate (local MSPs)
//   keystore/              the signing key, any file name (local MSPs)
//   tlscacerts/            TLS root CA certificates (optional)
//   tlsintermediatecerts/  TLS intermediate CA certificates (optional)
//   crls/                  certificate revocation lists, PEM or DER (optional)
//   config.yaml            NodeOUs and OrganizationalUnitIdentifiers (optional), e.g.
//     NodeOUs:
//       Enable: true
//       ClientOUIdentifier:
//         Certificate: cacerts/ca.org1.example.com-cert.pem
//         OrganizationalUnitIdentifier: client
//       PeerOUIdentifier: ...  AdminOUIdentifier: ...  OrdererOUIdentifier: ...
//
// Each file becomes one entry of the matching FabricMSPConfig list (its whole content, as Fabric
// does). Certificate paths in config.yaml are relative to the folder; the FabricOUIdentifier
// holds the PEM bytes of that file. Unlike Fabric, which logs and skips unreadable files, a file
// that is not PEM of the expected kind is an error naming it.
//
// Thread-safety: stateless; safe to call concurrently.

#pragma once

#include <string>

#include "fabric/base/status.h"
#include "msp/msp_config.pb.h"

namespace fabric::msp {

// The configuration of a local MSP: LoadVerifyingMspConfigFromDir plus signing_identity
// {public_signer = signcerts' first file, private_signer = {key_identifier = hex SKI of the key,
// key_material = the keystore key's PEM}}. Errors as LoadVerifyingMspConfigFromDir, and NotFound
// when signcerts/ is missing or empty or no keystore/ file holds the signing certificate's key.
StatusOr<::msp::MSPConfig> LoadMspConfigFromDir(const std::string& dir, const std::string& msp_id);

// The configuration that goes into a channel config (configtxgen): no signing identity, so
// signcerts/ and keystore/ are not read. Returns an MSPConfig{type FABRIC, config = marshalled
// FabricMSPConfig with crypto_config {"SHA2", "SHA256"}}. NotFound when `dir` or cacerts/ does
// not exist; InvalidArgument when cacerts/ is empty, a file is not PEM of the expected kind, or
// config.yaml is malformed or names a certificate file that cannot be read (each message names
// the file).
StatusOr<::msp::MSPConfig> LoadVerifyingMspConfigFromDir(const std::string& dir,
                                                         const std::string& msp_id);

}  // namespace fabric::msp
