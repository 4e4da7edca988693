// SPDX-License-Identifier: Apache-2.0
//
// Test and benchmark helpers for the committer, the deliver service and the deliver client: a
// channel with real MSPs on disk (OrdererOrg/OrdererMSP, Org1/Org1MSP, Org2/Org2MSP, plus an
// organisation outside the channel, OtherMSP), its genesis block, real endorser transactions
// (proposal, signed proposal responses, signed envelope) and orderer-signed blocks.
//
// Not thread-safe, except MakeEndorserTx and SignBlock, which are stateless.

#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/common.pb.h"
#include "common/configtx.pb.h"
#include "common/msp/msp.h"
#include "common/msp/signing_identity.h"
#include "common/msp/testing/test_org.h"
#include "common/policies.pb.h"
#include "fabric/base/status.h"
#include "ledger/rwset/rwset.pb.h"
#include "peer/committer/committer.h"
#include "peer/ledger/kv_ledger.h"
#include "peer/ledger/ledger_manager.h"

namespace fabric::committer::testing {

class TestNetwork {
 public:
  // Writes the organisations' MSP folders under `dir` (which must exist and outlive the
  // network) and loads their signing identities.
  static StatusOr<std::unique_ptr<TestNetwork>> Create(const std::string& dir);

  // A channel config with the orderer org and Org1, Org2 as application orgs; Readers/Writers
  // ANY, Admins MAJORITY; BlockValidation = ANY Orderer Writers; capabilities Channel V1_4_3,
  // Orderer V1_4_2, Application V1_4_2.
  common::Config MakeConfig(const std::vector<std::string>& orderer_addresses) const;
  StatusOr<common::Block> GenesisBlock(const std::string& channel,
                                       const std::vector<std::string>& orderer_addresses = {
                                           "127.0.0.1:7050"}) const;

  const msp::SigningIdentity& org1_peer() const { return *signers_[0]; }
  const msp::SigningIdentity& org2_peer() const { return *signers_[1]; }
  const msp::SigningIdentity& org1_client() const { return *signers_[2]; }
  const msp::SigningIdentity& org1_admin() const { return *signers_[3]; }
  const msp::SigningIdentity& orderer() const { return *signers_[4]; }
  const msp::SigningIdentity& outsider() const { return *signers_[5]; }  // OtherMSP client
  const msp::SigningIdentity& org2_admin() const { return *signers_[6]; }

 private:
  TestNetwork() = default;

  std::vector<msp::testing::TestOrg> orgs_;  // orderer, org1, org2, other
  std::vector<std::unique_ptr<msp::Msp>> local_msps_;
  std::vector<std::shared_ptr<const msp::SigningIdentity>> signers_;
};

// An endorser transaction as a client builds it from endorsed proposal responses.
struct TxSpec {
  std::string channel = "mychannel";
  std::string chaincode = "mycc";
  std::string version = "1.0";
  std::vector<std::string> args = {"invoke"};
  rwset::TxReadWriteSet rwset;
  std::string events;  // marshalled ChaincodeEvent, or empty
  const msp::SigningIdentity* creator = nullptr;
  std::vector<const msp::SigningIdentity*> endorsers;
};
StatusOr<common::Envelope> MakeEndorserTx(const TxSpec& spec, std::string* tx_id = nullptr);

// A ChaincodeData for lscc with endorsement policy `policy`, escc/vscc defaults and
// `instantiation_policy`.
std::string ChaincodeDataBytes(const std::string& name, const std::string& version,
                               const common::SignaturePolicyEnvelope& policy,
                               const common::SignaturePolicyEnvelope& instantiation_policy);

// Commits, straight into `ledger` (no committer checks), a block whose single unsigned
// transaction writes lscc/<name> = `chaincode_data`: defines a chaincode for tests.
Status DefineChaincode(ledger::KvLedger& ledger, const std::string& name,
                       const std::string& chaincode_data);

// The next block of `ledger` holding `envelopes`, sealed (data hash) and hash-chained.
StatusOr<common::Block> NextBlock(const ledger::KvLedger& ledger,
                                  const std::vector<common::Envelope>& envelopes);

// Adds the orderer's SIGNATURES metadata: Metadata{value = OrdererBlockMetadata{last_config},
// signatures = [{signature_header, sign(value || signature_header || BlockHeaderBytes)}]}.
Status SignBlock(common::Block& block, const msp::SigningIdentity& orderer,
                 uint64_t last_config = 0);

// A peer's ledgers under `dir` with channel `channel` created from the network's genesis block,
// and a Committer for it.
class TestChannel {
 public:
  static StatusOr<std::unique_ptr<TestChannel>> Create(
      const TestNetwork& network, const std::string& dir, const std::string& channel = "mychannel",
      const std::vector<std::string>& orderer_addresses = {"127.0.0.1:7050"},
      bool sync_block_files = true);

  ledger::LedgerManager& ledgers() { return *ledgers_; }
  ledger::KvLedger& ledger() { return *ledger_; }
  Committer& committer() { return *committer_; }

 private:
  TestChannel() = default;
  std::unique_ptr<ledger::LedgerManager> ledgers_;
  ledger::KvLedger* ledger_ = nullptr;
  std::unique_ptr<Committer> committer_;
};

}  // namespace fabric::committer::testing
