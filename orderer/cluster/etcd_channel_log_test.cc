// SPDX-License-Identifier: Apache-2.0
//
// EtcdChannelLog against real etcd members (common/etcd/testing/etcd_cluster.h).

#include "orderer/cluster/etcd_channel_log.h"

#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/etcd/testing/etcd_cluster.h"
#include "common/msp/testing/status_testing.h"
#include "orderer/cluster/testing/etcd_log.h"

namespace fabric::orderer::cluster {
namespace {

using etcd::testing::EtcdCluster;
using std::chrono::milliseconds;
using ::testing::HasSubstr;
using testing::OptionsFor;
using testing::ReadAll;

// One etcd member and the log of channel "ch" opened by nodes o1 (a) and o2 (b).
class EtcdChannelLogTwoNodesTest : public ::testing::Test {
 protected:
  void Start() {
    FABRIC_SKIP_WITHOUT_ETCD();
    ASSERT_OK_AND_ASSIGN(cluster, EtcdCluster::Start({}));
    ASSERT_OK_AND_ASSIGN(f1, EtcdChannelLogFactory::Create(OptionsFor(*cluster, "o1")));
    ASSERT_OK_AND_ASSIGN(f2, EtcdChannelLogFactory::Create(OptionsFor(*cluster, "o2")));
    ASSERT_OK_AND_ASSIGN(a, f1->Open("ch"));
    ASSERT_OK_AND_ASSIGN(b, f2->Open("ch"));
  }

  std::unique_ptr<EtcdCluster> cluster;
  std::unique_ptr<EtcdChannelLogFactory> f1, f2;
  std::unique_ptr<ChannelLog> a, b;
};

TEST(EtcdChannelLogTest, RejectsBadOptions) {
  EtcdChannelLogOptions o;
  o.endpoints = {"127.0.0.1:1"};
  EXPECT_THAT(std::string(EtcdChannelLogFactory::Create(o).status().message()),
              HasSubstr("node id"));
  o.node_id = "orderer1";
  o.key_prefix = "/no-slash";
  EXPECT_THAT(std::string(EtcdChannelLogFactory::Create(o).status().message()),
              HasSubstr("must end with \"/\""));
}

TEST(EtcdChannelLogTest, MakerTakesTheConfigsEndpointsUnlessTheNodeHasItsOwn) {
  EtcdChannelLogOptions local;
  local.node_id = "orderer1";
  ASSERT_OK_AND_ASSIGN(auto from_config,
                       MakeEtcdChannelLogFactory({"10.0.0.1:2379"}, false, local));
  EXPECT_EQ(static_cast<EtcdChannelLogFactory&>(*from_config).client().endpoints(),
            std::vector<std::string>{"10.0.0.1:2379"});
  local.endpoints = {"127.0.0.1:2379"};
  ASSERT_OK_AND_ASSIGN(auto own, MakeEtcdChannelLogFactory({"10.0.0.1:2379"}, false, local));
  EXPECT_EQ(static_cast<EtcdChannelLogFactory&>(*own).client().endpoints(),
            std::vector<std::string>{"127.0.0.1:2379"});
  Status tls = MakeEtcdChannelLogFactory({"10.0.0.1:2379"}, true, local).status();
  EXPECT_TRUE(tls.IsFailedPrecondition()) << tls;
  EXPECT_THAT(std::string(tls.message()), HasSubstr("Etcd.TLS.RootCAs"));
}

TEST_F(EtcdChannelLogTwoNodesTest, NodesReadAppendsInRevisionOrder) {
  ASSERT_NO_FATAL_FAILURE(Start());
  if (IsSkipped()) {
    return;
  }
  ASSERT_OK_AND_ASSIGN(auto other, f1->Open("other"));
  std::vector<int64_t> revs;
  for (int i = 0; i < 6; ++i) {
    ChannelLog& log = i % 2 == 0 ? *a : *b;
    ASSERT_OK_AND_ASSIGN(int64_t r, log.Append("entry" + std::to_string(i), milliseconds(5000)));
    ASSERT_OK(other->Append("noise", milliseconds(5000)));
    revs.push_back(r);
  }
  for (ChannelLog* log : {a.get(), b.get()}) {
    std::vector<ChannelLog::Entry> all = ReadAll(*log, 0, 6);
    ASSERT_EQ(all.size(), 6u);
    for (int i = 0; i < 6; ++i) {
      EXPECT_EQ(all[i].revision, revs[i]);
      EXPECT_EQ(all[i].data, "entry" + std::to_string(i));
    }
  }
  // From a revision, at most `max`, and going back re-reads.
  ASSERT_OK_AND_ASSIGN(auto two, a->Read(revs[2], 2, milliseconds(5000)));
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].revision, revs[3]);
  ASSERT_OK_AND_ASSIGN(auto again, a->Read(revs[0], 1, milliseconds(5000)));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].revision, revs[1]);
  ASSERT_OK_AND_ASSIGN(auto none, a->Read(revs[5], 10, milliseconds(200)));
  EXPECT_TRUE(none.empty());
}

