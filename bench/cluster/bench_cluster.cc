// SPDX-License-Identifier: Apache-2.0
//
// bench_cluster: what ordering on the etcd cluster (docs/cluster.md) costs and how fast it
// recovers, on real processes (bench/commit/e2e_network.sh).
//   solo_e2e_tps     bench_e2e's load (two peers, getput, endorsed and committed) with the solo
//                    orderer;
//   cluster_e2e_tps  the same load, the same peers, with three orderer nodes on three etcd
//                    members (the client broadcasts to the first node);
//                    both on 8 Broadcast streams unless BENCH_E2E_STREAMS says otherwise: a
//                    cluster node answers a stream's envelopes one etcd append at a time, and
//                    applications broadcast on many streams at once;
//   orderer_failover_s  on that cluster: a client broadcasts continuously to node 0 while a
//                    Deliver stream reads blocks from node 1; node 0 is killed (SIGKILL), the
//                    client moves to node 1; the figure is the time from the kill to the first
//                    block node 1 delivers holding a transaction created after the kill.
// Without etcd (/usr/bin/etcd) it says so on stderr and exits 0.

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "bench/commit/bench_e2e.h"
#include "bench/common/exclusive_run.h"
#include "common/msp/x509_signing_identity.h"
#include "common/protoutil/txutils.h"
#include "fabric/base/malloc_tuning.h"
#include "fabric/base/mutex_checks.h"
#include "fabric/base/sched_batch.h"
#include "orderer/ab.grpc.pb.h"

namespace fabric::bench {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
constexpr char kChannel[] = "mychannel";
constexpr char kPrefix[] = "failover-";

std::unique_ptr<::orderer::AtomicBroadcast::Stub> Orderer(int port) {
  return ::orderer::AtomicBroadcast::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
}

// Sends transactions "failover-<n>" (n counting up) one at a time to the first node, moving to
// the second when the stream breaks or a send is refused, as a Fabric client fails over.
class Sender {
 public:
  Sender(const msp::SigningIdentity& user, int port0, int port1) : user_(user) {
    stubs_[0] = Orderer(port0);
    stubs_[1] = Orderer(port1);
    thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
  }
  uint64_t next() const { return next_; }
  int acked() const { return acked_; }
  std::optional<Clock::time_point> moved() const {
    return moved_ns_ == 0 ? std::nullopt
                          : std::optional(Clock::time_point(Clock::duration(moved_ns_.load())));
  }

 private:
  void Run(std::stop_token stop) {
    while (!stop.stop_requested()) {
      grpc::ClientContext ctx;
      auto stream = stubs_[node_]->Broadcast(&ctx);
      while (!stop.stop_requested() && SendOne(*stream)) {
        acked_++;
      }
      ctx.TryCancel();
      if (node_ == 0) {
        node_ = 1;
        moved_ns_ = Clock::now().time_since_epoch().count();
      } else {
        std::this_thread::sleep_for(50ms);
      }
    }
  }

  bool SendOne(grpc::ClientReaderWriter<common::Envelope, ::orderer::BroadcastResponse>& stream) {
    common::BlockData data;
    data.add_data(kPrefix + std::to_string(next_++));
    auto env = protoutil::CreateSignedEnvelope(common::ENDORSER_TRANSACTION, kChannel, user_, data);
    ::orderer::BroadcastResponse reply;
    return env.ok() && stream.Write(*env) && stream.Read(&reply) &&
           reply.status() == common::SUCCESS;
  }

  const msp::SigningIdentity& user_;
  std::unique_ptr<::orderer::AtomicBroadcast::Stub> stubs_[2];
  int node_ = 0;  // Only the thread touches it.
  std::atomic<uint64_t> next_{0};
  std::atomic<int> acked_{0};
  std::atomic<Clock::rep> moved_ns_{0};
  std::jthread thread_;
};

// The sequence number of a Sender's transaction, or nullopt for any other envelope.
std::optional<uint64_t> SenderSeq(const std::string& envelope_bytes) {
  common::Envelope env;
  common::BlockData data;
  if (!env.ParseFromString(envelope_bytes)) {
    return std::nullopt;
  }
  auto parsed = protoutil::ParseEnvelope(env);
  if (!parsed.ok() || !data.ParseFromString(parsed->payload.data()) || data.data_size() != 1 ||
      !data.data(0).starts_with(kPrefix)) {
    return std::nullopt;
  }
  return std::stoull(data.data(0).substr(sizeof(kPrefix) - 1));
}

// Reads the blocks of node `port` from the newest on, and notes when one first holds a Sender
// transaction numbered at least threshold() (set after the kill).
class BlockWatcher {
 public:
  BlockWatcher(const msp::SigningIdentity& user, int port) : stub_(Orderer(port)) {
    ::orderer::SeekInfo seek;
    seek.mutable_start()->mutable_newest();
    seek.mutable_stop()->mutable_specified()->set_number(~uint64_t{0});
    seek.set_behavior(::orderer::SeekInfo::BLOCK_UNTIL_READY);
    auto request = protoutil::CreateSignedEnvelope(common::DELIVER_SEEK_INFO, kChannel, user, seek);
    stream_ = stub_->Deliver(&ctx_);
    if (request.ok()) {
      stream_->Write(*request);
    }
    thread_ = std::jthread([this] { Run(); });
  }
  ~BlockWatcher() { ctx_.TryCancel(); }
  void set_threshold(uint64_t n) { threshold_ = n; }
  int seen() const { return seen_; }  // Sender transactions in blocks so far
  std::optional<Clock::time_point> hit() const {
    return hit_ns_ == 0 ? std::nullopt
                        : std::optional(Clock::time_point(Clock::duration(hit_ns_.load())));
  }

