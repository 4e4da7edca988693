// SPDX-License-Identifier: Apache-2.0
//
// A ChannelLog in memory for the cluster chain's tests: one TestLogStore per channel holds the
// entries; every TestChannelLog opened on it is one node's handle (Close affects that handle
// only). Revisions grow by 3 per entry so that nothing assumes they are contiguous. Tests can
// make Append fail, make Reads fail for a while, compact the log, and give several appends one
// revision (group_next), as etcd gives the appends it commits together.
//
// Header-only; thread-safe.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <absl/strings/str_format.h>

#include "orderer/cluster/channel_log.h"

namespace fabric::orderer::cluster::testing {

class TestLogStore {
 public:
  StatusOr<int64_t> Append(std::string_view data) {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_appends_) {
      return UnavailableError("test log: no quorum");
    }
    if (group_left_ == 0) {
      next_revision_ += 3;
      entries_.push_back({next_revision_, std::string(data)});
      cv_.notify_all();
      return next_revision_;
    }
    if (staged_.empty()) {
      next_revision_ += 3;
    }
    staged_.push_back({next_revision_, std::string(data)});
    if (--group_left_ == 0) {  // A revision's entries become readable together.
      entries_.insert(entries_.end(), staged_.begin(), staged_.end());
      staged_.clear();
      cv_.notify_all();
    }
    return next_revision_;
  }

  // The next `count` appends get one revision; they are readable once the last one is in.
  void group_next(int count) {
    std::lock_guard<std::mutex> lock(mu_);
    group_left_ = count;
  }

  // Waits for entries after `after` until `timeout` or `*closed`.
  StatusOr<std::vector<ChannelLog::Entry>> Read(int64_t after, size_t max,
                                                std::chrono::milliseconds timeout,
                                                const bool* closed) {
    std::unique_lock<std::mutex> lock(mu_);
    if (failing_reads_ > 0) {
      --failing_reads_;
      return UnavailableError("test log: unreachable");
    }
    if (after < compacted_) {
      return OutOfRangeError(absl::StrFormat("test log: compacted up to revision %d", compacted_));
    }
    std::vector<ChannelLog::Entry> out;
    cv_.wait_for(lock, timeout, [&] { return *closed || After(after) < entries_.size(); });
    if (*closed) {
      return Status(StatusCode::kCancelled, "test log: closed");
    }
    // At most `max`, but whole revisions.
    for (size_t i = After(after); i < entries_.size(); ++i) {
      if (!out.empty() && out.size() >= max && entries_[i].revision != out.back().revision) {
        break;
      }
      out.push_back(entries_[i]);
    }
    return out;
  }

  void Wake() {
    std::lock_guard<std::mutex> lock(mu_);
    cv_.notify_all();
  }
  std::mutex& mu() { return mu_; }

  void set_fail_appends(bool fail) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_appends_ = fail;
  }
  void fail_reads(int count) {
    std::lock_guard<std::mutex> lock(mu_);
    failing_reads_ = count;
  }
  // Reads after a revision below `revision` fail with OutOfRange.
  void Compact(int64_t revision) {
    std::lock_guard<std::mutex> lock(mu_);
    compacted_ = revision;
  }
  std::vector<ChannelLog::Entry> entries() {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_;
  }
  void RecordWritten(const std::string& node, int64_t revision) {
    std::lock_guard<std::mutex> lock(mu_);
    written_[node] = revision;
  }
  int64_t written(const std::string& node) {
    std::lock_guard<std::mutex> lock(mu_);
    return written_[node];
  }

 private:
  // Index of the first entry after revision `after`. Caller holds mu_.
  size_t After(int64_t after) const {
    size_t i = 0;
    while (i < entries_.size() && entries_[i].revision <= after) {
      ++i;
    }
    return i;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ChannelLog::Entry> entries_;
  std::vector<ChannelLog::Entry> staged_;  // Appended in the current group, not yet readable.
  int group_left_ = 0;
  int64_t next_revision_ = 100;
  bool fail_appends_ = false;
  int failing_reads_ = 0;
  int64_t compacted_ = 0;
  std::map<std::string, int64_t> written_;
};

class TestChannelLog final : public ChannelLog {
 public:
  TestChannelLog(std::shared_ptr<TestLogStore> store, std::string node)
      : store_(std::move(store)), node_(std::move(node)) {}

  StatusOr<int64_t> Append(std::string_view data, std::chrono::milliseconds) override {
    if (is_closed()) {
      return Status(StatusCode::kCancelled, "test log: closed");
    }
    return store_->Append(data);
  }
  StatusOr<std::vector<Entry>> Read(int64_t after, size_t max,
                                    std::chrono::milliseconds timeout) override {
    return store_->Read(after, max, timeout, &closed_);
  }
  Status MarkWritten(int64_t revision) override {
    store_->RecordWritten(node_, revision);
    return Status::OK();
  }
  void Close() override {
    {
      std::lock_guard<std::mutex> lock(store_->mu());
      closed_ = true;
    }
    store_->Wake();
  }

 private:
  bool is_closed() {
    std::lock_guard<std::mutex> lock(store_->mu());
    return closed_;
  }

  const std::shared_ptr<TestLogStore> store_;
  const std::string node_;
  bool closed_ = false;  // Guarded by store_->mu().
};

// One node's factory: a handle on the shared store of each channel.
class TestChannelLogFactory final : public ChannelLogFactory {
 public:
  TestChannelLogFactory(std::shared_ptr<std::map<std::string, std::shared_ptr<TestLogStore>>> logs,
                        std::shared_ptr<std::mutex> mu, std::string node)
      : logs_(std::move(logs)), mu_(std::move(mu)), node_(std::move(node)) {}

  StatusOr<std::unique_ptr<ChannelLog>> Open(const std::string& channel_id) override {
    std::lock_guard<std::mutex> lock(*mu_);
    std::shared_ptr<TestLogStore>& store = (*logs_)[channel_id];
    if (store == nullptr) {
      store = std::make_shared<TestLogStore>();
    }
    return std::unique_ptr<ChannelLog>(std::make_unique<TestChannelLog>(store, node_));
  }

 private:
  const std::shared_ptr<std::map<std::string, std::shared_ptr<TestLogStore>>> logs_;
  const std::shared_ptr<std::mutex> mu_;
  const std::string node_;
};

// The logs of a cluster: every node's factory shares them.
class TestCluster {
 public:
  std::shared_ptr<ChannelLogFactory> FactoryFor(const std::string& node) {
    return std::make_shared<TestChannelLogFactory>(logs_, mu_, node);
  }
  std::shared_ptr<TestLogStore> store(const std::string& channel_id) {
    std::lock_guard<std::mutex> lock(*mu_);
    std::shared_ptr<TestLogStore>& store = (*logs_)[channel_id];
    if (store == nullptr) {
      store = std::make_shared<TestLogStore>();
    }
    return store;
  }

 private:
  std::shared_ptr<std::map<std::string, std::shared_ptr<TestLogStore>>> logs_ =
      std::make_shared<std::map<std::string, std::shared_ptr<TestLogStore>>>();
  std::shared_ptr<std::mutex> mu_ = std::make_shared<std::mutex>();
};

}  // namespace fabric::orderer::cluster::testing
