// SPDX-License-Identifier: Apache-2.0
#include "orderer/cluster/cluster_chain.h"

#include <algorithm>
#include <future>
#include <utility>

#include <absl/strings/str_format.h>

#include "common/logging/logging.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "fabric/base/thread_name.h"

namespace fabric::orderer::cluster {
namespace {

logging::Logger logger("orderer.consensus.etcd");

// Where the newest block says the chain stands in the log.
StatusOr<ClusterBlockMetadata> ResumePoint(ChainSupport& support) {
  ledger::blkstorage::BlockStore& store = support.store();
  ASSIGN_OR_RETURN(common::Block newest, store.RetrieveBlockByNumber(store.Height() - 1));
  ASSIGN_OR_RETURN(std::string value, ConsenterMetadataFromBlock(newest));
  ClusterBlockMetadata metadata;
  if (!metadata.ParseFromString(value)) {
    return InvalidArgumentError(
        absl::StrFormat("block %d of channel %s: consenter metadata is not ClusterBlockMetadata",
                        newest.header().number(), support.channel_id()));
  }
  return metadata;
}

}  // namespace

StatusOr<EtcdConfigMetadata> EtcdConfig(const channelconfig::Bundle& bundle) {
  if (bundle.consensus_type() != kEtcdConsensusType) {
    return InvalidArgumentError(absl::StrFormat("channel %s: consensus type is %s, not %s",
                                                bundle.channel_id(), bundle.consensus_type(),
                                                kEtcdConsensusType));
  }
  EtcdConfigMetadata metadata;
  if (!metadata.ParseFromString(bundle.consensus_metadata())) {
    return InvalidArgumentError(absl::StrFormat(
        "channel %s: ConsensusType metadata is not EtcdConfigMetadata", bundle.channel_id()));
  }
  if (metadata.endpoints().empty()) {
    return InvalidArgumentError(
        absl::StrFormat("channel %s: ConsensusType metadata lists no etcd endpoints (set "
                        "Orderer.Etcd.Endpoints in configtx.yaml)",
                        bundle.channel_id()));
  }
  return metadata;
}

StatusOr<EtcdConfigMetadata> EtcdConfigFromBlock(const common::Block& config_block) {
  ASSIGN_OR_RETURN(std::shared_ptr<const channelconfig::Bundle> bundle,
                   channelconfig::Bundle::FromConfigBlock(config_block));
  return EtcdConfig(*bundle);
}

StatusOr<std::unique_ptr<ClusterChain>> ClusterChain::Open(ChainSupport& support,
                                                           std::unique_ptr<ChannelLog> log,
                                                           Options options) {
  if (log == nullptr) {
    return InvalidArgumentError(
        absl::StrFormat("channel %s: cluster chain without a log", support.channel_id()));
  }
  ASSIGN_OR_RETURN(ClusterBlockMetadata resume, ResumePoint(support));
  FLOG_INFO(logger,
            "[channel: %s] resuming at log revision %d after %d of its entries, at block %d",
            support.channel_id(), resume.last_revision(), resume.entries_in_last_revision(),
            support.next_block_number());
  std::unique_ptr<BlockPuller> puller =
      options.make_puller ? options.make_puller(support) : nullptr;
  return std::unique_ptr<ClusterChain>(
      new ClusterChain(support, std::move(log), std::move(options), std::move(puller), resume));
}

ClusterChain::ClusterChain(ChainSupport& support, std::unique_ptr<ChannelLog> log, Options options,
                           std::unique_ptr<BlockPuller> puller, const ClusterBlockMetadata& resume)
    : support_(support),
      log_(std::move(log)),
      options_(std::move(options)),
      puller_(std::move(puller)) {
  SetPosition(resume);
}

// The newest block may end inside its last revision: read that revision again and skip the
// entries it consumed. A block without the count ends with its whole revision.
void ClusterChain::SetPosition(const ClusterBlockMetadata& resume) {
  current_ = {resume.last_revision(), resume.entries_in_last_revision()};
  pending_ = current_;
  last_original_ = {resume.last_original_revision(), resume.last_original_index()};
  read_after_ = current_.revision;
  skip_ = 0;
  if (current_.count > 0) {
    read_after_ = current_.revision - 1;
    skip_ = current_.count;
  }
}

void ClusterChain::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!thread_.joinable() && !halted_) {
    thread_ = std::jthread([this] {
      SetThreadName("etcd/" + support_.channel_id());
      Run();
    });
  }
}

void ClusterChain::MarkHalted() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    halted_ = true;
    cv_.notify_all();
  }
  log_->Close();
  if (puller_ != nullptr) {
    puller_->Cancel();
  }
}

