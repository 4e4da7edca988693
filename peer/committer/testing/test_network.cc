// SPDX-License-Identifier: Apache-2.0

#include "peer/committer/testing/test_network.h"

#include "ccprovider/ccprovider.pb.h"
#include "common/channelconfig/genesis.h"
#include "common/channelconfig/keys.h"
#include "common/channelconfig/values.h"
#include "common/configuration.pb.h"
#include "common/msp/config_builder.h"
#include "common/policies/builder.h"
#include "common/protoutil/blockutils.h"
#include "common/protoutil/proputils.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "orderer/configuration.pb.h"
#include "peer/chaincode_event.pb.h"
#include "peer/ledger/rwset_builder.h"
#include "peer/ledger/testing/tx_builder.h"

namespace fabric::committer::testing {
namespace {

using channelconfig::SetImplicitMetaPolicy;
using channelconfig::SetSignaturePolicy;
using channelconfig::SetValue;
constexpr std::string_view kAdmins = "Admins";

void SetStandardPolicies(common::ConfigGroup& group) {
  SetImplicitMetaPolicy(group, "Readers", common::ImplicitMetaPolicy::ANY, "Readers", kAdmins);
  SetImplicitMetaPolicy(group, "Writers", common::ImplicitMetaPolicy::ANY, "Writers", kAdmins);
  SetImplicitMetaPolicy(group, "Admins", common::ImplicitMetaPolicy::MAJORITY, "Admins", kAdmins);
}

common::ConfigGroup OrgGroup(const msp::testing::TestOrg& org) {
  common::ConfigGroup group;
  ::msp::MSPConfig config = msp::LoadVerifyingMspConfigFromDir(org.msp_dir, org.msp_id).value();
  SetValue(group, channelconfig::kMSPKey, config, kAdmins);
  SetSignaturePolicy(group, "Readers", policies::SignedByAnyMember({org.msp_id}), kAdmins);
  SetSignaturePolicy(group, "Writers", policies::SignedByAnyMember({org.msp_id}), kAdmins);
  SetSignaturePolicy(group, "Admins", policies::SignedByMspAdmin(org.msp_id), kAdmins);
  group.set_mod_policy(std::string(kAdmins));
  return group;
}

StatusOr<std::shared_ptr<const msp::SigningIdentity>> LoadSigner(
    const msp::testing::TestIdentity& id, const std::string& msp_id,
    std::vector<std::unique_ptr<msp::Msp>>* keep) {
  ASSIGN_OR_RETURN(::msp::MSPConfig config, msp::LoadMspConfigFromDir(id.msp_dir, msp_id));
  ASSIGN_OR_RETURN(std::unique_ptr<msp::Msp> local, msp::Msp::Create(config));
  ASSIGN_OR_RETURN(auto signer, local->GetDefaultSigningIdentity());
  keep->push_back(std::move(local));
  return signer;
}

}  // namespace

StatusOr<std::unique_ptr<TestNetwork>> TestNetwork::Create(const std::string& dir) {
  std::unique_ptr<TestNetwork> net(new TestNetwork());
  const std::vector<std::tuple<std::string, std::string, std::string>> orgs = {
      {"orderer", "OrdererMSP", "example.com"},
      {"org1", "Org1MSP", "org1.example.com"},
      {"org2", "Org2MSP", "org2.example.com"},
      {"other", "OtherMSP", "other.example.com"}};
  for (const auto& [sub, msp_id, domain] : orgs) {
    ASSIGN_OR_RETURN(msp::testing::TestOrg org,
                     msp::testing::MakeTestOrg(dir + "/" + sub, msp_id, domain));
    net->orgs_.push_back(std::move(org));
  }
  const auto& o = net->orgs_;
  const std::vector<std::pair<const msp::testing::TestIdentity*, std::string>> ids = {
      {&o[1].peer, "Org1MSP"},  {&o[2].peer, "Org2MSP"},       {&o[1].client, "Org1MSP"},
      {&o[1].admin, "Org1MSP"}, {&o[0].orderer, "OrdererMSP"}, {&o[3].client, "OtherMSP"},
      {&o[2].admin, "Org2MSP"}};
  for (const auto& [id, msp_id] : ids) {
    ASSIGN_OR_RETURN(auto signer, LoadSigner(*id, msp_id, &net->local_msps_));
    net->signers_.push_back(std::move(signer));
  }
  return net;
}

common::Config TestNetwork::MakeConfig(const std::vector<std::string>& orderer_addresses) const {
  common::Config config;
  common::ConfigGroup& channel = *config.mutable_channel_group();
  SetStandardPolicies(channel);
  channelconfig::SetDefaultHashing(channel, kAdmins);
  common::OrdererAddresses addresses;
  for (const auto& a : orderer_addresses) {
    addresses.add_addresses(a);
  }
  SetValue(channel, channelconfig::kOrdererAddressesKey, addresses,
           channelconfig::kOrdererAdminsPolicyPath);
  channelconfig::SetCapabilities(channel, {"V1_4_3"}, kAdmins);

  common::ConfigGroup& orderer = (*channel.mutable_groups())["Orderer"];
  SetStandardPolicies(orderer);
  SetImplicitMetaPolicy(orderer, "BlockValidation", common::ImplicitMetaPolicy::ANY, "Writers",
                        kAdmins);
  ::orderer::ConsensusType consensus;
  consensus.set_type("solo");
  SetValue(orderer, channelconfig::kConsensusTypeKey, consensus, kAdmins);
  ::orderer::BatchSize size;
  size.set_max_message_count(500);
  size.set_absolute_max_bytes(99 * 1024 * 1024);
  size.set_preferred_max_bytes(2 * 1024 * 1024);
  SetValue(orderer, channelconfig::kBatchSizeKey, size, kAdmins);
  ::orderer::BatchTimeout timeout;
  timeout.set_timeout("2s");
  SetValue(orderer, channelconfig::kBatchTimeoutKey, timeout, kAdmins);
  channelconfig::SetCapabilities(orderer, {"V1_4_2"}, kAdmins);
  (*orderer.mutable_groups())["OrdererOrg"] = OrgGroup(orgs_[0]);

  common::ConfigGroup& application = (*channel.mutable_groups())["Application"];
  SetStandardPolicies(application);
  channelconfig::SetCapabilities(application, {"V1_4_2"}, kAdmins);
  (*application.mutable_groups())["Org1"] = OrgGroup(orgs_[1]);
  (*application.mutable_groups())["Org2"] = OrgGroup(orgs_[2]);
  return config;
}

StatusOr<common::Block> TestNetwork::GenesisBlock(
    const std::string& channel, const std::vector<std::string>& orderer_addresses) const {
  return channelconfig::MakeGenesisBlock(channel, MakeConfig(orderer_addresses).channel_group());
}

StatusOr<common::Envelope> MakeEndorserTx(const TxSpec& spec, std::string* tx_id) {
  protos::ChaincodeInvocationSpec invocation;
  invocation.mutable_chaincode_spec()->mutable_chaincode_id()->set_name(spec.chaincode);
  for (const auto& a : spec.args) {
    invocation.mutable_chaincode_spec()->mutable_input()->add_args(a);
  }
  ASSIGN_OR_RETURN(auto prop,
                   protoutil::CreateChaincodeProposal(common::ENDORSER_TRANSACTION, spec.channel,
                                                      invocation, spec.creator->Serialize()));
  ASSIGN_OR_RETURN(auto header,
                   protoutil::Unmarshal<common::Header>(prop.proposal.header(), "header"));
  protos::Response ok;
  ok.set_status(200);
  protos::ChaincodeID ccid;
  ccid.set_name(spec.chaincode);
  ccid.set_version(spec.version);
  const std::string results = protoutil::Marshal(spec.rwset);
  std::vector<protos::ProposalResponse> responses;
  for (const msp::SigningIdentity* endorser : spec.endorsers) {
    ASSIGN_OR_RETURN(auto resp,
                     protoutil::CreateProposalResponse(header, prop.proposal.payload(), ok, results,
                                                       spec.events, ccid, *endorser));
    responses.push_back(std::move(resp));
  }
  if (tx_id != nullptr) {
    *tx_id = prop.tx_id;
  }
  return protoutil::CreateSignedTx(prop.proposal, *spec.creator, responses);
}

std::string ChaincodeDataBytes(const std::string& name, const std::string& version,
                               const common::SignaturePolicyEnvelope& policy,
                               const common::SignaturePolicyEnvelope& instantiation_policy) {
  ccprovider::ChaincodeData cd;
  cd.set_name(name);
  cd.set_version(version);
  cd.set_escc("escc");
  cd.set_vscc("vscc");
  cd.set_policy(protoutil::Marshal(policy));
  cd.set_instantiation_policy(protoutil::Marshal(instantiation_policy));
  return protoutil::Marshal(cd);
}

StatusOr<common::Block> NextBlock(const ledger::KvLedger& ledger,
                                  const std::vector<common::Envelope>& envelopes) {
  common::BlockchainInfo info = ledger.GetBlockchainInfo();
  common::Block block = protoutil::NewBlock(info.height(), info.currentblockhash());
  for (const auto& env : envelopes) {
    block.mutable_data()->add_data(env.SerializeAsString());
  }
  protoutil::SealBlock(block);
  return block;
}

Status DefineChaincode(ledger::KvLedger& ledger, const std::string& name,
                       const std::string& chaincode_data) {
  ledger::RWSetBuilder rw;
  rw.AddToWriteSet("lscc", name, chaincode_data);
  common::Envelope env = ledger::testing::FastEndorserTx(
      ledger.ledger_id(),
      "define-" + name + "-" + std::to_string(ledger.GetBlockchainInfo().height()),
      rw.GetTxSimulationResults());
  ASSIGN_OR_RETURN(common::Block block, NextBlock(ledger, {env}));
  return ledger.CommitBlock(std::move(block));
}

Status SignBlock(common::Block& block, const msp::SigningIdentity& orderer, uint64_t last_config) {
  common::OrdererBlockMetadata obm;
  obm.mutable_last_config()->set_index(last_config);
  common::Metadata md;
  md.set_value(protoutil::Marshal(obm));
  ASSIGN_OR_RETURN(std::string nonce, protoutil::CreateNonce());
  common::SignatureHeader sh = protoutil::MakeSignatureHeader(orderer.Serialize(), nonce);
  common::MetadataSignature* sig = md.add_signatures();
  sig->set_signature_header(protoutil::Marshal(sh));
  ASSIGN_OR_RETURN(std::string signature,
                   orderer.Sign(md.value() + sig->signature_header() +
                                protoutil::BlockHeaderBytes(block.header())));
  sig->set_signature(std::move(signature));
  while (block.metadata().metadata_size() <= common::SIGNATURES) {
    block.mutable_metadata()->add_metadata();
  }
  block.mutable_metadata()->set_metadata(common::SIGNATURES, protoutil::Marshal(md));
  return Status::OK();
}

StatusOr<std::unique_ptr<TestChannel>> TestChannel::Create(
    const TestNetwork& network, const std::string& dir, const std::string& channel,
    const std::vector<std::string>& orderer_addresses, bool sync_block_files) {
  std::unique_ptr<TestChannel> ch(new TestChannel());
  ledger::LedgerManager::Options options;
  options.root_dir = dir;
  options.sync_block_files = sync_block_files;
  ASSIGN_OR_RETURN(ch->ledgers_, ledger::LedgerManager::Open(options));
  ASSIGN_OR_RETURN(common::Block genesis, network.GenesisBlock(channel, orderer_addresses));
  ASSIGN_OR_RETURN(ch->ledger_, ch->ledgers_->CreateLedger(genesis));
  ASSIGN_OR_RETURN(auto config, LoadChannelConfig(*ch->ledger_));
  ch->committer_ = std::make_unique<Committer>(TxValidator::Options{}, *ch->ledger_, config);
  return ch;
}

}  // namespace fabric::committer::testing
