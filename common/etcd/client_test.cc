// SPDX-License-Identifier: Apache-2.0
//
// The etcd client against real etcd members (common/etcd/testing/etcd_cluster.h).

#include "common/etcd/client.h"

#include <chrono>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/etcd/testing/etcd_cluster.h"
#include "common/msp/testing/status_testing.h"

namespace fabric::etcd {
namespace {

using std::chrono::milliseconds;
using testing::EtcdCluster;
using ::testing::HasSubstr;

// Reads events until `count` arrived or `timeout` passed.
std::vector<WatchEvent> NextEvents(Watcher& w, size_t count, milliseconds timeout) {
  std::vector<WatchEvent> all;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (all.size() < count && std::chrono::steady_clock::now() < deadline) {
    StatusOr<std::vector<WatchEvent>> got = w.Next(count - all.size(), milliseconds(200));
    if (!got.ok()) {
      ADD_FAILURE() << got.status();
      break;
    }
    all.insert(all.end(), got->begin(), got->end());
  }
  return all;
}

TEST(EtcdClientTest, RejectsBadOptions) {
  EXPECT_TRUE(Client::Open(ClientOptions{}).status().IsInvalidArgument());
  ClientOptions bad_endpoint;
  bad_endpoint.endpoints = {"localhost"};
  EXPECT_THAT(std::string(Client::Open(bad_endpoint).status().message()),
              HasSubstr("\"localhost\" is not host:port"));
  ClientOptions no_ca;
  no_ca.endpoints = {"127.0.0.1:1"};
  no_ca.use_tls = true;
  no_ca.tls.ca_files = {"/nonexistent/ca.pem"};
  EXPECT_THAT(std::string(Client::Open(no_ca).status().message()),
              HasSubstr("/nonexistent/ca.pem"));
}

TEST(EtcdClientTest, UnreachableEndpointsFailWithinDeadlineNamingThem) {
  ClientOptions options;
  options.endpoints = {"127.0.0.1:1", "127.0.0.1:2"};
  ASSERT_OK_AND_ASSIGN(auto client, Client::Open(options));
  const auto start = std::chrono::steady_clock::now();
  StatusOr<int64_t> put = client->Put("k", "v", milliseconds(500));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1500));
  ASSERT_TRUE(put.status().IsUnavailable()) << put.status();
  EXPECT_THAT(std::string(put.status().message()),
              HasSubstr("etcd unavailable at 127.0.0.1:1, 127.0.0.1:2"));
}

TEST(EtcdClientTest, PutGetRangeDeleteCompact) {
  FABRIC_SKIP_WITHOUT_ETCD();
  ASSERT_OK_AND_ASSIGN(auto cluster, EtcdCluster::Start({}));
  ASSERT_OK_AND_ASSIGN(auto client, Client::Open(cluster->ClientOptions()));
  ASSERT_OK_AND_ASSIGN(int64_t r1, client->Put("/p/a", "1"));
  ASSERT_OK_AND_ASSIGN(int64_t r2, client->Put("/p/b", "2"));
  ASSERT_OK(client->Put("/q", "3"));
  EXPECT_GT(r2, r1);
  ASSERT_OK_AND_ASSIGN(KeyValue a, client->Get("/p/a"));
  EXPECT_EQ(a.value, "1");
  EXPECT_EQ(a.create_revision, r1);
  EXPECT_TRUE(client->Get("/p/none").status().IsNotFound());
  ASSERT_OK_AND_ASSIGN(RangeResult p, client->Range(RangeOptions::Prefix("/p/")));
  ASSERT_EQ(p.kvs.size(), 2u);
  EXPECT_EQ(p.kvs[1].key, "/p/b");
  ASSERT_OK_AND_ASSIGN(int64_t deleted, client->DeleteRange("/p/", PrefixRangeEnd("/p/")));
  EXPECT_EQ(deleted, 2);
  ASSERT_OK(client->Compact(r2));
  RangeOptions old = RangeOptions::Prefix("/p/");
  old.revision = r1;
  Status compacted = client->Range(old).status();
  EXPECT_EQ(compacted.code(), StatusCode::kOutOfRange) << compacted;
  EXPECT_THAT(std::string(compacted.message()), HasSubstr("compacted"));
}