void ClusterChain::Halt() {
  MarkHalted();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) {
    thread_.join();
  }
}

bool ClusterChain::halted() const {
  std::lock_guard<std::mutex> lock(mu_);
  return halted_;
}

void ClusterChain::AppendEntry(const LogEntry& entry, std::string_view what, Done done) {
  if (halted()) {
    done(UnavailableError(absl::StrFormat("channel %s is halted", support_.channel_id())));
    return;
  }
  log_->AppendAsync(
      entry.SerializeAsString(), options_.append_timeout,
      [done = std::move(done),
       context = absl::StrFormat("channel %s: the ordering log did not take the %s",
                                 support_.channel_id(), what)](StatusOr<int64_t> revision) {
        if (revision.ok()) {
          done(Status::OK());
        } else if (revision.status().code() == StatusCode::kInvalidArgument) {
          done(revision.status().Annotate(context));  // e.g. too large: the client's to fix
        } else {
          done(UnavailableError(absl::StrFormat("%s: %s", context, revision.status().message())));
        }
      });
}

Status ClusterChain::AppendEntryAndWait(const LogEntry& entry, std::string_view what) {
  std::promise<Status> result;
  AppendEntry(entry, what, [&result](Status status) { result.set_value(std::move(status)); });
  return result.get_future().get();
}

namespace {

LogEntry RegularEntryOf(const common::Envelope& envelope, uint64_t config_seq) {
  LogEntry entry;
  entry.mutable_regular()->set_envelope(envelope.SerializeAsString());
  entry.mutable_regular()->set_config_seq(config_seq);
  return entry;
}

}  // namespace

Status ClusterChain::Order(common::Envelope envelope, uint64_t config_seq) {
  return AppendEntryAndWait(RegularEntryOf(envelope, config_seq), "message");
}

void ClusterChain::OrderAsync(common::Envelope envelope, uint64_t config_seq, Done done) {
  AppendEntry(RegularEntryOf(envelope, config_seq), "message", std::move(done));
}

Status ClusterChain::Configure(common::Envelope config, uint64_t config_seq,
                               common::Envelope update) {
  LogEntry entry;
  entry.mutable_config()->set_envelope(config.SerializeAsString());
  entry.mutable_config()->set_config_seq(config_seq);
  entry.mutable_config()->set_update(update.SerializeAsString());
  return AppendEntryAndWait(entry, "config message");
}

void ClusterChain::Run() {
  while (ReadOnce()) {
    if (batch_deadline_.has_value() && std::chrono::steady_clock::now() >= *batch_deadline_) {
      SendTimeToCut();
    }
  }
}

std::chrono::milliseconds ClusterChain::NextReadWait() const {
  if (!batch_deadline_.has_value()) {
    return options_.read_wait;
  }
  auto left = std::chrono::ceil<std::chrono::milliseconds>(*batch_deadline_ -
                                                           std::chrono::steady_clock::now());
  return std::clamp(left, std::chrono::milliseconds(1), options_.read_wait);
}

bool ClusterChain::ReadOnce() {
  std::chrono::milliseconds backoff = options_.retry_min;
  bool reported = false;
  for (;;) {
    StatusOr<std::vector<ChannelLog::Entry>> entries =
        log_->Read(read_after_, options_.read_max, NextReadWait());
    if (entries.ok()) {
      if (reported) {
        FLOG_INFO(logger, "[channel: %s] ordering log reachable again", support_.channel_id());
      }
      for (const ChannelLog::Entry& entry : *entries) {
        if (Advance(entry.revision) && !Process(entry)) {
          MarkHalted();
          return false;
        }
      }
      // Reads return whole revisions: the next one starts after the last revision read.
      if (!entries->empty()) {
        read_after_ = entries->back().revision;
      }
      return true;
    }
    if (entries.status().code() == StatusCode::kCancelled || halted()) {
      return false;
    }
    if (entries.status().code() == StatusCode::kOutOfRange) {
      return OnCompacted(entries.status());
    }
    if (!reported) {
      FLOG_WARN(logger, "[channel: %s] cannot read the ordering log, retrying: %s",
                support_.channel_id(), entries.status().ToString());
      reported = true;
    }
    Backoff(backoff);
    backoff = std::min(backoff * 2, options_.retry_max);
  }
}

