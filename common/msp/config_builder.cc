// SPDX-License-Identifier: Apache-2.0
#include "common/msp/config_builder.h"

#include <optional>
#include <vector>

#include <absl/strings/str_format.h>

#include "common/crypto/file_util.h"
#include "common/crypto/hash.h"
#include "common/crypto/x509.h"
#include "common/msp/config_yaml.h"
#include "common/msp/crl.h"
#include "common/msp/msp.h"
#include "common/msp/msp_files.h"
#include "common/msp/x509_signing_identity.h"
#include "fabric/base/status_macros.h"

namespace fabric::msp {
namespace {

using internal::PemFile;
using RepeatedBytes = google::protobuf::RepeatedPtrField<std::string>;

// Reads the certificate files of an optional folder into `out`; a missing folder adds nothing.
Status AddOptionalCertDir(const std::string& dir, RepeatedBytes* out) {
  if (!internal::Exists(dir)) {
    return Status::OK();
  }
  ASSIGN_OR_RETURN(std::vector<PemFile> files, internal::ReadCertificateDir(dir));
  for (PemFile& f : files) {
    out->Add(std::move(f.content));
  }
  return Status::OK();
}

// crls/: each file must parse as a CRL (PEM or DER).
Status AddCrls(const std::string& dir, RepeatedBytes* out) {
  if (!internal::Exists(dir)) {
    return Status::OK();
  }
  ASSIGN_OR_RETURN(std::vector<std::string> paths, internal::ListFiles(dir));
  for (const std::string& path : paths) {
    ASSIGN_OR_RETURN(std::string content, crypto::ReadFile(path));
    StatusOr<Crl> crl = Crl::Parse(content);
    if (!crl.ok()) {
      return crl.status().Annotate("file " + path);
    }
    out->Add(std::move(content));
  }
  return Status::OK();
}

// The PEM of a certificate named in config.yaml, relative to the MSP folder.
StatusOr<std::string> ReadOuCertificate(const std::string& dir, const std::string& relative,
                                        const std::string& config_file) {
  const std::string path = dir + "/" + relative;
  StatusOr<std::string> pem = crypto::ReadFile(path);
  if (!pem.ok()) {
    return InvalidArgumentError(
        absl::StrFormat("%s names certificate %s: %s", config_file, path, pem.status().message()));
  }
  if (!crypto::Certificate::FromPem(*pem).ok()) {
    return InvalidArgumentError(
        absl::StrFormat("%s names %s, which is not a PEM certificate", config_file, path));
  }
  return pem;
}

StatusOr<std::optional<::msp::FabricOUIdentifier>> ToOuIdentifier(
    const std::string& dir, const std::optional<internal::OuIdentifierYaml>& yaml,
    const std::string& config_file) {
  if (!yaml.has_value()) {
    return std::optional<::msp::FabricOUIdentifier>();
  }
  ::msp::FabricOUIdentifier id;
  id.set_organizational_unit_identifier(yaml->ou);
  if (!yaml->certificate.empty()) {
    ASSIGN_OR_RETURN(std::string pem, ReadOuCertificate(dir, yaml->certificate, config_file));
    id.set_certificate(std::move(pem));
  }
  return std::optional<::msp::FabricOUIdentifier>(std::move(id));
}

// config.yaml, when present: OrganizationalUnitIdentifiers and NodeOUs.
Status AddConfigYaml(const std::string& dir, ::msp::FabricMSPConfig* conf) {
  const std::string file = dir + "/config.yaml";
  if (!internal::Exists(file)) {
    return Status::OK();
  }
  ASSIGN_OR_RETURN(std::string text, crypto::ReadFile(file));
  ASSIGN_OR_RETURN(internal::MspConfigYaml yaml, internal::ParseMspConfigYaml(text, file));
  for (const internal::OuIdentifierYaml& ou : yaml.ou_identifiers) {
    ::msp::FabricOUIdentifier* id = conf->add_organizational_unit_identifiers();
    id->set_organizational_unit_identifier(ou.ou);
    ASSIGN_OR_RETURN(std::string pem, ReadOuCertificate(dir, ou.certificate, file));
    id->set_certificate(std::move(pem));
  }
  if (!yaml.node_ous_enable) {
    return Status::OK();
  }
  ::msp::FabricNodeOUs* node_ous = conf->mutable_fabric_node_ous();
  node_ous->set_enable(true);
  struct Slot {
    const std::optional<internal::OuIdentifierYaml>& yaml;
    ::msp::FabricOUIdentifier* (::msp::FabricNodeOUs::*field)();
  };
  for (const Slot& slot :
       {Slot{yaml.client, &::msp::FabricNodeOUs::mutable_client_ou_identifier},
        Slot{yaml.peer, &::msp::FabricNodeOUs::mutable_peer_ou_identifier},
        Slot{yaml.admin, &::msp::FabricNodeOUs::mutable_admin_ou_identifier},
        Slot{yaml.orderer, &::msp::FabricNodeOUs::mutable_orderer_ou_identifier}}) {
    ASSIGN_OR_RETURN(std::optional<::msp::FabricOUIdentifier> id,
                     ToOuIdentifier(dir, slot.yaml, file));
    if (id.has_value()) {
      *(node_ous->*slot.field)() = *std::move(id);
    }
  }
  return Status::OK();
}

StatusOr<::msp::FabricMSPConfig> BuildVerifyingConfig(const std::string& dir,
                                                      const std::string& msp_id) {
  if (!internal::IsDirectory(dir)) {
    return NotFoundError(absl::StrFormat("msp directory %s does not exist", dir));
  }
  ::msp::FabricMSPConfig conf;
  conf.set_name(msp_id);
  const std::string cacerts = dir + "/cacerts";
  ASSIGN_OR_RETURN(std::vector<PemFile> roots, internal::ReadCertificateDir(cacerts));
  if (roots.empty()) {
    return InvalidArgumentError(absl::StrFormat(
        "could not load a valid ca certificate from directory %s: it holds no file", cacerts));
  }
  for (PemFile& f : roots) {
    conf.add_root_certs(std::move(f.content));
  }
  RETURN_IF_ERROR(
      AddOptionalCertDir(dir + "/intermediatecerts", conf.mutable_intermediate_certs()));
  RETURN_IF_ERROR(AddOptionalCertDir(dir + "/admincerts", conf.mutable_admins()));
  RETURN_IF_ERROR(AddOptionalCertDir(dir + "/tlscacerts", conf.mutable_tls_root_certs()));
  if (conf.tls_root_certs_size() > 0) {
    RETURN_IF_ERROR(
        AddOptionalCertDir(dir + "/tlsintermediatecerts", conf.mutable_tls_intermediate_certs()));
  }
  RETURN_IF_ERROR(AddCrls(dir + "/crls", conf.mutable_revocation_list()));
  RETURN_IF_ERROR(AddConfigYaml(dir, &conf));
  conf.mutable_crypto_config()->set_signature_hash_family("SHA2");
  conf.mutable_crypto_config()->set_identity_identifier_hash_function("SHA256");
  return conf;
}

::msp::MSPConfig Wrap(const ::msp::FabricMSPConfig& conf) {
  ::msp::MSPConfig out;
  out.set_type(kMspTypeFabric);
  out.set_config(conf.SerializeAsString());
  return out;
}

}  // namespace

StatusOr<::msp::MSPConfig> LoadVerifyingMspConfigFromDir(const std::string& dir,
                                                         const std::string& msp_id) {
  ASSIGN_OR_RETURN(::msp::FabricMSPConfig conf, BuildVerifyingConfig(dir, msp_id));
  return Wrap(conf);
}

StatusOr<::msp::MSPConfig> LoadMspConfigFromDir(const std::string& dir, const std::string& msp_id) {
  ASSIGN_OR_RETURN(::msp::FabricMSPConfig conf, BuildVerifyingConfig(dir, msp_id));
  ASSIGN_OR_RETURN(std::unique_ptr<X509SigningIdentity> signer, LoadSigningIdentity(dir, msp_id));
  ASSIGN_OR_RETURN(crypto::PrivateKey key, FindPrivateKey(dir + "/keystore", signer->public_key()));
  ::msp::SigningIdentityInfo* info = conf.mutable_signing_identity();
  info->set_public_signer(signer->certificate_pem());
  info->mutable_private_signer()->set_key_identifier(
      crypto::HexEncode(signer->public_key().SubjectKeyIdentifier()));
  info->mutable_private_signer()->set_key_material(key.ToPem());
  return Wrap(conf);
}

}  // namespace fabric::msp
