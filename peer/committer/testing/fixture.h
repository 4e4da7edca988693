// SPDX-License-Identifier: Apache-2.0
//
// gtest fixture for committer tests: one TestNetwork per test binary, and per test a fresh
// channel "mychannel" (ledger on disk + Committer) with chaincode "mycc" 1.0 defined with
// endorsement policy OR(Org1.member, Org2.member) and "andcc" 1.0 with AND(Org1.peer,
// Org2.peer); instantiation policies: any admin of Org1/Org2.

#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/msp/testing/status_testing.h"
#include "common/msp/testing/test_org.h"
#include "common/policies/builder.h"
#include "common/protoutil/txutils.h"
#include "peer/committer/testing/test_network.h"
#include "peer/ledger/rwset_builder.h"
#include "peer/ledger/testing/temp_dir.h"

namespace fabric::committer::testing {

class CommitterFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (network_dir_ == nullptr) {
      network_dir_ = new msp::testing::TempDir();
      network_ = TestNetwork::Create(network_dir_->path()).value().release();
    }
  }

  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(channel_, TestChannel::Create(*network_, dir_.Sub("ledgersData")));
    ASSERT_OK(DefineChaincode(
        ledger(), "mycc",
        ChaincodeDataBytes("mycc", "1.0", policies::SignedByAnyMember({"Org1MSP", "Org2MSP"}),
                           AnyAdmin())));
    common::SignaturePolicyEnvelope and_policy;
    and_policy.mutable_rule()->CopyFrom(
        policies::NOutOf(2, {policies::SignedBy(0), policies::SignedBy(1)}));
    *and_policy.add_identities() = policies::RolePrincipal("Org1MSP", common::MSPRole::PEER);
    *and_policy.add_identities() = policies::RolePrincipal("Org2MSP", common::MSPRole::PEER);
    ASSERT_OK(DefineChaincode(ledger(), "andcc",
                              ChaincodeDataBytes("andcc", "1.0", and_policy, AnyAdmin())));
  }

  static common::SignaturePolicyEnvelope AnyAdmin() {
    return policies::SignedByAnyAdmin({"Org1MSP", "Org2MSP"});
  }

  const TestNetwork& net() const { return *network_; }
  ledger::KvLedger& ledger() { return channel_->ledger(); }
  Committer& committer() { return channel_->committer(); }

  // A transaction on `cc` writing key=value (and reading it at its current version when
  // `read`), created by Org1's client and endorsed by `endorsers` (default: Org1's peer).
  common::Envelope Tx(const std::string& cc, const std::string& key, const std::string& value,
                      std::vector<const msp::SigningIdentity*> endorsers = {},
                      std::string* tx_id = nullptr, bool read = false) {
    TxSpec spec;
    spec.chaincode = cc;
    spec.creator = &net().org1_client();
    spec.endorsers = endorsers.empty()
                         ? std::vector<const msp::SigningIdentity*>{&net().org1_peer()}
                         : endorsers;
    if (read) {
      auto sim = ledger().NewTxSimulator("sim");
      EXPECT_TRUE(sim->GetState(cc, key).ok());
      EXPECT_TRUE(sim->SetState(cc, key, value).ok());
      spec.rwset = sim->GetTxSimulationResults().value();
      sim->Done();
    } else {
      ledger::RWSetBuilder rw;
      rw.AddToWriteSet(cc, key, value);
      spec.rwset = rw.GetTxSimulationResults();
    }
    auto env = MakeEndorserTx(spec, tx_id);
    EXPECT_TRUE(env.ok()) << env.status();
    return env.ok() ? *env : common::Envelope();
  }

  common::Block Block(const std::vector<common::Envelope>& envs) {
    return NextBlock(ledger(), envs).value();
  }

  static msp::testing::TempDir* network_dir_;
  static TestNetwork* network_;
  ledger::testing::TempDir dir_;
  std::unique_ptr<TestChannel> channel_;
};

inline msp::testing::TempDir* CommitterFixture::network_dir_ = nullptr;
inline TestNetwork* CommitterFixture::network_ = nullptr;

// Re-signs `env` after `mutate` changed its payload, as `signer`.
template <typename F>
common::Envelope Resign(const common::Envelope& env, const msp::SigningIdentity& signer, F mutate) {
  common::Payload payload;
  payload.ParseFromString(env.payload());
  mutate(payload);
  return protoutil::SignPayload(payload, signer).value();
}

}  // namespace fabric::committer::testing
