// SPDX-License-Identifier: Apache-2.0
#include "tools/cryptogen/generator.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <system_error>

#include "fabric/base/status_macros.h"
#include "tools/cryptogen/ca.h"
#include "tools/cryptogen/msp_writer.h"
#include "tools/cryptogen/resolve.h"

namespace fabric::cryptogen {
namespace {

namespace fs = std::filesystem;

Status FsError(std::string_view op, const fs::path& path, const std::error_code& ec) {
  return InternalError(std::string(op) + " " + path.string() + ": " + ec.message());
}

Status RemoveAll(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  return ec ? FsError("remove", path, ec) : Status::OK();
}

Status Rename(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  return ec ? FsError("rename " + from.string() + " to", to, ec) : Status::OK();
}

// Creates a CA and writes its key and certificate to `dir` ("ca/" or "tlsca/").
StatusOr<CertificateAuthority> WriteCa(const fs::path& dir, const std::string& name,
                                       const ResolvedOrg& org, crypto::TimePoint now) {
  ASSIGN_OR_RETURN(CertificateAuthority ca,
                   CertificateAuthority::Create(name, org.domain, org.ca, now));
  RETURN_IF_ERROR(MakeDirs(dir.string()));
  RETURN_IF_ERROR(WritePrivateKey((dir / KeyFileName(ca.key())).string(), ca.key()));
  RETURN_IF_ERROR(WriteCertificate((dir / CertFileName(name)).string(), ca.certificate()));
  return ca;
}

// Returns node.sans plus, when asked, "localhost" and "127.0.0.1"; duplicates dropped.
std::vector<std::string> TlsSans(const ResolvedNode& node, bool loopback) {
  std::vector<std::string> all = node.sans;
  if (loopback) {
    all.insert(all.end(), {"localhost", "127.0.0.1"});
  }
  std::vector<std::string> sans;
  for (const std::string& san : all) {
    if (std::find(sans.begin(), sans.end(), san) == sans.end()) {
      sans.push_back(san);
    }
  }
  return sans;
}

// Writes users/ (Admin included) and returns the Admin's signing certificate.
StatusOr<NamedCertificate> WriteUsers(const fs::path& org_dir, const ResolvedOrg& org,
                                      const OrgCas& cas, crypto::TimePoint now) {
  std::optional<NamedCertificate> admin;
  LocalMspOptions options{org.enable_node_ous, std::nullopt, now};
  for (const ResolvedNode& user : org.users) {
    fs::path dir = org_dir / "users" / user.common_name;
    ASSIGN_OR_RETURN(crypto::Certificate cert, WriteLocalMsp(dir.string(), user, cas, options));
    if (user.type == NodeType::kAdmin) {
      admin = NamedCertificate{user.common_name, cert};
    }
  }
  FABRIC_CHECK(admin.has_value());  // ResolveOrg always adds Admin.
  return *std::move(admin);
}

// Writes a complete org (CAs, org MSP, nodes, users) into `org_dir`, which does not exist yet.
Status WriteOrg(const fs::path& org_dir, const ResolvedOrg& org, const GenerateOptions& options) {
  ASSIGN_OR_RETURN(CertificateAuthority sign_ca,
                   WriteCa(org_dir / "ca", org.ca_name, org, options.now));
  ASSIGN_OR_RETURN(CertificateAuthority tls_ca,
                   WriteCa(org_dir / "tlsca", org.tls_ca_name, org, options.now));
  const OrgCas cas{sign_ca, tls_ca};
  ASSIGN_OR_RETURN(NamedCertificate admin, WriteUsers(org_dir, org, cas, options.now));
  RETURN_IF_ERROR(WriteVerifyingMsp((org_dir / "msp").string(), cas, org.enable_node_ous, admin));
  LocalMspOptions node_options{org.enable_node_ous, admin, options.now};
  for (const ResolvedNode& node : org.nodes) {
    ResolvedNode tls_node = node;
    tls_node.sans = TlsSans(node, options.loopback_sans);
    fs::path dir = org_dir / (org.peer_org ? "peers" : "orderers") / node.common_name;
    RETURN_IF_ERROR(WriteLocalMsp(dir.string(), tls_node, cas, node_options).status());
  }
  return Status::OK();
}

// Builds `org` in a staging directory and swaps it in place of `parent`/<domain>.
Status GenerateOrg(const fs::path& parent, const ResolvedOrg& org, const GenerateOptions& options) {
  const fs::path final_dir = parent / org.domain;
  const fs::path staging = parent / ("." + org.domain + ".staging");
  const fs::path old = parent / ("." + org.domain + ".old");
  RETURN_IF_ERROR(RemoveAll(staging));
  RETURN_IF_ERROR(RemoveAll(old));
  Status written = WriteOrg(staging, org, options);
  if (!written.ok()) {
    (void)RemoveAll(staging);  // Best effort; the next run removes it too.
    return written.Annotate("generate org " + org.domain);
  }
  std::error_code ec;
  bool existed = fs::exists(final_dir, ec);
  if (existed) {
    RETURN_IF_ERROR(Rename(final_dir, old));
  }
  RETURN_IF_ERROR(Rename(staging, final_dir));
  return existed ? RemoveAll(old) : Status::OK();
}

}  // namespace

StatusOr<std::vector<std::string>> Generate(const Config& config, const std::string& output_dir,
                                            const GenerateOptions& options) {
  if (output_dir.empty()) {
    return InvalidArgumentError("output directory is empty");
  }
  ASSIGN_OR_RETURN(std::vector<ResolvedOrg> orgs, ResolveConfig(config));
  std::vector<std::string> written;
  for (const ResolvedOrg& org : orgs) {
    std::string kind = org.peer_org ? "peerOrganizations" : "ordererOrganizations";
    fs::path parent = fs::path(output_dir) / kind;
    RETURN_IF_ERROR(MakeDirs(parent.string()));
    RETURN_IF_ERROR(GenerateOrg(parent, org, options));
    written.push_back(kind + "/" + org.domain);
  }
  return written;
}

}  // namespace fabric::cryptogen
