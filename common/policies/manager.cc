// SPDX-License-Identifier: Apache-2.0
#include "common/policies/manager.h"

#include <utility>

#include <absl/strings/str_format.h>

#include "common/policies/implicit_meta.h"
#include "common/policies/signature_policy.h"
#include "fabric/base/status_macros.h"

namespace fabric::policies {
namespace {

// Config trees are a few levels deep (Channel/Application/Org1MSP); anything much deeper is
// malformed.
constexpr int kMaxGroupDepth = 32;

}  // namespace

StatusOr<std::unique_ptr<PolicyManager>> PolicyManager::Create(
    std::string_view name, const common::ConfigGroup& root,
    const msp::IdentityDeserializer& deserializer) {
  return Build(std::string(name), root, deserializer, 1);
}

StatusOr<std::unique_ptr<PolicyManager>> PolicyManager::Build(
    std::string path, const common::ConfigGroup& group,
    const msp::IdentityDeserializer& deserializer, int depth) {
  if (depth > kMaxGroupDepth) {
    return InvalidArgumentError(
        absl::StrFormat("config group %s nests deeper than %d levels", path, kMaxGroupDepth));
  }
  std::unique_ptr<PolicyManager> manager(new PolicyManager(std::move(path)));
  // protobuf maps are unordered: build in name order so errors are deterministic.
  std::map<std::string_view, const common::ConfigGroup*> groups;
  for (const auto& [child_name, child_group] : group.groups()) {
    groups.emplace(child_name, &child_group);
  }
  for (const auto& [child_name, child_group] : groups) {
    ASSIGN_OR_RETURN(auto child, Build(absl::StrFormat("%s/%s", manager->path_, child_name),
                                       *child_group, deserializer, depth + 1));
    manager->children_.emplace(std::string(child_name), std::move(child));
  }
  std::map<std::string_view, const common::ConfigPolicy*> ordered;
  for (const auto& [name, config] : group.policies()) {
    ordered.emplace(name, &config);
  }
  for (const auto& [name, config] : ordered) {
    RETURN_IF_ERROR(manager->CompilePolicy(std::string(name), *config, deserializer));
  }
  return manager;
}

Status PolicyManager::CompilePolicy(const std::string& name, const common::ConfigPolicy& config,
                                    const msp::IdentityDeserializer& deserializer) {
  if (!config.has_policy()) {
    return InvalidArgumentError(absl::StrFormat("policy %s at path %s was nil", name, path_));
  }
  const common::Policy& policy = config.policy();
  std::unique_ptr<Policy> compiled;
  if (policy.type() == common::Policy::SIGNATURE) {
    auto sig = SignaturePolicy::FromBytes(policy.value(), deserializer);
    if (!sig.ok()) {
      return sig.status().Annotate(
          absl::StrFormat("policy %s at path %s did not compile", name, path_));
    }
    compiled = std::move(*sig);
  } else if (policy.type() == common::Policy::IMPLICIT_META) {
    common::ImplicitMetaPolicy definition;
    if (!definition.ParseFromString(policy.value())) {
      return InvalidArgumentError(
          absl::StrFormat("implicit policy %s at path %s did not compile: error unmarshalling to "
                          "ImplicitMetaPolicy",
                          name, path_));
    }
    std::vector<const Policy*> subs;
    subs.reserve(children_.size());
    for (const auto& [child_name, child] : children_) {
      auto sub = child->GetPolicy(definition.sub_policy());
      subs.push_back(sub.ok() ? *sub : nullptr);
    }
    auto imp = ImplicitMetaPolicy::Create(definition, std::move(subs), deserializer);
    if (!imp.ok()) {
      return imp.status().Annotate(
          absl::StrFormat("implicit policy %s at path %s did not compile", name, path_));
    }
    compiled = std::move(*imp);
  } else {
    return InvalidArgumentError(
        absl::StrFormat("policy %s at path %s has unknown policy type: %d (supported: SIGNATURE=1, "
                        "IMPLICIT_META=3)",
                        name, path_, policy.type()));
  }
  policies_.emplace(name, std::move(compiled));
  return Status::OK();
}

StatusOr<const Policy*> PolicyManager::GetPolicy(std::string_view id) const {
  if (id.empty()) {
    return InvalidArgumentError(absl::StrFormat("empty policy name requested from /%s", path_));
  }
  if (id.front() != '/') {
    return FindRelative(id);
  }
  // Absolute: "/<path_>/<relative>".
  std::string_view rest = id.substr(1);
  if (rest.size() <= path_.size() + 1 || rest.substr(0, path_.size()) != path_ ||
      rest[path_.size()] != '/') {
    return NotFoundError(absl::StrFormat("policy %s not found: it is not under /%s", id, path_));
  }
  return FindRelative(rest.substr(path_.size() + 1));
}

StatusOr<const Policy*> PolicyManager::FindRelative(std::string_view relpath) const {
  const PolicyManager* manager = this;
  std::string_view rest = relpath;
  for (size_t slash = rest.find('/'); slash != std::string_view::npos; slash = rest.find('/')) {
    auto child = manager->children_.find(rest.substr(0, slash));
    if (child == manager->children_.end()) {
      manager = nullptr;
      break;
    }
    manager = child->second.get();
    rest = rest.substr(slash + 1);
  }
  if (manager != nullptr) {
    auto it = manager->policies_.find(rest);
    if (it != manager->policies_.end()) {
      return static_cast<const Policy*>(it->second.get());
    }
  }
  return NotFoundError(absl::StrFormat("policy /%s/%s not found", path_, relpath));
}

const PolicyManager* PolicyManager::Manager(const std::vector<std::string>& path) const {
  const PolicyManager* manager = this;
  for (const std::string& name : path) {
    auto it = manager->children_.find(name);
    if (it == manager->children_.end()) {
      return nullptr;
    }
    manager = it->second.get();
  }
  return manager;
}

std::vector<std::string> PolicyManager::PolicyNames() const {
  std::vector<std::string> names;
  names.reserve(policies_.size());
  for (const auto& [name, policy] : policies_) {
    names.push_back(name);
  }
  return names;
}

std::vector<std::string> PolicyManager::ChildNames() const {
  std::vector<std::string> names;
  names.reserve(children_.size());
  for (const auto& [name, child] : children_) {
    names.push_back(name);
  }
  return names;
}

}  // namespace fabric::policies