// Appends waiting at the same time are committed together: fewer Txns than entries, and every
// entry read once, in revision order and, within a revision, in the order it was appended.
TEST_F(EtcdChannelLogTwoNodesTest, ConcurrentAppendsShareTxnsAndAreReadOnceInOrder) {
  ASSERT_NO_FATAL_FAILURE(Start());
  if (IsSkipped()) {
    return;
  }
  constexpr int kAppends = 50;
  std::vector<int64_t> revs(kAppends);
  std::vector<std::thread> threads;
  for (int i = 0; i < kAppends; ++i) {
    threads.emplace_back([&, i] {
      StatusOr<int64_t> r = a->Append("entry" + std::to_string(i), milliseconds(5000));
      EXPECT_TRUE(r.ok()) << r.status();
      revs[i] = r.ok() ? *r : -1;
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  const std::set<int64_t> distinct(revs.begin(), revs.end());
  EXPECT_LT(distinct.size(), static_cast<size_t>(kAppends));
  // Read in small steps: a Read returns whole revisions, so none is split.
  std::vector<ChannelLog::Entry> all;
  int64_t after = 0;
  while (all.size() < static_cast<size_t>(kAppends)) {
    ASSERT_OK_AND_ASSIGN(std::vector<ChannelLog::Entry> got, b->Read(after, 3, milliseconds(5000)));
    ASSERT_FALSE(got.empty());
    for (size_t i = 3; i < got.size(); ++i) {
      EXPECT_EQ(got[i].revision, got[2].revision);  // Only to end the third's revision.
    }
    after = got.back().revision;
    all.insert(all.end(), got.begin(), got.end());
  }
  ASSERT_EQ(all.size(), static_cast<size_t>(kAppends));
  std::set<std::string> seen;
  for (size_t i = 0; i < all.size(); ++i) {
    const int n = std::stoi(all[i].data.substr(5));
    EXPECT_EQ(all[i].revision, revs[n]) << all[i].data;
    EXPECT_TRUE(seen.insert(all[i].data).second) << all[i].data << " read twice";
    if (i > 0) {
      EXPECT_LE(all[i - 1].revision, all[i].revision);
    }
  }
  ASSERT_OK_AND_ASSIGN(auto none, b->Read(after, 10, milliseconds(200)));
  EXPECT_TRUE(none.empty());
}

// A batch's Txn repeated (as the client does on another member after a timeout) writes nothing
// and returns the revision the first attempt gave.
TEST_F(EtcdChannelLogTwoNodesTest, RepeatedBatchIsAppliedOnce) {
  ASSERT_NO_FATAL_FAILURE(Start());
  if (IsSkipped()) {
    return;
  }
  const std::vector<std::string> keys = {"/fabric-cpp/orderer/ch/log/o9.x.1",
                                         "/fabric-cpp/orderer/ch/log/o9.x.2"};
  const std::vector<std::string_view> values = {"one", "two"};
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> first,
                       AppendBatch(f1->client(), keys, values, milliseconds(5000)));
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0], first[1]);
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> again,
                       AppendBatch(f1->client(), keys, values, milliseconds(5000)));
  EXPECT_EQ(again, first);
  ASSERT_OK_AND_ASSIGN(int64_t last, a->Append("three", milliseconds(5000)));
  std::vector<ChannelLog::Entry> all = ReadAll(*b, 0, 3);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].data, "one");
  EXPECT_EQ(all[1].data, "two");
  EXPECT_EQ(all[2].revision, last);
}

TEST(EtcdChannelLogTest, ReadWaitsForAnAppendAndCloseCancelsIt) {
  FABRIC_SKIP_WITHOUT_ETCD();
  ASSERT_OK_AND_ASSIGN(auto cluster, EtcdCluster::Start({}));
  ASSERT_OK_AND_ASSIGN(auto f, EtcdChannelLogFactory::Create(OptionsFor(*cluster, "o1")));
  ASSERT_OK_AND_ASSIGN(auto log, f->Open("ch"));
  ASSERT_OK_AND_ASSIGN(int64_t first, log->Append("first", milliseconds(5000)));
  std::jthread writer([&] {
    std::this_thread::sleep_for(milliseconds(200));
    (void)log->Append("second", milliseconds(5000));
  });
  ASSERT_OK_AND_ASSIGN(auto got, log->Read(first, 10, milliseconds(5000)));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data, "second");

  std::jthread closer([&] {
    std::this_thread::sleep_for(milliseconds(200));
    log->Close();
  });
  EXPECT_EQ(log->Read(got[0].revision, 10, milliseconds(10000)).status().code(),
            StatusCode::kCancelled);
  EXPECT_EQ(log->Append("x", milliseconds(100)).status().code(), StatusCode::kCancelled);
}

