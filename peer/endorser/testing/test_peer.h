// SPDX-License-Identifier: Apache-2.0
//
// TestPeer: a complete endorsing peer for tests, fuzzing and benchmarks, without a gRPC server:
// a cryptogen network (OrdererOrg, Org1, Org2) and configtxgen genesis block for channel
// "mychannel" in a temporary directory, peer0.org1's local MSP and signing identity, a real
// LedgerManager on disk that has joined the channel, the system chaincodes and an Endorser.
// User chaincode runs through a ChaincodeExecutor passed in, or FakeExecutor by default.
//
// Also: client identities (Admin@org1, User1@org1, Admin@org2, Admin@example.com of the
// orderer org) and helpers to build signed proposals and commit endorsed transactions.
//
// Thread-safety: ProcessProposal may be called concurrently; the helpers are not thread-safe.

#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/msp/msp.h"
#include "common/msp/testing/test_org.h"
#include "common/msp/x509_signing_identity.h"
#include "peer/endorser/endorser.h"
#include "peer/ledger/ledger_manager.h"
#include "peer/scc/system_chaincodes.h"

namespace fabric::endorser::testing {

inline constexpr char kChannel[] = "mychannel";

// Runs "chaincode" in memory: Init and "invoke"/"put" write key "a" of its namespace through
// the simulator, "get" reads it, "fail" returns 500, "bad" returns 400, "error" fails the
// execution. Records the ccids it ran.
class FakeExecutor : public ChaincodeExecutor {
 public:
  StatusOr<ExecuteResult> Execute(const ExecuteParams& params, const std::string& ccid,
                                  const protos::ChaincodeInput& input, bool init) override;
  std::vector<std::string> calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> calls_;
};

class TestPeer {
 public:
  // Builds everything; `executor` null means an internal FakeExecutor.
  static StatusOr<std::unique_ptr<TestPeer>> Create(ChaincodeExecutor* executor = nullptr,
                                                    Endorser::Options options = {});
  ~TestPeer();

  Endorser& endorser() { return *endorser_; }
  scc::PeerChannels& channels() { return *channels_; }
  scc::PackageStore& packages() { return *packages_; }
  const msp::X509SigningIdentity& peer_signer() const { return *peer_signer_; }
  const msp::X509SigningIdentity& org1_admin() const { return *org1_admin_; }
  const msp::X509SigningIdentity& org1_user() const { return *org1_user_; }
  const msp::X509SigningIdentity& org1_peer() const { return *peer_signer_; }
  const msp::X509SigningIdentity& orderer_admin() const { return *orderer_admin_; }
  FakeExecutor& fake_executor() { return fake_; }
  const std::string& network_dir() const { return network_->path(); }
  ledger::KvLedger& ledger() { return *channels_->GetLedger(kChannel); }

  // An unsigned chaincode proposal on `channel` for chaincode `name` with `args`.
  static protos::Proposal MakeProposal(const msp::SigningIdentity& creator,
                                       const std::string& channel, const std::string& name,
                                       const std::vector<std::string>& args,
                                       common::HeaderType type = common::ENDORSER_TRANSACTION);
  // The same, signed by `creator`.
  static protos::SignedProposal Sign(const protos::Proposal& proposal,
                                     const msp::SigningIdentity& signer);
  static protos::SignedProposal MakeSigned(const msp::SigningIdentity& creator,
                                           const std::string& channel, const std::string& name,
                                           const std::vector<std::string>& args) {
    return Sign(MakeProposal(creator, channel, name, args), creator);
  }
  // A ChaincodeDeploymentSpec for name:version with Init args `init_args`.
  static std::string MakeCds(const std::string& name, const std::string& version,
                             const std::vector<std::string>& init_args);

  // Installs (as Org1 admin) and deploys name:version, then commits the deploy transaction.
  Status InstallAndDeploy(const std::string& name, const std::string& version,
                          const std::vector<std::string>& init_args = {"init"});
  // Builds the transaction from `proposal` and its responses and commits it in a new block.
  Status CommitTx(const protos::Proposal& proposal, const msp::SigningIdentity& creator,
                  const std::vector<protos::ProposalResponse>& responses);

 private:
  TestPeer() = default;

  std::unique_ptr<msp::testing::TempDir> network_;
  std::unique_ptr<msp::testing::TempDir> data_;
  std::unique_ptr<msp::Msp> local_msp_;
  std::unique_ptr<msp::X509SigningIdentity> peer_signer_, org1_admin_, org1_user_, orderer_admin_;
  std::unique_ptr<ledger::LedgerManager> ledgers_;
  std::unique_ptr<scc::PeerChannels> channels_;
  std::unique_ptr<scc::PackageStore> packages_;
  std::unique_ptr<scc::AclProvider> acl_;
  scc::Registry registry_;
  std::unique_ptr<scc::SystemChaincodes> sccs_;
  FakeExecutor fake_;
  std::unique_ptr<Endorser> endorser_;
};

}  // namespace fabric::endorser::testing
