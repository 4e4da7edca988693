// SPDX-License-Identifier: Apache-2.0
//
// Config updates of an existing channel through ProcessConfigUpdate, with the verdicts Fabric
// 1.4.12's StandardChannel processor gives for the same updates (the cc_* cases of the recorded
// comparison): ValidateNew, the capability check and the maintenance-mode rules.
#include "orderer/msgprocessor.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/channelconfig/bundle.h"
#include "common/channelconfig/keys.h"
#include "common/channelconfig/testing/test_channel.h"
#include "common/channelconfig/values.h"
#include "common/msp/testing/status_testing.h"
#include "common/msp/x509_signing_identity.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "msp/identities.pb.h"
#include "msp/msp_config.pb.h"
#include "orderer/configuration.pb.h"
#include "orderer/deliver.h"

namespace fabric::orderer {
namespace {

namespace cc = channelconfig;
using cc::testing::GroupAt;

constexpr char kChannel[] = "mychannel";

class ConfigUpdateTest : public ::testing::Test {
 protected:
  // An update clearing Org1's anchor peers, signed by `signer` (envelope and ConfigSignature).
  StatusOr<common::Envelope> AnchorPeerUpdate(const msp::SigningIdentity& signer) {
    common::Config edited = config_;
    (*GroupAt(edited, {"Application", "Org1"}).mutable_values())["AnchorPeers"].set_value("");
    ASSIGN_OR_RETURN(common::ConfigUpdate update,
                     cc::testing::ComputeUpdate(kChannel, config_, edited));
    return cc::testing::MakeConfigUpdateEnvelope(kChannel, update, {&signer});
  }

  static void SetUpTestSuite() {
    tmp_ = new msp::testing::TempDir();
    StatusOr<std::unique_ptr<cc::testing::TestOrgs>> orgs =
        cc::testing::TestOrgs::Create(tmp_->path());
    ASSERT_TRUE(orgs.ok()) << orgs.status();
    orgs_ = orgs->release();
  }
  static void TearDownTestSuite() {
    delete orgs_;
    delete tmp_;
  }

  void SetUp() override { UseConfig(cc::testing::MakeApplicationConfig(*orgs_)); }

  // Makes `config` the channel's current config.
  void UseConfig(common::Config config) {
    config_ = std::move(config);
    StatusOr<std::shared_ptr<const cc::Bundle>> bundle = cc::Bundle::FromConfig(kChannel, config_);
    ASSERT_TRUE(bundle.ok()) << bundle.status();
    bundle_ = *bundle;
  }

  // Applies `edit` to the current config as an update signed by every org's admin, and on
  // success makes the result the current config.
  Status Apply(const std::function<void(common::Config&)>& edit) {
    common::Config edited = config_;
    edit(edited);
    ASSIGN_OR_RETURN(common::ConfigUpdate update,
                     cc::testing::ComputeUpdate(kChannel, config_, edited));
    ASSIGN_OR_RETURN(
        common::Envelope envelope,
        cc::testing::MakeConfigUpdateEnvelope(
            kChannel, update,
            {orgs_->orderer_admin.get(), orgs_->org1_admin.get(), orgs_->org2_admin.get()}));
    ASSIGN_OR_RETURN(common::Envelope config,
                     ProcessConfigUpdate(*bundle_, envelope, *orgs_->orderer_node));
    ASSIGN_OR_RETURN(auto payload,
                     protoutil::Unmarshal<common::Payload>(config.payload(), "payload"));
    ASSIGN_OR_RETURN(auto result,
                     protoutil::Unmarshal<common::ConfigEnvelope>(payload.data(), "config"));
    UseConfig(result.config());
    return Status::OK();
  }

  static void ExpectRefused(const Status& status, std::string_view message) {
    ASSERT_FALSE(status.ok());
    EXPECT_TRUE(status.IsInvalidArgument()) << status;
    EXPECT_NE(status.message().find(message), std::string_view::npos) << status;
  }

  static void SetConsensus(common::Config& c, const std::string& type,
                           ::orderer::ConsensusType::State state) {
    ::orderer::ConsensusType consensus;
    consensus.set_type(type);
    consensus.set_state(state);
    cc::SetValue(GroupAt(c, {"Orderer"}), cc::kConsensusTypeKey, consensus, "Admins");
  }

