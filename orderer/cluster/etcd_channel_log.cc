// SPDX-License-Identifier: Apache-2.0

#include "orderer/cluster/etcd_channel_log.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <future>
#include <limits>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

#include <absl/strings/str_format.h>

#include "common/logging/logging.h"
#include "fabric/base/status_macros.h"

namespace fabric::orderer::cluster {
namespace {

using std::chrono::milliseconds;

logging::Logger logger("orderer.cluster.etcd");

// etcd refuses a Txn with more operations than --max-txn-ops (128 by default).
constexpr size_t kDeletesPerTxn = 100;
// Entries deleted per clean-up at most; the next clean-up continues.
constexpr int64_t kDeletesPerCleanup = 1000;
// How long Open waits for etcd to register the node.
constexpr milliseconds kRegisterAtOpen{1000};
// What a batched entry adds to a Txn besides its value: its key three times (compare, put, get)
// and the framing.
constexpr size_t kEntryOverheadBytes = 64;

bool ParseRevision(std::string_view s, int64_t* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// The minimum of the decimal values under `prefix`; 0 when there is none. Values that do not
// parse count as 0: they hold clean-up back rather than let it delete too much.
StatusOr<int64_t> MinimumUnder(etcd::Client& client, const std::string& prefix,
                               milliseconds timeout, size_t* count) {
  ASSIGN_OR_RETURN(etcd::RangeResult r, client.Range(etcd::RangeOptions::Prefix(prefix), timeout));
  int64_t min = std::numeric_limits<int64_t>::max();
  for (const etcd::KeyValue& kv : r.kvs) {
    int64_t v = 0;
    min = std::min(min, ParseRevision(kv.value, &v) ? v : 0);
  }
  *count = r.kvs.size();
  return r.kvs.empty() ? 0 : min;
}

}  // namespace

// This node's lease on one etcd cluster, shared by its channels' written keys. A thread keeps
// it alive every ttl/3 while the node runs; when the node is down longer than the TTL, etcd
// deletes its written keys, so it stops holding the clean-up back (and catches up from other
// nodes' blocks when it returns). The lease is not revoked on shutdown: a node restarted
// within the TTL keeps its place.
class NodeLease {
 public:
  NodeLease(std::shared_ptr<etcd::Client> client, std::chrono::seconds ttl,
            milliseconds call_timeout)
      : client_(std::move(client)), ttl_(ttl), call_timeout_(call_timeout) {
    thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
  }

  // The lease to put the written keys with, granted on first use and after it expired.
  StatusOr<int64_t> Id(milliseconds timeout) {
    std::lock_guard<std::mutex> lock(grant_mu_);
    if (int64_t id = id_.load(); id != 0) {
      return id;
    }
    ASSIGN_OR_RETURN(int64_t granted, client_->LeaseGrant(ttl_, timeout));
    id_ = granted;
    return granted;
  }

 private:
  void Run(std::stop_token stop) {
    std::mutex mu;
    std::condition_variable_any cv;
    const auto interval = std::chrono::duration_cast<milliseconds>(ttl_) / 3;
    for (;;) {
      std::unique_lock<std::mutex> lock(mu);
      if (cv.wait_for(lock, stop, interval, [] { return false; }) || stop.stop_requested()) {
        return;
      }
      const int64_t id = id_.load();
      if (id == 0) {
        continue;
      }
      StatusOr<std::chrono::seconds> left =
          client_->LeaseKeepAlive(id, std::min(call_timeout_, interval));
      if (left.status().code() == StatusCode::kNotFound) {
        FLOG_WARN(logger,
                  "etcd lease of this node expired (etcd unreachable longer than %ds): its "
                  "written marks are put again with a new lease at its next blocks",
                  ttl_.count());
        int64_t expired = id;
        id_.compare_exchange_strong(expired, 0);
      } else if (!left.ok()) {
        FLOG_WARN(logger, "keep the etcd lease of this node alive: %s", left.status().ToString());
      }
    }
  }

