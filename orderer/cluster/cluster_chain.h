// SPDX-License-Identifier: Apache-2.0
//
// ClusterChain: the consenter of consensus type "etcd". Every orderer node of the cluster
// appends what Broadcast hands it to the channel's shared ChannelLog, and every node cuts its
// blocks only from what it reads back from that log, so all nodes cut identical blocks (the
// design of Fabric 1.x's Kafka-based orderer, orderer/consensus/kafka/chain.go).
//
// Log entries (fabric_cpp.orderer.cluster.LogEntry):
//  - regular: a normal message and the config sequence it was validated at; re-validated when
//    read if the config moved since (dropped when no longer valid), then given to the block
//    cutter;
//  - config: a config message; one validated at an older sequence is re-processed from its
//    CONFIG_UPDATE and appended again (original_revision set; the first such copy is applied,
//    later copies are dropped); a current one cuts the pending batch and goes into a block of
//    its own, then the config applies;
//  - time_to_cut N: cuts the pending batch when N is the next block number and the batch is not
//    empty; otherwise ignored. A node appends one when its batch timer fires instead of cutting,
//    since cuts happen only from the log.
// Each block records in its ORDERER metadata (ClusterBlockMetadata) the position of the last
// entry it holds: its revision R and how many entries of R the chain had consumed (entries
// appended together share a revision, so a block may end inside one). On open the node reads
// from R (after R - 1) and skips that many entries of R. After writing a block it calls
// MarkWritten(R - 1), not R: a restart reads revision R again, so its entries must stay.
// When the log no longer holds the entries after that position (compacted while the node was
// behind), the node pulls the blocks it misses from other orderer nodes (Options::make_puller),
// then resumes from the newest pulled block's position with an empty block cutter.
//
// Thread-safety: all methods may be called from any thread. One consumer thread reads the log
// and writes blocks.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "common/channelconfig/bundle.h"
#include "fabric/base/status.h"
#include "orderer/chain.h"
#include "orderer/cluster/block_puller.h"
#include "orderer/cluster/channel_log.h"
#include "orderer/cluster/cluster.pb.h"

namespace fabric::orderer::cluster {

// ConsensusType.type of a channel ordered by an etcd cluster.
inline constexpr std::string_view kEtcdConsensusType = "etcd";

// The etcd cluster of a channel whose consensus type is "etcd": its ConsensusType metadata.
// InvalidArgument for another consensus type, metadata that does not parse, or no endpoints.
StatusOr<EtcdConfigMetadata> EtcdConfig(const channelconfig::Bundle& bundle);
// The same, read from a channel's (genesis) config block.
StatusOr<EtcdConfigMetadata> EtcdConfigFromBlock(const common::Block& config_block);

// Makes the factory of the channel logs on the etcd cluster `etcd` describes (from a channel's
// config); e.g. an EtcdChannelLogFactory with the node's TLS files and key prefix.
using ChannelLogFactoryMaker =
    std::function<StatusOr<std::shared_ptr<ChannelLogFactory>>(const EtcdConfigMetadata& etcd)>;

class ClusterChain final : public Chain {
 public:
  struct Options {
    // How long Order/Configure (and a time-to-cut) wait for the log to take an entry.
    std::chrono::milliseconds append_timeout{5000};
    // How long one Read waits for new entries, and how many it takes at most.
    std::chrono::milliseconds read_wait{500};
    size_t read_max = 100;
    // Backoff between Reads while the log is unreachable: doubles from min to max.
    std::chrono::milliseconds retry_min{100};
    std::chrono::milliseconds retry_max{5000};
    // Makes the puller through which a node whose log entries were compacted away (it was
    // behind too long) catches up from other orderer nodes' blocks (block_puller.h). Without
    // it such a node halts.
    BlockPullerMaker make_puller;
    // Called on the consumer thread, after the chain halted, when the log no longer holds the
    // entries after revision `after` and there is no puller to catch up with.
    std::function<void(const std::string& channel_id, int64_t after)> on_compacted;
  };