  static void SetCapabilities(common::Config& c, const std::vector<std::string>& path,
                              const std::vector<std::string>& names) {
    cc::SetCapabilities(GroupAt(c, path), names, "Admins");
  }

  // Edits the FabricMSPConfig of the org group at `path`.
  static void EditMsp(common::Config& c, const std::vector<std::string>& path,
                      const std::function<void(::msp::FabricMSPConfig&)>& edit) {
    common::ConfigValue& value = (*GroupAt(c, path).mutable_values())["MSP"];
    ::msp::MSPConfig config;
    ASSERT_TRUE(config.ParseFromString(value.value()));
    ::msp::FabricMSPConfig fabric;
    ASSERT_TRUE(fabric.ParseFromString(config.config()));
    edit(fabric);
    config.set_config(fabric.SerializeAsString());
    value.set_value(config.SerializeAsString());
  }

  // Gives the org group at `path` an MSP whose ID is `msp_id` (same certificates).
  static void RenameMsp(common::Config& c, const std::vector<std::string>& path,
                        const std::string& msp_id) {
    EditMsp(c, path, [&](::msp::FabricMSPConfig& f) { f.set_name(msp_id); });
  }

  // MSPs as channels before capability V1_4_3 use them: no NodeOUs (the test orgs' admin and
  // orderer OUs are unknown to MSP 1.3, which would make those identities invalid), admins
  // listed as admin certificates.
  static void UsePre143Msps(common::Config& c) {
    const std::vector<std::pair<std::vector<std::string>, const msp::SigningIdentity*>> orgs = {
        {{"Orderer", "OrdererOrg"}, orgs_->orderer_admin.get()},
        {{"Application", "Org1"}, orgs_->org1_admin.get()},
        {{"Application", "Org2"}, orgs_->org2_admin.get()}};
    for (const auto& [path, admin] : orgs) {
      ::msp::SerializedIdentity id;
      ASSERT_TRUE(id.ParseFromString(admin->Serialize()));
      EditMsp(c, path, [&](::msp::FabricMSPConfig& f) {
        f.clear_fabric_node_ous();
        f.add_admins(id.id_bytes());
      });
    }
  }

