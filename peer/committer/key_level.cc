// SPDX-License-Identifier: Apache-2.0

#include "peer/committer/key_level.h"

#include <absl/strings/str_format.h>

#include "fabric/base/status_macros.h"
#include "peer/transaction.pb.h"

namespace fabric::committer {
namespace {

const std::string kPublic;  // the collection of public state

// Fabric's policyChecker: the chaincode policy is evaluated at most once per namespace, and at
// least once unless some key-level policy was checked.
class PolicyChecker {
 public:
  PolicyChecker(const std::string& ns, const std::string& cc_policy,
                const std::vector<protoutil::SignedData>& endorsements, PolicyCache& policies,
                ValidationParameterSource& params)
      : ns_(ns),
        cc_policy_(cc_policy),
        endorsements_(endorsements),
        policies_(policies),
        params_(params) {}

  // A write (or metadata write) of `key` in collection `coll` ("" for public state).
  Status CheckKey(const std::string& coll, const std::string& key) {
    StatusOr<std::string> parameter = params_.Get(ns_, coll, key);
    if (!parameter.ok()) {
      if (parameter.status().code() == StatusCode::kAborted) {
        return PermissionDeniedError(parameter.status().message());
      }
      return parameter.status();
    }
    if (parameter->empty()) {
      return cc_policy_checked_ ? Status::OK() : CheckChaincodePolicy();
    }
    Status s = Evaluate(*parameter);
    if (!s.ok()) {
      return PermissionDeniedError(absl::StrFormat(
          "validation of key %s (coll'%s':ns'%s') failed: %s", key, coll, ns_, s.message()));
    }
    some_policy_checked_ = true;
    return Status::OK();
  }

  Status CheckChaincodePolicyIfNoneChecked() {
    return some_policy_checked_ ? Status::OK() : CheckChaincodePolicy();
  }

 private:
  Status CheckChaincodePolicy() {
    Status s = Evaluate(cc_policy_);
    if (!s.ok()) {
      return PermissionDeniedError(absl::StrFormat(
          "validation of endorsement policy for chaincode %s failed: %s", ns_, s.message()));
    }
    cc_policy_checked_ = true;
    some_policy_checked_ = true;
    return Status::OK();
  }

  // A policy that does not compile fails like one that is not satisfied, as in Fabric.
  Status Evaluate(const std::string& policy_bytes) {
    auto policy = policies_.Get(policy_bytes);
    if (!policy.ok()) {
      return policy.status();
    }
    return (*policy)->Evaluate(endorsements_);
  }

  const std::string& ns_;
  const std::string& cc_policy_;
  const std::vector<protoutil::SignedData>& endorsements_;
  PolicyCache& policies_;
  ValidationParameterSource& params_;
  bool cc_policy_checked_ = false;
  bool some_policy_checked_ = false;
};

}  // namespace

uint64_t KeyFingerprint(std::string_view ns, std::string_view coll, std::string_view key) {
  const std::hash<std::string_view> h;
  return h(ns) ^ (h(coll) * 0x9e3779b97f4a7c15ULL) ^ (h(key) * 0xc2b2ae3d27d4eb4fULL);
}

StatusOr<std::string> CommittedValidationParameter(ledger::QueryExecutor& qe, const std::string& ns,
                                                   const std::string& coll,
                                                   const std::string& key) {
  if (!coll.empty()) {
    return std::string();
  }
  ASSIGN_OR_RETURN(ledger::Metadata metadata, qe.GetStateMetadata(ns, key));
  auto it = metadata.find(protos::MetaDataKeys_Name(protos::VALIDATION_PARAMETER));
  return it == metadata.end() ? std::string() : std::move(it->second);
}

Status CheckKeyLevelEndorsement(const std::string& ns, const ledger::NsRwSet* ns_rwset,
                                const std::string& cc_policy,
                                const std::vector<protoutil::SignedData>& endorsements,
                                PolicyCache& policies, ValidationParameterSource& params) {
  PolicyChecker checker(ns, cc_policy, endorsements, policies, params);
  if (ns_rwset != nullptr) {
    for (const auto& write : ns_rwset->kv.writes()) {
      RETURN_IF_ERROR(checker.CheckKey(kPublic, write.key()));
    }
    for (const auto& write : ns_rwset->kv.metadata_writes()) {
      RETURN_IF_ERROR(checker.CheckKey(kPublic, write.key()));
    }
    for (const ledger::CollHashedRwSet& coll : ns_rwset->collections) {
      for (const auto& write : coll.hashed.hashed_writes()) {
        RETURN_IF_ERROR(checker.CheckKey(coll.collection, write.key_hash()));
      }
    }
    for (const ledger::CollHashedRwSet& coll : ns_rwset->collections) {
      for (const auto& write : coll.hashed.metadata_writes()) {
        RETURN_IF_ERROR(checker.CheckKey(coll.collection, write.key_hash()));
      }
    }
  }
  return checker.CheckChaincodePolicyIfNoneChecked();
}

std::vector<KeyRef> MetadataWrites(const std::vector<ledger::NsRwSet>& rwset) {
  std::vector<KeyRef> out;
  for (const ledger::NsRwSet& ns : rwset) {
    for (const auto& write : ns.kv.metadata_writes()) {
      out.push_back(KeyRef{ns.ns, "", write.key()});
    }
    for (const ledger::CollHashedRwSet& coll : ns.collections) {
      for (const auto& write : coll.hashed.metadata_writes()) {
        out.push_back(KeyRef{ns.ns, coll.collection, write.key_hash()});
      }
    }
  }
  return out;
}

}  // namespace fabric::committer
