// SPDX-License-Identifier: Apache-2.0

#include "peer/committer/tx_validator.h"

#include <gtest/gtest.h>

#include "ccprovider/ccprovider.pb.h"
#include "common/policies/builder.h"
#include "common/protoutil/proputils.h"
#include "common/protoutil/unmarshal.h"
#include "peer/chaincode.pb.h"
#include "peer/committer/testing/fixture.h"
#include "peer/ledger/block_parser.h"

namespace fabric::committer {
namespace {

using protos::TxValidationCode;
using testing::CommitterFixture;

class TxValidatorTest : public CommitterFixture {
 protected:
  // The committer's codes for `envs` in the next block (nothing committed).
  std::vector<TxValidationCode> Validate(const std::vector<common::Envelope>& envs,
                                         BlockValidation* out = nullptr) {
    TxValidator validator(TxValidator::Options{"mychannel", 2, {}, nullptr}, ledger());
    common::Block block = Block(envs);
    auto result = validator.Validate(block, *committer().config());
    EXPECT_TRUE(result.ok()) << result.status();
    if (!result.ok()) {
      return {};
    }
    if (out != nullptr) {
      *out = *result;
    }
    return result->codes;
  }
  TxValidationCode ValidateOne(const common::Envelope& env) {
    auto codes = Validate({env});
    return codes.empty() ? protos::NOT_VALIDATED : codes[0];
  }
};

TEST_F(TxValidatorTest, ValidTransactionIsValid) {
  EXPECT_EQ(ValidateOne(Tx("mycc", "a", "1")), protos::VALID);
}

TEST_F(TxValidatorTest, BadCreatorSignature) {
  common::Envelope env = Tx("mycc", "a", "1");
  std::string sig = env.signature();
  sig[sig.size() / 2] ^= 0x01;
  env.set_signature(sig);
  EXPECT_EQ(ValidateOne(env), protos::BAD_CREATOR_SIGNATURE);
}

TEST_F(TxValidatorTest, CreatorOutsideTheChannelIsRejected) {
  common::Envelope env = Tx("mycc", "a", "1");
  common::Envelope by_outsider = testing::Resign(env, net().outsider(), [&](common::Payload& p) {
    common::SignatureHeader sh;
    sh.ParseFromString(p.header().signature_header());
    sh.set_creator(net().outsider().Serialize());
    p.mutable_header()->set_signature_header(sh.SerializeAsString());
  });
  EXPECT_EQ(ValidateOne(by_outsider), protos::BAD_CREATOR_SIGNATURE);
}

TEST_F(TxValidatorTest, WrongTxIdIsBadProposalTxId) {
  common::Envelope env = Tx("mycc", "a", "1");
  common::Envelope wrong = testing::Resign(env, net().org1_client(), [](common::Payload& p) {
    common::ChannelHeader ch;
    ch.ParseFromString(p.header().channel_header());
    ch.set_tx_id("not-the-txid");
    p.mutable_header()->set_channel_header(ch.SerializeAsString());
  });
  EXPECT_EQ(ValidateOne(wrong), protos::BAD_PROPOSAL_TXID);
}

TEST_F(TxValidatorTest, OneOrgUnderAndPolicyIsEndorsementPolicyFailure) {
  EXPECT_EQ(ValidateOne(Tx("andcc", "a", "1", {&net().org1_peer()})),
            protos::ENDORSEMENT_POLICY_FAILURE);
  EXPECT_EQ(ValidateOne(Tx("andcc", "a", "1", {&net().org1_peer(), &net().org1_peer()})),
            protos::ENDORSEMENT_POLICY_FAILURE);
  EXPECT_EQ(ValidateOne(Tx("andcc", "a", "1", {&net().org1_peer(), &net().org2_peer()})),
            protos::VALID);
}

TEST_F(TxValidatorTest, TamperedEndorsementIsEndorsementPolicyFailure) {
  common::Envelope env = Tx("mycc", "a", "1");
  common::Envelope tampered = testing::Resign(env, net().org1_client(), [](common::Payload& p) {
    protos::Transaction tx;
    tx.ParseFromString(p.data());
    protos::ChaincodeActionPayload cap;
    cap.ParseFromString(tx.actions(0).payload());
    std::string sig = cap.action().endorsements(0).signature();
    sig[sig.size() - 3] ^= 0x01;
    cap.mutable_action()->mutable_endorsements(0)->set_signature(sig);
    tx.mutable_actions(0)->set_payload(cap.SerializeAsString());
    p.set_data(tx.SerializeAsString());
  });
  EXPECT_EQ(ValidateOne(tampered), protos::ENDORSEMENT_POLICY_FAILURE);
}

// Fabric 1.4's GetInfoForValidate fails for a chaincode lscc does not know, and VSCCValidateTx
// reports any such failure as INVALID_OTHER_REASON.
TEST_F(TxValidatorTest, UnknownChaincodeIsInvalidOtherReason) {
  EXPECT_EQ(ValidateOne(Tx("nosuchcc", "a", "1")), protos::INVALID_OTHER_REASON);
}

TEST_F(TxValidatorTest, OldChaincodeVersionIsExpiredChaincode) {
  testing::TxSpec spec;
  spec.version = "0.9";
  spec.creator = &net().org1_client();
  spec.endorsers = {&net().org1_peer()};
  EXPECT_EQ(ValidateOne(testing::MakeEndorserTx(spec).value()), protos::EXPIRED_CHAINCODE);
}

TEST_F(TxValidatorTest, DuplicateTxIdInBlockAndAcrossBlocks) {
  common::Envelope env = Tx("mycc", "a", "1");
  EXPECT_EQ(Validate({env, env}),
            (std::vector<TxValidationCode>{protos::VALID, protos::DUPLICATE_TXID}));
  ASSERT_OK(committer().CommitBlock(Block({env})));
  EXPECT_EQ(ValidateOne(env), protos::DUPLICATE_TXID);
}

TEST_F(TxValidatorTest, WriteToLsccByApplicationChaincodeIsIllegalWriteset) {
  testing::TxSpec spec;
  spec.creator = &net().org1_client();
  spec.endorsers = {&net().org1_peer()};
  ledger::RWSetBuilder rw;
  rw.AddToWriteSet("mycc", "a", "1");
  rw.AddToWriteSet("lscc", "mycc", "forged");
  spec.rwset = rw.GetTxSimulationResults();
  EXPECT_EQ(ValidateOne(testing::MakeEndorserTx(spec).value()), protos::ILLEGAL_WRITESET);
  ledger::RWSetBuilder rw2;
  rw2.AddToWriteSet("cscc", "x", "1");
  spec.rwset = rw2.GetTxSimulationResults();
  EXPECT_EQ(ValidateOne(testing::MakeEndorserTx(spec).value()), protos::ILLEGAL_WRITESET);
}

TEST_F(TxValidatorTest, WriteToAnotherChaincodeNeedsItsPolicy) {
  testing::TxSpec spec;
  spec.creator = &net().org1_client();
  spec.endorsers = {&net().org1_peer()};
  ledger::RWSetBuilder rw;
  rw.AddToWriteSet("mycc", "a", "1");
  rw.AddToWriteSet("andcc", "b", "2");
  spec.rwset = rw.GetTxSimulationResults();
  EXPECT_EQ(ValidateOne(testing::MakeEndorserTx(spec).value()), protos::ENDORSEMENT_POLICY_FAILURE);
  spec.endorsers = {&net().org1_peer(), &net().org2_peer()};
  EXPECT_EQ(ValidateOne(testing::MakeEndorserTx(spec).value()), protos::VALID);
}

TEST_F(TxValidatorTest, GarbageDoesNotCrash) {
  common::Block block = Block({});
  block.mutable_data()->add_data("\xff\xff\xff garbage");
  block.mutable_data()->add_data("");
  common::Envelope bad_payload;
  bad_payload.set_payload("\xff\x01\x02");
  block.mutable_data()->add_data(bad_payload.SerializeAsString());
  common::Envelope no_header;
  common::Payload headerless;
  headerless.set_data("data");
  no_header.set_payload(headerless.SerializeAsString());
  block.mutable_data()->add_data(no_header.SerializeAsString());
  TxValidator validator(TxValidator::Options{"mychannel", 2, {}, nullptr}, ledger());
  auto result = validator.Validate(block, *committer().config());
  ASSERT_OK(result);
  EXPECT_EQ(result->codes,
            (std::vector<TxValidationCode>{protos::BAD_PAYLOAD, protos::NIL_ENVELOPE,
                                           protos::BAD_PAYLOAD, protos::BAD_COMMON_HEADER}));
}

TEST_F(TxValidatorTest, UnknownHeaderTypeAndOtherChannel) {
  common::Envelope env = Tx("mycc", "a", "1");
  auto with_header = [&](int type, const std::string& channel) {
    return testing::Resign(env, net().org1_client(), [&](common::Payload& p) {
      common::ChannelHeader ch;
      ch.ParseFromString(p.header().channel_header());
      ch.set_type(type);
      ch.set_channel_id(channel);
      p.mutable_header()->set_channel_header(ch.SerializeAsString());
    });
  };
  // Fabric 1.4.12's verdicts (recorded on its peer): types its header check does not know are
  // BAD_COMMON_HEADER, a config update is UNSUPPORTED_TX_PAYLOAD after the creator check, a
  // token transaction UNKNOWN_TX_TYPE after the txid check, and a channel with no MSP on the
  // peer fails the creator check.
  EXPECT_EQ(ValidateOne(with_header(common::MESSAGE, "mychannel")), protos::BAD_COMMON_HEADER);
  EXPECT_EQ(ValidateOne(with_header(42, "mychannel")), protos::BAD_COMMON_HEADER);
  EXPECT_EQ(ValidateOne(with_header(common::CONFIG_UPDATE, "mychannel")),
            protos::UNSUPPORTED_TX_PAYLOAD);
  EXPECT_EQ(ValidateOne(with_header(9, "mychannel")), protos::UNKNOWN_TX_TYPE);
  EXPECT_EQ(ValidateOne(with_header(common::ENDORSER_TRANSACTION, "other")),
            protos::BAD_CREATOR_SIGNATURE);
  EXPECT_EQ(
      ValidateOne(testing::Resign(env, net().org1_client(),
                                  [&](common::Payload& p) {
                                    common::ChannelHeader ch;
                                    ch.ParseFromString(p.header().channel_header());
                                    ch.set_epoch(1);
                                    p.mutable_header()->set_channel_header(ch.SerializeAsString());
                                  })),
      protos::BAD_COMMON_HEADER);
}

// A transaction on mycc, endorsed by `endorsers`, whose rwset `build` fills.
template <typename F>
common::Envelope MyccTx(const testing::TestNetwork& net,
                        std::vector<const msp::SigningIdentity*> endorsers, F build) {
  testing::TxSpec spec;
  spec.creator = &net.org1_client();
  spec.endorsers = std::move(endorsers);
  ledger::RWSetBuilder rw;
  build(rw);
  spec.rwset = rw.GetTxSimulationResults();
  return testing::MakeEndorserTx(spec).value();
}

// Metadata giving a key its own endorsement policy: a peer of `msp_id`.
ledger::Metadata KeyPolicy(const std::string& msp_id) {
  return {{"VALIDATION_PARAMETER", policies::SignedByMspPeer(msp_id).SerializeAsString()}};
}

class KeyLevelEndorsementTest : public TxValidatorTest {
 protected:
  // Commits, endorsed by both orgs, a transaction giving mycc/`key` Org2's policy.
  void SetOrg2Policy(const std::string& key) {
    common::Envelope env =
        MyccTx(net(), {&net().org1_peer(), &net().org2_peer()}, [&](ledger::RWSetBuilder& rw) {
          rw.AddToWriteSet("mycc", key, "v0");
          rw.AddToMetadataWriteSet("mycc", key, KeyPolicy("Org2MSP"));
        });
    ASSERT_OK(committer().CommitBlock(Block({env})));
  }
  const msp::SigningIdentity* org1() const { return &net().org1_peer(); }
  const msp::SigningIdentity* org2() const { return &net().org2_peer(); }
};

TEST_F(KeyLevelEndorsementTest, WriteOfKeyWithItsOwnPolicyNeedsThatPolicy) {
  SetOrg2Policy("k");
  auto write_k = [](ledger::RWSetBuilder& rw) { rw.AddToWriteSet("mycc", "k", "v1"); };
  // mycc's own policy (any member) is met by Org1's peer, the key's is not.
  EXPECT_EQ(ValidateOne(MyccTx(net(), {org1()}, write_k)), protos::ENDORSEMENT_POLICY_FAILURE);
  EXPECT_EQ(ValidateOne(MyccTx(net(), {org2()}, write_k)), protos::VALID);
  // Other keys still follow the chaincode's policy.
  EXPECT_EQ(
      ValidateOne(MyccTx(net(), {org1()},
                         [](ledger::RWSetBuilder& rw) { rw.AddToWriteSet("mycc", "x", "1"); })),
      protos::VALID);
}

TEST_F(KeyLevelEndorsementTest, DeletesAndMetadataWritesNeedTheKeyPolicy) {
  SetOrg2Policy("k");
  auto delete_k = [](ledger::RWSetBuilder& rw) { rw.AddToWriteSet("mycc", "k", ""); };
  auto unprotect_k = [](ledger::RWSetBuilder& rw) { rw.AddToMetadataWriteSet("mycc", "k", {}); };
  EXPECT_EQ(ValidateOne(MyccTx(net(), {org1()}, delete_k)), protos::ENDORSEMENT_POLICY_FAILURE);
  EXPECT_EQ(ValidateOne(MyccTx(net(), {org1()}, unprotect_k)), protos::ENDORSEMENT_POLICY_FAILURE);
  EXPECT_EQ(ValidateOne(MyccTx(net(), {org2()}, delete_k)), protos::VALID);
  EXPECT_EQ(ValidateOne(MyccTx(net(), {org2()}, unprotect_k)), protos::VALID);
}

TEST_F(KeyLevelEndorsementTest, KeyPolicyReplacesTheChaincodePolicy) {
  // andcc needs both orgs; a key of andcc whose own policy is Org2's needs Org2 only, but a
  // transaction with no key-level policy to check still needs the chaincode's.
  common::Envelope protect =
      testing::MakeEndorserTx([&] {
        testing::TxSpec spec;
        spec.chaincode = "andcc";
        spec.creator = &net().org1_client();
        spec.endorsers = {org1(), org2()};
        ledger::RWSetBuilder rw;
        rw.AddToWriteSet("andcc", "k", "v0");  // metadata of an absent key is not kept
        rw.AddToMetadataWriteSet("andcc", "k", KeyPolicy("Org2MSP"));
        spec.rwset = rw.GetTxSimulationResults();
        return spec;
      }())
          .value();
  ASSERT_OK(committer().CommitBlock(Block({protect})));
  EXPECT_EQ(ValidateOne(Tx("andcc", "k", "1", {org2()})), protos::VALID);
  EXPECT_EQ(ValidateOne(Tx("andcc", "other", "1", {org2()})), protos::ENDORSEMENT_POLICY_FAILURE);
}

TEST_F(KeyLevelEndorsementTest, ParameterThatDoesNotCompileFailsThePolicy) {
  common::Envelope env = MyccTx(net(), {org1()}, [](ledger::RWSetBuilder& rw) {
    rw.AddToWriteSet("mycc", "k", "v0");
    rw.AddToMetadataWriteSet("mycc", "k", {{"VALIDATION_PARAMETER", "\xff not a policy"}});
  });
  ASSERT_OK(committer().CommitBlock(Block({env})));
  EXPECT_EQ(ValidateOne(Tx("mycc", "k", "1", {org1(), org2()})),
            protos::ENDORSEMENT_POLICY_FAILURE);
}

TEST_F(KeyLevelEndorsementTest, ParameterChangedEarlierInTheBlock) {
  auto protect_k = [](ledger::RWSetBuilder& rw) {
    rw.AddToMetadataWriteSet("mycc", "k", KeyPolicy("Org1MSP"));
  };
  auto write_k = [](ledger::RWSetBuilder& rw) { rw.AddToWriteSet("mycc", "k", "v"); };
  // A valid change of k's parameter fails every later write of k in the block, however it is
  // endorsed; writes before it and of other keys are not affected.
  EXPECT_EQ(
      Validate({MyccTx(net(), {org1(), org2()}, write_k), MyccTx(net(), {org1()}, protect_k),
                MyccTx(net(), {org1(), org2()}, write_k),
                MyccTx(net(), {org1()},
                       [](ledger::RWSetBuilder& rw) { rw.AddToWriteSet("mycc", "other", "v"); })}),
      (std::vector<TxValidationCode>{protos::VALID, protos::VALID,
                                     protos::ENDORSEMENT_POLICY_FAILURE, protos::VALID}));
  // A change that itself fails validation leaves the committed parameter in force.
  SetOrg2Policy("k");
  EXPECT_EQ(Validate({MyccTx(net(), {org1()}, protect_k), MyccTx(net(), {org2()}, write_k)}),
            (std::vector<TxValidationCode>{protos::ENDORSEMENT_POLICY_FAILURE, protos::VALID}));
  // A chain: tx0 changes k (valid), tx1 changes k again (fails: k changed by tx0), tx2 writes
  // k (fails: changed by tx0).
  EXPECT_EQ(
      Validate({MyccTx(net(), {org2()}, protect_k), MyccTx(net(), {org1(), org2()}, protect_k),
                MyccTx(net(), {org1(), org2()}, write_k)}),
      (std::vector<TxValidationCode>{protos::VALID, protos::ENDORSEMENT_POLICY_FAILURE,
                                     protos::ENDORSEMENT_POLICY_FAILURE}));
}

// An lscc deploy or upgrade as Fabric's lscc produces it; `edit` may change the deployment spec,
// the ChaincodeData written and the rest of the write set before the transaction is endorsed.
struct LsccCall {
  std::string fn = "deploy";
  protos::ChaincodeDeploymentSpec cds;
  ccprovider::ChaincodeData cd;
};

template <typename F>
common::Envelope LsccTxWith(const testing::TestNetwork& net, const std::string& fn,
                            const std::string& name, const std::string& version,
                            const msp::SigningIdentity& creator, F edit) {
  LsccCall call;
  call.fn = fn;
  call.cds.mutable_chaincode_spec()->set_type(protos::ChaincodeSpec::GOLANG);
  call.cds.mutable_chaincode_spec()->mutable_chaincode_id()->set_name(name);
  call.cds.mutable_chaincode_spec()->mutable_chaincode_id()->set_version(version);
  call.cd.ParseFromString(testing::ChaincodeDataBytes(name, version,
                                                      policies::SignedByAnyMember({"Org1MSP"}),
                                                      policies::SignedByAnyAdmin({"Org1MSP"})));
  ledger::RWSetBuilder rw;
  if (fn == "deploy") {
    rw.AddToReadSet("lscc", name, std::nullopt);  // lscc checks the chaincode is not defined
  }
  rw.AddToWriteSet(name, "init", "done");
  edit(call, rw);
  rw.AddToWriteSet("lscc", call.cds.chaincode_spec().chaincode_id().name(),
                   call.cd.SerializeAsString());
  testing::TxSpec spec;
  spec.chaincode = "lscc";
  spec.version = "1.4";
  spec.args = {call.fn, "mychannel", call.cds.SerializeAsString()};
  spec.creator = &creator;
  spec.endorsers = {&net.org1_peer()};
  spec.rwset = rw.GetTxSimulationResults();
  return testing::MakeEndorserTx(spec).value();
}

// An lscc deploy/upgrade transaction of `name`:`version` created by `creator`.
common::Envelope LsccTx(const testing::TestNetwork& net, const std::string& fn,
                        const std::string& name, const std::string& version,
                        const msp::SigningIdentity& creator) {
  return LsccTxWith(net, fn, name, version, creator, [](LsccCall&, ledger::RWSetBuilder&) {});
}

// Fabric 1.4.12's verdicts on crafted lscc transactions (recorded by running its validator).
TEST_F(TxValidatorTest, LsccRulesFollowFabric) {
  const auto& admin = net().org1_admin();
  auto deploy = [&](const std::string& name, auto edit) {
    return ValidateOne(LsccTxWith(net(), "deploy", name, "1.0", admin, edit));
  };
  auto with_type = [](protos::ChaincodeSpec::Type type) {
    return [type](LsccCall& c, ledger::RWSetBuilder&) {
      c.cds.mutable_chaincode_spec()->set_type(type);
    };
  };
  // Chaincode types: Fabric's platforms and fabric-cpp's CPP and EXTERNAL; UNDEFINED is refused.
  EXPECT_EQ(deploy("newcc", with_type(protos::ChaincodeSpec::UNDEFINED)),
            protos::ENDORSEMENT_POLICY_FAILURE);
  EXPECT_EQ(deploy("newcc", with_type(protos::ChaincodeSpec::NODE)), protos::VALID);
  EXPECT_EQ(deploy("newcc", with_type(protos::ChaincodeSpec::CPP)), protos::VALID);
  EXPECT_EQ(deploy("newcc", with_type(protos::ChaincodeSpec::EXTERNAL)), protos::VALID);
  // Names and versions follow lscc's rules.
  auto none = [](LsccCall&, ledger::RWSetBuilder&) {};
  for (const char* bad : {"my.cc", "cc-", "a--b", "_cc", "cc~collection"}) {
    EXPECT_EQ(deploy(bad, none), protos::ENDORSEMENT_POLICY_FAILURE) << bad;
  }
  EXPECT_EQ(deploy("my-cc_2", none), protos::VALID);
  EXPECT_EQ(ValidateOne(LsccTxWith(net(), "deploy", "newcc", "1.0 beta", admin, none)),
            protos::ENDORSEMENT_POLICY_FAILURE);
  // The new definition's endorsement policy is not compiled at deploy.
  EXPECT_EQ(
      deploy("newcc", [](LsccCall& c, ledger::RWSetBuilder&) { c.cd.set_policy("\x0a\xff"); }),
      protos::VALID);
  // Only public writes count: metadata writes in lscc or elsewhere, a delete flag on the
  // definition and a delete of "<name>~collection" pass; another lscc key or a third write does
  // not.
  EXPECT_EQ(deploy("newcc",
                   [](LsccCall&, ledger::RWSetBuilder& rw) {
                     rw.AddToMetadataWriteSet("lscc", "mycc", {{"VALIDATION_PARAMETER", "p"}});
                     rw.AddToMetadataWriteSet("mycc", "k", {{"VALIDATION_PARAMETER", "p"}});
                   }),
            protos::VALID);
  EXPECT_EQ(deploy("newcc",
                   [](LsccCall&, ledger::RWSetBuilder& rw) {
                     rw.AddToWriteSet("lscc", "newcc~collection", "");
                   }),
            protos::VALID);
  EXPECT_EQ(deploy("newcc",
                   [](LsccCall&, ledger::RWSetBuilder& rw) {
                     rw.AddToWriteSet("lscc", "newcc~other", "");
                   }),
            protos::ENDORSEMENT_POLICY_FAILURE);
  EXPECT_EQ(deploy("newcc",
                   [](LsccCall&, ledger::RWSetBuilder& rw) {
                     rw.AddToWriteSet("lscc", "newcc~collection", "");
                     rw.AddToWriteSet("lscc", "newcc~zzz", "");
                   }),
            protos::ENDORSEMENT_POLICY_FAILURE);
  EXPECT_EQ(
      deploy("newcc",
             [](LsccCall&, ledger::RWSetBuilder& rw) { rw.AddToWriteSet("othercc", "k", "v"); }),
      protos::ENDORSEMENT_POLICY_FAILURE);
}

// An upgrade needs a stored ChaincodeData, whatever its fields; only GOLANG upgrades conflict
// with other uses of the chaincode in their block (Fabric parses upgrades with a Go-only
// platform registry).
TEST_F(TxValidatorTest, LsccUpgradeOfAnyStoredDefinitionAndGoOnlyConflicts) {
  ccprovider::ChaincodeData bare;
  bare.set_name("barecc");
  bare.set_version("1.0");
  bare.set_instantiation_policy(
      protoutil::Marshal(policies::SignedByAnyAdmin({"Org1MSP", "Org2MSP"})));
  ASSERT_OK(testing::DefineChaincode(ledger(), "barecc", bare.SerializeAsString()));
  EXPECT_EQ(ValidateOne(LsccTx(net(), "upgrade", "barecc", "2.0", net().org1_admin())),
            protos::VALID);
  auto node_upgrade = LsccTxWith(
      net(), "upgrade", "mycc", "2.0", net().org1_admin(), [](LsccCall& c, ledger::RWSetBuilder&) {
        c.cds.mutable_chaincode_spec()->set_type(protos::ChaincodeSpec::NODE);
      });
  EXPECT_EQ(Validate({Tx("mycc", "a", "1"), node_upgrade}),
            (std::vector<TxValidationCode>{protos::VALID, protos::VALID}));
}

TEST_F(TxValidatorTest, LsccDeployAndUpgradeRules) {
  BlockValidation v;
  EXPECT_EQ(Validate({LsccTx(net(), "deploy", "newcc", "1.0", net().org1_admin())}, &v),
            std::vector<TxValidationCode>{protos::VALID});
  ASSERT_EQ(v.deployments.size(), 1u);
  EXPECT_EQ(v.deployments[0].definition.name(), "newcc");
  EXPECT_FALSE(v.deployments[0].upgrade);
  // Instantiation policy (any Org1 admin) not met by a client.
  EXPECT_EQ(ValidateOne(LsccTx(net(), "deploy", "newcc", "1.0", net().org1_client())),
            protos::ENDORSEMENT_POLICY_FAILURE);
  // Already defined / upgrade of an unknown chaincode / same version.
  EXPECT_EQ(ValidateOne(LsccTx(net(), "deploy", "mycc", "2.0", net().org1_admin())),
            protos::ENDORSEMENT_POLICY_FAILURE);
  EXPECT_EQ(ValidateOne(LsccTx(net(), "upgrade", "newcc", "2.0", net().org1_admin())),
            protos::ENDORSEMENT_POLICY_FAILURE);
  EXPECT_EQ(ValidateOne(LsccTx(net(), "upgrade", "mycc", "1.0", net().org1_admin())),
            protos::ENDORSEMENT_POLICY_FAILURE);
  EXPECT_EQ(ValidateOne(LsccTx(net(), "getid", "mycc", "1.0", net().org1_admin())),
            protos::ENDORSEMENT_POLICY_FAILURE);
  // A valid upgrade invalidates other invocations of the chaincode in the same block.
  EXPECT_EQ(
      Validate({Tx("mycc", "a", "1"), LsccTx(net(), "upgrade", "mycc", "2.0", net().org1_admin())},
               &v),
      (std::vector<TxValidationCode>{protos::CHAINCODE_VERSION_CONFLICT, protos::VALID}));
  ASSERT_EQ(v.deployments.size(), 1u);
  EXPECT_TRUE(v.deployments[0].upgrade);
}

// Fabric 1.4 tracks only upgrades for in-block version conflicts: of two upgrades of one
// chaincode the later wins; two deploys both pass the committer and the ledger's MVCC keeps the
// first.
TEST_F(TxValidatorTest, TwoUpgradesOrTwoDeploysInOneBlock) {
  EXPECT_EQ(Validate({LsccTx(net(), "upgrade", "mycc", "2.0", net().org1_admin()),
                      LsccTx(net(), "upgrade", "mycc", "3.0", net().org1_admin())}),
            (std::vector<TxValidationCode>{protos::CHAINCODE_VERSION_CONFLICT, protos::VALID}));
  common::Envelope first = LsccTx(net(), "deploy", "newcc", "1.0", net().org1_admin());
  common::Envelope second = LsccTx(net(), "deploy", "newcc", "2.0", net().org1_admin());
  EXPECT_EQ(Validate({first, second}),
            (std::vector<TxValidationCode>{protos::VALID, protos::VALID}));
  ASSERT_OK(committer().CommitBlock(Block({first, second})));
  ASSERT_OK_AND_ASSIGN(common::Block committed,
                       ledger().GetBlockByNumber(ledger().GetBlockchainInfo().height() - 1));
  EXPECT_EQ(ledger::TxFilterFromBlock(committed),
            (std::vector<TxValidationCode>{protos::VALID, protos::MVCC_READ_CONFLICT}));
}

}  // namespace
}  // namespace fabric::committer
