// SPDX-License-Identifier: Apache-2.0
#include "orderer/chain.h"

#include <utility>

#include <absl/strings/str_format.h>

#include "common/channelconfig/keys.h"
#include "common/logging/logging.h"
#include "common/protoutil/blockutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "orderer/msgprocessor.h"
#include "orderer/solo_chain.h"

namespace fabric::orderer {
namespace {

logging::Logger logger("orderer.chain");

StatusOr<std::shared_ptr<const channelconfig::Bundle>> LoadBundle(
    const ledger::blkstorage::BlockStore& store, uint64_t* last_config) {
  ASSIGN_OR_RETURN(common::Block last, store.RetrieveBlockByNumber(store.Height() - 1));
  ASSIGN_OR_RETURN(*last_config, LastConfigIndexFromBlock(last));
  ASSIGN_OR_RETURN(common::Block config_block, store.RetrieveBlockByNumber(*last_config));
  return channelconfig::Bundle::FromConfigBlock(config_block);
}

}  // namespace

StatusOr<std::unique_ptr<ChainSupport>> ChainSupport::Open(Options options,
                                                           const common::Block* genesis,
                                                           const msp::SigningIdentity& signer) {
  ASSIGN_OR_RETURN(std::unique_ptr<ledger::blkstorage::BlockStore> store,
                   ledger::blkstorage::BlockStore::Open(options.store));
  if (store->Height() == 0) {
    if (genesis == nullptr) {
      return FailedPreconditionError(
          absl::StrFormat("channel %s has no blocks and no genesis block", options.channel_id));
    }
    // Check the config before writing anything.
    RETURN_IF_ERROR(channelconfig::Bundle::FromConfigBlock(*genesis).status().Annotate(
        "genesis block of channel " + options.channel_id));
    RETURN_IF_ERROR(store->AddBlock(*genesis));
  }
  uint64_t last_config = 0;
  StatusOr<std::shared_ptr<const channelconfig::Bundle>> bundle = LoadBundle(*store, &last_config);
  if (!bundle.ok()) {
    return bundle.status().Annotate("load config of channel " + options.channel_id);
  }
  if ((*bundle)->channel_id() != options.channel_id) {
    return InvalidArgumentError(absl::StrFormat("chain directory %s holds channel %s",
                                                options.channel_id, (*bundle)->channel_id()));
  }
  std::unique_ptr<ChainSupport> support(new ChainSupport(
      std::move(options), signer, std::move(store), *std::move(bundle), last_config));
  if (support->options_.consenter) {
    ASSIGN_OR_RETURN(support->chain_, support->options_.consenter(*support));
  }
  if (support->chain_ == nullptr) {
    support->chain_ = std::make_unique<SoloChain>(*support, support->options_.queue_capacity);
  }
  if (support->options_.on_config) {
    support->options_.on_config(*support->bundle());
  }
  return support;
}

ChainSupport::ChainSupport(Options options, const msp::SigningIdentity& signer,
                           std::unique_ptr<ledger::blkstorage::BlockStore> store,
                           std::shared_ptr<const channelconfig::Bundle> bundle,
                           uint64_t last_config)
    : options_(std::move(options)),
      signer_(signer),
      store_(std::move(store)),
      writer_(*store_, signer_, last_config),
      bundle_(std::move(bundle)) {}

ChainSupport::~ChainSupport() {
  if (chain_ != nullptr) {
    chain_->Halt();
  }
}

std::shared_ptr<const channelconfig::Bundle> ChainSupport::bundle() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bundle_;
}

bool ChainSupport::is_system_channel() const {
  std::shared_ptr<const channelconfig::Bundle> b = bundle();
  return !b->has_application() && b->config().channel_group().groups().count(
                                      std::string(channelconfig::kConsortiumsGroupKey)) > 0;
}

std::optional<BlockCutter::OrderedResult> ChainSupport::CutterOrdered(common::Envelope envelope,
                                                                      uint64_t config_seq) {
  std::shared_ptr<const channelconfig::Bundle> current = bundle();
  if (config_seq < current->sequence()) {
    StatusOr<EnvelopeHeaders> headers = ParseEnvelopeHeaders(envelope);
    Status status =
        headers.ok() ? ProcessNormalMsg(*current, envelope, *headers) : headers.status();
    if (!status.ok()) {
      FLOG_WARN(logger, "[channel: %s] discarding message revalidated after a config change: %s",
                channel_id(), status.ToString());
      return std::nullopt;
    }
  }
  return cutter_.Ordered(std::move(envelope), current->batch_size());
}