 private:
  void Run() {
    ::orderer::DeliverResponse r;
    while (stream_->Read(&r)) {
      for (const std::string& bytes : r.block().data().data()) {
        std::optional<uint64_t> seq = SenderSeq(bytes);
        if (!seq) {
          continue;
        }
        seen_++;
        if (*seq >= threshold_ && hit_ns_ == 0) {
          hit_ns_ = Clock::now().time_since_epoch().count();
        }
      }
    }
  }

  std::unique_ptr<::orderer::AtomicBroadcast::Stub> stub_;
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReaderWriter<common::Envelope, ::orderer::DeliverResponse>> stream_;
  std::atomic<uint64_t> threshold_{~uint64_t{0}};
  std::atomic<int> seen_{0};
  std::atomic<Clock::rep> hit_ns_{0};
  std::jthread thread_;
};

// Prints orderer_failover_s on the cluster network `nodes`; returns the exit code.
int MeasureFailover(const E2eNodes& nodes) {
  if (nodes.ports.size() < 5 || nodes.pids.size() < 5) {
    std::fprintf(stderr, "bench_cluster: the cluster network lacks orderer2's port or pid\n");
    return 1;
  }
  auto user = msp::LoadSigningIdentity(
      nodes.work +
          "/crypto-config/peerOrganizations/org1.example.com/users/User1@org1.example.com/msp",
      "Org1MSP");
  if (!user.ok()) {
    std::fprintf(stderr, "bench_cluster: %s\n", user.status().ToString().c_str());
    return 1;
  }
  BlockWatcher watcher(**user, nodes.ports[3]);
  Sender sender(**user, nodes.ports[0], nodes.ports[3]);
  // Steady state first: node 1 delivers blocks of what node 0 acknowledged.
  const auto warm_deadline = Clock::now() + 30s;
  while (watcher.seen() < 100 && Clock::now() < warm_deadline) {
    std::this_thread::sleep_for(10ms);
  }
  if (watcher.seen() < 100) {
    std::fprintf(stderr, "bench_cluster: node 1 delivered %d of %d acknowledged transactions\n",
                 watcher.seen(), sender.acked());
    return 1;
  }
  const int acked_before = sender.acked();
  const auto killed = Clock::now();
  ::kill(static_cast<pid_t>(nodes.pids[0]), SIGKILL);
  watcher.set_threshold(sender.next());
  const auto deadline = killed + 60s;
  while (!watcher.hit() && Clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  if (!watcher.hit()) {
    std::fprintf(stderr,
                 "bench_cluster: no block from node 1 with a transaction sent after the "
                 "kill within 60 s\n");
    return 1;
  }
  auto secs = [&](Clock::time_point t) {
    return std::chrono::duration<double>(t - killed).count();
  };
  const auto moved = sender.moved();
  std::printf(
      "# failover: %d transactions acknowledged before the kill; the client moved to node "
      "1 after %.3f s\n",
      acked_before, moved ? secs(*moved) : -1.0);
  std::printf("orderer_failover_s %.2f s\n", secs(*watcher.hit()));
  std::fflush(stdout);
  return 0;
}

int Main() {
  if (::access("/usr/bin/etcd", X_OK) != 0) {
    std::fprintf(stderr,
                 "bench_cluster: skipped: no /usr/bin/etcd (apt-get install etcd-server, "
                 "or scripts/install-deps.sh)\n");
    return 0;
  }
  setenv("BENCH_E2E_STREAMS", "8", /*overwrite=*/0);
  double solo = 0, cluster = 0;
  int rc = RunE2eNetwork("", "solo_e2e_tps", &solo);
  rc |= RunE2eNetwork("cluster", "cluster_e2e_tps", &cluster, MeasureFailover);
  if (solo > 0 && cluster > 0) {
    std::printf("# cluster_e2e_tps is %.1f%% of solo_e2e_tps\n", cluster / solo * 100);
  }
  return rc;
}

}  // namespace
}  // namespace fabric::bench

int main() {
  fabric::SkipMutexDeadlockChecks();  // the client as bench_commit's
  fabric::TuneMallocForServers();
  (void)fabric::UseBatchScheduling();
  fabric::bench::ExclusiveRun exclusive;
  return fabric::bench::Main();
}