  const std::shared_ptr<etcd::Client> client_;
  const std::chrono::seconds ttl_;
  const milliseconds call_timeout_;
  std::mutex grant_mu_;  // One grant at a time.
  std::atomic<int64_t> id_{0};
  std::jthread thread_;  // last: stopped and joined first
};
StatusOr<std::vector<int64_t>> AppendBatch(etcd::Client& client,
                                           const std::vector<std::string>& keys,
                                           const std::vector<std::string_view>& values,
                                           milliseconds timeout) {
  std::vector<etcd::Compare> absent;
  std::vector<etcd::TxnOp> puts;
  std::vector<etcd::TxnOp> gets;
  for (size_t i = 0; i < keys.size(); ++i) {
    absent.push_back(etcd::Compare::Absent(keys[i]));
    puts.push_back(etcd::TxnOp::Put(keys[i], values[i]));
    gets.push_back(etcd::TxnOp::Get(keys[i]));
  }
  ASSIGN_OR_RETURN(etcd::TxnResult r, client.Txn(absent, puts, gets, timeout));
  if (r.succeeded) {
    return std::vector<int64_t>(keys.size(), r.revision);
  }
  // An earlier attempt of this Txn was applied (the keys are new and only it creates them):
  // its revisions are the entries'.
  std::vector<int64_t> revisions;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i >= r.ranges.size() || r.ranges[i].empty()) {
      return InternalError(absl::StrFormat("append: key %s vanished", keys[i]));
    }
    revisions.push_back(r.ranges[i][0].create_revision);
  }
  return revisions;
}

namespace {

class EtcdChannelLog : public ChannelLog {
 public:
  EtcdChannelLog(const EtcdChannelLogOptions& options, std::shared_ptr<etcd::Client> client,
                 std::shared_ptr<NodeLease> lease, std::string channel_id)
      : options_(options),
        client_(std::move(client)),
        lease_(std::move(lease)),
        channel_id_(std::move(channel_id)),
        log_prefix_(options.key_prefix + channel_id_ + "/log/"),
        written_prefix_(options.key_prefix + channel_id_ + "/written/"),
        written_key_(written_prefix_ + options.node_id),
        gc_prefix_(options.key_prefix + "_gc/"),
        gc_key_(gc_prefix_ + channel_id_),
        key_stem_(absl::StrFormat(
            "%s%s.%016x.", log_prefix_, options.node_id,
            std::random_device()() * uint64_t{0x100000000} + std::random_device()())) {}
  ~EtcdChannelLog() override { Close(); }

