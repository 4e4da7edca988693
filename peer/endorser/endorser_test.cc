// SPDX-License-Identifier: Apache-2.0
//
// ProcessProposal against a real peer: cryptogen identities, configtxgen genesis block, ledger on
// disk, the system chaincodes in-process, user chaincode through FakeExecutor. One test per
// validation failure, the endorsed response verified, and the simulation failures.

#include "peer/endorser/endorser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ccprovider/ccprovider.pb.h"
#include "common/archive/archive.h"
#include "common/crypto/x509.h"
#include "common/msp/testing/status_testing.h"
#include "common/policies/policyparser.h"
#include "common/protoutil/ccpackage.h"
#include "common/protoutil/proputils.h"
#include "common/protoutil/testing/test_signer.h"
#include "common/protoutil/unmarshal.h"
#include "ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "peer/endorser/testing/test_peer.h"
#include "peer/query.pb.h"

namespace fabric::endorser {
namespace {

using ::testing::HasSubstr;
using testing::kChannel;
using testing::TestPeer;

constexpr char kAccessDenied[] = "access denied: channel [mychannel] creator org [Org1MSP]";

class EndorserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto peer = TestPeer::Create();
    ASSERT_OK(peer);
    peer_ = std::move(peer).value();
  }

  StatusOr<protos::ProposalResponse> Process(const protos::SignedProposal& sp) {
    return peer_->endorser().ProcessProposal(sp);
  }

  // Re-encodes the proposal's channel header after `edit`.
  static protos::Proposal EditChannelHeader(
      protos::Proposal prop, const std::function<void(common::ChannelHeader&)>& edit) {
    auto header = protoutil::Unmarshal<common::Header>(prop.header(), "h").value();
    auto chdr = protoutil::Unmarshal<common::ChannelHeader>(header.channel_header(), "c").value();
    edit(chdr);
    header.set_channel_header(protoutil::Marshal(chdr));
    prop.set_header(protoutil::Marshal(header));
    return prop;
  }

  void ExpectRefused(const protos::SignedProposal& sp, const std::string& message) {
    auto r = Process(sp);
    ASSERT_FALSE(r.ok()) << r->DebugString();
    EXPECT_EQ(r.status().message(), message);
    // The peer keeps serving.
    auto good = Process(
        TestPeer::MakeSigned(peer_->org1_user(), kChannel, "qscc", {"GetChainInfo", kChannel}));
    ASSERT_OK(good);
    EXPECT_EQ(good->response().status(), 200) << good->response().message();
  }

  std::unique_ptr<TestPeer> peer_;
};

