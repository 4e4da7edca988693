// SPDX-License-Identifier: Apache-2.0
//
// Test doubles for the MSP interfaces (common/msp/identity.h), for fabric_policies_test only.
//
// FakeDeserializer knows a set of identities registered by (msp id, name). Their serialized
// form is a real msp.SerializedIdentity{mspid, id_bytes = name}. A fake signature over `data`
// is "sig(<name>|<data>)"; anything else fails Verify. Roles: every identity is a member of its
// MSP and additionally holds the roles it was registered with. Counters record how often
// Validate and Verify were called, so tests can check that nothing is verified twice.

#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/msp/identity.h"
#include "common/protoutil/signed_data.h"
#include "msp/identities.pb.h"
#include "msp/msp_principal.pb.h"

namespace fabric::policies::testing {

struct FakeCounters {
  std::atomic<int> validate{0};
  std::atomic<int> verify{0};
  std::atomic<int> satisfies{0};
};

inline std::string FakeSignature(const std::string& name, const std::string& data) {
  return "sig(" + name + "|" + data + ")";
}

class FakeIdentity : public msp::Identity {
 public:
  FakeIdentity(std::string msp_id, std::string name, std::set<int> roles, bool valid,
               FakeCounters* counters)
      : msp_id_(std::move(msp_id)),
        name_(std::move(name)),
        roles_(std::move(roles)),
        valid_(valid),
        counters_(counters) {
    ::msp::SerializedIdentity sid;
    sid.set_mspid(msp_id_);
    sid.set_id_bytes(name_);
    serialized_ = sid.SerializeAsString();
  }

  const std::string& MspId() const override { return msp_id_; }
  const std::string& Serialize() const override { return serialized_; }
  const std::vector<std::string>& OrganizationalUnits() const override { return ous_; }
  std::chrono::system_clock::time_point ExpiresAt() const override {
    return std::chrono::system_clock::time_point::max();
  }

  Status Validate() const override {
    ++counters_->validate;
    return valid_ ? Status::OK() : PermissionDeniedError("identity " + name_ + " is revoked");
  }

  Status Verify(std::string_view message, std::string_view signature) const override {
    ++counters_->verify;
    if (signature == FakeSignature(name_, std::string(message))) {
      return Status::OK();
    }
    return PermissionDeniedError("signature verification failed");
  }

  Status SatisfiesPrincipal(const common::MSPPrincipal& principal) const override {
    ++counters_->satisfies;
    if (principal.principal_classification() == common::MSPPrincipal::IDENTITY) {
      return principal.principal() == serialized_ ? Status::OK()
                                                  : PermissionDeniedError("different identity");
    }
    if (principal.principal_classification() != common::MSPPrincipal::ROLE) {
      return PermissionDeniedError("unsupported principal");
    }
    common::MSPRole role;
    if (!role.ParseFromString(principal.principal())) {
      return InvalidArgumentError("bad role principal");
    }
    if (role.msp_identifier() != msp_id_) {
      return PermissionDeniedError("the identity is a member of a different MSP");
    }
    if (role.role() == common::MSPRole::MEMBER || roles_.count(role.role()) > 0) {
      return Status::OK();
    }
    return PermissionDeniedError("identity does not hold the role");
  }

 private:
  std::string msp_id_;
  std::string name_;
  std::set<int> roles_;
  bool valid_;
  FakeCounters* counters_;
  std::string serialized_;
  std::vector<std::string> ous_;
};

class FakeDeserializer : public msp::IdentityDeserializer {
 public:
  // Registers an identity; returns its serialized form.
  std::string Add(const std::string& msp_id, const std::string& name, std::set<int> roles = {},
                  bool valid = true) {
    auto id = std::make_shared<FakeIdentity>(msp_id, name, std::move(roles), valid, &counters_);
    std::string serialized = id->Serialize();
    identities_[serialized] = std::move(id);
    return serialized;
  }

  StatusOr<std::shared_ptr<const msp::Identity>> DeserializeIdentity(
      std::string_view serialized) const override {
    auto it = identities_.find(std::string(serialized));
    if (it == identities_.end()) {
      ::msp::SerializedIdentity sid;
      if (!sid.ParseFromArray(serialized.data(), static_cast<int>(serialized.size()))) {
        return InvalidArgumentError("could not unmarshal SerializedIdentity");
      }
      return NotFoundError("MSP " + sid.mspid() + " is unknown");
    }
    return std::shared_ptr<const msp::Identity>(it->second);
  }

  // SignedData over `data` by the identity (msp_id, name), with a good signature unless
  // `good_signature` is false.
  static protoutil::SignedData Sign(const std::string& msp_id, const std::string& name,
                                    const std::string& data = "payload",
                                    bool good_signature = true) {
    ::msp::SerializedIdentity sid;
    sid.set_mspid(msp_id);
    sid.set_id_bytes(name);
    return protoutil::SignedData{data, sid.SerializeAsString(),
                                 good_signature ? FakeSignature(name, data) : "bogus"};
  }

  FakeCounters& counters() { return counters_; }

 private:
  std::map<std::string, std::shared_ptr<FakeIdentity>> identities_;
  FakeCounters counters_;
};

}  // namespace fabric::policies::testing