  // Registers the node's written key and the channel's clean-up key with 0 where absent, once:
  // until that succeeded, every Read and MarkWritten tries again first.
  Status EnsureRegistered(milliseconds timeout) {
    if (registered_) {
      return Status::OK();
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto left = [&] {
      return std::max(milliseconds(1), std::chrono::duration_cast<milliseconds>(
                                           deadline - std::chrono::steady_clock::now()));
    };
    const auto annotation = [&](const std::string& key) {
      return absl::StrFormat("channel %s: register %s", channel_id_, key);
    };
    StatusOr<int64_t> lease = LeaseId(left());
    if (!lease.ok()) {
      return lease.status().Annotate(annotation(written_key_));
    }
    RETURN_IF_ERROR(Register(written_key_, *lease, left()).Annotate(annotation(written_key_)));
    RETURN_IF_ERROR(Register(gc_key_, 0, left()).Annotate(annotation(gc_key_)));
    registered_ = true;
    return Status::OK();
  }

  StatusOr<int64_t> Append(std::string_view data, milliseconds timeout) override;
  void AppendAsync(std::string data, milliseconds timeout, AppendDone done) override;
  StatusOr<std::vector<Entry>> Read(int64_t after, size_t max, milliseconds timeout) override;
  Status MarkWritten(int64_t revision) override;

  void Close() override {
    closed_ = true;
    // The queued appends fail now rather than when the Txn in flight ends, which is up to its
    // deadline when etcd does not answer.
    std::deque<std::unique_ptr<Waiter>> queued;
    {
      std::lock_guard<std::mutex> lock(append_mu_);
      queued.swap(queue_);
      append_ready_.notify_all();
    }
    for (const std::unique_ptr<Waiter>& w : queued) {
      w->done(Closed());
    }
    std::lock_guard<std::mutex> lock(watcher_mu_);
    if (watcher_) {
      watcher_->Close();
    }
  }

 private:
  // This node's lease for its written key; 0 without one.
  StatusOr<int64_t> LeaseId(milliseconds timeout) {
    return lease_ != nullptr ? lease_->Id(timeout) : StatusOr<int64_t>(0);
  }

  // Puts `key` with 0 when absent; a key left by this node's previous run moves to `lease`, so
  // that it lives as long as this run keeps its lease alive.
  Status Register(const std::string& key, int64_t lease, milliseconds timeout) {
    ASSIGN_OR_RETURN(etcd::TxnResult r,
                     client_->Txn({etcd::Compare::Absent(key)}, {etcd::TxnOp::Put(key, "0", lease)},
                                  {etcd::TxnOp::Get(key)}, timeout));
    if (r.succeeded || lease == 0 || r.ranges.empty() || r.ranges[0].empty()) {
      return Status::OK();
    }
    const etcd::KeyValue& kv = r.ranges[0][0];
    return client_
        ->Txn({etcd::Compare::ModRevisionIs(key, kv.mod_revision)},
              {etcd::TxnOp::Put(key, kv.value, lease)}, {}, timeout)
        .status();
  }

  // One entry waiting to be committed.
  struct Waiter {
    std::string key;
    std::string data;
    milliseconds timeout;
    std::chrono::steady_clock::time_point deadline;
    AppendDone done;
  };
  // The sender thread: takes the entries at the head of the queue into one Txn, sends it, calls
  // their `done`, and again, until the log is closed.
  void Send();
  // Takes the waiters at the head of the queue that fit one Txn. Needs append_mu_.
  std::vector<std::unique_ptr<Waiter>> TakeBatch();
  // Sends `batch` as one Txn and calls each waiter's `done`. Called without append_mu_.
  void Commit(std::vector<std::unique_ptr<Waiter>> batch);
  Status Closed() const {
    return Status(StatusCode::kCancelled,
                  absl::StrFormat("channel %s: channel log closed", channel_id_));
  }
  // Points watcher_ at the entries after `after`, reusing it when it is already there.
  void Position(int64_t after);
  Status ReadError(const Status& s, int64_t after) const;
  Status Cleanup();
  Status DeleteThrough(int64_t revision);

  const EtcdChannelLogOptions options_;
  const std::shared_ptr<etcd::Client> client_;
  const std::shared_ptr<NodeLease> lease_;  // null: written keys without a lease
  const std::string channel_id_;
  const std::string log_prefix_;
  const std::string written_prefix_;
  const std::string written_key_;
  const std::string gc_prefix_;
  const std::string gc_key_;
  const std::string key_stem_;  // log_prefix_ + "<node>.<nonce>."
  std::atomic<uint64_t> appends_{0};
  std::atomic<bool> closed_{false};
  std::atomic<bool> registered_{false};

  std::mutex append_mu_;
  std::condition_variable append_ready_;  // An entry was queued, or the log closed.
  // Guarded by append_mu_:
  std::deque<std::unique_ptr<Waiter>> queue_;  // Not yet taken into a Txn, in arrival order.

  std::mutex read_mu_;  // One Read at a time; held while it waits for entries.
  // Guarded by read_mu_ (replacing watcher_ also takes watcher_mu_):
  int64_t delivered_ = 0;    // Entries up to this revision were returned or skipped.
  std::deque<Entry> carry_;  // Entries after delivered_ taken from the watcher, not returned.

  std::mutex watcher_mu_;
  // Guarded by watcher_mu_:
  std::unique_ptr<etcd::Watcher> watcher_;

  std::mutex cleanup_mu_;
  // Guarded by cleanup_mu_:
  std::chrono::steady_clock::time_point last_cleanup_{};

  std::jthread sender_{[this] { Send(); }};  // last: joined before the members it uses go
};

StatusOr<int64_t> EtcdChannelLog::Append(std::string_view data, milliseconds timeout) {
  std::promise<StatusOr<int64_t>> result;
  AppendAsync(std::string(data), timeout,
              [&result](StatusOr<int64_t> revision) { result.set_value(std::move(revision)); });
  return result.get_future().get();
}

void EtcdChannelLog::AppendAsync(std::string data, milliseconds timeout, AppendDone done) {
  if (closed_) {
    done(Closed());
    return;
  }
  if (data.size() > options_.max_entry_bytes) {
    done(InvalidArgumentError(absl::StrFormat(
        "channel %s: entry of %d bytes exceeds the %d bytes an etcd request may carry "
        "(etcd --max-request-bytes); make blocks' messages smaller",
        channel_id_, data.size(), options_.max_entry_bytes)));
    return;
  }
  auto waiter = std::make_unique<Waiter>(
      Waiter{absl::StrFormat("%s%016d", key_stem_, appends_.fetch_add(1)), std::move(data), timeout,
             std::chrono::steady_clock::now() + timeout, std::move(done)});
  std::unique_lock<std::mutex> lock(append_mu_);
  if (closed_) {  // Checked again under the lock: Close may have failed the queue already.
    lock.unlock();
    waiter->done(Closed());
    return;
  }
  queue_.push_back(std::move(waiter));
  append_ready_.notify_one();
}

void EtcdChannelLog::Send() {
  std::unique_lock<std::mutex> lock(append_mu_);
  for (;;) {
    append_ready_.wait(lock, [this] { return !queue_.empty() || closed_; });
    if (closed_) {
      return;  // Close fails what is queued.
    }
    // Entries never sent will not appear in the log: expired, they fail here.
    std::vector<std::unique_ptr<Waiter>> expired;
    const auto now = std::chrono::steady_clock::now();
    for (auto it = queue_.begin(); it != queue_.end();) {
      if ((*it)->deadline <= now) {
        expired.push_back(std::move(*it));
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
    std::vector<std::unique_ptr<Waiter>> batch = TakeBatch();
    lock.unlock();
    for (const std::unique_ptr<Waiter>& w : expired) {
      w->done(UnavailableError(
          absl::StrFormat("channel %s: append: no etcd transaction took the entry within %dms",
                          channel_id_, w->timeout.count())));
    }
    if (!batch.empty()) {
      Commit(std::move(batch));
    }
    lock.lock();
  }
}

std::vector<std::unique_ptr<EtcdChannelLog::Waiter>> EtcdChannelLog::TakeBatch() {
  std::vector<std::unique_ptr<Waiter>> batch;
  size_t bytes = 0;
  while (!queue_.empty() && batch.size() < kMaxBatchEntries) {
    const Waiter& w = *queue_.front();
    const size_t size = w.data.size() + 3 * w.key.size() + kEntryOverheadBytes;
    if (!batch.empty() && bytes + size > options_.max_entry_bytes) {
      break;
    }
    bytes += size;
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;
}

void EtcdChannelLog::Commit(std::vector<std::unique_ptr<Waiter>> batch) {
  std::vector<std::string> keys;
  std::vector<std::string_view> values;
  auto deadline = batch.front()->deadline;
  for (const std::unique_ptr<Waiter>& w : batch) {
    keys.push_back(w->key);
    values.push_back(w->data);
    deadline = std::min(deadline, w->deadline);  // No caller waits past its own timeout.
  }
  const auto left =
      std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
  StatusOr<std::vector<int64_t>> revisions =
      AppendBatch(*client_, keys, values, std::max(left, milliseconds(1)));
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i]->done(revisions.ok() ? StatusOr<int64_t>((*revisions)[i])
                                  : StatusOr<int64_t>(revisions.status().Annotate(
                                        absl::StrFormat("channel %s: append", channel_id_))));
  }
}

void EtcdChannelLog::Position(int64_t after) {
  std::lock_guard<std::mutex> lock(watcher_mu_);
  if (watcher_ && after >= delivered_) {
    // Entries up to `after` are skipped: those taken already now, the others as they come.
    while (!carry_.empty() && carry_.front().revision <= after) {
      carry_.pop_front();
    }
    delivered_ = after;
    return;
  }
  carry_.clear();
  etcd::WatchOptions w;
  w.key = log_prefix_;
  w.range_end = etcd::PrefixRangeEnd(log_prefix_);
  w.start_revision = after + 1;
  w.buffer_events = options_.read_buffer;
  watcher_ = client_->Watch(w);
  delivered_ = after;
  if (closed_) {
    watcher_->Close();
  }
}

Status EtcdChannelLog::ReadError(const Status& s, int64_t after) const {
  if (closed_) {
    return Closed();
  }
  if (s.code() == StatusCode::kOutOfRange) {
    return OutOfRangeError(absl::StrFormat(
        "channel %s: log entries after revision %d were compacted away in etcd (%s); catch up "
        "from another orderer node's blocks",
        channel_id_, after, s.message()));
  }
  return s.Annotate(absl::StrFormat("channel %s: read after revision %d", channel_id_, after));
}

StatusOr<std::vector<ChannelLog::Entry>> EtcdChannelLog::Read(int64_t after, size_t max,
                                                              milliseconds timeout) {
  if (closed_) {
    return Closed();
  }
  if (Status s = EnsureRegistered(timeout); !s.ok()) {
    return ReadError(s, after);
  }
  std::lock_guard<std::mutex> lock(read_mu_);
  Position(after);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (carry_.empty()) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    // Everything buffered: the watcher buffers whole watch responses, and etcd sends all the
    // events of a revision in one, so carry_ then ends at the end of a revision.
    StatusOr<std::vector<etcd::WatchEvent>> events =
        watcher_->Next(std::numeric_limits<size_t>::max(), std::max(left, milliseconds(0)));
    if (!events.ok()) {
      if (!events.status().IsUnavailable()) {
        // The watch ended (compacted, cancelled by etcd): the next Read starts a new one.
        std::lock_guard<std::mutex> w(watcher_mu_);
        watcher_.reset();
        carry_.clear();
      }
      return ReadError(events.status(), after);
    }
    for (etcd::WatchEvent& e : *events) {
      // A creation is an entry; deletions (clean-up) and rewrites are not.
      if (e.type == etcd::WatchEvent::Type::kPut && e.kv.version == 1 &&
          e.kv.mod_revision > delivered_) {
        carry_.push_back({e.kv.mod_revision, std::move(e.kv.value)});
      }
    }
    if (left.count() <= 0) {
      break;
    }
  }
  // At most `max`, but whole revisions: the next Read starts after the last one returned.
  std::vector<Entry> out;
  while (!carry_.empty() && (out.size() < std::max<size_t>(max, 1) ||
                             carry_.front().revision == out.back().revision)) {
    out.push_back(std::move(carry_.front()));
    carry_.pop_front();
  }
  if (!out.empty()) {
    delivered_ = out.back().revision;
  }
  return out;
}

Status EtcdChannelLog::MarkWritten(int64_t revision) {
  if (closed_) {
    return Closed();
  }
  RETURN_IF_ERROR(EnsureRegistered(options_.call_timeout));
  const std::string what = absl::StrFormat("channel %s: mark written %d", channel_id_, revision);
  StatusOr<int64_t> lease = LeaseId(options_.call_timeout);
  if (!lease.ok()) {
    return lease.status().Annotate(what);
  }
  RETURN_IF_ERROR(
      client_->Put(written_key_, std::to_string(revision), options_.call_timeout, *lease)
          .status()
          .Annotate(what));
  std::unique_lock<std::mutex> lock(cleanup_mu_, std::try_to_lock);
  const auto now = std::chrono::steady_clock::now();
  if (!lock.owns_lock() || now - last_cleanup_ < options_.cleanup_interval) {
    return Status::OK();
  }
  last_cleanup_ = now;
  // The mark is recorded; a failed clean-up is repeated at a later mark.
  if (Status s = Cleanup(); !s.ok()) {
    FLOG_WARN(logger, "[channel: %s] clean up the etcd log: %s", channel_id_, s.ToString());
  }
  return Status::OK();
}

Status EtcdChannelLog::Cleanup() {
  size_t nodes = 0;
  ASSIGN_OR_RETURN(int64_t written,
                   MinimumUnder(*client_, written_prefix_, options_.call_timeout, &nodes));
  if (written <= 0) {
    return Status::OK();
  }
  RETURN_IF_ERROR(DeleteThrough(written));
  if (!options_.compact) {
    return Status::OK();
  }
  size_t channels = 0;
  ASSIGN_OR_RETURN(int64_t everywhere,
                   MinimumUnder(*client_, gc_prefix_, options_.call_timeout, &channels));
  if (everywhere <= 0) {
    return Status::OK();
  }
  Status s = client_->Compact(everywhere, false, options_.call_timeout);
  if (s.code() == StatusCode::kOutOfRange) {
    return Status::OK();  // Already compacted that far (by another node).
  }
  FLOG_DEBUG(logger, "[channel: %s] compacted etcd to revision %d (minimum of %d channels)",
             channel_id_, everywhere, channels);
  return s;
}

Status EtcdChannelLog::DeleteThrough(int64_t revision) {
  etcd::RangeOptions r = etcd::RangeOptions::Prefix(log_prefix_);
  r.keys_only = true;
  r.max_create_revision = revision;
  r.limit = kDeletesPerCleanup;
  ASSIGN_OR_RETURN(etcd::RangeResult old, client_->Range(r, options_.call_timeout));
  for (size_t i = 0; i < old.kvs.size(); i += kDeletesPerTxn) {
    std::vector<etcd::TxnOp> deletes;
    for (size_t j = i; j < std::min(old.kvs.size(), i + kDeletesPerTxn); ++j) {
      deletes.push_back(etcd::TxnOp::Delete(old.kvs[j].key));
    }
    RETURN_IF_ERROR(client_->Txn({}, deletes, {}, options_.call_timeout).status());
  }
  if (old.more) {
    return Status::OK();  // The next clean-up deletes the rest, then records the revision.
  }
  return client_->Put(gc_key_, std::to_string(revision), options_.call_timeout).status();
}

}  // namespace

StatusOr<std::unique_ptr<EtcdChannelLogFactory>> EtcdChannelLogFactory::Create(
    const EtcdChannelLogOptions& options) {
  if (options.node_id.empty() || options.node_id.find('/') != std::string::npos) {
    return InvalidArgumentError(absl::StrFormat(
        "etcd channel log: node id \"%s\" must be non-empty and without \"/\"", options.node_id));
  }
  if (options.key_prefix.empty() || options.key_prefix.back() != '/') {
    return InvalidArgumentError(absl::StrFormat(
        "etcd channel log: key prefix \"%s\" must end with \"/\"", options.key_prefix));
  }
  etcd::ClientOptions client_options;
  client_options.endpoints = options.endpoints;
  client_options.use_tls = options.use_tls;
  client_options.tls = options.tls;
  client_options.call_timeout = options.call_timeout;
  StatusOr<std::unique_ptr<etcd::Client>> client = etcd::Client::Open(client_options);
  if (!client.ok()) {
    return client.status().Annotate("etcd channel log");
  }
  return std::unique_ptr<EtcdChannelLogFactory>(
      new EtcdChannelLogFactory(options, std::move(client).value()));
}

EtcdChannelLogFactory::EtcdChannelLogFactory(const EtcdChannelLogOptions& options,
                                             std::shared_ptr<etcd::Client> client)
    : options_(options),
      client_(std::move(client)),
      lease_(options.node_ttl.count() > 0
                 ? std::make_shared<NodeLease>(client_, options.node_ttl, options.call_timeout)
                 : nullptr) {}

StatusOr<std::unique_ptr<ChannelLog>> EtcdChannelLogFactory::Open(const std::string& channel_id) {
  if (channel_id.empty() || channel_id.find('/') != std::string::npos) {
    return InvalidArgumentError(absl::StrFormat(
        "etcd channel log: channel id \"%s\" must be non-empty and without \"/\"", channel_id));
  }
  auto log = std::make_unique<EtcdChannelLog>(options_, client_, lease_, channel_id);
  // Opening does not wait for an unreachable etcd; the log registers at its first use then.
  if (Status s = log->EnsureRegistered(std::min(options_.call_timeout, kRegisterAtOpen)); !s.ok()) {
    FLOG_WARN(logger, "[channel: %s] register node %s in etcd: %s", channel_id, options_.node_id,
              s.ToString());
  }
  return std::unique_ptr<ChannelLog>(std::move(log));
}

StatusOr<std::shared_ptr<ChannelLogFactory>> MakeEtcdChannelLogFactory(
    const std::vector<std::string>& config_endpoints, bool config_tls,
    EtcdChannelLogOptions local) {
  if (local.endpoints.empty()) {
    local.endpoints = config_endpoints;
  }
  local.use_tls = local.use_tls || config_tls;
  if (local.use_tls && local.tls.ca_files.empty()) {
    return FailedPreconditionError(
        "the channel's etcd cluster is reached over TLS, but no CA file to verify its members "
        "is configured (Etcd.TLS.RootCAs)");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<EtcdChannelLogFactory> f, EtcdChannelLogFactory::Create(local));
  return std::shared_ptr<ChannelLogFactory>(std::move(f));
}

}  // namespace fabric::orderer::cluster