TEST(EtcdChannelLogTest, TooLargeEntryIsInvalidArgument) {
  FABRIC_SKIP_WITHOUT_ETCD();
  ASSERT_OK_AND_ASSIGN(auto cluster, EtcdCluster::Start({}));
  ASSERT_OK_AND_ASSIGN(auto f, EtcdChannelLogFactory::Create(OptionsFor(*cluster, "o1")));
  ASSERT_OK_AND_ASSIGN(auto log, f->Open("ch"));
  Status s = log->Append(std::string(2 * 1024 * 1024, 'x'), milliseconds(5000)).status();
  EXPECT_TRUE(s.IsInvalidArgument()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("--max-request-bytes"));
  EXPECT_OK(log->Append(std::string(1024 * 1024, 'x'), milliseconds(5000)));
}

TEST(EtcdChannelLogTest, AppendUnavailableWithoutQuorumThenRecovers) {
  FABRIC_SKIP_WITHOUT_ETCD();
  ASSERT_OK_AND_ASSIGN(auto cluster, EtcdCluster::Start({.members = 3}));
  ASSERT_OK_AND_ASSIGN(auto f, EtcdChannelLogFactory::Create(OptionsFor(*cluster, "o1")));
  ASSERT_OK_AND_ASSIGN(auto log, f->Open("ch"));
  ASSERT_OK_AND_ASSIGN(int64_t first, log->Append("before", milliseconds(5000)));
  ASSERT_OK_AND_ASSIGN(auto f2, EtcdChannelLogFactory::Create(OptionsFor(*cluster, "o2")));
  ASSERT_OK_AND_ASSIGN(auto reader, f2->Open("ch"));
  ASSERT_OK(cluster->Kill(0));
  ASSERT_OK(cluster->Kill(1));
  const auto start = std::chrono::steady_clock::now();
  Status s = log->Append("during", milliseconds(2000)).status();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(3000));
  EXPECT_TRUE(s.IsUnavailable()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("etcd unavailable at"));
  // A reader whose watch can only reach the member left alone is told, not left waiting: that
  // member has no leader.
  const auto read_start = std::chrono::steady_clock::now();
  Status r = reader->Read(first, 10, milliseconds(3000)).status();
  EXPECT_LT(std::chrono::steady_clock::now() - read_start, milliseconds(4000));
  EXPECT_TRUE(r.IsUnavailable()) << r;

  ASSERT_OK(cluster->Restart(0));
  ASSERT_OK_AND_ASSIGN(int64_t after, log->Append("after", milliseconds(5000)));
  // "during" may have been applied once the quorum came back; never twice.
  std::vector<std::string> seen;
  int64_t at = first;
  const auto deadline = std::chrono::steady_clock::now() + milliseconds(10000);
  while (at < after && std::chrono::steady_clock::now() < deadline) {
    ASSERT_OK_AND_ASSIGN(auto got, log->Read(at, 10, milliseconds(500)));
    for (const ChannelLog::Entry& e : got) {
      seen.push_back(e.data);
      at = e.revision;
    }
  }
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), "after");
  EXPECT_LE(seen.size(), 2u);
}

TEST_F(EtcdChannelLogTwoNodesTest, MarkWrittenDeletesWhatEveryNodeWroteAndCompacts) {
  ASSERT_NO_FATAL_FAILURE(Start());
  if (IsSkipped()) {
    return;
  }
  std::vector<int64_t> revs;
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK_AND_ASSIGN(int64_t r, a->Append("e" + std::to_string(i), milliseconds(5000)));
    revs.push_back(r);
  }
  const std::string log_prefix = "/fabric-cpp/orderer/ch/log/";
  auto live_entries = [&] {
    return f1->client().Range(etcd::RangeOptions::Prefix(log_prefix)).value().kvs.size();
  };
  // o2 registered at Open with 0: o1's progress alone deletes nothing.
  ASSERT_OK(a->MarkWritten(revs[3]));
  EXPECT_EQ(live_entries(), 5u);
  ASSERT_OK(b->MarkWritten(revs[1]));
  EXPECT_EQ(live_entries(), 3u);
  ASSERT_OK(b->MarkWritten(revs[2]));
  EXPECT_EQ(live_entries(), 2u);
  ASSERT_OK_AND_ASSIGN(etcd::KeyValue gc, f1->client().Get("/fabric-cpp/orderer/_gc/ch"));
  EXPECT_EQ(gc.value, std::to_string(revs[2]));

  // etcd was compacted to revs[2]: reading from before it is OutOfRange, after it works.
  Status s = a->Read(revs[0], 10, milliseconds(5000)).status();
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("compacted"));
  std::vector<ChannelLog::Entry> rest = ReadAll(*a, revs[2], 2);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].revision, revs[3]);
  EXPECT_EQ(rest[1].revision, revs[4]);
}

