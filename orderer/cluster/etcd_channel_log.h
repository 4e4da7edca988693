// SPDX-License-Identifier: Apache-2.0
//
// EtcdChannelLog: ChannelLog on an etcd v3 cluster (common/etcd). Key layout under the
// configured prefix P (e.g. "/fabric-cpp/orderer/"), for channel C and orderer node N:
//
//   P C/log/<N>.<nonce>.<seq>   one entry; its revision is the revision of the Put that created
//                               it. <nonce> is random per opened log, <seq> counts its appends,
//                               so every append has its own key.
//   P C/written/<N>             decimal revision: N has written every entry up to it into blocks
//   P _gc/C                     decimal revision: C's entries up to it were deleted; 0 until then
//
// Append commits in groups: appends of one channel that wait at the same time go into one Txn
// "create every key if all are absent, else read them" (AppendBatch), sent by the log's sender
// thread, one Txn in flight at a time (two were measured no faster: more Txns for etcd to
// commit, smaller batches). Appends queue in call order, and the Txns take them in that order.
// The first append sends at once, alone; those arriving while a Txn is in flight form the next
// one (at most kMaxBatchEntries entries and max_entry_bytes in all, under etcd's --max-txn-ops
// and --max-request-bytes), so one quorum write carries many entries and they share its
// revision.
// When an attempt timed out and the client repeats it on another member, the repeat finds the
// keys the first attempt created and returns their revision, so an entry is in the log at most
// once.
// Close fails the appends still queued with Cancelled at once (they were never sent, so they
// will not appear); the Txn in flight, if any, still ends by its deadline.
//
// Read follows the channel's log keys with an etcd Watch from `after`+1 on a background stream
// (bounded buffer, resumed on another member when one fails) and returns the creations in
// revision order, whole revisions (etcd sends a revision's events in one watch response). Deletions
// of old entries are not entries. OutOfRange when etcd compacted the revisions the read starts
// from.
//
// MarkWritten puts P C/written/N (with this node's lease when node_ttl is set), then at most
// every cleanup_interval:
//  - deletes C's entries with revision <= the minimum over C's written keys (every node that
//    opened the channel registered a written key, 0, so a node that has not written yet holds
//    the deletion back), records that minimum in P _gc/C,
//  - and compacts etcd to the minimum over every channel's P _gc/ key. etcd's compaction is
//    cluster-wide: compacting to one channel's minimum would cut the history other channels'
//    readers still watch from; the minimum over all channels cuts only what every channel has
//    deleted. A channel registered with 0 (opened, never cleaned up) holds compaction back.
//    Another application sharing the etcd cluster is compacted too: set compact=false when
//    etcd is shared, and compact it by its own means.
//
// Thread-safety: every method may be called from any thread.

#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/etcd/client.h"
#include "orderer/cluster/channel_log.h"

namespace fabric::orderer::cluster {

class NodeLease;

struct EtcdChannelLogOptions {
  // The etcd cluster: members' client endpoints ("127.0.0.1:2379") and TLS.
  std::vector<std::string> endpoints;
  bool use_tls = false;
  etcd::TlsFiles tls;
  // Every key of the orderer cluster starts with it; ends with "/".
  std::string key_prefix = "/fabric-cpp/orderer/";
  // This orderer node's id, unique in the cluster, without "/".
  std::string node_id;
  // Deadline of the calls that have none of their own (MarkWritten, clean-up, Open).
  std::chrono::milliseconds call_timeout{5000};
  // At most one clean-up (deletion, compaction) per channel per interval; 0: at every
  // MarkWritten.
  std::chrono::milliseconds cleanup_interval{5000};
  bool compact = true;
  // This node's written keys are put with an etcd lease of this TTL, kept alive while the node
  // runs: a node down longer stops holding the clean-up back and, when it returns, catches up
  // from other nodes' blocks. 0: no lease (a node down holds the clean-up back until it
  // returns or its written key is deleted).
  std::chrono::seconds node_ttl{600};
  // The largest entry Append takes: etcd refuses requests above --max-request-bytes (1.5 MiB by
  // default); the margin is for the key and the Txn around the entry.
  size_t max_entry_bytes = 1536 * 1024 - 4096;
  // Watch events buffered ahead of Read.
  size_t read_buffer = 1024;
};

class EtcdChannelLogFactory : public ChannelLogFactory {
 public:
  // InvalidArgument naming the option (no endpoint, node id empty or with "/", prefix without
  // trailing "/", unreadable TLS files). Connects lazily: etcd need not be up yet.
  static StatusOr<std::unique_ptr<EtcdChannelLogFactory>> Create(
      const EtcdChannelLogOptions& options);

  // The log of `channel_id` (InvalidArgument when empty or with "/"). Registers this node's
  // written key (0) and the channel's clean-up key (0) when they are absent, waiting at most a
  // second: when etcd is unreachable the log still opens, and its first Read or MarkWritten
  // registers first (failing as that call would when etcd stays unreachable).
  StatusOr<std::unique_ptr<ChannelLog>> Open(const std::string& channel_id) override;

  etcd::Client& client() { return *client_; }
  const EtcdChannelLogOptions& options() const { return options_; }

 private:
  EtcdChannelLogFactory(const EtcdChannelLogOptions& options, std::shared_ptr<etcd::Client> client);

  const EtcdChannelLogOptions options_;
  const std::shared_ptr<etcd::Client> client_;
  const std::shared_ptr<NodeLease> lease_;  // null when options_.node_ttl is 0
};

// The factory of the logs of channels whose config names the etcd cluster `config_endpoints`
// with `config_tls` (a channel's EtcdConfigMetadata): `local` holds the node's side (TLS files,
// key prefix, node id, timeouts); its endpoints, when set, replace the config's (a node that
// reaches the members by other addresses). TLS is used when the config or `local` asks for it;
// FailedPrecondition then when `local` has no CA file. What ChannelLogFactoryMaker needs:
//   [local](const EtcdConfigMetadata& m) {
//     return MakeEtcdChannelLogFactory({m.endpoints().begin(), m.endpoints().end()}, m.tls(),
//                                      local);
//   }
StatusOr<std::shared_ptr<ChannelLogFactory>> MakeEtcdChannelLogFactory(
    const std::vector<std::string>& config_endpoints, bool config_tls, EtcdChannelLogOptions local);

// The most entries Append puts in one Txn (etcd's --max-txn-ops is 128 by default).
inline constexpr size_t kMaxBatchEntries = 100;

// One Txn creating `keys[i]` with `values[i]` if every key is absent, else reading them; returns
// each entry's create revision (all the same when the Txn applied them). Repeating it with the
// same keys returns the revisions the first applied attempt gave, writing nothing. What Append
// sends; the keys must be new and unique.
StatusOr<std::vector<int64_t>> AppendBatch(etcd::Client& client,
                                           const std::vector<std::string>& keys,
                                           const std::vector<std::string_view>& values,
                                           std::chrono::milliseconds timeout);

}  // namespace fabric::orderer::cluster
