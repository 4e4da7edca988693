// SPDX-License-Identifier: Apache-2.0
//
// EtcdChannelLog::AppendAsync against real etcd members: call order kept across group-commit
// Txns, Close failing what is queued, expiry while etcd is down.

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include "common/etcd/testing/etcd_cluster.h"
#include "common/msp/testing/status_testing.h"
#include "orderer/cluster/etcd_channel_log.h"
#include "orderer/cluster/testing/etcd_log.h"

namespace fabric::orderer::cluster {
namespace {

using etcd::testing::EtcdCluster;
using std::chrono::milliseconds;
using testing::OptionsFor;
using testing::ReadAll;

// The outcomes AppendAsync hands the `done` of each of `n` appends, and how often each was
// called.
class Outcomes {
 public:
  explicit Outcomes(size_t n) : results_(n), calls_(n, 0) {}

  ChannelLog::AppendDone For(size_t i) {
    return [this, i](StatusOr<int64_t> revision) {
      std::lock_guard<std::mutex> lock(mu_);
      results_[i] = std::move(revision);
      ++calls_[i];
      ++total_;
      changed_.notify_all();
    };
  }

  // Waits until `n` calls were made in all; false after `timeout`.
  bool WaitForCalls(size_t n, milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return total_ >= n; });
  }

  // How often done i was called.
  int calls(size_t i) {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_[i];
  }
  // The outcome of append i; Unknown while its done was not called.
  StatusOr<int64_t> result(size_t i) {
    std::lock_guard<std::mutex> lock(mu_);
    return results_[i].value_or(Status(StatusCode::kUnknown, "done not called"));
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  // Guarded by mu_:
  std::vector<std::optional<StatusOr<int64_t>>> results_;
  std::vector<int> calls_;
  size_t total_ = 0;
};

// One etcd member and node o1's log of channel "ch" on it.
class EtcdChannelLogAsyncTest : public ::testing::Test {
 protected:
  void Start() {
    FABRIC_SKIP_WITHOUT_ETCD();
    ASSERT_OK_AND_ASSIGN(cluster_, EtcdCluster::Start({}));
    ASSERT_OK_AND_ASSIGN(factory_, EtcdChannelLogFactory::Create(OptionsFor(*cluster_, "o1")));
    ASSERT_OK_AND_ASSIGN(log_, factory_->Open("ch"));
  }

