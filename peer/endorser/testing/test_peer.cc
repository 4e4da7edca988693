// SPDX-License-Identifier: Apache-2.0
#include "peer/endorser/testing/test_peer.h"

#include "common/archive/archive.h"
#include "common/crypto/file_util.h"
#include "common/msp/config_builder.h"
#include "common/protoutil/blockutils.h"
#include "common/protoutil/proputils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "tools/configtxgen/cli.h"
#include "tools/configtxgen/encoder.h"
#include "tools/configtxgen/profile.h"
#include "tools/cryptogen/config.h"
#include "tools/cryptogen/generator.h"

namespace fabric::endorser::testing {
namespace {

constexpr char kPeerOrgs[] = "/crypto-config/peerOrganizations/";

std::string UserMsp(const std::string& dir, const std::string& org, const std::string& user) {
  return dir + kPeerOrgs + org + ".example.com/users/" + user + "@" + org + ".example.com/msp";
}

}  // namespace

StatusOr<ExecuteResult> FakeExecutor::Execute(const ExecuteParams& params, const std::string& ccid,
                                              const protos::ChaincodeInput& input, bool init) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back((init ? "init " : "invoke ") + ccid);
  }
  std::string ns = ccid.substr(0, ccid.find(':'));
  std::string fn = input.args_size() > 0 ? input.args(0) : "";
  ExecuteResult result;
  result.response.set_status(200);
  if (fn == "error") {
    return UnknownError("transaction returned with failure: chaincode panicked");
  }
  if (fn == "fail") {
    result.response.set_status(500);
    result.response.set_message("chaincode says no");
    return result;
  }
  if (fn == "bad") {
    result.response.set_status(404);
    result.response.set_message("not found here");
    return result;
  }
  if (params.tx_simulator != nullptr) {
    if (fn == "get") {
      ASSIGN_OR_RETURN(std::string v, params.tx_simulator->GetState(ns, "a"));
      result.response.set_payload(v);
    } else {
      ASSIGN_OR_RETURN(std::string v, params.tx_simulator->GetState(ns, "a"));
      RETURN_IF_ERROR(params.tx_simulator->SetState(ns, "a", v + "x"));
      result.response.set_payload("ok");
    }
  }
  if (fn == "event") {
    protos::ChaincodeEvent event;
    event.set_event_name("evt");
    event.set_payload("data");
    result.event = event;
  }
  return result;
}

TestPeer::~TestPeer() {
  endorser_.reset();
  sccs_.reset();
  channels_.reset();
  ledgers_.reset();
}

StatusOr<std::unique_ptr<TestPeer>> TestPeer::Create(ChaincodeExecutor* executor,
                                                     Endorser::Options options) {
  std::unique_ptr<TestPeer> p(new TestPeer());
  p->network_ = std::make_unique<msp::testing::TempDir>();
  p->data_ = std::make_unique<msp::testing::TempDir>();
  const std::string& dir = p->network_->path();
  cryptogen::GenerateOptions gen_options;
  ASSIGN_OR_RETURN(auto written, cryptogen::Generate(cryptogen::DefaultConfig(),
                                                     dir + "/crypto-config", gen_options));
  (void)written;
  ASSIGN_OR_RETURN(
      configtxgen::Profile profile,
      configtxgen::LoadProfile(configtxgen::DefaultConfigJson(), "TwoOrgsApplicationGenesis", dir));
  ASSIGN_OR_RETURN(common::Block genesis, configtxgen::MakeGenesisBlock(profile, kChannel));

  std::string peer_msp = dir + kPeerOrgs + "org1.example.com/peers/peer0.org1.example.com/msp";
  ASSIGN_OR_RETURN(auto local_config, msp::LoadMspConfigFromDir(peer_msp, "Org1MSP"));
  ASSIGN_OR_RETURN(p->local_msp_, msp::Msp::Create(local_config));
  ASSIGN_OR_RETURN(p->peer_signer_, msp::LoadSigningIdentity(peer_msp, "Org1MSP"));
  ASSIGN_OR_RETURN(p->org1_admin_,
                   msp::LoadSigningIdentity(UserMsp(dir, "org1", "Admin"), "Org1MSP"));
  ASSIGN_OR_RETURN(p->org1_user_,
                   msp::LoadSigningIdentity(UserMsp(dir, "org1", "User1"), "Org1MSP"));
  ASSIGN_OR_RETURN(
      p->orderer_admin_,
      msp::LoadSigningIdentity(dir + "/crypto-config/ordererOrganizations/example.com/users/"
                                     "Admin@example.com/msp",
                               "OrdererMSP"));

  ledger::LedgerManager::Options lopts;
  lopts.root_dir = p->data_->path() + "/ledgersData";
  lopts.sync_block_files = false;
  ASSIGN_OR_RETURN(p->ledgers_, ledger::LedgerManager::Open(lopts));
  ASSIGN_OR_RETURN(p->channels_, scc::PeerChannels::Open(*p->ledgers_));
  RETURN_IF_ERROR(p->channels_->JoinChain(genesis));
  p->packages_ = std::make_unique<scc::PackageStore>(p->data_->path());
  p->acl_ = std::make_unique<scc::AclProvider>(*p->channels_, *p->local_msp_);
  p->sccs_ = std::make_unique<scc::SystemChaincodes>(
      scc::SystemChaincodes::Deps{*p->channels_, *p->packages_, *p->acl_, *p->peer_signer_},
      p->registry_);
  Endorser::Deps deps{*p->channels_,
                      p->registry_,
                      *p->acl_,
                      *p->packages_,
                      *p->local_msp_,
                      *p->peer_signer_,
                      executor != nullptr ? *executor : p->fake_};
  p->endorser_ = std::make_unique<Endorser>(std::move(options), deps);
  return p;
}

