// SPDX-License-Identifier: Apache-2.0

#include "orderer/cluster/testing/memory_channel_log.h"

#include <algorithm>
#include <utility>

#include <absl/strings/str_format.h>

namespace fabric::orderer::cluster::testing {

void MemoryLogCluster::set_revision_gap(int64_t gap) {
  std::lock_guard<std::mutex> lock(mu_);
  gap_ = std::max<int64_t>(gap, 0);
}

void MemoryLogCluster::GroupNext(const std::string& channel, int count) {
  std::lock_guard<std::mutex> lock(mu_);
  channels_[channel].group_left = std::max(count, 0);
}

void MemoryLogCluster::SetUnavailable(bool unavailable) {
  std::lock_guard<std::mutex> lock(mu_);
  unavailable_ = unavailable;
  changed_.notify_all();
}

void MemoryLogCluster::FailAppends(bool fail) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_appends_ = fail;
}

void MemoryLogCluster::FailReads(int count) {
  std::lock_guard<std::mutex> lock(mu_);
  failing_reads_ = std::max(count, 0);
}

void MemoryLogCluster::Compact(const std::string& channel, int64_t revision) {
  std::lock_guard<std::mutex> lock(mu_);
  Channel& c = channels_[channel];
  c.compacted_through = std::max(c.compacted_through, revision);
  revision_ = std::max(revision_, revision);
  std::erase_if(c.entries, [&](const ChannelLog::Entry& e) { return e.revision <= revision; });
}

std::map<std::string, int64_t> MemoryLogCluster::Written(const std::string& channel) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = channels_.find(channel);
  return it == channels_.end() ? std::map<std::string, int64_t>{} : it->second.written;
}

int64_t MemoryLogCluster::Written(const std::string& channel, const std::string& node) const {
  std::map<std::string, int64_t> written = Written(channel);
  auto it = written.find(node);
  return it == written.end() ? 0 : it->second;
}

std::vector<ChannelLog::Entry> MemoryLogCluster::Entries(const std::string& channel) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = channels_.find(channel);
  return it == channels_.end() ? std::vector<ChannelLog::Entry>{} : it->second.entries;
}

int64_t MemoryLogCluster::revision() const {
  std::lock_guard<std::mutex> lock(mu_);
  return revision_;
}

MemoryChannelLog::MemoryChannelLog(std::shared_ptr<MemoryLogCluster> cluster,
                                   std::string channel_id, std::string node_id)
    : cluster_(std::move(cluster)),
      channel_id_(std::move(channel_id)),
      node_id_(std::move(node_id)) {}

MemoryChannelLog::~MemoryChannelLog() { Close(); }

Status MemoryChannelLog::CheckUsable() const {
  if (closed_) {
    return Status(StatusCode::kCancelled,
                  absl::StrFormat("channel %s: channel log closed", channel_id_));
  }
  if (cluster_->unavailable_) {
    return UnavailableError(absl::StrFormat("channel %s: channel log unavailable", channel_id_));
  }
  return Status::OK();
}

StatusOr<int64_t> MemoryChannelLog::Append(std::string_view data, std::chrono::milliseconds) {
  std::lock_guard<std::mutex> lock(cluster_->mu_);
  if (Status s = CheckUsable(); !s.ok()) {
    return s;
  }
  if (cluster_->fail_appends_) {
    return UnavailableError(
        absl::StrFormat("channel %s: channel log has no quorum for the append", channel_id_));
  }
  return AppendLocked(data);
}

int64_t MemoryChannelLog::AppendLocked(std::string_view data) {
  MemoryLogCluster::Channel& c = cluster_->channels_[channel_id_];
  if (c.group_left == 0) {
    cluster_->revision_ += 1 + cluster_->gap_;
    c.entries.push_back({cluster_->revision_, std::string(data)});
    cluster_->changed_.notify_all();
    return cluster_->revision_;
  }
  if (c.staged.empty()) {
    cluster_->revision_ += 1 + cluster_->gap_;
  }
  c.staged.push_back({cluster_->revision_, std::string(data)});
  const int64_t revision = c.staged.back().revision;
  if (--c.group_left == 0) {
    c.entries.insert(c.entries.end(), c.staged.begin(), c.staged.end());
    c.staged.clear();
    cluster_->changed_.notify_all();
  }
  return revision;
}

StatusOr<std::vector<ChannelLog::Entry>> MemoryChannelLog::Read(int64_t after, size_t max,
                                                                std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(cluster_->mu_);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (Status s = CheckUsable(); !s.ok()) {
    return s;
  }
  if (cluster_->failing_reads_ > 0) {
    --cluster_->failing_reads_;
    return UnavailableError(absl::StrFormat("channel %s: channel log unreachable", channel_id_));
  }
  while (true) {
    StatusOr<std::vector<Entry>> entries = ReadLocked(after, max);
    if (!entries.ok() || !entries->empty()) {
      return entries;
    }
    if (cluster_->changed_.wait_until(lock, deadline) == std::cv_status::timeout) {
      return std::vector<ChannelLog::Entry>{};
    }
    if (Status s = CheckUsable(); !s.ok()) {
      return s;
    }
  }
}

StatusOr<std::vector<ChannelLog::Entry>> MemoryChannelLog::ReadLocked(int64_t after,
                                                                      size_t max) const {
  const MemoryLogCluster::Channel& c = cluster_->channels_[channel_id_];
  if (after < c.compacted_through) {
    return OutOfRangeError(
        absl::StrFormat("channel %s: log entries up to revision %d were compacted, read after %d",
                        channel_id_, c.compacted_through, after));
  }
  auto first =
      std::upper_bound(c.entries.begin(), c.entries.end(), after,
                       [](int64_t rev, const ChannelLog::Entry& e) { return rev < e.revision; });
  if (first == c.entries.end()) {
    return std::vector<ChannelLog::Entry>{};
  }
  // At most `max`, but whole revisions.
  auto last = first + std::min<ptrdiff_t>(c.entries.end() - first, std::max<size_t>(max, 1));
  while (last != c.entries.end() && last->revision == (last - 1)->revision) {
    ++last;
  }
  return std::vector<ChannelLog::Entry>(first, last);
}

Status MemoryChannelLog::MarkWritten(int64_t revision) {
  std::lock_guard<std::mutex> lock(cluster_->mu_);
  if (Status s = CheckUsable(); !s.ok()) {
    return s;
  }
  cluster_->channels_[channel_id_].written[node_id_] = revision;
  return Status::OK();
}

void MemoryChannelLog::Close() {
  std::lock_guard<std::mutex> lock(cluster_->mu_);
  closed_ = true;
  cluster_->changed_.notify_all();
}

MemoryChannelLogFactory::MemoryChannelLogFactory(std::shared_ptr<MemoryLogCluster> cluster,
                                                 std::string node_id)
    : cluster_(std::move(cluster)), node_id_(std::move(node_id)) {}

StatusOr<std::unique_ptr<ChannelLog>> MemoryChannelLogFactory::Open(const std::string& channel_id) {
  if (channel_id.empty()) {
    return InvalidArgumentError("channel log needs a channel id");
  }
  return std::unique_ptr<ChannelLog>(
      std::make_unique<MemoryChannelLog>(cluster_, channel_id, node_id_));
}

}  // namespace fabric::orderer::cluster::testing
