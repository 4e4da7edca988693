// SPDX-License-Identifier: Apache-2.0
//
// MemoryChannelLog: ChannelLog in memory, for tests of what consumes a channel log. A
// MemoryLogCluster stands for the shared log service (one per test); each orderer node opens its
// channels' logs through its own MemoryChannelLogFactory on that cluster. Every log opened is one
// node's handle: Close() affects that handle only.
//
// Like etcd, revisions come from one counter shared by every channel of the cluster, so a
// channel's revisions have gaps; set_revision_gap() adds more, so that a test with one channel
// does not get contiguous revisions either. Tests drive the failure cases: SetUnavailable()
// makes every call fail with Unavailable until cleared (Read returns at once), FailAppends()
// only appends (no quorum), FailReads() the next few reads (an unreachable endpoint), and
// Compact() drops a channel's entries so that Read from before them fails with OutOfRange.
//
//   auto cluster = std::make_shared<MemoryLogCluster>();
//   MemoryChannelLogFactory node1(cluster, "orderer1"), node2(cluster, "orderer2");
//   auto log1 = node1.Open("mychannel");  // Both see the same entries.
//
// Thread-safety: every method may be called from any thread.

#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "orderer/cluster/channel_log.h"

namespace fabric::orderer::cluster::testing {

class MemoryLogCluster {
 public:
  // Revisions skipped before each append (as other keys of a shared etcd would use them).
  void set_revision_gap(int64_t gap);
  // The next `count` appends to `channel` get one revision, as etcd gives the appends it
  // commits in one Txn; they become readable together once the last one is in.
  void GroupNext(const std::string& channel, int count);
  // While set, Append, Read and MarkWritten fail with Unavailable.
  void SetUnavailable(bool unavailable);
  // While set, Append fails with Unavailable; reads and marks go on.
  void FailAppends(bool fail);
  // The next `count` Read calls (on any channel) fail with Unavailable.
  void FailReads(int count);
  // Drops `channel`'s entries with revision <= `revision`; Read(after) with after < revision
  // then fails with OutOfRange. Compacting past the last revision handed out moves the counter
  // there, so later appends come after the compacted ones, as in etcd.
  void Compact(const std::string& channel, int64_t revision);

  // What each node marked written on `channel` (node id -> revision).
  std::map<std::string, int64_t> Written(const std::string& channel) const;
  // What `node` marked written on `channel`; 0 before its first mark.
  int64_t Written(const std::string& channel, const std::string& node) const;
  // The entries `channel` holds, in order.
  std::vector<ChannelLog::Entry> Entries(const std::string& channel) const;
  // The last revision handed out.
  int64_t revision() const;

 private:
  friend class MemoryChannelLog;
  struct Channel {
    std::vector<ChannelLog::Entry> entries;
    std::vector<ChannelLog::Entry> staged;  // Of the group being appended (GroupNext).
    int group_left = 0;
    int64_t compacted_through = 0;
    std::map<std::string, int64_t> written;
  };

  mutable std::mutex mu_;
  std::condition_variable changed_;  // An append, SetUnavailable, or a log's Close.
  // Guarded by mu_:
  int64_t revision_ = 0;
  int64_t gap_ = 0;
  bool unavailable_ = false;
  bool fail_appends_ = false;
  int failing_reads_ = 0;
  std::map<std::string, Channel> channels_;
};

class MemoryChannelLog : public ChannelLog {
 public:
  MemoryChannelLog(std::shared_ptr<MemoryLogCluster> cluster, std::string channel_id,
                   std::string node_id);
  ~MemoryChannelLog() override;

  StatusOr<int64_t> Append(std::string_view data, std::chrono::milliseconds timeout) override;
  StatusOr<std::vector<Entry>> Read(int64_t after, size_t max,
                                    std::chrono::milliseconds timeout) override;
  Status MarkWritten(int64_t revision) override;
  void Close() override;

 private:
  // Cancelled or Unavailable when a call cannot proceed; OK otherwise. Needs cluster_->mu_.
  Status CheckUsable() const;
  // Adds `data` to the channel and returns its revision. Needs cluster_->mu_.
  int64_t AppendLocked(std::string_view data);
  // The entries after `after` (at most `max`, but whole revisions), or OutOfRange. Needs
  // cluster_->mu_.
  StatusOr<std::vector<Entry>> ReadLocked(int64_t after, size_t max) const;

  const std::shared_ptr<MemoryLogCluster> cluster_;
  const std::string channel_id_;
  const std::string node_id_;
  bool closed_ = false;  // Guarded by cluster_->mu_.
};

class MemoryChannelLogFactory : public ChannelLogFactory {
 public:
  MemoryChannelLogFactory(std::shared_ptr<MemoryLogCluster> cluster, std::string node_id);
  StatusOr<std::unique_ptr<ChannelLog>> Open(const std::string& channel_id) override;

 private:
  const std::shared_ptr<MemoryLogCluster> cluster_;
  const std::string node_id_;
};

}  // namespace fabric::orderer::cluster::testing
