// SPDX-License-Identifier: Apache-2.0
//
// A SigningIdentity for tests: a fresh P-256 key and a SerializedIdentity whose id_bytes is a
// placeholder (no certificate). Enough for code that signs and checks signatures by key; tests
// that need MSP validation use common/msp/testing instead.

#pragma once

#include <string>

#include "common/crypto/ecdsa.h"
#include "common/msp/signing_identity.h"
#include "msp/identities.pb.h"

namespace fabric::protoutil::testing {

class TestSigner : public msp::SigningIdentity {
 public:
  explicit TestSigner(std::string msp_id = "Org1MSP", std::string id = "test-identity")
      : msp_id_(std::move(msp_id)), key_(crypto::PrivateKey::Generate().value()) {
    ::msp::SerializedIdentity identity;
    identity.set_mspid(msp_id_);
    identity.set_id_bytes(std::move(id));
    serialized_ = identity.SerializeAsString();
  }
  const std::string& MspId() const override { return msp_id_; }
  const std::string& Serialize() const override { return serialized_; }
  StatusOr<std::string> Sign(std::string_view message) const override { return key_.Sign(message); }
  const crypto::PublicKey& public_key() const { return key_.public_key(); }

 private:
  std::string msp_id_;
  crypto::PrivateKey key_;
  std::string serialized_;
};

}  // namespace fabric::protoutil::testing
