// SPDX-License-Identifier: Apache-2.0
#include "orderer/registrar.h"

#include <filesystem>
#include <system_error>

#include <absl/strings/str_format.h>

#include "common/logging/logging.h"
#include "common/protoutil/blockutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "orderer/block_writer.h"
#include "orderer/msgprocessor.h"

namespace fabric::orderer {
namespace {

logging::Logger logger("orderer.registrar");

}  // namespace

StatusOr<std::unique_ptr<Registrar>> Registrar::Open(
    const Options& options, const std::vector<common::Block>& genesis_blocks,
    const msp::SigningIdentity& signer) {
  if (options.ledger_dir.empty()) {
    return InvalidArgumentError("registrar: empty ledger directory");
  }
  std::unique_ptr<Registrar> registrar(new Registrar(options, signer));
  const std::filesystem::path chains = std::filesystem::path(options.ledger_dir) / "chains";
  std::error_code ec;
  std::filesystem::create_directories(chains, ec);
  if (ec) {
    return InternalError(absl::StrFormat("create %s: %s", chains.string(), ec.message()));
  }
  std::vector<std::string> existing;
  for (const auto& entry : std::filesystem::directory_iterator(chains, ec)) {
    if (entry.is_directory() && ValidateChannelId(entry.path().filename().string()).ok()) {
      existing.push_back(entry.path().filename().string());
    }
  }
  if (ec) {
    return InternalError(absl::StrFormat("list %s: %s", chains.string(), ec.message()));
  }
  std::sort(existing.begin(), existing.end());
  for (const std::string& channel_id : existing) {
    ASSIGN_OR_RETURN(ChainSupport * chain, registrar->AddChain(channel_id, nullptr));
    FLOG_INFO(logger, "reopened channel %s at height %d", channel_id, chain->store().Height());
  }
  for (const common::Block& genesis : genesis_blocks) {
    if (!protoutil::IsConfigBlock(genesis) || genesis.header().number() != 0) {
      return InvalidArgumentError("bootstrap block is not a genesis config block");
    }
    ASSIGN_OR_RETURN(std::string channel_id, protoutil::ChannelIdFromBlock(genesis));
    RETURN_IF_ERROR(ValidateChannelId(channel_id));
    if (registrar->GetChain(channel_id) != nullptr) {
      FLOG_INFO(logger, "channel %s exists; not bootstrapping it again", channel_id);
      continue;
    }
    ASSIGN_OR_RETURN(ChainSupport * chain, registrar->AddChain(channel_id, &genesis));
    FLOG_INFO(logger, "bootstrapped channel %s%s", channel_id,
              chain->is_system_channel() ? " (system channel)" : "");
  }
  std::lock_guard<std::mutex> lock(registrar->mu_);
  for (auto& [unused, chain] : registrar->chains_) {
    chain->Start();
  }
  return registrar;
}

Registrar::~Registrar() { Halt(); }

std::string Registrar::ChainDir(const std::string& channel_id) const {
  return (std::filesystem::path(options_.ledger_dir) / "chains" / channel_id).string();
}

StatusOr<ChainSupport*> Registrar::AddChain(const std::string& channel_id,
                                            const common::Block* genesis) {
  ChainSupport::Options chain_options;
  chain_options.channel_id = channel_id;
  chain_options.store.block_dir = ChainDir(channel_id);
  chain_options.store.sync = options_.sync;
  // As Fabric's orderer ledger: blocks are looked up by number (Deliver), never by txid.
  chain_options.store.index_transactions = false;
  chain_options.on_config = options_.on_config;
  chain_options.consenter = [this](ChainSupport& support) { return MakeConsenter(support); };
  chain_options.create_channel = [this](const common::Envelope& config) {
    return CreateChannel(config);
  };
  StatusOr<std::unique_ptr<ChainSupport>> chain =
      ChainSupport::Open(std::move(chain_options), genesis, signer_);
  if (!chain.ok()) {
    return chain.status().Annotate("open channel " + channel_id);
  }
  std::lock_guard<std::mutex> lock(mu_);
  if ((*chain)->is_system_channel()) {
    if (system_chain_ != nullptr) {
      return InvalidArgumentError(absl::StrFormat("two system channels: %s and %s",
                                                  system_chain_->channel_id(), channel_id));
    }
    system_chain_ = chain->get();
  }
  ChainSupport* raw = chain->get();
  chains_[channel_id] = *std::move(chain);
  return raw;
}

StatusOr<std::unique_ptr<Chain>> Registrar::MakeConsenter(ChainSupport& support) const {
  if (options_.consenter) {
    return options_.consenter(support);
  }
  const std::string& type = support.bundle()->consensus_type();
  if (type != cluster::kEtcdConsensusType) {
    return std::unique_ptr<Chain>();  // solo
  }
  ASSIGN_OR_RETURN(std::shared_ptr<cluster::ChannelLogFactory> logs,
                   ChannelLogs(*support.bundle()));
  ASSIGN_OR_RETURN(std::unique_ptr<cluster::ChannelLog> log, logs->Open(support.channel_id()));
  ASSIGN_OR_RETURN(std::unique_ptr<cluster::ClusterChain> chain,
                   cluster::ClusterChain::Open(support, std::move(log), options_.cluster));
  return std::unique_ptr<Chain>(std::move(chain));
}

StatusOr<std::shared_ptr<cluster::ChannelLogFactory>> Registrar::ChannelLogs(
    const channelconfig::Bundle& bundle) const {
  ASSIGN_OR_RETURN(cluster::EtcdConfigMetadata etcd, cluster::EtcdConfig(bundle));
  if (options_.channel_logs != nullptr) {
    return options_.channel_logs;
  }
  if (!options_.make_channel_logs) {
    return FailedPreconditionError(absl::StrFormat(
        "channel %s has consensus type %s, but this orderer has no etcd cluster configured for "
        "its channel logs",
        bundle.channel_id(), bundle.consensus_type()));
  }
  std::lock_guard<std::mutex> lock(factories_mu_);
  std::shared_ptr<cluster::ChannelLogFactory>& factory = factories_[etcd.SerializeAsString()];
  if (factory == nullptr) {
    StatusOr<std::shared_ptr<cluster::ChannelLogFactory>> made = options_.make_channel_logs(etcd);
    if (!made.ok() || *made == nullptr) {
      return made.ok() ? InternalError("no channel log factory made")
                       : made.status().Annotate("connect to the etcd cluster of channel " +
                                                bundle.channel_id());
    }
    factory = *std::move(made);
  }
  return factory;
}

Status Registrar::CreateChannel(const common::Envelope& config_envelope) {
  ASSIGN_OR_RETURN(auto payload,
                   protoutil::Unmarshal<common::Payload>(config_envelope.payload(), "payload"));
  ASSIGN_OR_RETURN(auto channel_header, protoutil::Unmarshal<common::ChannelHeader>(
                                            payload.header().channel_header(), "channel header"));
  const std::string& channel_id = channel_header.channel_id();
  RETURN_IF_ERROR(ValidateChannelId(channel_id));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (halted_) {
      return UnavailableError("orderer is shutting down");
    }
    if (chains_.count(channel_id) > 0) {
      return AlreadyExistsError(absl::StrFormat("channel %s already exists", channel_id));
    }
    uint64_t max = system_chain_ != nullptr ? system_chain_->bundle()->max_channels() : 0;
    if (max > 0 && chains_.size() - 1 >= max) {
      return ResourceExhaustedError(
          absl::StrFormat("channel creation would exceed maximum number of channels: %d", max));
    }
  }
  common::Block genesis = protoutil::NewBlock(0, "");
  genesis.mutable_data()->add_data(protoutil::Marshal(config_envelope));
  protoutil::SealBlock(genesis);
  RETURN_IF_ERROR(BlockWriter::SignBlock(&genesis, 0, signer_));
  ASSIGN_OR_RETURN(ChainSupport * chain, AddChain(channel_id, &genesis));
  chain->Start();
  FLOG_INFO(logger, "created channel %s", channel_id);
  return Status::OK();
}

ChainSupport* Registrar::GetChain(std::string_view channel_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = chains_.find(channel_id);
  return it == chains_.end() ? nullptr : it->second.get();
}

ChainSupport* Registrar::system_chain() const {
  std::lock_guard<std::mutex> lock(mu_);
  return system_chain_;
}

std::vector<std::string> Registrar::ChannelIds() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> ids;
  for (const auto& [id, unused] : chains_) {
    ids.push_back(id);
  }
  return ids;
}

void Registrar::Halt() {
  std::vector<ChainSupport*> chains;
  {
    std::lock_guard<std::mutex> lock(mu_);
    halted_ = true;
    for (auto& [unused, chain] : chains_) {
      chains.push_back(chain.get());
    }
  }
  for (ChainSupport* chain : chains) {
    chain->Halt();
  }
}

}  // namespace fabric::orderer