  static msp::testing::TempDir* tmp_;
  static cc::testing::TestOrgs* orgs_;
  common::Config config_;
  std::shared_ptr<const cc::Bundle> bundle_;
};

msp::testing::TempDir* ConfigUpdateTest::tmp_ = nullptr;
cc::testing::TestOrgs* ConfigUpdateTest::orgs_ = nullptr;

TEST_F(ConfigUpdateTest, AdminsChangeTheBatchTimeout) {
  EXPECT_OK(Apply([](common::Config& c) { cc::testing::SetBatchTimeout(c, "3s"); }));
  EXPECT_EQ(bundle_->batch_timeout(), std::chrono::seconds(3));
}

// Fabric's Bundle.ValidateNew (cases cc_app_mspid_rename, cc_orderer_mspid_rename,
// cc_remove_application, cc_add_consortiums).
TEST_F(ConfigUpdateTest, OrgsKeepTheirMspIds) {
  ExpectRefused(Apply([](common::Config& c) {
                  RenameMsp(c, {"Application", "Org1"}, "OtherMSP");
                }),
                "error applying config update to existing channel 'mychannel': application org "
                "Org1 attempted to change MSP ID from Org1MSP to OtherMSP");
  ExpectRefused(Apply([](common::Config& c) {
                  RenameMsp(c, {"Orderer", "OrdererOrg"}, "OtherMSP");
                }),
                "orderer org OrdererOrg attempted to change MSP ID from OrdererMSP to OtherMSP");
  // A new group name with the same MSP is a different org: allowed.
  EXPECT_OK(Apply([](common::Config& c) {
    common::ConfigGroup& app = GroupAt(c, {"Application"});
    (*app.mutable_groups())["Org2B"] = app.groups().at("Org2");
    app.mutable_groups()->erase("Org2");
  }));
}

TEST_F(ConfigUpdateTest, ApplicationCannotBeRemovedNorConsortiumsAdded) {
  ExpectRefused(Apply([](common::Config& c) {
                  c.mutable_channel_group()->mutable_groups()->erase("Application");
                }),
                "current config has application section, but new config does not");
  ExpectRefused(Apply([](common::Config& c) {
                  GroupAt(c, {"Consortiums"}).set_mod_policy("/Channel/Orderer/Admins");
                }),
                "current config has no consortiums section, but new config does");
}

// Before channel capability V1_4_2 the consensus type is fixed (cc_consensus_solo_to_kafka_legacy).
TEST_F(ConfigUpdateTest, ConsensusTypeIsFixedWithoutMigrationCapability) {
  common::Config legacy = config_;
  SetCapabilities(legacy, {}, {"V1_3"});
  UsePre143Msps(legacy);
  UseConfig(legacy);
  ExpectRefused(Apply([](common::Config& c) {
                  SetConsensus(c, "kafka", ::orderer::ConsensusType::STATE_NORMAL);
                }),
                "attempted to change consensus type from solo to kafka");
}

// Maintenance mode (cc_consensus_solo_to_kafka, cc_maintenance_*, cc_maintenance_then_kafka).
TEST_F(ConfigUpdateTest, ConsensusTypeChangesOnlyInMaintenanceMode) {
  ExpectRefused(
      Apply([](common::Config& c) {
        SetConsensus(c, "kafka", ::orderer::ConsensusType::STATE_NORMAL);
      }),
      "did not pass maintenance checks: config transaction inspection failed: attempted to "
      "change consensus type from solo to kafka, but current config ConsensusType.State is not "
      "in maintenance mode");
  ExpectRefused(Apply([](common::Config& c) {
                  SetConsensus(c, "kafka", ::orderer::ConsensusType::STATE_MAINTENANCE);
                }),
                "attempted to change ConsensusType.Type from solo to kafka, but "
                "ConsensusType.State is changing from STATE_NORMAL to STATE_MAINTENANCE");
  ExpectRefused(Apply([](common::Config& c) {
                  SetConsensus(c, "solo", ::orderer::ConsensusType::STATE_MAINTENANCE);
                  cc::testing::SetBatchTimeout(c, "3s");
                }),
                "config update contain more then just the ConsensusType value in the Orderer "
                "group");
  ASSERT_OK(Apply([](common::Config& c) {
    SetConsensus(c, "solo", ::orderer::ConsensusType::STATE_MAINTENANCE);
  }));
  ExpectRefused(Apply([](common::Config& c) {
                  SetConsensus(c, "bft", ::orderer::ConsensusType::STATE_MAINTENANCE);
                }),
                "attempted to change consensus type from solo to bft, transition not supported");
  EXPECT_OK(Apply([](common::Config& c) {
    SetConsensus(c, "kafka", ::orderer::ConsensusType::STATE_MAINTENANCE);
  }));
}

TEST_F(ConfigUpdateTest, MaintenanceNeedsTheOrdererCapability) {
  common::Config legacy = config_;
  SetCapabilities(legacy, {"Orderer"}, {"V1_1"});
  UseConfig(legacy);
  ExpectRefused(Apply([](common::Config& c) {
                  SetConsensus(c, "solo", ::orderer::ConsensusType::STATE_MAINTENANCE);
                }),
                "next config attempted to change ConsensusType.State to STATE_MAINTENANCE, but "
                "capability is disabled");
}

// Fabric's checkResources (cc_channel_cap_unsupported, cc_orderer_cap_unsupported).
TEST_F(ConfigUpdateTest, CapabilitiesThisBinaryLacksAreRefused) {
  ExpectRefused(Apply([](common::Config& c) {
                  SetCapabilities(c, {}, {"V1_4_3", "V2_0"});
                }),
                "config update is not compatible: config requires unsupported channel "
                "capabilities: Channel capability V2_0 is required but not supported");
  ExpectRefused(
      Apply([](common::Config& c) {
        SetCapabilities(c, {"Orderer"}, {"V1_4_2", "V2_0"});
      }),
      "config update is not compatible: config requires unsupported orderer capabilities: "
      "Orderer capability V2_0 is required but not supported");
}

// Fabric's ClassifyError answers BAD_REQUEST for everything but the Writers filter: an
// unsatisfied mod_policy (ct_no_signatures) and an expired creator (mp_expired_outer_signer).
TEST_F(ConfigUpdateTest, UnsatisfiedModPolicyAndExpiredCreatorAreBadRequests) {
  common::Config edited = config_;
  cc::testing::SetBatchTimeout(edited, "3s");
  ASSERT_OK_AND_ASSIGN(common::ConfigUpdate update,
                       cc::testing::ComputeUpdate(kChannel, config_, edited));
  ASSERT_OK_AND_ASSIGN(common::Envelope by_org1, cc::testing::MakeConfigUpdateEnvelope(
                                                     kChannel, update, {orgs_->org1_admin.get()}));
  ExpectRefused(ProcessConfigUpdate(*bundle_, by_org1, *orgs_->orderer_node).status(),
                "policy for [Value]  /Channel/Orderer/BatchTimeout not satisfied");

  msp::testing::TestOrgOptions expired;
  expired.not_before = std::chrono::system_clock::now() - std::chrono::hours(48);
  expired.not_after = std::chrono::system_clock::now() - std::chrono::hours(24);
  ASSERT_OK_AND_ASSIGN(msp::testing::TestOrg exp_org,
                       msp::testing::MakeTestOrg(tmp_->path() + "/exporg", "ExpOrgMSP",
                                                 "exporg.example.com", expired));
  ASSERT_OK_AND_ASSIGN(auto exp_admin,
                       msp::LoadSigningIdentity(exp_org.admin.msp_dir, "ExpOrgMSP"));
  ASSERT_OK_AND_ASSIGN(common::Envelope by_expired,
                       cc::testing::MakeConfigUpdateEnvelope(
                           kChannel, update, {exp_admin.get(), orgs_->orderer_admin.get()}));
  ExpectRefused(ProcessConfigUpdate(*bundle_, by_expired, *orgs_->orderer_node).status(),
                "identity expired");
}

// In maintenance mode only the orderer org writes and normal transactions wait (cases
// mp_maintenance_sigfilter, and Fabric's ProcessNormalMsg).
TEST_F(ConfigUpdateTest, MaintenanceModeAdmitsOnlyOrdererWriters) {
  ASSERT_OK(Apply([](common::Config& c) {
    SetConsensus(c, "solo", ::orderer::ConsensusType::STATE_MAINTENANCE);
  }));
  ASSERT_OK_AND_ASSIGN(common::Envelope by_org1, AnchorPeerUpdate(*orgs_->org1_admin));
  Status status = ProcessConfigUpdate(*bundle_, by_org1, *orgs_->orderer_node).status();
  EXPECT_TRUE(status.IsPermissionDenied()) << status;
  EXPECT_NE(status.message().find("/Channel/Orderer/Writers"), std::string_view::npos) << status;

  common::ChannelHeader channel_header;
  channel_header.set_type(common::ENDORSER_TRANSACTION);
  channel_header.set_channel_id(kChannel);
  Status normal = ProcessNormalMsg(*bundle_, by_org1, {channel_header, {}});
  EXPECT_TRUE(normal.IsUnavailable()) << normal;
  EXPECT_EQ(normal.message(), "normal transactions are rejected: maintenance mode");
}

// Deliver in maintenance mode: Fabric's SigFilter switches from /Channel/Readers to
// /Channel/Orderer/Readers, which shuts the peers out until the migration ends.
TEST_F(ConfigUpdateTest, DeliverInMaintenanceModeNeedsOrdererReaders) {
  ASSERT_OK_AND_ASSIGN(common::Envelope by_org1, AnchorPeerUpdate(*orgs_->org1_admin));
  ASSERT_OK_AND_ASSIGN(common::Envelope by_orderer, AnchorPeerUpdate(*orgs_->orderer_node));
  ASSERT_OK_AND_ASSIGN(EnvelopeHeaders org1_headers, ParseEnvelopeHeaders(by_org1));
  ASSERT_OK_AND_ASSIGN(EnvelopeHeaders orderer_headers, ParseEnvelopeHeaders(by_orderer));
  EXPECT_OK(CheckDeliverReaders(*bundle_, by_org1, org1_headers));

  ASSERT_OK(Apply([](common::Config& c) {
    SetConsensus(c, "solo", ::orderer::ConsensusType::STATE_MAINTENANCE);
  }));
  Status refused = CheckDeliverReaders(*bundle_, by_org1, org1_headers);
  EXPECT_TRUE(refused.IsPermissionDenied()) << refused;
  EXPECT_NE(refused.message().find("/Channel/Orderer/Readers"), std::string_view::npos);
  EXPECT_OK(CheckDeliverReaders(*bundle_, by_orderer, orderer_headers));
}

}  // namespace
}  // namespace fabric::orderer
