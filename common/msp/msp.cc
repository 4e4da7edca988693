// SPDX-License-Identifier: Apache-2.0
#include "common/msp/msp.h"

#include <absl/strings/str_format.h>

#include "common/msp/msp_state.h"
#include "common/msp/principal.h"
#include "common/msp/x509_identity.h"
#include "fabric/base/status_macros.h"

namespace fabric::msp {

using internal::X509Identity;

StatusOr<std::unique_ptr<Msp>> Msp::Create(const ::msp::MSPConfig& config) {
  return Create(config, Options());
}

StatusOr<std::unique_ptr<Msp>> Msp::Create(const ::msp::MSPConfig& config, Options options) {
  if (config.type() == kMspTypeIdemix) {
    return UnimplementedError("idemix msp is not supported");
  }
  if (config.type() != kMspTypeFabric) {
    return UnimplementedError(absl::StrFormat("unknown msp type %d", config.type()));
  }
  ::msp::FabricMSPConfig conf;
  if (!conf.ParseFromString(config.config())) {
    return InvalidArgumentError("failed unmarshalling fabric msp config");
  }
  if (!options.clock) {
    options.clock = [] { return std::chrono::system_clock::now(); };
  }
  ASSIGN_OR_RETURN(
      internal::SetupResult setup,
      internal::SetupMsp(conf, std::move(options.clock), options.check_expiry, options.version));
  return std::unique_ptr<Msp>(
      new Msp(std::move(setup.state), options.identity_cache_size, std::move(setup.signer)));
}

Msp::Msp(std::shared_ptr<const internal::MspState> state, size_t cache_size,
         std::shared_ptr<const SigningIdentity> signer)
    : state_(std::move(state)),
      cache_(std::make_unique<internal::IdentityCache>(cache_size)),
      signer_(std::move(signer)) {}

Msp::~Msp() = default;

const std::string& Msp::MspId() const { return state_->name; }

StatusOr<std::shared_ptr<const Identity>> Msp::DeserializeIdentity(
    std::string_view serialized) const {
  if (std::shared_ptr<const X509Identity> cached = cache_->Get(serialized)) {
    return std::shared_ptr<const Identity>(std::move(cached));
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const X509Identity> identity,
                   X509Identity::Parse(state_, serialized));
  cache_->Put(identity);
  return std::shared_ptr<const Identity>(std::move(identity));
}

namespace {

// `identity` as one of this MSP's X509Identity objects (re-deserialized when it was made by
// another MSP object or another implementation).
StatusOr<std::shared_ptr<const X509Identity>> Own(const Msp& msp, const internal::MspState* state,
                                                  const Identity& identity) {
  if (identity.MspId() != msp.MspId()) {
    return PermissionDeniedError(
        absl::StrFormat("the identity is a member of a different msp "
                        "(expected %s, got %s)",
                        msp.MspId(), identity.MspId()));
  }
  const auto* x509 = dynamic_cast<const X509Identity*>(&identity);
  if (x509 != nullptr && &x509->state() == state) {
    return std::shared_ptr<const X509Identity>(std::shared_ptr<const X509Identity>(), x509);
  }
  StatusOr<std::shared_ptr<const Identity>> own = msp.DeserializeIdentity(identity.Serialize());
  if (!own.ok()) {
    return PermissionDeniedError(own.status().message());
  }
  return std::static_pointer_cast<const X509Identity>(*std::move(own));
}

}  // namespace

Status Msp::Validate(const Identity& identity) const {
  ASSIGN_OR_RETURN(std::shared_ptr<const X509Identity> own, Own(*this, state_.get(), identity));
  return own->Validate();
}

Status Msp::SatisfiesPrincipal(const Identity& identity,
                               const common::MSPPrincipal& principal) const {
  ASSIGN_OR_RETURN(std::shared_ptr<const X509Identity> own, Own(*this, state_.get(), identity));
  return internal::CheckPrincipal(*own, principal);
}

StatusOr<std::shared_ptr<const SigningIdentity>> Msp::GetDefaultSigningIdentity() const {
  if (signer_ == nullptr) {
    return NotFoundError(
        absl::StrFormat("msp %s does not possess a default signing identity", state_->name));
  }
  return signer_;
}

bool Msp::NodeOUsEnabled() const { return state_->node_ous; }

const std::vector<std::string>& Msp::TlsRootCerts() const { return state_->tls_roots; }

const std::vector<std::string>& Msp::TlsIntermediateCerts() const {
  return state_->tls_intermediates;
}

uint64_t Msp::ChainVerificationsForTesting() const {
  return state_->chain_verifications.load(std::memory_order_relaxed);
}

}  // namespace fabric::msp