protos::Proposal TestPeer::MakeProposal(const msp::SigningIdentity& creator,
                                        const std::string& channel, const std::string& name,
                                        const std::vector<std::string>& args,
                                        common::HeaderType type) {
  protos::ChaincodeInvocationSpec cis;
  cis.mutable_chaincode_spec()->set_type(protos::ChaincodeSpec::GOLANG);
  cis.mutable_chaincode_spec()->mutable_chaincode_id()->set_name(name);
  for (const std::string& a : args) {
    cis.mutable_chaincode_spec()->mutable_input()->add_args(a);
  }
  auto prop = protoutil::CreateChaincodeProposal(type, channel, cis, creator.Serialize());
  FABRIC_CHECK(prop.ok());
  return prop->proposal;
}

protos::SignedProposal TestPeer::Sign(const protos::Proposal& proposal,
                                      const msp::SigningIdentity& signer) {
  auto sp = protoutil::SignProposal(proposal, signer);
  FABRIC_CHECK(sp.ok());
  return *sp;
}

std::string TestPeer::MakeCds(const std::string& name, const std::string& version,
                              const std::vector<std::string>& init_args) {
  protos::ChaincodeDeploymentSpec cds;
  auto* spec = cds.mutable_chaincode_spec();
  spec->set_type(protos::ChaincodeSpec::GOLANG);
  spec->mutable_chaincode_id()->set_name(name);
  spec->mutable_chaincode_id()->set_version(version);
  spec->mutable_chaincode_id()->set_path("github.com/example/" + name);
  for (const std::string& a : init_args) {
    spec->mutable_input()->add_args(a);
  }
  // A Go package as `peer chaincode package` makes it: the source under src/, gzipped.
  cds.set_code_package(
      archive::Write({archive::File("src/github.com/example/" + name + "/main.go",
                                    "package main // " + name + ":" + version + "\n")},
                     {.gzip = true})
          .value());
  return protoutil::Marshal(cds);
}

Status TestPeer::InstallAndDeploy(const std::string& name, const std::string& version,
                                  const std::vector<std::string>& init_args) {
  std::string cds = MakeCds(name, version, init_args);
  ASSIGN_OR_RETURN(auto installed, endorser_->ProcessProposal(
                                       MakeSigned(*org1_admin_, "", "lscc", {"install", cds})));
  if (installed.response().status() != 200) {
    return InternalError("install: " + installed.response().message());
  }
  protos::Proposal deploy = MakeProposal(*org1_admin_, kChannel, "lscc", {"deploy", kChannel, cds});
  ASSIGN_OR_RETURN(auto deployed, endorser_->ProcessProposal(Sign(deploy, *org1_admin_)));
  if (deployed.response().status() != 200) {
    return InternalError("deploy: " + deployed.response().message());
  }
  return CommitTx(deploy, *org1_admin_, {deployed});
}

Status TestPeer::CommitTx(const protos::Proposal& proposal, const msp::SigningIdentity& creator,
                          const std::vector<protos::ProposalResponse>& responses) {
  ASSIGN_OR_RETURN(common::Envelope env, protoutil::CreateSignedTx(proposal, creator, responses));
  ledger::KvLedger& l = ledger();
  uint64_t height = l.GetBlockchainInfo().height();
  ASSIGN_OR_RETURN(common::Block prev, l.GetBlockByNumber(height - 1));
  common::Block block = protoutil::NewBlock(height, protoutil::BlockHeaderHash(prev.header()));
  *block.mutable_data()->add_data() = protoutil::Marshal(env);
  protoutil::SealBlock(block);
  return l.CommitBlock(std::move(block));
}

}  // namespace fabric::endorser::testing
