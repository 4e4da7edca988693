// SPDX-License-Identifier: Apache-2.0
//
// Test helpers for channel configs and config updates: three organisations on disk with signing
// identities, an application channel config like configtxgen's sample, a config update computed
// from an original and an edited config (what `configtxlator compute_update` produces), and the
// signed CONFIG_UPDATE envelope a client sends.
//
//   ASSERT_OK_AND_ASSIGN(auto orgs, TestOrgs::Create(tmp.path()));
//   common::Config config = MakeApplicationConfig(*orgs);
//   common::Config edited = config;  ... edit ...
//   ASSERT_OK_AND_ASSIGN(auto update, ComputeUpdate("mychannel", config, edited));
//   ASSERT_OK_AND_ASSIGN(auto env, MakeConfigUpdateEnvelope("mychannel", update, {&admin}));
//
// Thread-safety: free functions; a TestOrgs is immutable after Create.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/common.pb.h"
#include "common/configtx.pb.h"
#include "common/msp/signing_identity.h"
#include "common/msp/testing/test_org.h"
#include "fabric/base/status.h"

namespace fabric::channelconfig::testing {

// OrdererOrg (OrdererMSP, example.com), Org1 (Org1MSP) and Org2 (Org2MSP), with NodeOUs.
struct TestOrgs {
  // Writes the organisations under `dir`, which must outlive the TestOrgs.
  static StatusOr<std::unique_ptr<TestOrgs>> Create(const std::string& dir);
  TestOrgs(msp::testing::TestOrg orderer_org, msp::testing::TestOrg org1_org,
           msp::testing::TestOrg org2_org)
      : orderer(std::move(orderer_org)), org1(std::move(org1_org)), org2(std::move(org2_org)) {}

  const msp::testing::TestOrg orderer, org1, org2;
  std::unique_ptr<msp::SigningIdentity> orderer_admin, orderer_node, org1_admin, org1_client,
      org2_admin;
};

// An org group: its verifying MSP as value MSP, Readers/Writers = any member, Admins = an admin
// of the MSP, everything modifiable by Admins.
common::ConfigGroup OrgGroup(const msp::testing::TestOrg& org);

// An application channel config: capabilities Channel V1_4_3, Orderer V1_4_2, Application
// V1_4_2; solo; BatchSize 10 / 99 MiB / 512 KiB; BatchTimeout 2s; OrdererAddresses
// 127.0.0.1:7050; orderer org OrdererOrg; application orgs Org1 (anchor peer
// peer0.org1.example.com:7051) and Org2; implicit-meta Readers/Writers (ANY) and Admins
// (MAJORITY) in the channel, Orderer and Application groups; every mod_policy Admins except
// OrdererAddresses (/Channel/Orderer/Admins). Every version is 0.
common::Config MakeApplicationConfig(const TestOrgs& orgs);

// The ConfigUpdate that turns `original` into `updated`: unchanged elements are read at their
// version, changed ones written at version + 1, new ones at version 0; a group whose members or
// mod_policy change is written at version + 1 with all its members. InvalidArgument when the
// two configs are equal.
StatusOr<common::ConfigUpdate> ComputeUpdate(std::string_view channel_id,
                                             const common::Config& original,
                                             const common::Config& updated);

// A CONFIG_UPDATE envelope carrying `update`, with one ConfigSignature per signer; the envelope
// itself is signed by signers[0] (which must exist).
StatusOr<common::Envelope> MakeConfigUpdateEnvelope(
    std::string_view channel_id, const common::ConfigUpdate& update,
    const std::vector<const msp::SigningIdentity*>& signers);

// Sets /Channel/Orderer/BatchTimeout to `timeout` (e.g. "3s"), modifiable by Admins.
void SetBatchTimeout(common::Config& config, const std::string& timeout);

// The group at `path` below the channel group (e.g. {"Application", "Org1"}), created if absent.
common::ConfigGroup& GroupAt(common::Config& config, const std::vector<std::string>& path);

}  // namespace fabric::channelconfig::testing
