// SPDX-License-Identifier: Apache-2.0
#include "tools/cryptogen/msp_writer.h"

#include <errno.h>
#include <sys/stat.h>

#include <cstring>

#include "common/crypto/file_util.h"
#include "common/crypto/hash.h"
#include "fabric/base/status_macros.h"

namespace fabric::cryptogen {
namespace {

constexpr mode_t kDirMode = 0755;
constexpr mode_t kCertMode = 0644;
constexpr mode_t kKeyMode = 0600;

std::string Join(std::string_view a, std::string_view b) {
  std::string out(a);
  if (!out.empty() && out.back() != '/') {
    out += '/';
  }
  out += b;
  return out;
}

Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), kDirMode) == 0) {
    return Status::OK();
  }
  int err = errno;
  struct stat st;
  if (err == EEXIST && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return Status::OK();
  }
  return InternalError("create directory " + path + ": " + std::strerror(err));
}

// Creates msp/{admincerts,cacerts,tlscacerts} and, for a local MSP, keystore and signcerts, and
// writes the CA certificates (Fabric's createFolderStructure plus the cacerts exports).
Status WriteMspSkeleton(const std::string& msp_dir, const OrgCas& cas, bool local, bool node_ous) {
  for (const char* sub : {"admincerts", "cacerts", "tlscacerts", "keystore", "signcerts"}) {
    bool local_only = std::strcmp(sub, "keystore") == 0 || std::strcmp(sub, "signcerts") == 0;
    if (local || !local_only) {
      RETURN_IF_ERROR(MakeDirs(Join(msp_dir, sub)));
    }
  }
  std::string cacert = Join("cacerts", CertFileName(cas.sign.name()));
  RETURN_IF_ERROR(WriteCertificate(Join(msp_dir, cacert), cas.sign.certificate()));
  RETURN_IF_ERROR(WriteCertificate(Join(msp_dir, Join("tlscacerts", CertFileName(cas.tls.name()))),
                                   cas.tls.certificate()));
  if (node_ous) {
    RETURN_IF_ERROR(crypto::WriteFileAtomic(Join(msp_dir, "config.yaml"), NodeOusConfigYaml(cacert),
                                            kCertMode));
  }
  return Status::OK();
}

// Writes tls/{ca.crt, <prefix>.crt, <prefix>.key}; prefix "client" for users, else "server".
Status WriteTls(const std::string& tls_dir, const ResolvedNode& node, const OrgCas& cas,
                crypto::TimePoint now) {
  RETURN_IF_ERROR(MakeDirs(tls_dir));
  ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate());
  LeafRequest request;
  request.common_name = node.common_name;
  request.sans = node.sans;
  request.key_usage = crypto::kKeyUsageDigitalSignature | crypto::kKeyUsageKeyEncipherment;
  request.ext_key_usage = crypto::kExtKeyUsageServerAuth | crypto::kExtKeyUsageClientAuth;
  ASSIGN_OR_RETURN(crypto::Certificate cert, cas.tls.Sign(request, key.public_key(), now));
  bool user = node.type == NodeType::kClient || node.type == NodeType::kAdmin;
  std::string prefix = user ? "client" : "server";
  RETURN_IF_ERROR(WriteCertificate(Join(tls_dir, "ca.crt"), cas.tls.certificate()));
  RETURN_IF_ERROR(WriteCertificate(Join(tls_dir, prefix + ".crt"), cert));
  return WritePrivateKey(Join(tls_dir, prefix + ".key"), key);
}

}  // namespace

std::string CertFileName(std::string_view name) { return std::string(name) + "-cert.pem"; }

Status MakeDirs(const std::string& path) {
  for (size_t pos = path.find('/', 1); pos != std::string::npos; pos = path.find('/', pos + 1)) {
    RETURN_IF_ERROR(MakeDir(path.substr(0, pos)));
  }
  return MakeDir(path);
}

Status WriteCertificate(const std::string& path, const crypto::Certificate& cert) {
  return crypto::WriteFileAtomic(path, cert.ToPem(), kCertMode);
}

std::string KeyFileName(const crypto::PrivateKey& key) {
  return crypto::HexEncode(key.public_key().SubjectKeyIdentifier()) + "_sk";
}

Status WritePrivateKey(const std::string& path, const crypto::PrivateKey& key) {
  return crypto::WriteFileAtomic(path, key.ToPem(), kKeyMode);
}

std::string NodeOusConfigYaml(std::string_view cacert) {
  std::string out = "NodeOUs:\n  Enable: true\n";
  const std::pair<const char*, const char*> kIdentifiers[] = {{"ClientOUIdentifier", "client"},
                                                              {"PeerOUIdentifier", "peer"},
                                                              {"AdminOUIdentifier", "admin"},
                                                              {"OrdererOUIdentifier", "orderer"}};
  for (const auto& [key, ou] : kIdentifiers) {
    out += std::string("  ") + key + ":\n";
    out += "    Certificate: " + std::string(cacert) + "\n";
    out += std::string("    OrganizationalUnitIdentifier: ") + ou + "\n";
  }
  return out;
}

Status WriteVerifyingMsp(const std::string& msp_dir, const OrgCas& cas, bool node_ous,
                         const NamedCertificate& admin) {
  RETURN_IF_ERROR(WriteMspSkeleton(msp_dir, cas, /*local=*/false, node_ous));
  if (!node_ous) {
    RETURN_IF_ERROR(WriteCertificate(Join(msp_dir, Join("admincerts", CertFileName(admin.name))),
                                     admin.certificate));
  }
  return Status::OK();
}

StatusOr<crypto::Certificate> WriteLocalMsp(const std::string& node_dir, const ResolvedNode& node,
                                            const OrgCas& cas, const LocalMspOptions& options) {
  std::string msp_dir = Join(node_dir, "msp");
  RETURN_IF_ERROR(WriteMspSkeleton(msp_dir, cas, /*local=*/true, options.node_ous));
  ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate());
  LeafRequest request;
  request.common_name = node.common_name;
  if (options.node_ous) {
    request.organizational_units.emplace_back(NodeOu(node.type));
  }
  request.key_usage = crypto::kKeyUsageDigitalSignature;
  ASSIGN_OR_RETURN(crypto::Certificate cert, cas.sign.Sign(request, key.public_key(), options.now));
  RETURN_IF_ERROR(WritePrivateKey(Join(msp_dir, Join("keystore", KeyFileName(key))), key));
  RETURN_IF_ERROR(
      WriteCertificate(Join(msp_dir, Join("signcerts", CertFileName(node.common_name))), cert));
  if (!options.node_ous) {
    const NamedCertificate own{node.common_name, cert};
    const NamedCertificate& admin = options.admin ? *options.admin : own;
    RETURN_IF_ERROR(WriteCertificate(Join(msp_dir, Join("admincerts", CertFileName(admin.name))),
                                     admin.certificate));
  }
  RETURN_IF_ERROR(WriteTls(Join(node_dir, "tls"), node, cas, options.now));
  return cert;
}

}  // namespace fabric::cryptogen
