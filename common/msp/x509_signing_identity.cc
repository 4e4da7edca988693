// SPDX-License-Identifier: Apache-2.0
#include "common/msp/x509_signing_identity.h"

#include <absl/strings/str_format.h>

#include "common/crypto/file_util.h"
#include "common/msp/msp_files.h"
#include "fabric/base/status_macros.h"
#include "msp/identities.pb.h"

namespace fabric::msp {

StatusOr<std::unique_ptr<X509SigningIdentity>> X509SigningIdentity::Create(
    std::string msp_id, const crypto::Certificate& cert, crypto::PrivateKey key) {
  StatusOr<crypto::PublicKey> cert_key = cert.public_key();
  if (!cert_key.ok()) {
    return cert_key.status().Annotate(absl::StrFormat("signing certificate [%s]", cert.Subject()));
  }
  if (!(*cert_key == key.public_key())) {
    return InvalidArgumentError(absl::StrFormat(
        "private key does not match the public key of signing certificate [%s]", cert.Subject()));
  }
  return std::unique_ptr<X509SigningIdentity>(
      new X509SigningIdentity(std::move(msp_id), cert, std::move(key)));
}

namespace {

std::string SerializeIdentity(const std::string& msp_id, const std::string& pem) {
  ::msp::SerializedIdentity sid;
  sid.set_mspid(msp_id);
  sid.set_id_bytes(pem);
  return sid.SerializeAsString();
}

}  // namespace

X509SigningIdentity::X509SigningIdentity(std::string msp_id, crypto::Certificate cert,
                                         crypto::PrivateKey key)
    : msp_id_(std::move(msp_id)),
      cert_(std::move(cert)),
      key_(std::move(key)),
      cert_pem_(cert_.ToPem()),
      serialized_(SerializeIdentity(msp_id_, cert_pem_)) {}

StatusOr<std::string> X509SigningIdentity::Sign(std::string_view message) const {
  return key_.Sign(message);
}

StatusOr<crypto::PrivateKey> FindPrivateKey(const std::string& keystore_dir,
                                            const crypto::PublicKey& public_key,
                                            std::string* path) {
  StatusOr<std::vector<std::string>> files = internal::ListFiles(keystore_dir);
  if (!files.ok()) {
    return NotFoundError(
        absl::StrFormat("keystore %s: %s", keystore_dir, files.status().message()));
  }
  for (const std::string& file : *files) {
    StatusOr<std::string> content = crypto::ReadFile(file);
    if (!content.ok()) {
      continue;
    }
    StatusOr<crypto::PrivateKey> key = crypto::PrivateKey::FromPem(*content);
    if (key.ok() && key->public_key() == public_key) {
      if (path != nullptr) {
        *path = file;
      }
      return key;
    }
  }
  return NotFoundError(
      absl::StrFormat("no private key in keystore %s matches the public key", keystore_dir));
}

StatusOr<std::unique_ptr<X509SigningIdentity>> LoadSigningIdentity(const std::string& msp_dir,
                                                                   const std::string& msp_id) {
  if (!internal::IsDirectory(msp_dir)) {
    return NotFoundError(absl::StrFormat("msp directory %s does not exist", msp_dir));
  }
  const std::string signcerts = msp_dir + "/signcerts";
  ASSIGN_OR_RETURN(std::vector<internal::PemFile> certs, internal::ReadCertificateDir(signcerts));
  if (certs.empty()) {
    return NotFoundError(
        absl::StrFormat("could not load a signer certificate: directory %s is empty", signcerts));
  }
  ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromPem(certs[0].content));
  StatusOr<crypto::PublicKey> public_key = cert.public_key();
  if (!public_key.ok()) {
    return public_key.status().Annotate("signer certificate " + certs[0].path);
  }
  StatusOr<crypto::PrivateKey> key = FindPrivateKey(msp_dir + "/keystore", *public_key);
  if (!key.ok()) {
    return key.status().Annotate("signer certificate " + certs[0].path);
  }
  return X509SigningIdentity::Create(msp_id, cert, *std::move(key));
}

}  // namespace fabric::msp