TEST(EtcdChannelLogTest, CompactionWaitsForEveryChannel) {
  FABRIC_SKIP_WITHOUT_ETCD();
  ASSERT_OK_AND_ASSIGN(auto cluster, EtcdCluster::Start({}));
  ASSERT_OK_AND_ASSIGN(auto f, EtcdChannelLogFactory::Create(OptionsFor(*cluster, "o1")));
  ASSERT_OK_AND_ASSIGN(auto busy, f->Open("busy"));
  ASSERT_OK_AND_ASSIGN(auto idle, f->Open("idle"));
  ASSERT_OK_AND_ASSIGN(int64_t i1, idle->Append("i1", milliseconds(5000)));
  std::vector<int64_t> revs;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(int64_t r, busy->Append("b", milliseconds(5000)));
    revs.push_back(r);
  }
  ASSERT_OK(busy->MarkWritten(revs[2]));
  // "idle" has cleaned up nothing: etcd keeps the history its readers need.
  std::vector<ChannelLog::Entry> from_start = ReadAll(*idle, 0, 1);
  ASSERT_EQ(from_start.size(), 1u);
  EXPECT_EQ(from_start[0].revision, i1);
  ASSERT_OK(idle->MarkWritten(i1));
  ASSERT_OK(busy->MarkWritten(revs[2]));  // Now compacts to min(i1, revs[2]) = i1.
  EXPECT_EQ(idle->Read(0, 10, milliseconds(5000)).status().code(), StatusCode::kOutOfRange);
}

// A node's written key lives on its lease: kept while the node runs, gone TTL after it stopped,
// so the others' clean-up then goes past it.
TEST(EtcdChannelLogTest, WrittenKeyOfAStoppedNodeExpiresWithItsLease) {
  FABRIC_SKIP_WITHOUT_ETCD();
  ASSERT_OK_AND_ASSIGN(auto cluster, EtcdCluster::Start({}));
  EtcdChannelLogOptions live_options = OptionsFor(*cluster, "live");
  live_options.node_ttl = std::chrono::seconds(2);
  EtcdChannelLogOptions gone_options = OptionsFor(*cluster, "gone");
  gone_options.node_ttl = std::chrono::seconds(2);
  ASSERT_OK_AND_ASSIGN(auto live_factory, EtcdChannelLogFactory::Create(live_options));
  ASSERT_OK_AND_ASSIGN(auto gone_factory, EtcdChannelLogFactory::Create(gone_options));
  ASSERT_OK_AND_ASSIGN(auto live, live_factory->Open("ch"));
  ASSERT_OK_AND_ASSIGN(auto gone, gone_factory->Open("ch"));
  std::vector<int64_t> revs;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(int64_t r, live->Append("e", milliseconds(5000)));
    revs.push_back(r);
  }
  ASSERT_OK(gone->MarkWritten(revs[0]));
  gone.reset();
  gone_factory.reset();
  etcd::Client& client = live_factory->client();
  const std::string written = "/fabric-cpp/orderer/ch/written/";
  // Three TTLs: the live node's key is kept alive, the stopped node's expires.
  std::this_thread::sleep_for(std::chrono::seconds(6));
  Status live_key = client.Get(written + "live").status();
  EXPECT_OK(live_key);
  EXPECT_EQ(client.Get(written + "gone").status().code(), StatusCode::kNotFound);
  ASSERT_OK(live->MarkWritten(revs[2]));
  EXPECT_EQ(client.Range(etcd::RangeOptions::Prefix("/fabric-cpp/orderer/ch/log/"))->kvs.size(),
            0u);
  ASSERT_OK_AND_ASSIGN(etcd::KeyValue gc, client.Get("/fabric-cpp/orderer/_gc/ch"));
  EXPECT_EQ(gc.value, std::to_string(revs[2]));
}

}  // namespace
}  // namespace fabric::orderer::cluster