TEST_F(EndorserTest, EndorsedResponseVerifiesWithPeerCertificateAndProposalHash) {
  ASSERT_OK(peer_->InstallAndDeploy("mycc", "1.0"));
  protos::Proposal prop = TestPeer::MakeProposal(peer_->org1_user(), kChannel, "mycc", {"invoke"});
  auto r = Process(TestPeer::Sign(prop, peer_->org1_user()));
  ASSERT_OK(r);
  EXPECT_EQ(r->version(), 1);
  EXPECT_EQ(r->response().status(), 200);
  EXPECT_EQ(r->response().payload(), "ok");
  ASSERT_TRUE(r->has_endorsement());
  EXPECT_EQ(r->endorsement().endorser(), peer_->peer_signer().Serialize());
  // Signature over payload || endorser with the peer's certificate.
  auto cert = crypto::Certificate::FromPem(peer_->peer_signer().certificate_pem());
  ASSERT_OK(cert);
  EXPECT_OK(cert->public_key()->Verify(r->payload() + r->endorsement().endorser(),
                                       r->endorsement().signature()));
  EXPECT_FALSE(
      cert->public_key()
          ->Verify(r->payload() + "x" + r->endorsement().endorser(), r->endorsement().signature())
          .ok());
  auto prp = protoutil::Unmarshal<protos::ProposalResponsePayload>(r->payload(), "prp");
  ASSERT_OK(prp);
  auto header = protoutil::Unmarshal<common::Header>(prop.header(), "h");
  ASSERT_OK(header);
  auto hash = protoutil::ProposalHash(*header, prop.payload());
  ASSERT_OK(hash);
  EXPECT_EQ(prp->proposal_hash(), *hash);
  auto action = protoutil::Unmarshal<protos::ChaincodeAction>(prp->extension(), "action");
  ASSERT_OK(action);
  EXPECT_EQ(action->chaincode_id().name(), "mycc");
  EXPECT_EQ(action->chaincode_id().version(), "1.0");
  EXPECT_EQ(action->response().payload(), "ok");
  auto rwset = protoutil::Unmarshal<rwset::TxReadWriteSet>(action->results(), "rwset");
  ASSERT_OK(rwset);
  // Reads lscc/mycc (the definition) and writes mycc/a.
  std::set<std::string> namespaces;
  for (const auto& ns : rwset->ns_rwset()) {
    namespaces.insert(ns.namespace_());
  }
  EXPECT_EQ(namespaces, (std::set<std::string>{"lscc", "mycc"}));
  // Deterministic: the same proposal simulated again gives the same payload bytes.
  auto again = Process(TestPeer::Sign(prop, peer_->org1_user()));
  ASSERT_OK(again);
  EXPECT_EQ(again->payload(), r->payload());
  // The transaction built from it commits, and the chaincode ran Init once, invoke twice.
  EXPECT_OK(peer_->CommitTx(prop, peer_->org1_user(), {*r}));
  EXPECT_EQ(peer_->fake_executor().calls(),
            (std::vector<std::string>{"init mycc:1.0", "invoke mycc:1.0", "invoke mycc:1.0"}));
}

TEST_F(EndorserTest, BadSignatureIsAccessDenied) {
  auto sp = TestPeer::MakeSigned(peer_->org1_user(), kChannel, "mycc", {"invoke"});
  std::string sig = sp.signature();
  sig[sig.size() / 2] ^= 0x5a;
  sp.set_signature(sig);
  ExpectRefused(sp, kAccessDenied);
}

TEST_F(EndorserTest, SignatureByAnotherKeyIsAccessDenied) {
  protoutil::testing::TestSigner other;
  auto prop = TestPeer::MakeProposal(peer_->org1_user(), kChannel, "mycc", {"invoke"});
  ExpectRefused(TestPeer::Sign(prop, other), kAccessDenied);
}

TEST_F(EndorserTest, UnknownMspIsAccessDenied) {
  msp::testing::TempDir tmp;
  auto org3 = msp::testing::MakeTestOrg(tmp.path() + "/org3", "Org3MSP", "org3.example.com");
  ASSERT_OK(org3);
  auto signer = msp::LoadSigningIdentity(org3->client.msp_dir, "Org3MSP");
  ASSERT_OK(signer);
  ExpectRefused(TestPeer::MakeSigned(**signer, kChannel, "mycc", {"invoke"}),
                "access denied: channel [mychannel] creator org [Org3MSP]");
}

TEST_F(EndorserTest, CertificateFromAnotherCaIsAccessDenied) {
  msp::testing::TempDir tmp;
  auto fake = msp::testing::MakeTestOrg(tmp.path() + "/fake", "Org1MSP", "org1.example.com");
  ASSERT_OK(fake);
  auto signer = msp::LoadSigningIdentity(fake->client.msp_dir, "Org1MSP");
  ASSERT_OK(signer);
  ExpectRefused(TestPeer::MakeSigned(**signer, kChannel, "mycc", {"invoke"}), kAccessDenied);
}

