// SPDX-License-Identifier: Apache-2.0
#include "orderer/chain.h"

#include <utility>

#include <absl/strings/str_format.h>

#include "common/channelconfig/keys.h"
#include "common/logging/logging.h"
#include "common/protoutil/blockutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "fabric/base/thread_name.h"
#include "orderer/msgprocessor.h"

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
  if (options.on_config) {
    options.on_config(**bundle);
  }
  return std::unique_ptr<ChainSupport>(new ChainSupport(
      std::move(options), signer, std::move(store), *std::move(bundle), last_config));
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

ChainSupport::~ChainSupport() { Halt(); }

void ChainSupport::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!thread_.joinable() && !halted_) {
    thread_ = std::jthread([this] {
      SetThreadName("chain/" + options_.channel_id);
      Run();
    });
  }
}

void ChainSupport::MarkHalted() {
  std::lock_guard<std::mutex> lock(mu_);
  halted_ = true;
  cv_.notify_all();
}

void ChainSupport::Halt() {
  MarkHalted();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) {
    thread_.join();
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

Status ChainSupport::Enqueue(Message message) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return halted_ || queue_.size() < options_.queue_capacity; });
  if (halted_) {
    return UnavailableError(absl::StrFormat("channel %s is halted", channel_id()));
  }
  queue_.push_back(std::move(message));
  const uint64_t seq = ++enqueued_;
  cv_.notify_all();
  cv_.wait(lock, [&] { return halted_ || taken_ >= seq; });
  if (taken_ < seq) {
    return UnavailableError(
        absl::StrFormat("channel %s halted before ordering the message", channel_id()));
  }
  return Status::OK();
}

Status ChainSupport::Order(common::Envelope envelope, uint64_t config_seq) {
  return Enqueue(Message{std::move(envelope), config_seq, false, {}});
}

Status ChainSupport::Configure(common::Envelope config, uint64_t config_seq,
                               common::Envelope update) {
  return Enqueue(Message{std::move(config), config_seq, true, std::move(update)});
}

void ChainSupport::Run() {
  for (;;) {
    std::unique_lock<std::mutex> lock(mu_);
    auto ready = [&] { return halted_ || !queue_.empty(); };
    bool timed_out = false;
    if (batch_deadline_.has_value()) {
      timed_out = !cv_.wait_until(lock, *batch_deadline_, ready);
    } else {
      cv_.wait(lock, ready);
    }
    if (halted_) {
      return;
    }
    if (timed_out) {
      lock.unlock();
      batch_deadline_.reset();
      if (!CutPending()) {
        MarkHalted();
        return;
      }
      continue;
    }
    Message message = std::move(queue_.front());
    queue_.pop_front();
    ++taken_;
    cv_.notify_all();  // The sender's acknowledgement, and room in the queue.
    lock.unlock();
    bool ok =
        message.is_config ? HandleConfig(std::move(message)) : HandleNormal(std::move(message));
    if (!ok) {
      MarkHalted();
      return;
    }
  }
}

bool ChainSupport::HandleNormal(Message message) {
  std::shared_ptr<const channelconfig::Bundle> current = bundle();
  if (message.config_seq < current->sequence()) {
    StatusOr<EnvelopeHeaders> headers = ParseEnvelopeHeaders(message.envelope);
    Status status =
        headers.ok() ? ProcessNormalMsg(*current, message.envelope, *headers) : headers.status();
    if (!status.ok()) {
      FLOG_WARN(logger, "[channel: %s] discarding message revalidated after a config change: %s",
                channel_id(), status.ToString());
      return true;
    }
  }
  BlockCutter::OrderedResult result =
      cutter_.Ordered(std::move(message.envelope), current->batch_size());
  for (const Batch& batch : result.batches) {
    if (!WriteBatch(batch)) {
      return false;
    }
  }
  if (!result.pending) {
    batch_deadline_.reset();
  } else if (!batch_deadline_.has_value()) {
    batch_deadline_ = std::chrono::steady_clock::now() + current->batch_timeout();
  }
  return true;
}

bool ChainSupport::HandleConfig(Message message) {
  std::shared_ptr<const channelconfig::Bundle> current = bundle();
  if (message.config_seq < current->sequence()) {
    StatusOr<EnvelopeHeaders> headers = ParseEnvelopeHeaders(message.update);
    StatusOr<common::Envelope> redone =
        !headers.ok() ? StatusOr<common::Envelope>(headers.status())
        : headers->channel_header.channel_id() == channel_id()
            ? ProcessConfigUpdate(*current, message.update, signer_)
            : ProcessChannelCreation(*current, message.update, signer_);
    if (!redone.ok()) {
      FLOG_WARN(logger,
                "[channel: %s] discarding config message revalidated after a config "
                "change: %s",
                channel_id(), redone.status().ToString());
      return true;
    }
    message.envelope = *std::move(redone);
  }
  if (!CutPending()) {
    return false;
  }
  batch_deadline_.reset();
  Status status = WriteConfigBlock(message.envelope);
  if (!status.ok()) {
    FLOG_ERROR(logger, "[channel: %s] write config block: %s", channel_id(), status.ToString());
    return false;
  }
  return true;
}

bool ChainSupport::CutPending() {
  Batch batch = cutter_.Cut();
  if (batch.empty()) {
    return true;
  }
  return WriteBatch(batch);
}

bool ChainSupport::WriteBatch(const Batch& batch) {
  StatusOr<common::Block> block = writer_.CreateNextBlock(batch);
  Status status = block.ok() ? writer_.WriteBlock(*std::move(block), false) : block.status();
  if (!status.ok()) {
    FLOG_ERROR(logger, "[channel: %s] write block: %s; halting the chain", channel_id(),
               status.ToString());
    return false;
  }
  FLOG_DEBUG(logger, "[channel: %s] wrote block %d with %d messages", channel_id(),
             store_->Height() - 1, batch.size());
  return true;
}

Status ChainSupport::WriteConfigBlock(const common::Envelope& config) {
  ASSIGN_OR_RETURN(EnvelopeHeaders headers, ParseEnvelopeHeaders(config));
  ASSIGN_OR_RETURN(common::Block block, writer_.CreateNextBlock(Batch{config}));
  if (headers.channel_header.type() == common::ORDERER_TRANSACTION) {
    ASSIGN_OR_RETURN(common::Envelope channel_config, UnwrapOrdererTransaction(config));
    if (!options_.create_channel) {
      return FailedPreconditionError("this chain cannot create channels");
    }
    Status created = options_.create_channel(channel_config);
    if (!created.ok()) {
      // The channel was validated when the request was processed; a failure here (e.g. it was
      // created concurrently) drops the request without writing the block.
      FLOG_WARN(logger, "[channel: %s] channel creation dropped: %s", channel_id(),
                created.ToString());
      return Status::OK();
    }
    return writer_.WriteBlock(std::move(block), false);
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const channelconfig::Bundle> next,
                   channelconfig::Bundle::FromConfigBlock(block));
  RETURN_IF_ERROR(writer_.WriteBlock(std::move(block), true));
  FLOG_INFO(logger, "[channel: %s] config block %d written, config sequence %d", channel_id(),
            store_->Height() - 1, next->sequence());
  if (options_.on_config) {
    options_.on_config(*next);
  }
  std::lock_guard<std::mutex> lock(mu_);
  bundle_ = std::move(next);
  return Status::OK();
}

}  // namespace fabric::orderer
