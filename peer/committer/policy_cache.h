// SPDX-License-Identifier: Apache-2.0
//
// PolicyCache: endorsement policies compiled once per block validation, by their marshalled
// SignaturePolicyEnvelope. Thread-safe.

#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/msp/identity.h"
#include "common/policies/signature_policy.h"
#include "fabric/base/status.h"

namespace fabric::committer {

// Compiled endorsement policies for one channel config (the deserializer must outlive the
// cache).
class PolicyCache {
 public:
  explicit PolicyCache(const msp::IdentityDeserializer& deserializer)
      : deserializer_(deserializer) {}
  // The compiled policy; InvalidArgument when the bytes do not compile.
  StatusOr<std::shared_ptr<const policies::SignaturePolicy>> Get(const std::string& bytes);

 private:
  const msp::IdentityDeserializer& deserializer_;
  std::mutex mu_;
  // Guarded by mu_:
  std::map<std::string, std::shared_ptr<const policies::SignaturePolicy>> policies_;
};

}  // namespace fabric::committer
