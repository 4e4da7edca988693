// SPDX-License-Identifier: Apache-2.0
//
// Client: an etcd v3 client over gRPC (etcd 3.4's KV and Watch services).
//
// Endpoints and failover: the client knows several members ("127.0.0.1:2379"; an "http://" or
// "https://" prefix is accepted and dropped). A call goes to the member that answered last; when
// that member is unreachable (UNAVAILABLE: refused, closed, "etcdserver: no leader", "request
// timed out") or does not answer within its share of the call's deadline, the call is repeated
// on the next member, round after round, until the deadline. Each attempt gets the remaining
// time divided by the members not yet tried in the round, so a dead member costs little and a
// member without quorum cannot eat the whole deadline. A call that found no member fails with
// Unavailable naming every member tried and the last error from each:
//   etcd unavailable at 127.0.0.1:2379, 127.0.0.1:2479 (put, deadline 2000ms): 127.0.0.1:2379: ...
//
// A repeated mutation may be applied twice (the first attempt may have been applied before its
// deadline passed): make a mutation idempotent with Txn (e.g. create only if create_revision is
// 0) where that matters.
//
// Other errors are etcd's, with gRPC's code: OutOfRange "mvcc: required revision has been
// compacted", InvalidArgument "request is too large" (etcd's --max-request-bytes, 1.5 MiB by
// default), PermissionDenied/Unavailable for TLS failures (gRPC reports a refused handshake as
// UNAVAILABLE; the message then says that the TLS handshake failed).
//
// TLS: with `tls` set the client verifies the members' certificates against `tls.ca_files` and
// presents `tls.cert_file`/`tls.key_file` when etcd asks for a client certificate
// (--client-cert-auth).
//
// Thread-safety: every method may be called from any thread; a Watcher is used by one consumer
// thread at a time (Close from any thread).

#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fabric/base/status.h"

namespace grpc {
class Channel;
class ClientContext;
}  // namespace grpc

namespace fabric::etcd {
namespace internal {
class Connector;
}  // namespace internal

struct TlsFiles {
  // PEM files of the CAs that issued the members' server certificates (each may hold several).
  std::vector<std::string> ca_files;
  std::string cert_file;  // PEM client certificate; empty: present none.
  std::string key_file;   // PEM private key of cert_file.
};

struct ClientOptions {
  std::vector<std::string> endpoints;  // "host:port", at least one.
  bool use_tls = false;
  TlsFiles tls;
  // Deadline of a call that is not given one.
  std::chrono::milliseconds call_timeout{5000};
};

struct KeyValue {
  std::string key;
  std::string value;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  int64_t version = 0;
};

struct RangeResult {
  int64_t revision = 0;  // The store's revision when the range was read.
  std::vector<KeyValue> kvs;
  bool more = false;  // More keys were in the range than `limit`.
};

// Keys in [key, range_end); range_end empty: `key` alone. RangeOptions::Prefix(p): every key
// starting with p.
struct RangeOptions {
  std::string key;
  std::string range_end;
  int64_t limit = 0;     // 0: no limit.
  int64_t revision = 0;  // Read as of this revision; 0: the newest.
  bool keys_only = false;
  bool sort_by_create_revision = false;  // Ascending; else etcd's key order.
  int64_t max_create_revision = 0;       // 0: no bound.
  int64_t min_create_revision = 0;       // 0: no bound.

  static RangeOptions Prefix(std::string_view prefix);
};

// The end of the range of keys starting with `prefix` (etcd's "prefix plus one").
std::string PrefixRangeEnd(std::string_view prefix);

// One condition of a Txn.
struct Compare {
  enum class Target { kCreateRevision, kModRevision, kVersion, kValue };
  enum class Result { kEqual, kNotEqual, kGreater, kLess };
  std::string key;
  Target target = Target::kCreateRevision;
  Result result = Result::kEqual;
  int64_t number = 0;  // For the revision and version targets.
  std::string value;   // For kValue.

  // The key does not exist.
  static Compare Absent(std::string_view key);
  static Compare ModRevisionIs(std::string_view key, int64_t revision);
};

// One operation of a Txn.
struct TxnOp {
  enum class Kind { kPut, kDelete, kRange };
  Kind kind = Kind::kPut;
  std::string key;
  std::string value;      // kPut.
  std::string range_end;  // kDelete, kRange: as RangeOptions.
  int64_t lease = 0;      // kPut: the lease the key is attached to; 0: none.