StatusOr<common::Envelope> ChainSupport::ReprocessConfig(const common::Envelope& update) const {
  std::shared_ptr<const channelconfig::Bundle> current = bundle();
  ASSIGN_OR_RETURN(EnvelopeHeaders headers, ParseEnvelopeHeaders(update));
  if (headers.channel_header.channel_id() == channel_id()) {
    return ProcessConfigUpdate(*current, update, signer_);
  }
  return ProcessChannelCreation(*current, update, signer_);
}

Status ChainSupport::WriteBatch(const Batch& batch, const std::string& consenter_metadata) {
  StatusOr<common::Block> block = writer_.CreateNextBlock(batch);
  Status status = block.ok() ? writer_.WriteBlock(*std::move(block), false, consenter_metadata)
                             : block.status();
  if (!status.ok()) {
    FLOG_ERROR(logger, "[channel: %s] write block: %s; halting the chain", channel_id(),
               status.ToString());
    return status;
  }
  FLOG_DEBUG(logger, "[channel: %s] wrote block %d with %d messages", channel_id(),
             store_->Height() - 1, batch.size());
  return Status::OK();
}

Status ChainSupport::WriteConfigBlock(const common::Envelope& config,
                                      const std::string& consenter_metadata) {
  Status status = WriteConfigBlockUnlogged(config, consenter_metadata);
  if (!status.ok()) {
    FLOG_ERROR(logger, "[channel: %s] write config block: %s; halting the chain", channel_id(),
               status.ToString());
  }
  return status;
}

Status ChainSupport::WriteConfigBlockUnlogged(const common::Envelope& config,
                                              const std::string& consenter_metadata) {
  ASSIGN_OR_RETURN(EnvelopeHeaders headers, ParseEnvelopeHeaders(config));
  ASSIGN_OR_RETURN(common::Block block, writer_.CreateNextBlock(Batch{config}));
  if (headers.channel_header.type() == common::ORDERER_TRANSACTION) {
    if (!options_.create_channel) {
      return FailedPreconditionError("this chain cannot create channels");
    }
    // The channel was validated when the request was processed; a failure here (e.g. it was
    // created concurrently) drops the request without writing the block.
    if (!CreateChannelOf(config)) {
      return Status::OK();
    }
    return writer_.WriteBlock(std::move(block), false, consenter_metadata);
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const channelconfig::Bundle> next,
                   channelconfig::Bundle::FromConfigBlock(block));
  RETURN_IF_ERROR(writer_.WriteBlock(std::move(block), true, consenter_metadata));
  FLOG_INFO(logger, "[channel: %s] config block %d written, config sequence %d", channel_id(),
            store_->Height() - 1, next->sequence());
  if (options_.on_config) {
    options_.on_config(*next);
  }
  std::lock_guard<std::mutex> lock(mu_);
  bundle_ = std::move(next);
  return Status::OK();
}

bool ChainSupport::CreateChannelOf(const common::Envelope& orderer_transaction) {
  StatusOr<common::Envelope> channel_config = UnwrapOrdererTransaction(orderer_transaction);
  Status created = !channel_config.ok()      ? channel_config.status()
                   : options_.create_channel ? options_.create_channel(*channel_config)
                                             : FailedPreconditionError("no create_channel");
  if (!created.ok()) {
    FLOG_WARN(logger, "[channel: %s] channel creation dropped: %s", channel_id(),
              created.ToString());
    return false;
  }
  return true;
}

Status ChainSupport::AppendPulledBlock(std::shared_ptr<const common::Block> block) {
  const uint64_t number = block->header().number();
  if (!protoutil::IsConfigBlock(*block)) {
    // A pulled ORDERER_TRANSACTION block was written by the other node: its channel exists
    // there, so it is created here too.
    StatusOr<common::Envelope> first = protoutil::ExtractEnvelope(*block, 0);
    StatusOr<EnvelopeHeaders> headers =
        first.ok() ? ParseEnvelopeHeaders(*first) : StatusOr<EnvelopeHeaders>(first.status());
    if (headers.ok() && headers->channel_header.type() == common::ORDERER_TRANSACTION) {
      CreateChannelOf(*first);
    }
    return writer_.AppendSignedBlock(std::move(block), false);
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const channelconfig::Bundle> next,
                   channelconfig::Bundle::FromConfigBlock(*block));
  RETURN_IF_ERROR(writer_.AppendSignedBlock(std::move(block), true));
  FLOG_INFO(logger, "[channel: %s] pulled config block %d, config sequence %d", channel_id(),
            number, next->sequence());
  if (options_.on_config) {
    options_.on_config(*next);
  }
  std::lock_guard<std::mutex> lock(mu_);
  bundle_ = std::move(next);
  return Status::OK();
}

}  // namespace fabric::orderer
