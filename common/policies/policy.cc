// SPDX-License-Identifier: Apache-2.0
#include "common/policies/policy.h"

#include <string_view>
#include <unordered_set>

#include "common/logging/logging.h"

namespace fabric::policies {
namespace {

logging::Logger& Log() {
  static logging::Logger* logger = new logging::Logger("policies");
  return *logger;
}

// Above this many signers, duplicates are found with a hash set instead of a linear scan.
constexpr size_t kLinearDedupLimit = 16;

}  // namespace

SignerSet::SignerSet(const std::vector<protoutil::SignedData>& signed_data,
                     const msp::IdentityDeserializer& deserializer) {
  signers_.reserve(signed_data.size());
  std::unordered_set<std::string_view> seen;
  const bool use_hash = signed_data.size() > kLinearDedupLimit;
  // Skips are summarised in one log line per set, so a hostile set cannot flood the log.
  size_t undeserializable = 0;
  size_t duplicates = 0;
  Status first_error;
  for (const protoutil::SignedData& sd : signed_data) {
    auto identity = deserializer.DeserializeIdentity(sd.identity);
    if (!identity.ok()) {
      if (undeserializable++ == 0) {
        first_error = identity.status();
      }
      continue;
    }
    std::string_view key = (*identity)->Serialize();
    bool duplicate = false;
    if (use_hash) {
      duplicate = !seen.insert(key).second;
    } else {
      for (const Signer& s : signers_) {
        if (s.identity->Serialize() == key) {
          duplicate = true;
          break;
        }
      }
    }
    if (duplicate) {
      ++duplicates;
      continue;
    }
    signers_.push_back(Signer{std::move(*identity), &sd, State::kUnchecked});
  }
  if (undeserializable > 0) {
    FLOG_WARN(Log(), "skipped %d invalid identities in signature set, first: %s", undeserializable,
              first_error.message());
  }
  if (duplicates > 0) {
    FLOG_WARN(Log(), "de-duplicated %d repeated identities in signature set", duplicates);
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
    Status verified = s.identity->Verify(s.signed_data->data, s.signed_data->signature);
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
