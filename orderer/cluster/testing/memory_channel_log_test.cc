// SPDX-License-Identifier: Apache-2.0

#include "orderer/cluster/testing/memory_channel_log.h"

#include <thread>

#include <gtest/gtest.h>

namespace fabric::orderer::cluster::testing {
namespace {

using std::chrono::milliseconds;
using Strings = std::vector<std::string>;

std::unique_ptr<ChannelLog> OpenOrDie(ChannelLogFactory& f, const std::string& channel) {
  StatusOr<std::unique_ptr<ChannelLog>> log = f.Open(channel);
  EXPECT_TRUE(log.ok()) << log.status();
  return std::move(log).value();
}

// The data of the entries a Read returned; a failed Read fails the test.
Strings Data(const StatusOr<std::vector<ChannelLog::Entry>>& read) {
  EXPECT_TRUE(read.ok()) << read.status();
  Strings data;
  for (const ChannelLog::Entry& entry : read.ok() ? *read : std::vector<ChannelLog::Entry>{}) {
    data.push_back(entry.data);
  }
  return data;
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
  EXPECT_EQ(Data(all), (Strings{"one", "two"}));
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].revision, *r1);
  StatusOr<std::vector<ChannelLog::Entry>> after_first = a->Read(*r1, 10, milliseconds(100));
  EXPECT_EQ(Data(after_first), Strings{"two"});
  ASSERT_EQ(after_first->size(), 1u);
  EXPECT_EQ((*after_first)[0].revision, *r2);
  EXPECT_EQ(Data(a->Read(0, 1, milliseconds(100))), Strings{"one"});
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
      EXPECT_EQ(Data(log->Read(0, 10, milliseconds(1))), Strings{});
    }
  }
  EXPECT_EQ(revs, (std::vector<int64_t>{revs[0], revs[0], revs[0]}));
  StatusOr<int64_t> next = log->Append("d", milliseconds(100));
  ASSERT_TRUE(next.ok());
  EXPECT_GT(*next, revs[0]);
  // Asked for one: the whole first revision, in append order.
  EXPECT_EQ(Data(log->Read(0, 1, milliseconds(100))), (Strings{"a", "b", "c"}));
  EXPECT_EQ(Data(log->Read(revs[0], 10, milliseconds(100))), Strings{"d"});
}

TEST(MemoryChannelLogTest, ReadWaitsForAnAppendOrTimesOutEmpty) {
  auto cluster = std::make_shared<MemoryLogCluster>();
  MemoryChannelLogFactory n1(cluster, "orderer1");
  auto log = OpenOrDie(n1, "ch");
  EXPECT_EQ(Data(log->Read(0, 10, milliseconds(20))), Strings{});
  std::jthread writer([&] {
    std::this_thread::sleep_for(milliseconds(50));
    (void)log->Append("late", milliseconds(100));
  });
  EXPECT_EQ(Data(log->Read(0, 10, milliseconds(5000))), Strings{"late"});
}

TEST(MemoryChannelLogTest, CompactionMakesEarlierReadsOutOfRange) {
  auto cluster = std::make_shared<MemoryLogCluster>();
  MemoryChannelLogFactory n1(cluster, "orderer1");
  auto log = OpenOrDie(n1, "ch");
  std::vector<int64_t> revs;
  for (const char* data : {"e0", "e1", "e2"}) {
    revs.push_back(log->Append(data, milliseconds(100)).value());
  }
  cluster->Compact("ch", revs[1]);
  EXPECT_EQ(log->Read(revs[0], 10, milliseconds(10)).status().code(), StatusCode::kOutOfRange);
  StatusOr<std::vector<ChannelLog::Entry>> rest = log->Read(revs[1], 10, milliseconds(10));
  EXPECT_EQ(Data(rest), Strings{"e2"});
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].revision, revs[2]);
  EXPECT_EQ(cluster->Entries("ch").size(), 1u);
  // Past the last revision: later appends come after it.
  cluster->Compact("ch", revs[2] + 100);
  EXPECT_EQ(log->Read(revs[2], 10, milliseconds(10)).status().code(), StatusCode::kOutOfRange);
  StatusOr<int64_t> later = log->Append("later", milliseconds(100));
  ASSERT_TRUE(later.ok());
  EXPECT_GT(*later, revs[2] + 100);
  EXPECT_EQ(Data(log->Read(revs[2] + 100, 10, milliseconds(10))), Strings{"later"});
}

