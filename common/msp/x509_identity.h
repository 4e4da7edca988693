// SPDX-License-Identifier: Apache-2.0
//
// Internal to common/msp: X509Identity, the Identity that Msp::DeserializeIdentity returns (Go:
// msp/identities.go "identity"), and IdentityCache, the bounded LRU of them keyed by serialized
// bytes.
//
// X509Identity is immutable except for its validation memo, which is guarded by a mutex; all
// methods are safe to call concurrently. It keeps its MSP's state alive.

#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/crypto/ecdsa.h"
#include "common/crypto/x509.h"
#include "common/msp/identity.h"
#include "common/msp/msp_state.h"

namespace fabric::msp::internal {

class X509Identity final : public Identity {
 public:
  // Parses `serialized` for the MSP of `state`. InvalidArgument for malformed bytes or
  // certificate, NotFound when the mspid is another MSP's.
  static StatusOr<std::shared_ptr<const X509Identity>> Parse(std::shared_ptr<const MspState> state,
                                                             std::string_view serialized);

  const std::string& MspId() const override { return state_->name; }
  const std::string& Serialize() const override { return serialized_; }
  const std::vector<std::string>& OrganizationalUnits() const override { return ous_; }
  std::chrono::system_clock::time_point ExpiresAt() const override { return cert_.NotAfter(); }
  Status Validate() const override;
  Status Verify(std::string_view message, std::string_view signature) const override;
  Status SatisfiesPrincipal(const common::MSPPrincipal& principal) const override;
  // MSP id, a NUL byte, then the certificate's DER.
  std::string_view UniqueKey() const override { return unique_key_; }

  // The validation result, from the memo while it is still valid, else by validating now.
  StatusOr<ValidationResult> ValidationResultNow() const;

  const crypto::Certificate& certificate() const { return cert_; }
  // The certificate's subject as text, made once: policy evaluation names it in the reason of
  // every principal an identity does not satisfy, most of which are then discarded.
  const std::string& Subject() const { return subject_; }
  // TBSCertificate bytes, for comparing identities independently of signature encoding.
  const std::string& tbs() const { return tbs_; }
  const MspState& state() const { return *state_; }

 private:
  X509Identity(std::shared_ptr<const MspState> state, std::string serialized,
               crypto::Certificate cert, crypto::PublicKey key);

  const std::shared_ptr<const MspState> state_;
  const std::string serialized_;
  const crypto::Certificate cert_;
  const crypto::PublicKey key_;
  const std::vector<std::string> ous_;
  const std::string tbs_;
  const std::string unique_key_;
  const std::string subject_;

  mutable std::mutex mu_;
  // Guarded by mu_:
  mutable std::optional<ValidationResult> memo_;
};

// A thread-safe LRU of identities keyed by serialized bytes. Capacity 0 disables it.
class IdentityCache {
 public:
  explicit IdentityCache(size_t capacity) : capacity_(capacity) {}

  // The cached identity for `serialized`, or null.
  std::shared_ptr<const X509Identity> Get(std::string_view serialized);

  // Caches `identity`, evicting the least recently used entry when full.
  void Put(std::shared_ptr<const X509Identity> identity);

  size_t size() const;

 private:
  using Entry = std::shared_ptr<const X509Identity>;

  const size_t capacity_;
  mutable std::mutex mu_;
  // Guarded by mu_: most recently used first; the map's keys view the identities' bytes.
  std::list<Entry> lru_;
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;
};

}  // namespace fabric::msp::internal