TEST_F(EndorserTest, ExpiredCertificateIsRefused) {
  Endorser::Options options;
  options.clock = [] {
    return std::chrono::system_clock::now() + std::chrono::hours(24 * 365 * 200);
  };
  auto peer = TestPeer::Create(nullptr, options);
  ASSERT_OK(peer);
  auto r = (*peer)->endorser().ProcessProposal(
      TestPeer::MakeSigned((*peer)->org1_user(), kChannel, "mycc", {"invoke"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "identity expired");
}

TEST_F(EndorserTest, WrongTxIdIsRefused) {
  auto prop =
      EditChannelHeader(TestPeer::MakeProposal(peer_->org1_user(), kChannel, "mycc", {"invoke"}),
                        [](common::ChannelHeader& c) { c.set_tx_id("deadbeef"); });
  auto r = Process(TestPeer::Sign(prop, peer_->org1_user()));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("invalid txid. got [deadbeef], expected ["));
}

TEST_F(EndorserTest, DuplicateTxIdIsRefused) {
  ASSERT_OK(peer_->InstallAndDeploy("mycc", "1.0"));
  protos::Proposal prop = TestPeer::MakeProposal(peer_->org1_user(), kChannel, "mycc", {"invoke"});
  auto r = Process(TestPeer::Sign(prop, peer_->org1_user()));
  ASSERT_OK(r);
  ASSERT_OK(peer_->CommitTx(prop, peer_->org1_user(), {*r}));
  auto dup = Process(TestPeer::Sign(prop, peer_->org1_user()));
  ASSERT_FALSE(dup.ok());
  auto chdr = protoutil::Unmarshal<common::ChannelHeader>(
      protoutil::Unmarshal<common::Header>(prop.header(), "h")->channel_header(), "c");
  EXPECT_THAT(std::string(dup.status().message()),
              HasSubstr("duplicate transaction found [" + chdr->tx_id() + "]. Creator ["));
}

TEST_F(EndorserTest, MissingOrWrongHeaderTypeIsRefused) {
  for (auto [type, name] : std::vector<std::pair<int, std::string>>{
           {common::MESSAGE, "MESSAGE"}, {common::CONFIG_UPDATE, "CONFIG_UPDATE"}, {99, "99"}}) {
    auto prop =
        EditChannelHeader(TestPeer::MakeProposal(peer_->org1_user(), kChannel, "mycc", {"invoke"}),
                          [type = type](common::ChannelHeader& c) { c.set_type(type); });
    ExpectRefused(TestPeer::Sign(prop, peer_->org1_user()), "invalid header type " + name);
  }
}

TEST_F(EndorserTest, NonZeroEpochIsRefused) {
  auto prop =
      EditChannelHeader(TestPeer::MakeProposal(peer_->org1_user(), kChannel, "mycc", {"invoke"}),
                        [](common::ChannelHeader& c) { c.set_epoch(7); });
  ExpectRefused(TestPeer::Sign(prop, peer_->org1_user()),
                "invalid Epoch in ChannelHeader. Expected 0, got [7]");
}

TEST_F(EndorserTest, EmptyChaincodeNameIsANotInstantiatedChaincode) {
  // Fabric 1.4 does not check the name when it validates the proposal: the definition lookup
  // fails, with the empty name in its wording.
  auto r = Process(TestPeer::MakeSigned(peer_->org1_user(), kChannel, "", {"invoke"}));
  ASSERT_OK(r);
  EXPECT_EQ(r->response().status(), 500);
  EXPECT_EQ(r->response().message(),
            "make sure the chaincode  has been successfully instantiated and try again: "
            "chaincode  not found");
  EXPECT_FALSE(r->has_endorsement());
}

TEST_F(EndorserTest, CreatorNotInChannelWritersIsRefusedByAcl) {
  // The orderer org's admin is a valid member of the channel's MSPs but not an application
  // writer; peer0.org1 (OU peer) is not a writer either.
  for (const msp::SigningIdentity* who :
       {static_cast<const msp::SigningIdentity*>(&peer_->orderer_admin()),
        static_cast<const msp::SigningIdentity*>(&peer_->org1_peer())}) {
    auto r = Process(TestPeer::MakeSigned(*who, kChannel, "mycc", {"invoke"}));
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(std::string(r.status().message()),
                HasSubstr("Failed evaluating policy on signed data during check policy on channel "
                          "[mychannel] with policy [/Channel/Application/Writers]"));
  }
}

TEST_F(EndorserTest, UnknownChannelIsAccessDenied) {
  ExpectRefused(TestPeer::MakeSigned(peer_->org1_user(), "otherchannel", "mycc", {"invoke"}),
                "access denied: channel [otherchannel] creator org [Org1MSP]");
}

TEST_F(EndorserTest, ChaincodeNotInstantiatedIsStatus500) {
  auto r = Process(TestPeer::MakeSigned(peer_->org1_user(), kChannel, "nocc", {"invoke"}));
  ASSERT_OK(r);
  EXPECT_EQ(r->response().status(), 500);
  // Fabric 1.4.12's wording, observed on its peer.
  EXPECT_EQ(r->response().message(),
            "make sure the chaincode nocc has been successfully instantiated and try again: "
            "chaincode nocc not found");
  EXPECT_FALSE(r->has_endorsement());
}

TEST_F(EndorserTest, ChaincodeNotInstalledOnThisPeerIsStatus500) {
  ASSERT_OK(peer_->InstallAndDeploy("mycc", "1.0"));
  ASSERT_EQ(std::remove(peer_->packages().PathFor("mycc", "1.0").c_str()), 0);
  auto r = Process(TestPeer::MakeSigned(peer_->org1_user(), kChannel, "mycc", {"invoke"}));
  ASSERT_OK(r);
  EXPECT_EQ(r->response().status(), 500);
  EXPECT_THAT(r->response().message(),
              HasSubstr("cannot retrieve package for chaincode mycc/1.0, error open "));
  EXPECT_THAT(r->response().message(), HasSubstr("install it on this peer"));
}

TEST_F(EndorserTest, InstantiationPolicyNotMetIsStatus500) {
  std::string cds = TestPeer::MakeCds("mycc", "1.0", {"init"});
  auto installed = Process(TestPeer::MakeSigned(peer_->org1_admin(), "", "lscc", {"install", cds}));
  ASSERT_OK(installed);
  ASSERT_EQ(installed->response().status(), 200) << installed->response().message();
  // User1 is a writer (so the proposal passes ACLs) but not an admin.
  auto r = Process(
      TestPeer::MakeSigned(peer_->org1_user(), kChannel, "lscc", {"deploy", kChannel, cds}));
  ASSERT_OK(r);
  EXPECT_EQ(r->response().status(), 500);
  EXPECT_THAT(r->response().message(), HasSubstr("instantiation policy violation: "));
  EXPECT_TRUE(peer_->fake_executor().calls().empty());
}

// A signed package (`peer chaincode package -s`) carries its own instantiation policy; lscc
// install accepts the envelope and deploy enforces the package's policy, not the default
// (admins of the channel's organisations), and stores it in ChaincodeData.
TEST_F(EndorserTest, SignedPackageInstantiationPolicyIsEnforcedAtDeploy) {
  const auto install_signed = [&](const std::string& name, const std::string& policy) {
    protos::ChaincodeDeploymentSpec cds;
    EXPECT_TRUE(cds.ParseFromString(TestPeer::MakeCds(name, "1.0", {"init"})));
    auto env = protoutil::CreateSignedCCDepSpec(cds, policies::FromString(policy).value(),
                                                &peer_->org1_admin());
    EXPECT_TRUE(env.ok());
    auto r = Process(TestPeer::MakeSigned(peer_->org1_admin(), "", "lscc",
                                          {"install", env->SerializeAsString()}));
    EXPECT_TRUE(r.ok() && r->response().status() == 200) << r->response().message();
    return cds.SerializeAsString();
  };
  std::string members_cc = install_signed("memberscc", "OR('Org1MSP.member')");
  std::string admins_cc = install_signed("adminscc", "AND('Org1MSP.admin')");

  // User1 is not an admin: the default policy would refuse it, the package's lets it deploy.
  auto ok = Process(
      TestPeer::MakeSigned(peer_->org1_user(), kChannel, "lscc", {"deploy", kChannel, members_cc}));
  ASSERT_OK(ok);
  ASSERT_EQ(ok->response().status(), 200) << ok->response().message();
  auto cd = protoutil::Unmarshal<ccprovider::ChaincodeData>(ok->response().payload(), "cd");
  ASSERT_OK(cd);
  EXPECT_EQ(cd->instantiation_policy(),
            policies::FromString("OR('Org1MSP.member')")->SerializeAsString());
  ccprovider::SignedCDSData data;
  EXPECT_TRUE(data.ParseFromString(cd->data()));
  EXPECT_FALSE(data.signaturehash().empty());

  auto refused = Process(
      TestPeer::MakeSigned(peer_->org1_user(), kChannel, "lscc", {"deploy", kChannel, admins_cc}));
  ASSERT_OK(refused);
  EXPECT_EQ(refused->response().status(), 500);
  EXPECT_THAT(refused->response().message(), HasSubstr("instantiation policy violation: "));
}

TEST_F(EndorserTest, SystemFunctionNotExposedIsRefused) {
  for (const char* name : {"escc", "vscc"}) {
    ExpectRefused(TestPeer::MakeSigned(peer_->org1_user(), kChannel, name, {"x"}),
                  std::string("chaincode ") + name + " cannot be invoked through a proposal");
  }
}

TEST_F(EndorserTest, GarbageBytesAreRefused) {
  protos::SignedProposal sp;
  sp.set_proposal_bytes("\xff\xff\xff garbage");
  sp.set_signature("sig");
  auto r = Process(sp);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("failed parsing proposal"));
  protos::SignedProposal empty;
  auto e = Process(empty);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(), "invalid header type MESSAGE");
}

