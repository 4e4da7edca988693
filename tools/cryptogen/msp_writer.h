// SPDX-License-Identifier: Apache-2.0
//
// Writes MSP and TLS folders in the layout of Fabric's cryptogen (internal/cryptogen/msp):
//
//   <node>/msp/{admincerts/, cacerts/<ca>-cert.pem, keystore/<ski>_sk,
//               signcerts/<cn>-cert.pem, tlscacerts/<tlsca>-cert.pem, config.yaml}
//   <node>/tls/{ca.crt, server.crt, server.key}     (client.crt/client.key for users)
//   <org>/msp/{admincerts/, cacerts/..., tlscacerts/..., config.yaml}   (verifying MSP)
//
// config.yaml exists only with NodeOUs. admincerts/ is empty with NodeOUs (Fabric 2.x);
// without them it holds the admin's certificate. Private keys are PKCS#8 PEM with mode 0600,
// everything else 0644, each file written atomically (temporary file + rename).
//
// Plain functions; safe to call concurrently for different directories.

#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/crypto/ecdsa.h"
#include "common/crypto/x509.h"
#include "fabric/base/status.h"
#include "tools/cryptogen/ca.h"
#include "tools/cryptogen/resolve.h"

namespace fabric::cryptogen {

// The two CAs of an org; both must outlive the calls they are passed to.
struct OrgCas {
  const CertificateAuthority& sign;
  const CertificateAuthority& tls;
};

// A certificate and the name it is filed under ("<name>-cert.pem").
struct NamedCertificate {
  std::string name;
  crypto::Certificate certificate;
};

// Returns "<name>-cert.pem", cryptogen's certificate file name.
std::string CertFileName(std::string_view name);

// Creates `path` and missing parents with mode 0755. Internal (naming the path) on failure.
Status MakeDirs(const std::string& path);

// The file name of `key` in a keystore or CA folder: "<hex SKI>_sk", as Fabric 1.4's cryptogen
// names it (Fabric 1.4's file keystore finds a key only under that name; Fabric 2.x's
// "priv_sk" would be invisible to it).
std::string KeyFileName(const crypto::PrivateKey& key);

// Writes `cert` as PEM (0644) / `key` as PKCS#8 PEM (0600), atomically.
Status WriteCertificate(const std::string& path, const crypto::Certificate& cert);
Status WritePrivateKey(const std::string& path, const crypto::PrivateKey& key);

// Returns the NodeOUs config.yaml of an MSP whose CA certificate is at `cacert` (relative to the
// MSP folder, "cacerts/ca.org1.example.com-cert.pem"): Enable true and the Client, Peer, Admin
// and Orderer OU identifiers ("client", "peer", "admin", "orderer"), each naming `cacert`.
std::string NodeOusConfigYaml(std::string_view cacert);

// Writes the org's verifying MSP folder at `msp_dir`. `admin` is copied into admincerts/ when
// `node_ous` is false, and ignored otherwise.
Status WriteVerifyingMsp(const std::string& msp_dir, const OrgCas& cas, bool node_ous,
                         const NamedCertificate& admin);

struct LocalMspOptions {
  bool node_ous = false;
  // Without NodeOUs, the certificate for admincerts/; nullopt puts the identity's own signing
  // certificate there (Fabric does this for users).
  std::optional<NamedCertificate> admin;
  crypto::TimePoint now;
};

// Writes `node_dir`/msp and `node_dir`/tls for `node`: a signing key and certificate from
// `cas.sign` (keyUsage digitalSignature; OU = NodeOu(node.type) with NodeOUs), and a TLS key
// and certificate from `cas.tls` (digitalSignature|keyEncipherment, serverAuth+clientAuth,
// subjectAltNames node.sans). Returns the signing certificate.
StatusOr<crypto::Certificate> WriteLocalMsp(const std::string& node_dir, const ResolvedNode& node,
                                            const OrgCas& cas, const LocalMspOptions& options);

}  // namespace fabric::cryptogen
