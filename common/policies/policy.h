// SPDX-License-Identifier: Apache-2.0
//
// Policy: a predicate over a set of signatures, Fabric's policies.Policy. Implementations are
// SignaturePolicy (signature_policy.h, Fabric's cauthdsl) and ImplicitMetaPolicy
// (implicit_meta.h); PolicyManager (manager.h) holds the tree of a channel's policies.
//
// SignerSet is the per-evaluation view of a signature set shared by the implementations: the
// signers deserialized once, de-duplicated, and each signer's identity validation and signature
// check memoized so that no signature is verified twice within one evaluation, even when an
// implicit meta policy evaluates many sub-policies over the same set.
//
// Thread-safety: Policy implementations are immutable after construction; Evaluate may be
// called concurrently. A SignerSet belongs to one evaluation on one thread.

#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/msp/identity.h"
#include "common/protoutil/signed_data.h"
#include "fabric/base/status.h"

namespace fabric::policies {

class SignerSet {
 public:
  // Deserializes the signer of every entry of `signed_data` with `deserializer`. Entries whose
  // identity does not deserialize are skipped; an identity that appeared earlier in the set is
  // dropped (the first occurrence is kept, as in Fabric 1.4's cauthdsl `deduplicate`), whatever
  // its signature. Identities are the same when IdentityKey is.
  // `signed_data` must outlive the SignerSet; `deserializer` is only used here.
  SignerSet(const std::vector<protoutil::SignedData>& signed_data,
            const msp::IdentityDeserializer& deserializer);

  SignerSet(const SignerSet&) = delete;
  SignerSet& operator=(const SignerSet&) = delete;

  // Number of distinct, deserializable signers.
  size_t size() const { return signers_.size(); }

  const msp::Identity& identity(size_t i) const { return *signers_[i].identity; }

  // True if signer i's identity is valid (Identity::Validate) and its signature verifies over
  // its data (Identity::Verify; skipped for an entry marked signature_verified). Computed on
  // first use, then remembered.
  bool IsUsable(size_t i);

  // Number of signers found usable so far.
  size_t usable_count() const { return usable_count_; }

  // The key by which signers are de-duplicated: for an X.509 identity (SerializedIdentity whose
  // id_bytes hold a PEM certificate) its MSP id and certificate DER, like Fabric's
  // MSP id + certificate hash; otherwise its serialized bytes.
  static std::string IdentityKey(const msp::Identity& identity);

 private:
  enum class State : uint8_t { kUnchecked, kUsable, kUnusable };
  struct Signer {
    std::shared_ptr<const msp::Identity> identity;
    const protoutil::SignedData* signed_data;
    State state;
  };

  void RemoveDuplicates();

  std::vector<Signer> signers_;
  size_t usable_count_ = 0;
};

class Policy {
 public:
  virtual ~Policy() = default;

  // OK if `signed_data` satisfies the policy. Signers that fail to deserialize, are invalid, or
  // whose signature does not verify are ignored, as are repeated signers. Returns
  // PermissionDenied saying which requirement was not met otherwise.
  virtual Status Evaluate(const std::vector<protoutil::SignedData>& signed_data) const = 0;

  // Like Evaluate, over a SignerSet already built by the caller (used by policies that combine
  // other policies, so the set is deserialized and verified once).
  virtual Status EvaluateSigners(SignerSet& signers) const = 0;
};

}  // namespace fabric::policies