// Install refuses packages that would not build or that expand without bound, saying why.
TEST_F(EndorserTest, InstallRefusesHostilePackages) {
  protos::ChaincodeDeploymentSpec cds;
  ASSERT_TRUE(cds.ParseFromString(TestPeer::MakeCds("mycc", "1.0", {"init"})));
  const auto install = [&](protos::ChaincodeSpec::Type type, std::string code) {
    cds.mutable_chaincode_spec()->set_type(type);
    cds.set_code_package(std::move(code));
    return Process(TestPeer::MakeSigned(peer_->org1_admin(), "", "lscc",
                                        {"install", cds.SerializeAsString()}));
  };
  auto traversal = archive::Write({archive::File("src/main.cc", "int main() {}\n")});
  ASSERT_OK(traversal.status());
  std::string tar = *traversal;
  tar.replace(0, 11, "../evil.cc\0");  // the name field, checksum left stale: caught either way
  auto r = install(protos::ChaincodeSpec::CPP, archive::Gzip(tar).value());
  ASSERT_OK(r);
  EXPECT_EQ(r->response().status(), 500);
  EXPECT_THAT(r->response().message(), HasSubstr("cannot install mycc:1.0: "));
  r = install(protos::ChaincodeSpec::GOLANG, "not a gzip package");
  ASSERT_OK(r);
  EXPECT_EQ(r->response().status(), 500);
  EXPECT_THAT(r->response().message(), HasSubstr("failure opening codepackage gzip stream"));
  auto list =
      Process(TestPeer::MakeSigned(peer_->org1_admin(), "", "lscc", {"getinstalledchaincodes"}));
  ASSERT_OK(list);
  protos::ChaincodeQueryResponse q;
  ASSERT_TRUE(q.ParseFromString(list->response().payload()));
  EXPECT_EQ(q.chaincodes_size(), 0);
}

