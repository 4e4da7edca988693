// SPDX-License-Identifier: Apache-2.0
//
// ChannelLog: one channel's replicated, totally ordered log, the shared input from which every
// orderer node of a cluster cuts the same blocks (the role Kafka's partition plays for Fabric
// 1.x's Kafka-based orderer). The implementation on etcd is EtcdChannelLog; tests use
// MemoryChannelLog.
//
// Positions are revisions: non-decreasing along the log and not contiguous (etcd's revision
// counter is shared by every key of the cluster). Appends committed together share one
// revision; the entries of one revision come in the order they were appended. An entry's
// revision, and its place among the entries of that revision, are the same on every node, so a
// block can record where it ends (revision and how many entries of it) and a restarted node
// reads that revision again and skips what it had consumed.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fabric/base/status.h"

namespace fabric::orderer::cluster {

class ChannelLog {
 public:
  struct Entry {
    int64_t revision = 0;
    std::string data;
  };

  virtual ~ChannelLog() = default;

  // Appends `data` and returns its revision once the log holds it durably (a quorum of the
  // cluster). Concurrent appends may be committed together and then share a revision.
  // Unavailable when that cannot be done within `timeout` (no quorum, no endpoint reachable);
  // the entry may then still appear later, exactly once.
  virtual StatusOr<int64_t> Append(std::string_view data, std::chrono::milliseconds timeout) = 0;

  // Append without waiting: `data` joins the log's queue before this returns, and `done` gets
  // what Append would return, on this thread or one of the log's; it must not block. Entries
  // one caller queues one after the other enter the log in that sequence. This default waits in
  // Append.
  using AppendDone = std::function<void(StatusOr<int64_t>)>;
  virtual void AppendAsync(std::string data, std::chrono::milliseconds timeout, AppendDone done) {
    done(Append(data, timeout));
  }

  // The entries with a revision greater than `after`, in order. Returns whole revisions: at most
  // `max` entries, except that the entries of the last revision returned are all returned (so
  // the next Read can start after that revision). Returns as soon as at least one is there;
  // waits up to `timeout` for the first one, then returns an empty vector.
  // OutOfRange when entries after `after` were already compacted away (the caller catches up
  // from another orderer node's blocks); Unavailable when the log cannot be reached; Cancelled
  // once Close() was called.
  virtual StatusOr<std::vector<Entry>> Read(int64_t after, size_t max,
                                            std::chrono::milliseconds timeout) = 0;

  // Records that this node no longer needs the entries up to `revision` (it has written them
  // into blocks). Entries that every node of the channel marked may then be deleted from the
  // log.
  virtual Status MarkWritten(int64_t revision) = 0;

  // Wakes blocked Read calls (Cancelled); every later call fails with Cancelled. Idempotent.
  virtual void Close() = 0;
};

// Opens the log of a channel; one per orderer node and cluster.
class ChannelLogFactory {
 public:
  virtual ~ChannelLogFactory() = default;
  virtual StatusOr<std::unique_ptr<ChannelLog>> Open(const std::string& channel_id) = 0;
};

}  // namespace fabric::orderer::cluster
