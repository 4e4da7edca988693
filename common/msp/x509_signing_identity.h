// SPDX-License-Identifier: Apache-2.0
//
// X509SigningIdentity: a SigningIdentity made of an X.509 certificate and its P-256 private key
// (Go: msp/identities.go "signingidentity"). The peer's, orderer's and CLI's local identity.
//
// LoadSigningIdentity reads it from an MSP folder as cryptogen and fabric-ca lay it out:
// signcerts/ holds the certificate and keystore/ a PEM private key; the key file is found by
// matching public keys, so any file name works (cryptogen's "priv_sk", older tools'
// "<hex ski>_sk").
//
// Immutable after construction; Sign may be called from many threads at once.

#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/crypto/ecdsa.h"
#include "common/crypto/x509.h"
#include "common/msp/signing_identity.h"
#include "fabric/base/status.h"

namespace fabric::msp {

class X509SigningIdentity final : public SigningIdentity {
 public:
  // Builds a signing identity. InvalidArgument when `key` is not the private key of `cert`'s
  // public key or the certificate's key is not P-256.
  static StatusOr<std::unique_ptr<X509SigningIdentity>> Create(std::string msp_id,
                                                               const crypto::Certificate& cert,
                                                               crypto::PrivateKey key);

  const std::string& MspId() const override { return msp_id_; }
  const std::string& Serialize() const override { return serialized_; }
  StatusOr<std::string> Sign(std::string_view message) const override;

  const crypto::Certificate& certificate() const { return cert_; }
  // The certificate as PEM (SerializedIdentity.id_bytes).
  const std::string& certificate_pem() const { return cert_pem_; }
  const crypto::PublicKey& public_key() const { return key_.public_key(); }

 private:
  X509SigningIdentity(std::string msp_id, crypto::Certificate cert, crypto::PrivateKey key);

  const std::string msp_id_;
  const crypto::Certificate cert_;
  const crypto::PrivateKey key_;
  const std::string cert_pem_;
  const std::string serialized_;
};

// Loads the signing identity of the MSP folder `msp_dir` for `msp_id`: the first certificate
// file of signcerts/ (in name order) and the keystore/ key matching it. NotFound when the folder,
// signcerts/ or keystore/ is missing, signcerts/ has no file, or no keystore file holds the
// matching key (the message names the certificate file); InvalidArgument when the certificate
// file is not a PEM certificate (naming the file).
StatusOr<std::unique_ptr<X509SigningIdentity>> LoadSigningIdentity(const std::string& msp_dir,
                                                                   const std::string& msp_id);

// Returns the private key in `keystore_dir` whose public key is `public_key`, and its file path
// through `path` when not null. NotFound (naming the directory) when the directory is missing or
// no file matches. Files that are not PEM private keys are skipped.
StatusOr<crypto::PrivateKey> FindPrivateKey(const std::string& keystore_dir,
                                            const crypto::PublicKey& public_key,
                                            std::string* path = nullptr);

}  // namespace fabric::msp