TEST_F(EndorserTest, InstallRequiresLocalAdmin) {
  std::string cds = TestPeer::MakeCds("mycc", "1.0", {"init"});
  auto r = Process(TestPeer::MakeSigned(peer_->org1_user(), "", "lscc", {"install", cds}));
  ASSERT_OK(r);
  EXPECT_EQ(r->response().status(), 500);
  EXPECT_THAT(r->response().message(), HasSubstr("access denied for [install]: "));
  // Chainless proposals are validated against the local MSP: Org2's admin is unknown there.
  // (Org2 is not in peer0.org1's local MSP.)
}

TEST_F(EndorserTest, DeployRefusesUninstalledAndExistingAndSystemNames) {
  std::string cds = TestPeer::MakeCds("mycc", "1.0", {"init"});
  auto r = Process(
      TestPeer::MakeSigned(peer_->org1_admin(), kChannel, "lscc", {"deploy", kChannel, cds}));
  ASSERT_OK(r);
  EXPECT_EQ(r->response().message(), "cannot get package for chaincode (mycc:1.0)");
  ASSERT_OK(peer_->InstallAndDeploy("mycc", "1.0"));
  r = Process(
      TestPeer::MakeSigned(peer_->org1_admin(), kChannel, "lscc", {"deploy", kChannel, cds}));
  ASSERT_OK(r);
  EXPECT_EQ(r->response().message(), "chaincode with name 'mycc' already exists");
  r = Process(
      TestPeer::MakeSigned(peer_->org1_admin(), kChannel, "lscc", {"upgrade", kChannel, cds}));
  ASSERT_OK(r);
  EXPECT_EQ(r->response().message(), "version already exists for chaincode with name 'mycc'");
  auto sys = Process(TestPeer::MakeSigned(peer_->org1_admin(), "", "lscc",
                                          {"install", TestPeer::MakeCds("qscc", "1.0", {})}));
  ASSERT_OK(sys);
  EXPECT_EQ(sys->response().message(), "cannot install: qscc is the name of a system chaincode");
  auto bad = Process(TestPeer::MakeSigned(peer_->org1_admin(), "", "lscc",
                                          {"install", TestPeer::MakeCds("my cc", "1.0", {})}));
  ASSERT_OK(bad);
  EXPECT_EQ(bad->response().message(),
            "invalid chaincode name 'my cc'. Names can only consist of alphanumerics, '_', and "
            "'-'");
}