  static TxnOp Put(std::string_view key, std::string_view value, int64_t lease = 0);
  static TxnOp Delete(std::string_view key, std::string_view range_end = {});
  static TxnOp Get(std::string_view key, std::string_view range_end = {});
};

struct TxnResult {
  bool succeeded = false;  // Every compare held: the success ops ran.
  int64_t revision = 0;    // The store's revision after the txn.
  // One per op that ran, in order: the keys a kRange op read (empty for kPut and kDelete).
  std::vector<std::vector<KeyValue>> ranges;
};

struct WatchEvent {
  enum class Type { kPut, kDelete };
  Type type = Type::kPut;
  KeyValue kv;  // For kDelete, kv.mod_revision is the revision of the delete.
};

// What a Watcher follows: keys in [key, range_end) from revision `start_revision`.
struct WatchOptions {
  std::string key;
  std::string range_end;
  int64_t start_revision = 0;  // 0: from the next change.
  // Events held for the consumer; the stream from etcd stops being read while it is full.
  size_t buffer_events = 4096;
};

class Watcher;

class Client {
 public:
  // Validates the options and reads the TLS files; no connection is made yet. InvalidArgument
  // naming the option (no endpoint, an empty endpoint, unreadable TLS files).
  static StatusOr<std::unique_ptr<Client>> Open(const ClientOptions& options);
  ~Client();

  // timeout 0 (the default): options.call_timeout. With `lease` (from LeaseGrant) the key is
  // deleted when the lease expires or is revoked.
  StatusOr<int64_t> Put(std::string_view key, std::string_view value,
                        std::chrono::milliseconds timeout = {}, int64_t lease = 0);
  // NotFound when the key does not exist.
  StatusOr<KeyValue> Get(std::string_view key, std::chrono::milliseconds timeout = {});
  StatusOr<RangeResult> Range(const RangeOptions& range, std::chrono::milliseconds timeout = {});
  // Returns the number of keys deleted.
  StatusOr<int64_t> DeleteRange(std::string_view key, std::string_view range_end = {},
                                std::chrono::milliseconds timeout = {});
  StatusOr<TxnResult> Txn(const std::vector<Compare>& compares, const std::vector<TxnOp>& success,
                          const std::vector<TxnOp>& failure,
                          std::chrono::milliseconds timeout = {});
  // Discards the history before `revision` cluster-wide (keys' superseded versions, deleted
  // keys); a Watch from an earlier revision then fails. OutOfRange when `revision` was already
  // compacted or is in the future.
  Status Compact(int64_t revision, bool physical = false, std::chrono::milliseconds timeout = {});
  // Grants a lease that expires `ttl` after its last keep-alive; returns its id.
  // FailedPrecondition with etcd's message when etcd refuses it.
  StatusOr<int64_t> LeaseGrant(std::chrono::seconds ttl, std::chrono::milliseconds timeout = {});
  // Renews lease `id`; returns the TTL it has again. NotFound when it has expired (its keys
  // are gone).
  StatusOr<std::chrono::seconds> LeaseKeepAlive(int64_t id, std::chrono::milliseconds timeout = {});
  // Revokes lease `id`, deleting its keys. NotFound when it does not exist (any more).
  Status LeaseRevoke(int64_t id, std::chrono::milliseconds timeout = {});

  // The revision of the store, from the first member that answers (a health check).
  StatusOr<int64_t> CurrentRevision(std::chrono::milliseconds timeout = {});

  // Starts following `options`' keys. The watcher reads on its own thread and reconnects to
  // another member, from the revision after the last one it saw, when its stream breaks.
  std::unique_ptr<Watcher> Watch(const WatchOptions& options);

  const std::vector<std::string>& endpoints() const { return endpoints_; }

 private:
  friend class Watcher;
  struct Endpoint;
  Client(const ClientOptions& options, std::vector<std::unique_ptr<Endpoint>> endpoints);

  // Runs `call(channel, context)` with failover (see the file comment).
  template <typename Call>
  Status WithFailover(std::string_view what, std::chrono::milliseconds timeout, Call call);

  std::string Joined() const;

  const std::vector<std::string> endpoints_;
  const std::vector<std::unique_ptr<Endpoint>> channels_;
  const std::chrono::milliseconds call_timeout_;
  // Said in Unavailable errors: "", ", TLS" or ", TLS without a client certificate".
  const std::string transport_note_;
  const std::shared_ptr<internal::Connector> connector_;
  // The member that answered last: the first one tried.
  std::atomic<size_t> preferred_{0};
};

// Follows keys of etcd in revision order (see Client::Watch). Destroying it stops the stream.
class Watcher {
 public:
  ~Watcher();

  // Waits up to `timeout` for events and returns at most `max` of them, in revision order, each
  // revision after the previous call's. Empty on timeout while the stream is healthy.
  // OutOfRange once etcd reported that the revisions to watch from were compacted (see
  // compact_revision()); Unavailable when no member could be reached during the wait and none
  // is now; Cancelled after Close(). Events received before an error are returned first.
  StatusOr<std::vector<WatchEvent>> Next(size_t max, std::chrono::milliseconds timeout);

  // The first revision etcd still holds, once it reported the watch's revisions compacted;
  // 0 before.
  int64_t compact_revision() const;

  // The revision the watcher resumes from after a reconnect: one past the last event received.
  int64_t next_revision() const;

  // Stops the stream; Next fails with Cancelled. Idempotent; may be called from any thread.
  void Close();

 private:
  friend class Client;
  struct State;
  explicit Watcher(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace fabric::etcd