bool ClusterChain::OnCompacted(const Status& why) {
  if (puller_ != nullptr) {
    if (CatchUp(why)) {
      return true;
    }
    MarkHalted();
    return false;
  }
  FLOG_ERROR(logger,
             "[channel: %s] halting: the ordering log no longer holds the entries after "
             "revision %d (block %d onwards); this node must catch up from another orderer "
             "node's blocks: %s",
             support_.channel_id(), read_after_, support_.next_block_number(), why.message());
  MarkHalted();
  if (options_.on_compacted) {
    options_.on_compacted(support_.channel_id(), read_after_);
  }
  return false;
}

// The other nodes wrote the compacted entries into blocks identical to the ones this node would
// cut; pulling them to a source's newest block goes at least as far as the compaction (entries
// are deleted only once every live node wrote them). Should the log still lack the entries
// after the pulled blocks, the next Read fails again and another round pulls more.
bool ClusterChain::CatchUp(const Status& why) {
  FLOG_WARN(logger,
            "[channel: %s] the ordering log no longer holds the entries after revision %d "
            "(block %d onwards): pulling the blocks from other orderer nodes (%s)",
            support_.channel_id(), read_after_, support_.next_block_number(), why.message());
  std::chrono::milliseconds backoff = options_.retry_min;
  for (;;) {
    Status status = PullMissingBlocks(support_, *puller_);
    if (status.ok()) {
      return ResumeFromNewestBlock();
    }
    if (status.code() == StatusCode::kCancelled || halted()) {
      return false;
    }
    FLOG_WARN(logger, "[channel: %s] catching up failed, retrying in %d ms: %s",
              support_.channel_id(), backoff.count(), status.message());
    Backoff(backoff);
    backoff = std::min(backoff * 2, options_.retry_max);
  }
}

bool ClusterChain::ResumeFromNewestBlock() {
  StatusOr<ClusterBlockMetadata> resume = ResumePoint(support_);
  if (!resume.ok()) {
    FLOG_ERROR(logger, "[channel: %s] halting: newest pulled block: %s", support_.channel_id(),
               resume.status().ToString());
    return false;
  }
  // What the cutter holds was read before the compaction, so the pulled blocks hold it.
  (void)support_.CutPending();
  batch_deadline_.reset();
  SetPosition(*resume);
  MarkWritten(current_);
  FLOG_INFO(logger, "[channel: %s] caught up to block %d; reading the log after revision %d",
            support_.channel_id(), support_.next_block_number() - 1, read_after_);
  return true;
}

bool ClusterChain::Advance(int64_t revision) {
  if (revision == current_.revision && skip_ > 0) {
    --skip_;
    return false;
  }
  skip_ = 0;
  current_.count = revision == current_.revision ? current_.count + 1 : 1;
  current_.revision = revision;
  return true;
}

void ClusterChain::Backoff(std::chrono::milliseconds delay) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, delay, [&] { return halted_; });
}

bool ClusterChain::Process(const ChannelLog::Entry& entry) {
  LogEntry parsed;
  if (!parsed.ParseFromString(entry.data)) {
    FLOG_WARN(logger, "[channel: %s] skipping unreadable log entry at revision %d",
              support_.channel_id(), entry.revision);
    return true;
  }
  switch (parsed.type_case()) {
    case LogEntry::kRegular:
      return ProcessRegular(parsed.regular(), entry.revision);
    case LogEntry::kConfig:
      return ProcessConfig(parsed.config(), entry.revision);
    case LogEntry::kTimeToCut:
      return ProcessTimeToCut(parsed.time_to_cut());
    default:
      FLOG_WARN(logger, "[channel: %s] skipping log entry of unknown type at revision %d",
                support_.channel_id(), entry.revision);
      return true;
  }
}

bool ClusterChain::ProcessRegular(const RegularEntry& regular, int64_t revision) {
  common::Envelope envelope;
  if (!envelope.ParseFromString(regular.envelope())) {
    FLOG_WARN(logger, "[channel: %s] skipping unreadable envelope at revision %d",
              support_.channel_id(), revision);
    return true;
  }
  std::optional<BlockCutter::OrderedResult> result =
      support_.CutterOrdered(std::move(envelope), regular.config_seq());
  if (!result.has_value()) {
    return true;
  }
  // Only the last batch can hold this entry, and only when nothing is left pending; the
  // others end at the entry pending before it.
  for (size_t i = 0; i < result->batches.size(); ++i) {
    const bool holds_this = i + 1 == result->batches.size() && !result->pending;
    if (!WriteBatch(result->batches[i], holds_this ? current_ : pending_)) {
      return false;
    }
  }
  if (!result->pending) {
    batch_deadline_.reset();
    return true;
  }
  pending_ = current_;
  if (!batch_deadline_.has_value()) {
    batch_deadline_ = std::chrono::steady_clock::now() + support_.bundle()->batch_timeout();
  }
  return true;
}

