// SPDX-License-Identifier: Apache-2.0

#include "orderer/cluster/memory_channel_log.h"

#include <thread>

#include <gtest/gtest.h>

namespace fabric::orderer::cluster {
namespace {

using std::chrono::milliseconds;

std::unique_ptr<ChannelLog> OpenOrDie(ChannelLogFactory& f, const std::string& channel) {
  StatusOr<std::unique_ptr<ChannelLog>> log = f.Open(channel);
  EXPECT_TRUE(log.ok()) << log.status();
  return std::move(log).value();
}

TEST(MemoryChannelLogTest, NodesReadTheSameEntriesInRevisionOrderWithGaps) {
  auto cluster = std::make_shared<MemoryLogCluster>();
  cluster->set_revision_gap(2);
  MemoryChannelLogFactory n1(cluster, "orderer1"), n2(cluster, "orderer2");
  auto a = OpenOrDie(n1, "ch"), b = OpenOrDie(n2, "ch"), other = OpenOrDie(n1, "other");
  StatusOr<int64_t> r1 = a->Append("one", milliseconds(100));
  ASSERT_TRUE(other->Append("elsewhere", milliseconds(100)).ok());
  StatusOr<int64_t> r2 = b->Append("two", milliseconds(100));
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_GT(*r2, *r1 + 1);  // Gaps: the shared counter and the configured gap.

  StatusOr<std::vector<ChannelLog::Entry>> all = b->Read(0, 10, milliseconds(100));
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].revision, *r1);
  EXPECT_EQ((*all)[0].data, "one");
  EXPECT_EQ((*all)[1].data, "two");
  StatusOr<std::vector<ChannelLog::Entry>> after_first = a->Read(*r1, 10, milliseconds(100));
  ASSERT_TRUE(after_first.ok());
  ASSERT_EQ(after_first->size(), 1u);
  EXPECT_EQ((*after_first)[0].revision, *r2);
  StatusOr<std::vector<ChannelLog::Entry>> one = a->Read(0, 1, milliseconds(100));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
}

TEST(MemoryChannelLogTest, GroupedAppendsShareARevisionAndAreReadWhole) {
  auto cluster = std::make_shared<MemoryLogCluster>();
  MemoryChannelLogFactory n1(cluster, "orderer1");
  auto log = OpenOrDie(n1, "ch");
  cluster->GroupNext("ch", 3);
  std::vector<int64_t> revs;
  for (const char* data : {"a", "b", "c"}) {
    StatusOr<int64_t> r = log->Append(data, milliseconds(100));
    ASSERT_TRUE(r.ok()) << r.status();
    revs.push_back(*r);
    // Not readable before the group is complete.
    if (revs.size() < 3) {
      StatusOr<std::vector<ChannelLog::Entry>> none = log->Read(0, 10, milliseconds(1));
      ASSERT_TRUE(none.ok() && none->empty());
    }
  }
  EXPECT_EQ(revs, (std::vector<int64_t>{revs[0], revs[0], revs[0]}));
  StatusOr<int64_t> next = log->Append("d", milliseconds(100));
  ASSERT_TRUE(next.ok());
  EXPECT_GT(*next, revs[0]);
  // Asked for one: the whole first revision, in append order.
  StatusOr<std::vector<ChannelLog::Entry>> first = log->Read(0, 1, milliseconds(100));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 3u);
  EXPECT_EQ((*first)[0].data, "a");
  EXPECT_EQ((*first)[2].data, "c");
  StatusOr<std::vector<ChannelLog::Entry>> rest = log->Read(revs[0], 10, milliseconds(100));
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].data, "d");
}

TEST(MemoryChannelLogTest, ReadWaitsForAnAppendOrTimesOutEmpty) {
  auto cluster = std::make_shared<MemoryLogCluster>();
  MemoryChannelLogFactory n1(cluster, "orderer1");
  auto log = OpenOrDie(n1, "ch");
  StatusOr<std::vector<ChannelLog::Entry>> none = log->Read(0, 10, milliseconds(20));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  std::jthread writer([&] {
    std::this_thread::sleep_for(milliseconds(50));
    (void)log->Append("late", milliseconds(100));
  });
  StatusOr<std::vector<ChannelLog::Entry>> got = log->Read(0, 10, milliseconds(5000));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].data, "late");
}

TEST(MemoryChannelLogTest, CompactionMakesEarlierReadsOutOfRange) {
  auto cluster = std::make_shared<MemoryLogCluster>();
  MemoryChannelLogFactory n1(cluster, "orderer1");
  auto log = OpenOrDie(n1, "ch");
  std::vector<int64_t> revs;
  for (int i = 0; i < 3; ++i) {
    revs.push_back(log->Append("e", milliseconds(100)).value());
  }
  cluster->Compact("ch", revs[1]);
  EXPECT_EQ(log->Read(revs[0], 10, milliseconds(10)).status().code(), StatusCode::kOutOfRange);
  StatusOr<std::vector<ChannelLog::Entry>> rest = log->Read(revs[1], 10, milliseconds(10));
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].revision, revs[2]);
  EXPECT_EQ(cluster->Entries("ch").size(), 1u);
}

TEST(MemoryChannelLogTest, UnavailableInjectionAndMarks) {
  auto cluster = std::make_shared<MemoryLogCluster>();
  MemoryChannelLogFactory n1(cluster, "orderer1"), n2(cluster, "orderer2");
  auto a = OpenOrDie(n1, "ch"), b = OpenOrDie(n2, "ch");
  ASSERT_TRUE(a->MarkWritten(5).ok());
  ASSERT_TRUE(b->MarkWritten(3).ok());
  EXPECT_EQ(cluster->Written("ch"),
            (std::map<std::string, int64_t>{{"orderer1", 5}, {"orderer2", 3}}));
  cluster->SetUnavailable(true);
  EXPECT_TRUE(a->Append("x", milliseconds(10)).status().IsUnavailable());
  EXPECT_TRUE(a->Read(0, 1, milliseconds(1000)).status().IsUnavailable());
  EXPECT_TRUE(a->MarkWritten(6).IsUnavailable());
  cluster->SetUnavailable(false);
  EXPECT_TRUE(a->Append("x", milliseconds(10)).ok());
}

TEST(MemoryChannelLogTest, CloseWakesABlockedReadWithCancelled) {
  auto cluster = std::make_shared<MemoryLogCluster>();
  MemoryChannelLogFactory n1(cluster, "orderer1");
  auto log = OpenOrDie(n1, "ch");
  std::jthread closer([&] {
    std::this_thread::sleep_for(milliseconds(50));
    log->Close();
  });
  EXPECT_EQ(log->Read(0, 1, milliseconds(10000)).status().code(), StatusCode::kCancelled);
  EXPECT_EQ(log->Append("x", milliseconds(10)).status().code(), StatusCode::kCancelled);
  log->Close();  // Idempotent.
}

}  // namespace
}  // namespace fabric::orderer::cluster