TEST(EtcdClientTest, TxnComparesCreateAndModRevision) {
  FABRIC_SKIP_WITHOUT_ETCD();
  ASSERT_OK_AND_ASSIGN(auto cluster, EtcdCluster::Start({}));
  ASSERT_OK_AND_ASSIGN(auto client, Client::Open(cluster->ClientOptions()));
  ASSERT_OK_AND_ASSIGN(TxnResult created, client->Txn({Compare::Absent("k")},
                                                      {TxnOp::Put("k", "v1")}, {TxnOp::Get("k")}));
  EXPECT_TRUE(created.succeeded);
  ASSERT_OK_AND_ASSIGN(TxnResult again, client->Txn({Compare::Absent("k")}, {TxnOp::Put("k", "v2")},
                                                    {TxnOp::Get("k")}));
  EXPECT_FALSE(again.succeeded);
  ASSERT_EQ(again.ranges.size(), 1u);
  ASSERT_EQ(again.ranges[0].size(), 1u);
  EXPECT_EQ(again.ranges[0][0].value, "v1");
  EXPECT_EQ(again.ranges[0][0].mod_revision, created.revision);
  ASSERT_OK_AND_ASSIGN(TxnResult stale,
                       client->Txn({Compare::ModRevisionIs("k", created.revision - 1)},
                                   {TxnOp::Put("k", "v3")}, {}));
  EXPECT_FALSE(stale.succeeded);
  ASSERT_OK_AND_ASSIGN(TxnResult fresh, client->Txn({Compare::ModRevisionIs("k", created.revision)},
                                                    {TxnOp::Put("k", "v3")}, {}));
  EXPECT_TRUE(fresh.succeeded);
  ASSERT_OK_AND_ASSIGN(KeyValue k, client->Get("k"));
  EXPECT_EQ(k.value, "v3");
}

TEST(EtcdClientTest, WatchReportsEventsInOrderThenCompaction) {
  FABRIC_SKIP_WITHOUT_ETCD();
  ASSERT_OK_AND_ASSIGN(auto cluster, EtcdCluster::Start({}));
  ASSERT_OK_AND_ASSIGN(auto client, Client::Open(cluster->ClientOptions()));
  std::vector<int64_t> revs;
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK_AND_ASSIGN(int64_t r, client->Put("/w/" + std::to_string(i), std::to_string(i)));
    revs.push_back(r);
  }
  ASSERT_OK(client->Put("/other", "x"));  // Outside the watched prefix.
  ASSERT_OK(client->DeleteRange("/w/0"));
  WatchOptions from_second = {"/w/", PrefixRangeEnd("/w/"), revs[1]};
  auto watcher = client->Watch(from_second);
  std::vector<WatchEvent> events = NextEvents(*watcher, 5, milliseconds(5000));
  ASSERT_EQ(events.size(), 5u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(events[i].type, WatchEvent::Type::kPut);
    EXPECT_EQ(events[i].kv.mod_revision, revs[i + 1]);
    EXPECT_EQ(events[i].kv.value, std::to_string(i + 1));
  }
  EXPECT_EQ(events[4].type, WatchEvent::Type::kDelete);
  EXPECT_EQ(events[4].kv.key, "/w/0");
  ASSERT_OK_AND_ASSIGN(int64_t later, client->Put("/w/9", "9"));
  events = NextEvents(*watcher, 1, milliseconds(5000));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kv.mod_revision, later);

  ASSERT_OK(client->Compact(revs[3]));
  auto old = client->Watch({"/w/", PrefixRangeEnd("/w/"), revs[1]});
  StatusOr<std::vector<WatchEvent>> compacted = old->Next(10, milliseconds(5000));
  ASSERT_EQ(compacted.status().code(), StatusCode::kOutOfRange) << compacted.status();
  EXPECT_EQ(old->compact_revision(), revs[3]);
  old->Close();
  EXPECT_EQ(old->Next(10, milliseconds(10)).status().code(), StatusCode::kCancelled);
}

TEST(EtcdClientTest, WatchBufferIsBoundedWithoutLosingEvents) {
  FABRIC_SKIP_WITHOUT_ETCD();
  ASSERT_OK_AND_ASSIGN(auto cluster, EtcdCluster::Start({}));
  ASSERT_OK_AND_ASSIGN(auto client, Client::Open(cluster->ClientOptions()));
  ASSERT_OK_AND_ASSIGN(int64_t first, client->Put("/b/start", ""));
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK(client->Put("/b/" + std::to_string(i), std::to_string(i)));
  }
  WatchOptions small = {"/b/", PrefixRangeEnd("/b/"), first + 1, /*buffer_events=*/2};
  auto watcher = client->Watch(small);
  std::vector<WatchEvent> events = NextEvents(*watcher, 50, milliseconds(10000));
  ASSERT_EQ(events.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(events[i].kv.value, std::to_string(i));
    EXPECT_EQ(events[i].kv.mod_revision, first + 1 + i);
  }
}