TEST(MemoryChannelLogTest, UnavailableInjectionAndMarks) {
  auto cluster = std::make_shared<MemoryLogCluster>();
  MemoryChannelLogFactory n1(cluster, "orderer1"), n2(cluster, "orderer2");
  auto a = OpenOrDie(n1, "ch"), b = OpenOrDie(n2, "ch");
  ASSERT_TRUE(a->MarkWritten(5).ok());
  ASSERT_TRUE(b->MarkWritten(3).ok());
  EXPECT_EQ(cluster->Written("ch"),
            (std::map<std::string, int64_t>{{"orderer1", 5}, {"orderer2", 3}}));
  EXPECT_EQ(cluster->Written("ch", "orderer2"), 3);
  EXPECT_EQ(cluster->Written("ch", "orderer3"), 0);
  cluster->SetUnavailable(true);
  EXPECT_TRUE(a->Append("x", milliseconds(10)).status().IsUnavailable());
  EXPECT_TRUE(a->Read(0, 1, milliseconds(1000)).status().IsUnavailable());
  EXPECT_TRUE(a->MarkWritten(6).IsUnavailable());
  cluster->SetUnavailable(false);
  EXPECT_TRUE(a->Append("x", milliseconds(10)).ok());
}

TEST(MemoryChannelLogTest, FailedAppendsLeaveReadsAndFailedReadsAreCounted) {
  auto cluster = std::make_shared<MemoryLogCluster>();
  MemoryChannelLogFactory n1(cluster, "orderer1");
  auto log = OpenOrDie(n1, "ch");
  ASSERT_TRUE(log->Append("kept", milliseconds(10)).ok());
  cluster->FailAppends(true);
  EXPECT_TRUE(log->Append("refused", milliseconds(10)).status().IsUnavailable());
  EXPECT_EQ(Data(log->Read(0, 10, milliseconds(10))), Strings{"kept"});
  EXPECT_TRUE(log->MarkWritten(1).ok());
  cluster->FailAppends(false);
  ASSERT_TRUE(log->Append("taken", milliseconds(10)).ok());

  cluster->FailReads(2);
  EXPECT_TRUE(log->Read(0, 10, milliseconds(10)).status().IsUnavailable());
  EXPECT_TRUE(log->Read(0, 10, milliseconds(10)).status().IsUnavailable());
  EXPECT_EQ(Data(log->Read(0, 10, milliseconds(10))), (Strings{"kept", "taken"}));
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

TEST(MemoryChannelLogTest, CloseEndsOnlyThatNodesHandle) {
  auto cluster = std::make_shared<MemoryLogCluster>();
  MemoryChannelLogFactory n1(cluster, "orderer1"), n2(cluster, "orderer2");
  auto a = OpenOrDie(n1, "ch"), b = OpenOrDie(n2, "ch");
  a->Close();
  EXPECT_EQ(a->Read(0, 1, milliseconds(10)).status().code(), StatusCode::kCancelled);
  ASSERT_TRUE(b->Append("x", milliseconds(10)).ok());
  EXPECT_EQ(Data(b->Read(0, 1, milliseconds(10))), Strings{"x"});
  // The node opens the channel again and reads on.
  EXPECT_EQ(Data(OpenOrDie(n1, "ch")->Read(0, 1, milliseconds(10))), Strings{"x"});
}

}  // namespace
}  // namespace fabric::orderer::cluster::testing
