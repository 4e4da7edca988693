// SPDX-License-Identifier: Apache-2.0
#include "peer/scc/channel_resources.h"

#include <absl/strings/str_format.h>

#include "common/logging/logging.h"
#include "common/protoutil/blockutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"

namespace fabric::scc {
namespace {

logging::Logger& Log() {
  static logging::Logger* log = new logging::Logger("peer.channels");
  return *log;
}

// BlockMetadataIndex LAST_CONFIG (deprecated in the proto, still written by orderers).
constexpr int kLastConfigIndex = 1;

// The LAST_CONFIG index of `block`: the SIGNATURES entry's OrdererBlockMetadata (Fabric 1.4.3+
// orderers), else the deprecated LAST_CONFIG entry.
std::optional<uint64_t> LastConfigIndex(const common::Block& block) {
  const auto& md = block.metadata().metadata();
  if (md.size() > common::SIGNATURES) {
    auto meta = protoutil::Unmarshal<common::Metadata>(md[common::SIGNATURES], "metadata");
    if (meta.ok() && !meta->value().empty()) {
      auto obm = protoutil::Unmarshal<common::OrdererBlockMetadata>(meta->value(), "obm");
      if (obm.ok() && obm->has_last_config()) {
        return obm->last_config().index();
      }
    }
  }
  if (md.size() > kLastConfigIndex) {
    auto meta = protoutil::Unmarshal<common::Metadata>(md[kLastConfigIndex], "metadata");
    if (meta.ok()) {
      auto lc = protoutil::Unmarshal<common::LastConfig>(meta->value(), "last config");
      if (lc.ok()) {
        return lc->index();
      }
    }
  }
  return std::nullopt;
}

StatusOr<std::shared_ptr<const channelconfig::Bundle>> ParseJoinBlock(const common::Block& block) {
  if (!protoutil::IsConfigBlock(block)) {
    return InvalidArgumentError("block is not a config block");
  }
  ASSIGN_OR_RETURN(auto bundle, channelconfig::Bundle::FromConfigBlock(block));
  if (!bundle->has_application()) {
    return InvalidArgumentError("missing application configuration group");
  }
  return bundle;
}

}  // namespace

StatusOr<common::Block> ReadCurrentConfigBlock(const ledger::KvLedger& ledger) {
  common::BlockchainInfo info = ledger.GetBlockchainInfo();
  if (info.height() == 0) {
    return NotFoundError("ledger " + ledger.ledger_id() + " has no block");
  }
  ASSIGN_OR_RETURN(common::Block newest, ledger.GetBlockByNumber(info.height() - 1));
  std::optional<uint64_t> index = LastConfigIndex(newest);
  if (index && *index < info.height()) {
    ASSIGN_OR_RETURN(common::Block block, ledger.GetBlockByNumber(*index));
    if (protoutil::IsConfigBlock(block)) {
      return block;
    }
  }
  // No usable LAST_CONFIG: the newest config block, searching backwards.
  for (uint64_t n = info.height(); n-- > 0;) {
    ASSIGN_OR_RETURN(common::Block block, ledger.GetBlockByNumber(n));
    if (protoutil::IsConfigBlock(block)) {
      return block;
    }
  }
  return NotFoundError("ledger " + ledger.ledger_id() + " has no config block");
}

StatusOr<std::unique_ptr<PeerChannels>> PeerChannels::Open(ledger::LedgerManager& ledgers,
                                                           JoinHook on_join) {
  std::unique_ptr<PeerChannels> channels(new PeerChannels(ledgers));
  channels->on_join_ = std::move(on_join);
  for (const std::string& id : ledgers.ListLedgers()) {
    ASSIGN_OR_RETURN(ledger::KvLedger * ledger, ledgers.GetLedger(id));
    auto block = ReadCurrentConfigBlock(*ledger);
    if (!block.ok()) {
      return block.status().Annotate("channel " + id + ": read config block");
    }
    auto bundle = channelconfig::Bundle::FromConfigBlock(*block);
    if (!bundle.ok()) {
      return bundle.status().Annotate("channel " + id + ": parse config");
    }
    channels->channels_[id] = Channel{ledger, *bundle, std::move(block).value()};
  }
  return channels;
}

ledger::KvLedger* PeerChannels::GetLedger(const std::string& channel_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = channels_.find(channel_id);
  return it == channels_.end() ? nullptr : it->second.ledger;
}

std::shared_ptr<const channelconfig::Bundle> PeerChannels::GetBundle(
    const std::string& channel_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = channels_.find(channel_id);
  return it == channels_.end() ? nullptr : it->second.bundle;
}

StatusOr<common::Block> PeerChannels::GetConfigBlock(const std::string& channel_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = channels_.find(channel_id);
  if (it == channels_.end()) {
    return NotFoundError("Unknown chain ID, " + channel_id);
  }
  return it->second.config_block;
}

std::vector<std::string> PeerChannels::Channels() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> ids;
  for (const auto& [id, channel] : channels_) {
    ids.push_back(id);
  }
  return ids;
}

Status PeerChannels::JoinChain(const common::Block& genesis_block) {
  ASSIGN_OR_RETURN(auto bundle, ParseJoinBlock(genesis_block));
  const std::string& id = bundle->channel_id();
  ASSIGN_OR_RETURN(ledger::KvLedger * ledger, ledgers_.CreateLedger(genesis_block));
  JoinHook hook;
  {
    std::lock_guard<std::mutex> lock(mu_);
    channels_[id] = Channel{ledger, bundle, genesis_block};
    hook = on_join_;
  }
  FLOG_INFO(Log(), "joined channel %s", id);
  if (hook) {
    hook(id);
  }
  return Status::OK();
}

Status PeerChannels::UpdateConfig(const common::Block& config_block) {
  ASSIGN_OR_RETURN(auto bundle, channelconfig::Bundle::FromConfigBlock(config_block));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = channels_.find(bundle->channel_id());
  if (it == channels_.end()) {
    return NotFoundError("channel " + bundle->channel_id() + " is not joined");
  }
  it->second.bundle = std::move(bundle);
  it->second.config_block = config_block;
  return Status::OK();
}

void PeerChannels::SetJoinHook(JoinHook on_join) {
  std::lock_guard<std::mutex> lock(mu_);
  on_join_ = std::move(on_join);
}

}  // namespace fabric::scc