TEST(EtcdClientTest, FailsOverWhenTheMemberInUseIsKilled) {
  FABRIC_SKIP_WITHOUT_ETCD();
  ASSERT_OK_AND_ASSIGN(auto cluster, EtcdCluster::Start({.members = 3}));
  ASSERT_OK_AND_ASSIGN(auto client, Client::Open(cluster->ClientOptions()));
  ASSERT_OK_AND_ASSIGN(int64_t first, client->Put("/f/0", "0"));  // Member 0 answers first.
  auto watcher = client->Watch({"/f/", PrefixRangeEnd("/f/"), first});
  ASSERT_EQ(NextEvents(*watcher, 1, milliseconds(5000)).size(), 1u);

  ASSERT_OK(cluster->Kill(0));
  std::vector<int64_t> revs;
  for (int i = 1; i <= 3; ++i) {
    ASSERT_OK_AND_ASSIGN(int64_t r,
                         client->Put("/f/" + std::to_string(i), "v", milliseconds(5000)));
    revs.push_back(r);
  }
  ASSERT_OK_AND_ASSIGN(KeyValue kv, client->Get("/f/3"));
  EXPECT_EQ(kv.mod_revision, revs[2]);
  // The watch resumed on another member, without gaps or repeats.
  std::vector<WatchEvent> events = NextEvents(*watcher, 3, milliseconds(10000));
  ASSERT_EQ(events.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(events[i].kv.mod_revision, revs[i]);
  }
}

TEST(EtcdClientTest, UnavailableWithinDeadlineWithoutQuorumThenRecovers) {
  FABRIC_SKIP_WITHOUT_ETCD();
  ASSERT_OK_AND_ASSIGN(auto cluster, EtcdCluster::Start({.members = 3}));
  ASSERT_OK_AND_ASSIGN(auto client, Client::Open(cluster->ClientOptions()));
  ASSERT_OK(client->Put("k", "v"));
  ASSERT_OK(cluster->Kill(1));
  ASSERT_OK(cluster->Kill(2));
  const auto start = std::chrono::steady_clock::now();
  StatusOr<int64_t> put = client->Put("k", "v2", milliseconds(2000));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(put.status().IsUnavailable()) << put.status();
  EXPECT_LT(took, milliseconds(3000));
  EXPECT_THAT(std::string(put.status().message()),
              HasSubstr("etcd unavailable at " + cluster->endpoint(0) + ", " +
                        cluster->endpoint(1) + ", " + cluster->endpoint(2)));
  ASSERT_OK(cluster->Restart(1));
  EXPECT_OK(client->Put("k", "v3", milliseconds(5000)));
}

TEST(EtcdClientTest, MutualTlsAcceptsOurCertificateAndRefusesNone) {
  FABRIC_SKIP_WITHOUT_ETCD();
  ASSERT_OK_AND_ASSIGN(auto cluster, EtcdCluster::Start({.tls = true}));
  ASSERT_OK_AND_ASSIGN(auto client, Client::Open(cluster->ClientOptions()));
  ASSERT_OK(client->Put("k", "v"));
  ASSERT_OK_AND_ASSIGN(KeyValue kv, client->Get("k"));
  EXPECT_EQ(kv.value, "v");

  ClientOptions no_cert = cluster->ClientOptions();
  no_cert.tls.cert_file.clear();
  no_cert.tls.key_file.clear();
  ASSERT_OK_AND_ASSIGN(auto refused, Client::Open(no_cert));
  Status s = refused->Put("k", "v", milliseconds(1000)).status();
  EXPECT_TRUE(s.IsUnavailable()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr(cluster->endpoint(0)));
  // The handshake error gRPC reports is terse ("Endpoint read failed"); the message says why.
  EXPECT_THAT(std::string(s.message()), HasSubstr("TLS without a client certificate"));

  ClientOptions plain = cluster->ClientOptions();
  plain.use_tls = false;
  ASSERT_OK_AND_ASSIGN(auto insecure, Client::Open(plain));
  EXPECT_FALSE(insecure->Put("k", "v", milliseconds(1000)).ok());
}

}  // namespace
}  // namespace fabric::etcd