  std::unique_ptr<EtcdCluster> cluster_;
  std::unique_ptr<EtcdChannelLogFactory> factory_;
  std::unique_ptr<ChannelLog> log_;
};

// Appends queued one after the other from one thread without waiting enter the log in call
// order, spread over several Txns of at most kMaxBatchEntries entries.
TEST_F(EtcdChannelLogAsyncTest, AppendsFromOneThreadEnterTheLogInCallOrderAcrossTxns) {
  ASSERT_NO_FATAL_FAILURE(Start());
  if (IsSkipped()) {
    return;
  }
  constexpr size_t kAppends = 1000;
  Outcomes outcomes(kAppends);
  for (size_t i = 0; i < kAppends; ++i) {
    log_->AppendAsync("entry" + std::to_string(i), milliseconds(10000), outcomes.For(i));
  }
  ASSERT_TRUE(outcomes.WaitForCalls(kAppends, milliseconds(20000)));
  std::vector<int64_t> revisions;
  std::map<int64_t, size_t> per_revision;
  for (size_t i = 0; i < kAppends; ++i) {
    EXPECT_EQ(outcomes.calls(i), 1) << i;
    ASSERT_OK_AND_ASSIGN(int64_t revision, outcomes.result(i));
    if (!revisions.empty()) {
      EXPECT_LE(revisions.back(), revision) << "append " << i << " before append " << i - 1;
    }
    revisions.push_back(revision);
    ++per_revision[revision];
  }
  // Group commit: each Txn took several entries, and none more than a Txn may take.
  EXPECT_GE(per_revision.size(), kAppends / kMaxBatchEntries);
  EXPECT_LT(per_revision.size(), kAppends);
  for (const auto& [revision, count] : per_revision) {
    EXPECT_LE(count, kMaxBatchEntries) << "revision " << revision;
  }
  // Another node reads them in call order.
  ASSERT_OK_AND_ASSIGN(auto other_factory,
                       EtcdChannelLogFactory::Create(OptionsFor(*cluster_, "o2")));
  ASSERT_OK_AND_ASSIGN(auto reader, other_factory->Open("ch"));
  std::vector<ChannelLog::Entry> read = ReadAll(*reader, 0, kAppends);
  ASSERT_EQ(read.size(), kAppends);
  for (size_t i = 0; i < kAppends; ++i) {
    EXPECT_EQ(read[i].data, "entry" + std::to_string(i));
    EXPECT_EQ(read[i].revision, revisions[i]) << i;
  }
}

// Close fails the appends still queued behind a Txn that cannot end (etcd is down) at once with
// Cancelled; the Txn's own entry fails when its timeout passes; every done runs exactly once.
TEST_F(EtcdChannelLogAsyncTest, CloseFailsQueuedAppendsAtOnceAndEveryDoneRunsOnce) {
  ASSERT_NO_FATAL_FAILURE(Start());
  if (IsSkipped()) {
    return;
  }
  ASSERT_OK(log_->Append("before", milliseconds(5000)));
  ASSERT_OK(cluster_->Kill(0));
  constexpr size_t kQueued = 50;
  Outcomes outcomes(kQueued + 1);
  log_->AppendAsync("in a txn", milliseconds(1500), outcomes.For(0));
  // The sender takes an append into a Txn as soon as it is queued and nothing is in flight;
  // the next ones then wait behind that Txn.
  std::this_thread::sleep_for(milliseconds(100));
  for (size_t i = 1; i <= kQueued; ++i) {
    log_->AppendAsync("queued", milliseconds(10000), outcomes.For(i));
  }
  const auto closed_at = std::chrono::steady_clock::now();
  log_->Close();
  ASSERT_TRUE(outcomes.WaitForCalls(kQueued, milliseconds(5000)));
  EXPECT_LT(std::chrono::steady_clock::now() - closed_at, milliseconds(500));
  for (size_t i = 1; i <= kQueued; ++i) {
    EXPECT_EQ(outcomes.result(i).status().code(), StatusCode::kCancelled)
        << i << ": " << outcomes.result(i).status();
  }
  // After Close, at once, on the calling thread.
  Outcomes late(1);
  log_->AppendAsync("late", milliseconds(10000), late.For(0));
  EXPECT_EQ(late.calls(0), 1);
  EXPECT_EQ(late.result(0).status().code(), StatusCode::kCancelled);

  log_.reset();  // waits for the Txn in flight
  Status in_txn = outcomes.result(0).status();
  EXPECT_TRUE(in_txn.IsUnavailable()) << in_txn;
  for (size_t i = 0; i <= kQueued; ++i) {
    EXPECT_EQ(outcomes.calls(i), 1) << i;
  }
}

// With the only member down, appends fail with Unavailable within about their timeout, never
// appear, and the log takes appends again once the member is back.
TEST_F(EtcdChannelLogAsyncTest, AppendsFailUnavailableWhileEtcdIsDownThenTheLogWorksAgain) {
  ASSERT_NO_FATAL_FAILURE(Start());
  if (IsSkipped()) {
    return;
  }
  ASSERT_OK_AND_ASSIGN(int64_t before, log_->Append("before", milliseconds(5000)));
  ASSERT_OK(cluster_->Kill(0));
  constexpr size_t kAppends = 20;
  Outcomes outcomes(kAppends);
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < kAppends; ++i) {
    log_->AppendAsync("during", milliseconds(500), outcomes.For(i));
  }
  ASSERT_TRUE(outcomes.WaitForCalls(kAppends, milliseconds(5000)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  for (size_t i = 0; i < kAppends; ++i) {
    EXPECT_EQ(outcomes.calls(i), 1) << i;
    Status s = outcomes.result(i).status();
    EXPECT_TRUE(s.IsUnavailable()) << i << ": " << s;
  }

  ASSERT_OK(cluster_->Restart(0));
  Outcomes after(1);
  log_->AppendAsync("after", milliseconds(5000), after.For(0));
  ASSERT_TRUE(after.WaitForCalls(1, milliseconds(10000)));
  ASSERT_OK_AND_ASSIGN(int64_t revision, after.result(0));
  std::vector<ChannelLog::Entry> read = ReadAll(*log_, before, 1);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].data, "after");
  EXPECT_EQ(read[0].revision, revision);
  ASSERT_OK_AND_ASSIGN(auto nothing_more, log_->Read(revision, 10, milliseconds(200)));
  EXPECT_TRUE(nothing_more.empty());
}

}  // namespace
}  // namespace fabric::orderer::cluster