bool ClusterChain::ProcessConfig(const ConfigEntry& config, int64_t revision) {
  const Position original{config.original_revision(), config.original_index()};
  if (original.revision != 0 && original <= last_original_) {
    FLOG_DEBUG(logger, "[channel: %s] dropping another copy of the config message of revision %d",
               support_.channel_id(), config.original_revision());
    return true;
  }
  if (config.config_seq() < support_.bundle()->sequence()) {
    Resubmit(config);
    return true;
  }
  common::Envelope envelope;
  if (!envelope.ParseFromString(config.envelope())) {
    FLOG_WARN(logger, "[channel: %s] skipping unreadable config envelope at revision %d",
              support_.channel_id(), revision);
    return true;
  }
  Batch pending = support_.CutPending();
  if (!pending.empty() && !WriteBatch(pending, pending_)) {
    return false;
  }
  batch_deadline_.reset();
  if (original.revision != 0) {
    last_original_ = original;
  }
  const uint64_t height = support_.next_block_number();
  if (!support_.WriteConfigBlock(envelope, BlockMetadata(current_)).ok()) {
    return false;
  }
  if (support_.next_block_number() > height) {
    MarkWritten(current_);
  }
  return true;
}

// Every node re-processes a stale config message; re-processing signs a new envelope, which
// would differ between nodes, so the result goes through the log: every node then applies the
// same copy (the first) and drops the others.
void ClusterChain::Resubmit(const ConfigEntry& config) {
  common::Envelope update;
  StatusOr<common::Envelope> redone =
      update.ParseFromString(config.update())
          ? support_.ReprocessConfig(update)
          : StatusOr<common::Envelope>(InvalidArgumentError("unreadable CONFIG_UPDATE"));
  if (!redone.ok()) {
    FLOG_WARN(logger,
              "[channel: %s] discarding config message revalidated after a config change: %s",
              support_.channel_id(), redone.status().ToString());
    return;
  }
  LogEntry entry;
  ConfigEntry* again = entry.mutable_config();
  again->set_envelope(redone->SerializeAsString());
  again->set_config_seq(support_.bundle()->sequence());
  again->set_update(config.update());
  again->set_original_revision(current_.revision);
  again->set_original_index(current_.count);
  if (Status status = AppendEntryAndWait(entry, "re-processed config message"); !status.ok()) {
    FLOG_WARN(logger, "[channel: %s] %s", support_.channel_id(), status.message());
  }
}

bool ClusterChain::ProcessTimeToCut(const TimeToCutEntry& ttc) {
  if (ttc.block_number() != support_.next_block_number() || !support_.has_pending()) {
    FLOG_DEBUG(logger, "[channel: %s] ignoring time-to-cut for block %d at block %d",
               support_.channel_id(), ttc.block_number(), support_.next_block_number());
    return true;
  }
  batch_deadline_.reset();
  return WriteBatch(support_.CutPending(), current_);
}

std::string ClusterChain::BlockMetadata(Position last) const {
  ClusterBlockMetadata metadata;
  metadata.set_last_revision(last.revision);
  metadata.set_entries_in_last_revision(last.count);
  metadata.set_last_original_revision(last_original_.revision);
  metadata.set_last_original_index(last_original_.count);
  return metadata.SerializeAsString();
}

bool ClusterChain::WriteBatch(const Batch& batch, Position last) {
  if (!support_.WriteBatch(batch, BlockMetadata(last)).ok()) {
    return false;
  }
  MarkWritten(last);
  return true;
}

// Marks the revision before the block's last one: a restart reads the block's last revision
// again (to skip what the block consumed of it), so its entries must not be cleaned up yet.
void ClusterChain::MarkWritten(Position last) {
  if (Status status = log_->MarkWritten(last.revision - 1);
      !status.ok() && status.code() != StatusCode::kCancelled) {
    FLOG_WARN(logger, "[channel: %s] cannot record block progress in the ordering log: %s",
              support_.channel_id(), status.ToString());
  }
}

// The batch timer fired: ask every node, through the log, to cut the next block.
void ClusterChain::SendTimeToCut() {
  batch_deadline_.reset();
  LogEntry entry;
  entry.mutable_time_to_cut()->set_block_number(support_.next_block_number());
  if (Status status = AppendEntryAndWait(entry, "time-to-cut"); !status.ok()) {
    FLOG_WARN(logger, "[channel: %s] %s; trying again after the batch timeout",
              support_.channel_id(), status.message());
    batch_deadline_ = std::chrono::steady_clock::now() + support_.bundle()->batch_timeout();
  }
}

}  // namespace fabric::orderer::cluster
