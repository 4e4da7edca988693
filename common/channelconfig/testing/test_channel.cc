// SPDX-License-Identifier: Apache-2.0
#include "common/channelconfig/testing/test_channel.h"

#include <utility>

#include "common/channelconfig/configtx.h"
#include "common/channelconfig/keys.h"
#include "common/channelconfig/values.h"
#include "common/configuration.pb.h"
#include "common/msp/config_builder.h"
#include "common/msp/x509_signing_identity.h"
#include "common/policies/builder.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "orderer/configuration.pb.h"
#include "peer/configuration.pb.h"

namespace fabric::channelconfig::testing {
namespace {

constexpr std::string_view kAdmins = "Admins";

void SetStandardImplicitPolicies(common::ConfigGroup& group) {
  SetImplicitMetaPolicy(group, "Readers", common::ImplicitMetaPolicy::ANY, "Readers", kAdmins);
  SetImplicitMetaPolicy(group, "Writers", common::ImplicitMetaPolicy::ANY, "Writers", kAdmins);
  SetImplicitMetaPolicy(group, "Admins", common::ImplicitMetaPolicy::MAJORITY, "Admins", kAdmins);
}

void FillOrderer(const TestOrgs& orgs, common::ConfigGroup& orderer) {
  orderer.set_mod_policy(std::string(kAdmins));
  SetStandardImplicitPolicies(orderer);
  SetImplicitMetaPolicy(orderer, "BlockValidation", common::ImplicitMetaPolicy::ANY, "Writers",
                        kAdmins);
  ::orderer::ConsensusType consensus;
  consensus.set_type("solo");
  SetValue(orderer, kConsensusTypeKey, consensus, kAdmins);
  ::orderer::BatchSize size;
  size.set_max_message_count(10);
  size.set_absolute_max_bytes(99 * 1024 * 1024);
  size.set_preferred_max_bytes(512 * 1024);
  SetValue(orderer, kBatchSizeKey, size, kAdmins);
  ::orderer::BatchTimeout timeout;
  timeout.set_timeout("2s");
  SetValue(orderer, kBatchTimeoutKey, timeout, kAdmins);
  SetCapabilities(orderer, {"V1_4_2"}, kAdmins);
  (*orderer.mutable_groups())["OrdererOrg"] = OrgGroup(orgs.orderer);
}

void FillApplication(const TestOrgs& orgs, common::ConfigGroup& application) {
  application.set_mod_policy(std::string(kAdmins));
  SetStandardImplicitPolicies(application);
  SetCapabilities(application, {"V1_4_2"}, kAdmins);
  common::ConfigGroup& org1 = (*application.mutable_groups())["Org1"] = OrgGroup(orgs.org1);
  (*application.mutable_groups())["Org2"] = OrgGroup(orgs.org2);
  ::protos::AnchorPeers anchors;
  ::protos::AnchorPeer* anchor = anchors.add_anchor_peers();
  anchor->set_host("peer0.org1.example.com");
  anchor->set_port(7051);
  SetValue(org1, kAnchorPeersKey, anchors, kAdmins);
}

// An element with its version cleared, serialized deterministically: two elements are the same
// for an update when these bytes are equal.
template <typename Element>
std::string ContentBytes(Element element) {
  element.set_version(0);
  return protoutil::Marshal(element);
}

// Diffs the values (or policies) of one group. `same` gets the unchanged ones, read at their
// version; `write` the changed ones at version + 1 and the new ones at version 0. Returns true
// when a member was added or removed.
template <typename Map>
bool DiffElements(const Map& original, const Map& updated, Map* same, Map* write) {
  bool members_changed = false;
  for (const auto& [name, element] : original) {
    auto it = updated.find(name);
    if (it == updated.end()) {
      members_changed = true;
    } else if (ContentBytes(element) == ContentBytes(it->second)) {
      (*same)[name].set_version(element.version());
    } else {
      (*write)[name] = it->second;
      (*write)[name].set_version(element.version() + 1);
    }
  }
  for (const auto& [name, element] : updated) {
    if (original.find(name) == original.end()) {
      members_changed = true;
      (*write)[name] = element;
      (*write)[name].set_version(0);
    }
  }
  return members_changed;
}

void ZeroVersions(common::ConfigGroup& group) {
  group.set_version(0);
  for (auto& [unused, value] : *group.mutable_values()) {
    value.set_version(0);
  }
  for (auto& [unused, policy] : *group.mutable_policies()) {
    policy.set_version(0);
  }
  for (auto& [unused, child] : *group.mutable_groups()) {
    ZeroVersions(child);
  }
}

struct GroupDiff {
  common::ConfigGroup read;
  common::ConfigGroup write;
  bool changed = false;
};

GroupDiff DiffGroup(const common::ConfigGroup& original, const common::ConfigGroup& updated);

// The child groups' part of DiffGroup; returns true when a child was added or removed.
bool DiffChildGroups(const common::ConfigGroup& original, const common::ConfigGroup& updated,
                     GroupDiff* out, common::ConfigGroup* same) {
  bool members_changed = false;
  for (const auto& [name, child] : original.groups()) {
    auto it = updated.groups().find(name);
    if (it == updated.groups().end()) {
      members_changed = true;
      continue;
    }
    GroupDiff diff = DiffGroup(child, it->second);
    if (!diff.changed) {
      (*same->mutable_groups())[name] = std::move(diff.read);
      continue;
    }
    (*out->read.mutable_groups())[name] = std::move(diff.read);
    (*out->write.mutable_groups())[name] = std::move(diff.write);
  }
  for (const auto& [name, child] : updated.groups()) {
    if (original.groups().find(name) == original.groups().end()) {
      members_changed = true;
      common::ConfigGroup& added = (*out->write.mutable_groups())[name] = child;
      ZeroVersions(added);
    }
  }
  return members_changed;
}

GroupDiff DiffGroup(const common::ConfigGroup& original, const common::ConfigGroup& updated) {
  GroupDiff out;
  common::ConfigGroup same;
  bool members_changed = DiffElements(original.values(), updated.values(), same.mutable_values(),
                                      out.write.mutable_values());
  members_changed |= DiffElements(original.policies(), updated.policies(), same.mutable_policies(),
                                  out.write.mutable_policies());
  members_changed |= DiffChildGroups(original, updated, &out, &same);
  out.read.set_version(original.version());
  out.write.set_version(original.version());
  if (!members_changed && original.mod_policy() == updated.mod_policy()) {
    // Only children changed (or nothing): this group stays at its version, unlisted members
    // are left alone.
    out.changed = out.write.values_size() + out.write.policies_size() + out.write.groups_size() > 0;
    return out;
  }
  // The group itself changes: it is written at version + 1 and names every member.
  out.read.MergeFrom(same);
  out.write.MergeFrom(same);
  out.write.set_version(original.version() + 1);
  out.write.set_mod_policy(updated.mod_policy());
  out.changed = true;
  return out;
}

}  // namespace

StatusOr<std::unique_ptr<TestOrgs>> TestOrgs::Create(const std::string& dir) {
  ASSIGN_OR_RETURN(msp::testing::TestOrg orderer,
                   msp::testing::MakeTestOrg(dir + "/orderer", "OrdererMSP", "example.com"));
  ASSIGN_OR_RETURN(msp::testing::TestOrg org1,
                   msp::testing::MakeTestOrg(dir + "/org1", "Org1MSP", "org1.example.com"));
  ASSIGN_OR_RETURN(msp::testing::TestOrg org2,
                   msp::testing::MakeTestOrg(dir + "/org2", "Org2MSP", "org2.example.com"));
  auto orgs = std::make_unique<TestOrgs>(std::move(orderer), std::move(org1), std::move(org2));
  ASSIGN_OR_RETURN(orgs->orderer_admin,
                   msp::LoadSigningIdentity(orgs->orderer.admin.msp_dir, "OrdererMSP"));
  ASSIGN_OR_RETURN(orgs->orderer_node,
                   msp::LoadSigningIdentity(orgs->orderer.orderer.msp_dir, "OrdererMSP"));
  ASSIGN_OR_RETURN(orgs->org1_admin, msp::LoadSigningIdentity(orgs->org1.admin.msp_dir, "Org1MSP"));
  ASSIGN_OR_RETURN(orgs->org1_client,
                   msp::LoadSigningIdentity(orgs->org1.client.msp_dir, "Org1MSP"));
  ASSIGN_OR_RETURN(orgs->org2_admin, msp::LoadSigningIdentity(orgs->org2.admin.msp_dir, "Org2MSP"));
  return orgs;
}

common::ConfigGroup OrgGroup(const msp::testing::TestOrg& org) {
  common::ConfigGroup group;
  StatusOr<::msp::MSPConfig> msp_config =
      msp::LoadVerifyingMspConfigFromDir(org.msp_dir, org.msp_id);
  if (msp_config.ok()) {
    SetValue(group, kMSPKey, msp_config.value(), kAdmins);
  }
  SetSignaturePolicy(group, "Readers", policies::SignedByAnyMember({org.msp_id}), kAdmins);
  SetSignaturePolicy(group, "Writers", policies::SignedByAnyMember({org.msp_id}), kAdmins);
  SetSignaturePolicy(group, "Admins", policies::SignedByMspAdmin(org.msp_id), kAdmins);
  group.set_mod_policy(std::string(kAdmins));
  return group;
}

common::Config MakeApplicationConfig(const TestOrgs& orgs) {
  common::Config config;
  common::ConfigGroup& channel = *config.mutable_channel_group();
  SetStandardImplicitPolicies(channel);
  SetDefaultHashing(channel, kAdmins);
  common::OrdererAddresses addresses;
  addresses.add_addresses("127.0.0.1:7050");
  SetValue(channel, kOrdererAddressesKey, addresses, kOrdererAdminsPolicyPath);
  SetCapabilities(channel, {"V1_4_3"}, kAdmins);
  channel.set_mod_policy(std::string(kAdmins));
  FillOrderer(orgs, (*channel.mutable_groups())["Orderer"]);
  FillApplication(orgs, (*channel.mutable_groups())["Application"]);
  return config;
}

StatusOr<common::ConfigUpdate> ComputeUpdate(std::string_view channel_id,
                                             const common::Config& original,
                                             const common::Config& updated) {
  GroupDiff diff = DiffGroup(original.channel_group(), updated.channel_group());
  if (!diff.changed) {
    return InvalidArgumentError("no differences detected between original and updated config");
  }
  common::ConfigUpdate update;
  update.set_channel_id(std::string(channel_id));
  *update.mutable_read_set() = std::move(diff.read);
  *update.mutable_write_set() = std::move(diff.write);
  return update;
}

StatusOr<common::Envelope> MakeConfigUpdateEnvelope(
    std::string_view channel_id, const common::ConfigUpdate& update,
    const std::vector<const msp::SigningIdentity*>& signers) {
  common::ConfigUpdateEnvelope envelope;
  envelope.set_config_update(protoutil::Marshal(update));
  for (const msp::SigningIdentity* signer : signers) {
    RETURN_IF_ERROR(AddConfigSignature(*signer, &envelope));
  }
  return protoutil::CreateSignedEnvelope(common::CONFIG_UPDATE, channel_id, *signers.at(0),
                                         envelope);
}

void SetBatchTimeout(common::Config& config, const std::string& timeout) {
  ::orderer::BatchTimeout value;
  value.set_timeout(timeout);
  SetValue(GroupAt(config, {"Orderer"}), kBatchTimeoutKey, value, kAdmins);
}

common::ConfigGroup& GroupAt(common::Config& config, const std::vector<std::string>& path) {
  common::ConfigGroup* group = config.mutable_channel_group();
  for (const std::string& name : path) {
    group = &(*group->mutable_groups())[name];
  }
  return *group;
}

}  // namespace fabric::channelconfig::testing