TEST_F(EndorserTest, UpgradeRunsInitOfNewVersionAndEmitsEvent) {
  ASSERT_OK(peer_->InstallAndDeploy("mycc", "1.0"));
  std::string cds2 = TestPeer::MakeCds("mycc", "2.0", {"init"});
  auto inst = Process(TestPeer::MakeSigned(peer_->org1_admin(), "", "lscc", {"install", cds2}));
  ASSERT_OK(inst);
  auto r = Process(
      TestPeer::MakeSigned(peer_->org1_admin(), kChannel, "lscc", {"upgrade", kChannel, cds2}));
  ASSERT_OK(r);
  ASSERT_EQ(r->response().status(), 200) << r->response().message();
  auto cd = protoutil::Unmarshal<ccprovider::ChaincodeData>(r->response().payload(), "cd");
  ASSERT_OK(cd);
  EXPECT_EQ(cd->version(), "2.0");
  auto prp = protoutil::Unmarshal<protos::ProposalResponsePayload>(r->payload(), "prp");
  auto action = protoutil::Unmarshal<protos::ChaincodeAction>(prp->extension(), "a");
  auto event = protoutil::Unmarshal<protos::ChaincodeEvent>(action->events(), "e");
  ASSERT_OK(event);
  EXPECT_EQ(event->event_name(), "upgrade");
  EXPECT_EQ(event->chaincode_id(), "lscc");
  EXPECT_EQ(peer_->fake_executor().calls().back(), "init mycc:2.0");
}