  // A chain consuming `log` for `support`'s channel, resuming after the revision recorded in
  // its newest block (from the start of the log when that block has no cluster metadata, e.g.
  // the genesis block). `support` must outlive the chain. InvalidArgument when the newest
  // block's consenter metadata does not parse.
  static StatusOr<std::unique_ptr<ClusterChain>> Open(ChainSupport& support,
                                                      std::unique_ptr<ChannelLog> log,
                                                      Options options);
  ~ClusterChain() override { Halt(); }

  void Start() override;
  // Stops the consumer thread and closes the log. Idempotent.
  void Halt() override;
  // Append the message to the log; OK once the log holds it. Unavailable when the log does not
  // take it within append_timeout, or the chain is halted.
  Status Order(common::Envelope envelope, uint64_t config_seq) override;
  // Queues the message in the log at once; `done` runs on the log's thread.
  void OrderAsync(common::Envelope envelope, uint64_t config_seq, Done done) override;
  Status Configure(common::Envelope config, uint64_t config_seq, common::Envelope update) override;

  // True once the chain stopped, by Halt() or because it cannot go on (a block write failed,
  // the log was compacted past it).
  bool halted() const;

 private:
  ClusterChain(ChainSupport& support, std::unique_ptr<ChannelLog> log, Options options,
               std::unique_ptr<BlockPuller> puller, const ClusterBlockMetadata& resume);

  // Where the chain stands in the log: the `count`-th entry of `revision` (entries of one
  // revision are read in append order). Positions compare in log order.
  struct Position {
    int64_t revision = 0;
    uint32_t count = 0;
    auto operator<=>(const Position&) const = default;
  };

  // Appends `entry` to the log; `done` gets OK once the log holds it, Unavailable (naming
  // `what`) when it does not take it within append_timeout.
  void AppendEntry(const LogEntry& entry, std::string_view what, Done done);
  Status AppendEntryAndWait(const LogEntry& entry, std::string_view what);
  void Run();
  // Reads the next entries; false when the chain stops.
  bool ReadOnce();
  // Moves current_ to the next entry, of `revision`; false for an entry the chain consumed
  // before it was opened (skipped).
  bool Advance(int64_t revision);
  // Each returns false when the chain must halt.
  bool Process(const ChannelLog::Entry& entry);
  bool ProcessRegular(const RegularEntry& regular, int64_t revision);
  bool ProcessConfig(const ConfigEntry& config, int64_t revision);
  bool ProcessTimeToCut(const TimeToCutEntry& ttc);
  void Resubmit(const ConfigEntry& config);
  bool WriteBatch(const Batch& batch, Position last);
  std::string BlockMetadata(Position last) const;
  void MarkWritten(Position last);
  void SendTimeToCut();
  std::chrono::milliseconds NextReadWait() const;
  void Backoff(std::chrono::milliseconds delay);
  // The log no longer holds the entries after read_after_: halts, or pulls the missing blocks
  // and resumes after them. False when the chain stops.
  bool OnCompacted(const Status& why);
  bool CatchUp(const Status& why);
  // Resumes reading from the position of the newest block, with an empty block cutter.
  bool ResumeFromNewestBlock();
  // Reads from the position `resume` records: right after it, skipping the entries of its
  // revision it consumed.
  void SetPosition(const ClusterBlockMetadata& resume);
  void MarkHalted();

  ChainSupport& support_;
  const std::unique_ptr<ChannelLog> log_;
  const Options options_;
  const std::unique_ptr<BlockPuller> puller_;  // null: no catching up

  // Used only by the consumer thread:
  int64_t read_after_ = 0;  // the next Read returns the entries after this revision
  Position current_;        // the entry being processed (the last one processed)
  uint32_t skip_ = 0;       // entries of current_.revision still to skip (consumed before open)
  Position pending_;        // the last entry in the pending batch
  Position last_original_;  // see ClusterBlockMetadata.last_original_revision
  std::optional<std::chrono::steady_clock::time_point> batch_deadline_;

  // Guarded by mu_:
  mutable std::mutex mu_;
  std::condition_variable cv_;  // halted
  bool halted_ = false;

  std::jthread thread_;  // The consumer thread; joined by Halt().
};

}  // namespace fabric::orderer::cluster
