// SPDX-License-Identifier: Apache-2.0
#include "common/policies/policy.h"

#include <string>
#include <string_view>
#include <unordered_set>

#include "common/crypto/pem.h"
#include "common/logging/logging.h"
#include "msp/identities.pb.h"

namespace fabric::policies {
namespace {

logging::Logger& Log() {
  static logging::Logger* logger = new logging::Logger("policies");
  return *logger;
}

}  // namespace

std::string SignerSet::IdentityKey(const msp::Identity& identity) {
  if (std::string_view key = identity.UniqueKey(); !key.empty()) {
    return std::string(key);  // The MSP's own key, computed once per deserialized identity.
  }
  // Fabric keys identities by MSP id + hash of the certificate's DER (GetIdentifier()). The same
  // certificate can be serialized many ways (PEM line breaks, text around the block), all of
  // which the MSP accepts, so the serialized bytes alone would let one signer count twice.
  // The certificate is the first CERTIFICATE block of id_bytes, as the MSP reads it.
  ::msp::SerializedIdentity sid;
  const std::string& serialized = identity.Serialize();
  if (sid.ParseFromString(serialized)) {
    auto blocks = crypto::DecodePem(sid.id_bytes());
    if (blocks.ok()) {
      for (const crypto::PemBlock& block : *blocks) {
        if (block.type == "CERTIFICATE") {
          std::string key = identity.MspId();
          key.push_back('\0');
          key += block.der;
          return key;
        }
      }
    }
  }
  // Not an X.509 identity: its serialized form is the best key there is.
  return std::string(1, '\1') + serialized;
}

SignerSet::SignerSet(const std::vector<protoutil::SignedData>& signed_data,
                     const msp::IdentityDeserializer& deserializer) {
  signers_.reserve(signed_data.size());
  // Skips are summarised in one log line per set, so a hostile set cannot flood the log.
  size_t undeserializable = 0;
  Status first_error;
  for (const protoutil::SignedData& sd : signed_data) {
    auto identity = deserializer.DeserializeIdentity(sd.identity);
    if (!identity.ok()) {
      if (undeserializable++ == 0) {
        first_error = identity.status();
      }
      continue;
    }
    signers_.push_back(Signer{std::move(*identity), &sd, State::kUnchecked});
  }
  if (undeserializable > 0) {
    FLOG_WARN(Log(), "skipped %d invalid identities in signature set, first: %s", undeserializable,
              first_error.message());
  }
  if (signers_.size() > 1) {
    RemoveDuplicates();
  }
}

void SignerSet::RemoveDuplicates() {
  std::vector<std::string> keys;
  keys.reserve(signers_.size());
  for (const Signer& s : signers_) {
    keys.push_back(IdentityKey(*s.identity));
  }
  std::unordered_set<std::string_view> seen;
  size_t kept = 0;
  for (size_t i = 0; i < signers_.size(); ++i) {
    if (seen.insert(keys[i]).second) {
      signers_[kept++] = std::move(signers_[i]);
    }
  }
  if (kept < signers_.size()) {
    FLOG_WARN(Log(), "de-duplicated %d repeated identities in signature set",
              signers_.size() - kept);
    signers_.resize(kept);
  }
}

bool SignerSet::IsUsable(size_t i) {
  Signer& s = signers_[i];
  if (s.state == State::kUnchecked) {
    s.state = State::kUnusable;
    Status valid = s.identity->Validate();
    if (!valid.ok()) {
      FLOG_WARN(Log(), "identity of msp %s is not valid: %s", s.identity->MspId(), valid.message());
      return false;
    }
    Status verified = s.signed_data->signature_verified
                          ? Status::OK()
                          : s.identity->Verify(s.signed_data->data, s.signed_data->signature);
    if (!verified.ok()) {
      FLOG_WARN(Log(), "signature of identity of msp %s is invalid: %s", s.identity->MspId(),
                verified.message());
      return false;
    }
    s.state = State::kUsable;
    ++usable_count_;
  }
  return s.state == State::kUsable;
}

}  // namespace fabric::policies