TEST_F(EndorserTest, ChaincodeErrorsAreNotEndorsed) {
  ASSERT_OK(peer_->InstallAndDeploy("mycc", "1.0"));
  auto fail = Process(TestPeer::MakeSigned(peer_->org1_user(), kChannel, "mycc", {"fail"}));
  ASSERT_OK(fail);
  EXPECT_EQ(fail->response().status(), 500);
  EXPECT_EQ(fail->response().message(), "chaincode says no");
  EXPECT_FALSE(fail->payload().empty());
  EXPECT_FALSE(fail->has_endorsement());
  // The failure's ChaincodeAction names the chaincode as the proposal did, without the
  // version (Fabric's CreateProposalResponseFailure).
  auto prp = protoutil::Unmarshal<protos::ProposalResponsePayload>(fail->payload(), "prp");
  ASSERT_OK(prp);
  auto action = protoutil::Unmarshal<protos::ChaincodeAction>(prp->extension(), "action");
  ASSERT_OK(action);
  EXPECT_EQ(action->chaincode_id().name(), "mycc");
  EXPECT_EQ(action->chaincode_id().version(), "");
  auto bad = Process(TestPeer::MakeSigned(peer_->org1_user(), kChannel, "mycc", {"bad"}));
  ASSERT_OK(bad);
  EXPECT_EQ(bad->response().status(), 404);
  EXPECT_TRUE(bad->payload().empty());
  EXPECT_FALSE(bad->has_endorsement());
  auto err = Process(TestPeer::MakeSigned(peer_->org1_user(), kChannel, "mycc", {"error"}));
  ASSERT_OK(err);
  EXPECT_EQ(err->response().status(), 500);
  EXPECT_EQ(err->response().message(), "transaction returned with failure: chaincode panicked");
}

TEST_F(EndorserTest, LsccQueriesAfterDeploy) {
  ASSERT_OK(peer_->InstallAndDeploy("mycc", "1.0"));
  auto ccdata = Process(
      TestPeer::MakeSigned(peer_->org1_user(), kChannel, "lscc", {"getccdata", kChannel, "mycc"}));
  ASSERT_OK(ccdata);
  ASSERT_EQ(ccdata->response().status(), 200) << ccdata->response().message();
  auto cd = protoutil::Unmarshal<ccprovider::ChaincodeData>(ccdata->response().payload(), "cd");
  ASSERT_OK(cd);
  EXPECT_EQ(cd->name(), "mycc");
  EXPECT_EQ(cd->escc(), "escc");
  EXPECT_EQ(cd->vscc(), "vscc");
  EXPECT_FALSE(cd->policy().empty());
  EXPECT_FALSE(cd->instantiation_policy().empty());
  EXPECT_EQ(cd->id().size(), 32u);
  // The same bytes are in the lscc namespace of the ledger.
  auto qe = peer_->ledger().NewQueryExecutor();
  EXPECT_EQ(qe->GetState("lscc", "mycc").value(), ccdata->response().payload());
  qe->Done();

  auto id = Process(
      TestPeer::MakeSigned(peer_->org1_user(), kChannel, "lscc", {"getid", kChannel, "mycc"}));
  ASSERT_OK(id);
  EXPECT_EQ(id->response().payload(), "mycc");
  auto depspec = Process(
      TestPeer::MakeSigned(peer_->org1_user(), kChannel, "lscc", {"getdepspec", kChannel, "mycc"}));
  ASSERT_OK(depspec);
  EXPECT_EQ(depspec->response().payload(), TestPeer::MakeCds("mycc", "1.0", {"init"}));
  auto list =
      Process(TestPeer::MakeSigned(peer_->org1_user(), kChannel, "lscc", {"getchaincodes"}));
  ASSERT_OK(list);
  protos::ChaincodeQueryResponse q;
  ASSERT_TRUE(q.ParseFromString(list->response().payload()));
  ASSERT_EQ(q.chaincodes_size(), 1);
  EXPECT_EQ(q.chaincodes(0).version(), "1.0");
  EXPECT_EQ(q.chaincodes(0).path(), "github.com/example/mycc");
  EXPECT_TRUE(q.chaincodes(0).id().empty());  // as Fabric lists instantiated chaincodes
  // The installed spec's input, as Go's proto.CompactTextString writes it.
  EXPECT_EQ(q.chaincodes(0).input(), "args:\"init\" ");
  auto installed =
      Process(TestPeer::MakeSigned(peer_->org1_admin(), "", "lscc", {"getinstalledchaincodes"}));
  ASSERT_OK(installed);
  ASSERT_TRUE(q.ParseFromString(installed->response().payload()));
  ASSERT_EQ(q.chaincodes_size(), 1);
  EXPECT_EQ(q.chaincodes(0).name(), "mycc");
  auto missing = Process(
      TestPeer::MakeSigned(peer_->org1_user(), kChannel, "lscc", {"getccdata", kChannel, "nocc"}));
  EXPECT_EQ(missing->response().message(), "could not find chaincode with name 'nocc'");
}

