// SPDX-License-Identifier: Apache-2.0
//
// PolicyManager: the compiled policies of a config group tree, one manager per group, Fabric's
// policies.ManagerImpl (common/policies/policy.go).
//
// A channel's root group is managed under the name "Channel"; its child group "Application"
// under "Channel/Application", an org under "Channel/Application/Org1MSP". Policy names are
// either absolute ("/Channel/Application/Writers", which must lie under this manager's path) or
// relative to this manager ("Writers", "Application/Writers", "Application/Org1MSP/Admins").
//
// Building (Create) compiles every group's `policies` map: type SIGNATURE (1) as a
// SignaturePolicy, IMPLICIT_META (3) as an ImplicitMetaPolicy over the same-named policies of
// the group's child managers (children are built first). Any other type is an error, as in
// Fabric (which registers no provider for UNKNOWN or MSP).
//
// Typical use, on every proposal:
//   ASSIGN_OR_RETURN(const Policy* writers, manager.GetPolicy("/Channel/Application/Writers"));
//   RETURN_IF_ERROR(writers->Evaluate(signed_data));
//
// Thread-safety: immutable after Create; all methods may be called concurrently. Policies
// returned by GetPolicy live as long as the manager tree. The deserializer passed to Create
// must outlive the tree.

#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/configtx.pb.h"
#include "common/msp/identity.h"
#include "common/policies/policy.h"
#include "fabric/base/status.h"

namespace fabric::policies {

// Fabric's well-known policy paths.
inline constexpr std::string_view kChannelReaders = "/Channel/Readers";
inline constexpr std::string_view kChannelWriters = "/Channel/Writers";
inline constexpr std::string_view kChannelApplicationReaders = "/Channel/Application/Readers";
inline constexpr std::string_view kChannelApplicationWriters = "/Channel/Application/Writers";
inline constexpr std::string_view kChannelApplicationAdmins = "/Channel/Application/Admins";
inline constexpr std::string_view kBlockValidation = "/Channel/Orderer/BlockValidation";

class PolicyManager {
 public:
  // Builds the manager tree for `root`, whose own path is `name` (normally "Channel").
  // Returns InvalidArgument naming the policy and path when a policy is missing its body, has
  // an unsupported type, or does not unmarshal / compile.
  static StatusOr<std::unique_ptr<PolicyManager>> Create(
      std::string_view name, const common::ConfigGroup& root,
      const msp::IdentityDeserializer& deserializer);

  PolicyManager(const PolicyManager&) = delete;
  PolicyManager& operator=(const PolicyManager&) = delete;

  // This manager's path without a leading slash, e.g. "Channel/Application".
  const std::string& path() const { return path_; }

  // The policy named `id` (absolute or relative, see above). Returns NotFound naming the
  // absolute path when there is no such policy (or an absolute id lies outside this manager),
  // InvalidArgument for an empty id. The pointer stays valid as long as the manager.
  StatusOr<const Policy*> GetPolicy(std::string_view id) const;

  // The manager of the descendant group at `path` relative to this one (empty path: this
  // manager), or nullptr if there is none.
  const PolicyManager* Manager(const std::vector<std::string>& path) const;

  // Names of this group's own policies and child groups, sorted.
  std::vector<std::string> PolicyNames() const;
  std::vector<std::string> ChildNames() const;

 private:
  explicit PolicyManager(std::string path) : path_(std::move(path)) {}

  static StatusOr<std::unique_ptr<PolicyManager>> Build(
      std::string path, const common::ConfigGroup& group,
      const msp::IdentityDeserializer& deserializer, int depth);
  Status CompilePolicy(const std::string& name, const common::ConfigPolicy& config,
                       const msp::IdentityDeserializer& deserializer);
  StatusOr<const Policy*> FindRelative(std::string_view relpath) const;

  const std::string path_;
  // Built by Create, then immutable.
  std::map<std::string, std::unique_ptr<PolicyManager>, std::less<>> children_;
  std::map<std::string, std::unique_ptr<Policy>, std::less<>> policies_;
};

}  // namespace fabric::policies
