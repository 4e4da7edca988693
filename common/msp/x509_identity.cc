// SPDX-License-Identifier: Apache-2.0
#include "common/msp/x509_identity.h"

#include <absl/strings/str_format.h>

#include "common/msp/principal.h"
#include "fabric/base/status_macros.h"
#include "msp/identities.pb.h"

namespace fabric::msp::internal {

StatusOr<std::shared_ptr<const X509Identity>> X509Identity::Parse(
    std::shared_ptr<const MspState> state, std::string_view serialized) {
  ::msp::SerializedIdentity sid;
  if (serialized.empty() ||
      !sid.ParseFromArray(serialized.data(), static_cast<int>(serialized.size()))) {
    return InvalidArgumentError("could not deserialize a SerializedIdentity");
  }
  if (sid.mspid() != state->name) {
    return NotFoundError(
        absl::StrFormat("expected msp id %s, received %s", state->name, sid.mspid()));
  }
  StatusOr<crypto::Certificate> cert = crypto::Certificate::FromPem(sid.id_bytes());
  if (!cert.ok()) {
    return cert.status().Annotate(
        absl::StrFormat("identity of msp %s: id_bytes is not a PEM certificate", sid.mspid()));
  }
  StatusOr<crypto::PublicKey> key = cert->public_key();
  if (!key.ok()) {
    return InvalidArgumentError(absl::StrFormat("identity [%s] of msp %s: %s", cert->Subject(),
                                                sid.mspid(), key.status().message()));
  }
  return std::shared_ptr<const X509Identity>(new X509Identity(
      std::move(state), std::string(serialized), *std::move(cert), *std::move(key)));
}

X509Identity::X509Identity(std::shared_ptr<const MspState> state, std::string serialized,
                           crypto::Certificate cert, crypto::PublicKey key)
    : state_(std::move(state)),
      serialized_(std::move(serialized)),
      cert_(std::move(cert)),
      key_(std::move(key)),
      ous_(cert_.SubjectName().organizational_units),
      tbs_(TbsBytes(cert_.ToDer())),
      unique_key_(state_->name + '\0' + cert_.ToDer()),
      subject_(cert_.Subject()) {}

StatusOr<ValidationResult> X509Identity::ValidationResultNow() const {
  const TimePoint now = state_->clock();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (memo_.has_value() && now >= memo_->valid_from && now <= memo_->valid_until) {
      return *memo_;
    }
  }
  // Validated outside the lock: two threads may both verify the chain once; both agree.
  ASSIGN_OR_RETURN(ValidationResult result, ValidateCertificate(*state_, cert_, ous_));
  std::lock_guard<std::mutex> lock(mu_);
  memo_ = result;
  return result;
}

Status X509Identity::Validate() const {
  StatusOr<ValidationResult> result = ValidationResultNow();
  return result.ok() ? Status::OK() : result.status();
}

Status X509Identity::Verify(std::string_view message, std::string_view signature) const {
  Status s = key_.Verify(message, signature);
  if (s.ok()) {
    return s;
  }
  std::string_view reason = s.message();
  if (reason.rfind("signature verification failed", 0) == 0) {
    return PermissionDeniedError(
        absl::StrFormat("%s for identity [%s] of msp %s", reason, cert_.Subject(), state_->name));
  }
  return PermissionDeniedError(
      absl::StrFormat("signature verification failed for identity "
                      "[%s] of msp %s: %s",
                      cert_.Subject(), state_->name, reason));
}

Status X509Identity::SatisfiesPrincipal(const common::MSPPrincipal& principal) const {
  return CheckPrincipal(*this, principal);
}

}  // namespace fabric::msp::internal