TEST_F(EndorserTest, QsccAndCsccQueries) {
  ASSERT_OK(peer_->InstallAndDeploy("mycc", "1.0"));
  auto info = Process(
      TestPeer::MakeSigned(peer_->org1_user(), kChannel, "qscc", {"GetChainInfo", kChannel}));
  ASSERT_OK(info);
  common::BlockchainInfo bi;
  ASSERT_TRUE(bi.ParseFromString(info->response().payload()));
  EXPECT_EQ(bi.height(), 2u);
  EXPECT_TRUE(info->has_endorsement());  // Fabric 1.4 endorses qscc answers too
  auto block = Process(TestPeer::MakeSigned(peer_->org1_user(), kChannel, "qscc",
                                            {"GetBlockByNumber", kChannel, "1"}));
  ASSERT_OK(block);
  common::Block b;
  ASSERT_TRUE(b.ParseFromString(block->response().payload()));
  EXPECT_EQ(b.header().number(), 1u);
  auto nonum = Process(TestPeer::MakeSigned(peer_->org1_user(), kChannel, "qscc",
                                            {"GetBlockByNumber", kChannel, "x"}));
  EXPECT_THAT(nonum->response().message(), HasSubstr("Failed to parse block number"));
  auto missing_block = Process(TestPeer::MakeSigned(peer_->org1_user(), kChannel, "qscc",
                                                    {"GetBlockByNumber", kChannel, "99999"}));
  ASSERT_OK(missing_block);
  // Fabric's wording for any entry its block index does not hold.
  EXPECT_EQ(missing_block->response().message(),
            "Failed to get block number 99999, error Entry not found in index");
  auto orderer = Process(
      TestPeer::MakeSigned(peer_->orderer_admin(), kChannel, "qscc", {"GetChainInfo", kChannel}));
  ASSERT_OK(orderer);
  EXPECT_THAT(orderer->response().message(),
              HasSubstr("access denied for [GetChainInfo][mychannel]"));
  auto channels = Process(TestPeer::MakeSigned(peer_->org1_user(), "", "cscc", {"GetChannels"}));
  ASSERT_OK(channels);
  protos::ChannelQueryResponse cq;
  ASSERT_TRUE(cq.ParseFromString(channels->response().payload()));
  ASSERT_EQ(cq.channels_size(), 1);
  EXPECT_EQ(cq.channels(0).channel_id(), kChannel);
  auto config = Process(
      TestPeer::MakeSigned(peer_->org1_user(), kChannel, "cscc", {"GetConfigBlock", kChannel}));
  ASSERT_OK(config);
  ASSERT_TRUE(b.ParseFromString(config->response().payload()));
  EXPECT_EQ(b.header().number(), 0u);
}

TEST_F(EndorserTest, JoinChainRequiresLocalAdminAndRefusesJoinedChannel) {
  auto genesis = peer_->ledger().GetBlockByNumber(0);
  ASSERT_OK(genesis);
  std::string bytes = protoutil::Marshal(*genesis);
  auto user = Process(TestPeer::Sign(
      TestPeer::MakeProposal(peer_->org1_user(), "", "cscc", {"JoinChain", bytes}, common::CONFIG),
      peer_->org1_user()));
  ASSERT_OK(user);
  EXPECT_THAT(user->response().message(), HasSubstr("access denied for [JoinChain][mychannel]"));
  auto admin = Process(TestPeer::Sign(
      TestPeer::MakeProposal(peer_->org1_admin(), "", "cscc", {"JoinChain", bytes}, common::CONFIG),
      peer_->org1_admin()));
  ASSERT_OK(admin);
  EXPECT_EQ(admin->response().status(), 500);
  EXPECT_THAT(admin->response().message(), HasSubstr("\"JoinChain\" for chainID = mychannel"));
}

}  // namespace
}  // namespace fabric::endorser
