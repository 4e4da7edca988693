// SPDX-License-Identifier: Apache-2.0

#include "bench/commit/bench_e2e.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <absl/strings/str_format.h>
#include <grpcpp/grpcpp.h>

#include "bench/commit/bench_streams.h"
#include "bench/common/proc_stats.h"
#include "common/comm/tls.h"
#include "common/msp/x509_signing_identity.h"
#include "common/protoutil/proputils.h"
#include "common/protoutil/txutils.h"
#include "fabric/base/status_macros.h"
#include "orderer/ab.grpc.pb.h"
#include "peer/events.grpc.pb.h"
#include "peer/peer.grpc.pb.h"

namespace fabric::bench {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
constexpr char kChannel[] = "mychannel";

int EnvInt(const char* name, int def) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::atoi(v) : def;
}

struct Tx {
  protos::Proposal proposal;
  protos::SignedProposal signed_proposal;
  std::string tx_id;
};

StatusOr<Tx> MakeTx(const msp::SigningIdentity& user, const std::string& key) {
  protos::ChaincodeInvocationSpec cis;
  cis.mutable_chaincode_spec()->set_type(protos::ChaincodeSpec::GOLANG);
  cis.mutable_chaincode_spec()->mutable_chaincode_id()->set_name("getput");
  cis.mutable_chaincode_spec()->mutable_input()->add_args("invoke");
  cis.mutable_chaincode_spec()->mutable_input()->add_args(key);
  ASSIGN_OR_RETURN(auto p, protoutil::CreateChaincodeProposal(common::ENDORSER_TRANSACTION,
                                                              kChannel, cis, user.Serialize()));
  Tx tx;
  tx.proposal = std::move(p.proposal);
  tx.tx_id = std::move(p.tx_id);
  ASSIGN_OR_RETURN(tx.signed_proposal, protoutil::SignProposal(tx.proposal, user));
  return tx;
}

// OK when every peer answered the proposal with status 200; else the first failure.
Status CheckEndorsed(const std::vector<grpc::Status>& status,
                     const std::vector<protos::ProposalResponse>& responses) {
  for (size_t i = 0; i < status.size(); ++i) {
    if (!status[i].ok()) {
      return UnavailableError("endorse on peer " + std::to_string(i) + ": " +
                              status[i].error_message());
    }
    if (responses[i].response().status() != 200) {
      return InternalError("endorse on peer " + std::to_string(i) + ": " +
                           responses[i].response().message());
    }
  }
  return Status::OK();
}

// Endorses `tx` on every stub at once; the responses, or the first failure.
StatusOr<std::vector<protos::ProposalResponse>> Endorse(
    const std::vector<std::unique_ptr<protos::Endorser::Stub>>& peers, const Tx& tx) {
  grpc::CompletionQueue cq;
  const size_t n = peers.size();
  std::vector<grpc::ClientContext> ctx(n);
  std::vector<protos::ProposalResponse> out(n);
  std::vector<grpc::Status> status(n);
  std::vector<std::unique_ptr<grpc::ClientAsyncResponseReader<protos::ProposalResponse>>> rpc;
  for (size_t i = 0; i < n; ++i) {
    ctx[i].set_deadline(std::chrono::system_clock::now() + 30s);
    rpc.push_back(peers[i]->AsyncProcessProposal(&ctx[i], tx.signed_proposal, &cq));
    rpc[i]->Finish(&out[i], &status[i], reinterpret_cast<void*>(i));
  }
  for (size_t done = 0; done < n; ++done) {
    void* tag;
    bool ok;
    if (!cq.Next(&tag, &ok)) {
      return InternalError("completion queue shut down");
    }
  }
  RETURN_IF_ERROR(CheckEndorsed(status, out));
  return out;
}

// Counts commits of the transactions in `txids` seen on a DeliverFiltered stream.
class CommitCounter {
 public:
  CommitCounter(protos::Deliver::Stub& stub, const msp::SigningIdentity& user,
                std::unordered_set<std::string> txids)
      : txids_(std::move(txids)) {
    ::orderer::SeekInfo seek;
    seek.mutable_start()->mutable_newest();
    seek.mutable_stop()->mutable_specified()->set_number(~uint64_t{0});
    seek.set_behavior(::orderer::SeekInfo::BLOCK_UNTIL_READY);
    auto env = protoutil::CreateSignedEnvelope(common::DELIVER_SEEK_INFO, kChannel, user, seek);
    stream_ = stub.DeliverFiltered(&ctx_);
    if (env.ok()) {
      stream_->Write(*env);
    }
    thread_ = std::jthread([this] { Run(); });
  }
  ~CommitCounter() { ctx_.TryCancel(); }
  int valid() const { return valid_; }
  int invalid() const { return invalid_; }
  Clock::time_point last() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_;
  }

 private:
  void Run() {
    protos::DeliverResponse r;
    while (stream_->Read(&r)) {
      if (!r.has_filtered_block()) {
        continue;
      }
      for (const auto& tx : r.filtered_block().filtered_transactions()) {
        if (txids_.count(tx.txid()) == 0) {
          continue;
        }
        (tx.tx_validation_code() == protos::VALID ? valid_ : invalid_)++;
        std::lock_guard<std::mutex> lock(mu_);
        last_ = Clock::now();
      }
    }
  }

  const std::unordered_set<std::string> txids_;
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReaderWriter<common::Envelope, protos::DeliverResponse>> stream_;
  std::atomic<int> valid_{0}, invalid_{0};
  mutable std::mutex mu_;
  Clock::time_point last_;  // Guarded by mu_.
  std::jthread thread_;
};

// One Broadcast stream on the callback API: envelopes queued by any thread are written one at a
// time (gRPC allows one outstanding write); replies are counted as they come.
class BroadcastWriter
    : public grpc::ClientBidiReactor<common::Envelope, ::orderer::BroadcastResponse> {
 public:
  explicit BroadcastWriter(::orderer::AtomicBroadcast::Stub& stub) {
    stub.async()->Broadcast(&ctx_, this);
    StartRead(&reply_);
    StartCall();
  }
  ~BroadcastWriter() override { Finish(); }

  void Write(common::Envelope env) {
    std::lock_guard<std::mutex> lock(mu_);
    if (done_) {
      return;
    }
    queue_.push_back(std::move(env));
    if (!writing_) {
      WriteNextLocked();
    }
  }
  int rejected() const { return rejected_.load(); }

  // Cancels the stream and waits until gRPC is done with this reactor.
  void Finish() {
    ctx_.TryCancel();
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return done_; });
  }

 private:
  void WriteNextLocked() {
    writing_ = !queue_.empty();
    if (writing_) {
      current_ = std::move(queue_.front());
      queue_.pop_front();
      // More queued: gRPC may hold this one back and send it with the next (one syscall, one
      // wake-up of the orderer's reader per burst); the last of a burst goes out at once.
      StartWrite(&current_,
                 queue_.empty() ? grpc::WriteOptions() : grpc::WriteOptions().set_buffer_hint());
    }
  }
  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (ok) {
      WriteNextLocked();
    } else {
      writing_ = false;
    }
  }
  void OnReadDone(bool ok) override {
    if (!ok) {
      return;
    }
    if (reply_.status() != common::SUCCESS) {
      rejected_++;
    }
    StartRead(&reply_);
  }
  void OnDone(const grpc::Status&) override {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    cv_.notify_all();
  }

  grpc::ClientContext ctx_;
  ::orderer::BroadcastResponse reply_;
  std::atomic<int> rejected_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<common::Envelope> queue_;  // Guarded by mu_, as are the three below.
  common::Envelope current_;
  bool writing_ = false;
  bool done_ = false;
};

// Keeps `in_flight` transactions going on the callback API, with no thread of its own: each
// proposal goes to both peers at once; the second response assembles and signs the transaction,
// hands it to the Broadcast stream and starts the next proposal.
class Pipeline {
 public:
  Pipeline(const std::vector<std::unique_ptr<protos::Endorser::Stub>>& peers,
           const msp::SigningIdentity& user, const std::vector<Tx>& txs,
           const std::vector<std::unique_ptr<BroadcastWriter>>& out)
      : peers_(peers), user_(user), txs_(txs), out_(out), calls_(txs.size()) {}

  // Returns when every transaction was broadcast or failed.
  void Run(int in_flight) {
    for (int i = 0; i < in_flight; ++i) {
      StartNext();
    }
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return finished_ == txs_.size(); });
  }
  int failed() const { return failed_.load(); }

 private:
  struct Call {
    std::vector<grpc::ClientContext> ctx;
    std::vector<protos::ProposalResponse> responses;
    std::vector<grpc::Status> status;
    std::atomic<size_t> pending{0};
  };

  void StartNext() {
    const size_t i = next_++;
    if (i >= txs_.size()) {
      return;
    }
    auto call = std::make_unique<Call>();
    const size_t n = peers_.size();
    call->ctx = std::vector<grpc::ClientContext>(n);
    call->responses.resize(n);
    call->status.resize(n);
    call->pending = n;
    Call* c = call.get();
    calls_[i] = std::move(call);
    for (size_t p = 0; p < n; ++p) {
      c->ctx[p].set_deadline(std::chrono::system_clock::now() + 30s);
      peers_[p]->async()->ProcessProposal(&c->ctx[p], &txs_[i].signed_proposal, &c->responses[p],
                                          [this, i, c, p](grpc::Status st) {
                                            c->status[p] = std::move(st);
                                            if (--c->pending == 0) {
                                              Endorsed(i);
                                            }
                                          });
    }
  }

  void Endorsed(size_t i) {
    std::unique_ptr<Call> call = std::move(calls_[i]);
    const Status bad = CheckEndorsed(call->status, call->responses);
    auto env = bad.ok() ? protoutil::CreateSignedTx(txs_[i].proposal, user_, call->responses)
                        : StatusOr<common::Envelope>(bad);
    if (env.ok()) {
      out_[i % out_.size()]->Write(std::move(env).value());
    } else if (failed_++ == 0) {
      std::fprintf(stderr, "bench_commit e2e: %s\n", env.status().ToString().c_str());
    }
    StartNext();
    std::lock_guard<std::mutex> lock(mu_);
    if (++finished_ == txs_.size()) {
      cv_.notify_all();
    }
  }

  const std::vector<std::unique_ptr<protos::Endorser::Stub>>& peers_;
  const msp::SigningIdentity& user_;
  const std::vector<Tx>& txs_;
  const std::vector<std::unique_ptr<BroadcastWriter>>& out_;  // transaction i goes to i % size
  std::vector<std::unique_ptr<Call>> calls_;  // Slot i belongs to transaction i's callbacks.
  std::atomic<size_t> next_{0};
  std::atomic<int> failed_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  size_t finished_ = 0;  // Guarded by mu_.
};

// The network of one run, and how the client dials it.
struct Network {
  E2eNodes nodes;
  std::shared_ptr<grpc::ChannelCredentials> creds;
  const char* figure = "e2e_tps";  // the figure's name
};

std::shared_ptr<grpc::Channel> LocalChannel(const Network& net, int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port), net.creds);
}

// The client's credentials for `work`'s network: plaintext, or TLS trusting the TLS CAs of
// Org1, Org2 and the orderer org (the nodes' certificates name 127.0.0.1; the servers do not
// ask for client certificates).
StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(const std::string& work,
                                                                      bool tls) {
  if (!tls) {
    return grpc::InsecureChannelCredentials();
  }
  const std::string cc = work + "/crypto-config/";
  ASSIGN_OR_RETURN(
      std::vector<crypto::Certificate> cas,
      comm::LoadCertificateFiles(
          {cc + "peerOrganizations/org1.example.com/peers/peer0.org1.example.com/tls/ca.crt",
           cc + "peerOrganizations/org2.example.com/peers/peer0.org2.example.com/tls/ca.crt",
           cc + "ordererOrganizations/example.com/msp/tlscacerts/tlsca.example.com-cert.pem"},
          "the network's TLS CAs"));
  return comm::ClientCredentials(cas, nullptr);
}

// Waits until both peers have the chaincode definition and the chaincode is launched: false when
// they do not endorse within a minute.
bool WarmUp(const std::vector<std::unique_ptr<protos::Endorser::Stub>>& peers,
            const msp::SigningIdentity& user) {
  const auto warm_deadline = Clock::now() + 60s;
  for (int i = 0;; ++i) {
    auto tx = MakeTx(user, "warm" + std::to_string(i));
    if (tx.ok() && Endorse(peers, *tx).ok()) {
      return true;
    }
    if (Clock::now() > warm_deadline) {
      std::fprintf(stderr, "bench_commit e2e: peers never endorsed getput\n");
      return false;
    }
    std::this_thread::sleep_for(200ms);
  }
}

// The processes of the network, from e2e_network.sh's pids files: orderer, peer1, peer2, and in
// a cluster orderer2, orderer3 and the etcd members.
std::vector<long> NetworkPids(const std::string& work) {
  std::vector<long> nodes;
  for (const char* file : {"/pids", "/orderers.pids", "/etcd.pids"}) {
    std::ifstream pids(work + file);
    long pid;
    while (pids >> pid) {
      nodes.push_back(pid);
    }
  }
  return nodes;
}

std::vector<int> NetworkPorts(const std::string& work) {
  std::vector<int> ports;
  std::ifstream in(work + "/ports");
  int port;
  while (in >> port) {
    ports.push_back(port);
  }
  return ports;
}

// CPU seconds so far: per node {the node, its chaincodes}, and this client.
struct CpuSample {
  std::vector<std::array<double, 2>> per_node;
  double client = 0;
};

CpuSample SampleCpu(const std::vector<long>& nodes) {
  CpuSample sample;
  for (long pid : nodes) {
    double chaincodes = 0;
    for (long cc : Children(pid)) {
      chaincodes += CpuSeconds(cc);
    }
    sample.per_node.push_back({CpuSeconds(pid), chaincodes});
  }
  sample.client = CpuSeconds(getpid());
  return sample;
}

// Prints the CPU each process of the network and this client spent per committed transaction
// between `before` and `after`.
void PrintCpuPerTx(const char* figure, const std::vector<long>& nodes, const CpuSample& before,
                   const CpuSample& after, int valid) {
  static constexpr const char* kNames[] = {"orderer",  "peer1", "peer2", "orderer2",
                                           "orderer3", "etcd1", "etcd2", "etcd3"};
  const double per_tx = 1e6 / std::max(1, valid);
  double network = 0;
  std::string detail;
  for (size_t i = 0; i < nodes.size() && i < after.per_node.size() && i < std::size(kNames); ++i) {
    const double node = (after.per_node[i][0] - before.per_node[i][0]) * per_tx;
    const double cc = (after.per_node[i][1] - before.per_node[i][1]) * per_tx;
    network += node + cc;
    detail += absl::StrFormat("%s%s %.0f us", detail.empty() ? "" : ", ", kNames[i], node);
    if (i == 1 || i == 2) {
      detail += absl::StrFormat(" + chaincode %.0f us", cc);
    }
  }
  std::printf("# %s CPU per committed tx: network %.0f us (%s), client %.0f us\n", figure, network,
              detail.c_str(), (after.client - before.client) * per_tx);
}

// Sets *tps to the figure printed.
int Drive(const Network& net, double* tps) {
  auto user = msp::LoadSigningIdentity(
      net.nodes.work +
          "/crypto-config/peerOrganizations/org1.example.com/users/User1@org1.example.com/msp",
      "Org1MSP");
  if (!user.ok()) {
    std::fprintf(stderr, "bench_commit e2e: %s\n", user.status().ToString().c_str());
    return 1;
  }
  std::vector<std::unique_ptr<protos::Endorser::Stub>> peers;
  peers.push_back(protos::Endorser::NewStub(LocalChannel(net, net.nodes.ports[1])));
  peers.push_back(protos::Endorser::NewStub(LocalChannel(net, net.nodes.ports[2])));
  if (!WarmUp(peers, **user)) {
    return 1;
  }
  const int n = EnvInt("BENCH_E2E_TX", 10000);
  std::vector<Tx> txs;
  std::unordered_set<std::string> ids;
  for (int i = 0; i < n; ++i) {
    auto tx = MakeTx(**user, "e" + std::to_string(i));
    if (!tx.ok()) {
      return 1;
    }
    ids.insert(tx->tx_id);
    txs.push_back(std::move(*tx));
  }
  auto deliver = protos::Deliver::NewStub(LocalChannel(net, net.nodes.ports[1]));
  CommitCounter counter(*deliver, **user, std::move(ids));
  auto orderer = ::orderer::AtomicBroadcast::NewStub(LocalChannel(net, net.nodes.ports[0]));
  // The orderer answers each stream's envelopes one at a time: BENCH_E2E_STREAMS streams (default
  // 1) let it order several at once.
  std::vector<std::unique_ptr<BroadcastWriter>> broadcast;
  for (int s = std::max(1, EnvInt("BENCH_E2E_STREAMS", 1)); s > 0; --s) {
    broadcast.push_back(std::make_unique<BroadcastWriter>(*orderer));
  }
  auto rejected = [&broadcast] {
    int r = 0;
    for (const auto& b : broadcast) {
      r += b->rejected();
    }
    return r;
  };
  int failed = 0;
  // CPU of every process of the network: orderer, peers, the peers' chaincodes, and this client.
  const std::vector<long>& nodes = net.nodes.pids;
  const CpuSample cpu0 = SampleCpu(nodes);
  const std::string load = LoadAverage();
  const auto start = Clock::now();
  {
    Pipeline pipeline(peers, **user, txs, broadcast);
    pipeline.Run(EnvInt("BENCH_E2E_IN_FLIGHT", 384));
    failed = pipeline.failed();
  }
  const double sent_s = std::chrono::duration<double>(Clock::now() - start).count();
  const auto deadline = Clock::now() + 60s;
  while (counter.valid() + counter.invalid() + failed + rejected() < n && Clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  const CpuSample cpu1 = SampleCpu(nodes);
  for (const auto& b : broadcast) {
    b->Finish();
  }
  const double secs = std::chrono::duration<double>(counter.last() - start).count();
  std::printf(
      "# load %s (%s: %d tx, %d VALID, %d invalid, %d endorse failures, %d rejected by "
      "the orderer; all endorsed and broadcast after %.2f s)\n",
      load.c_str(), net.figure, n, counter.valid(), counter.invalid(), failed, rejected(), sent_s);
  PrintCpuPerTx(net.figure, nodes, cpu0, cpu1, counter.valid());
  *tps = counter.valid() > 0 ? counter.valid() / secs : 0.0;
  std::printf("%s %.0f tx/s\n", net.figure, *tps);
  std::fflush(stdout);
  return counter.valid() == n ? 0 : 1;
}

}  // namespace

int RunE2eNetwork(const std::string& mode, const char* figure, double* tps,
                  const std::function<int(const E2eNodes&)>& after) {
  char tmpl[] = "/tmp/bench_e2e.XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    return 1;
  }
  Network net;
  net.nodes.work = tmpl;
  net.figure = figure;
  const std::string script = E2E_SCRIPT;
  const std::string up = script + " up " + net.nodes.work + " " + BIN_DIR + " " + GETPUT_PATH +
                         (mode.empty() ? "" : " " + mode);
  int rc = 1;
  if (std::system(up.c_str()) == 0) {
    net.nodes.ports = NetworkPorts(net.nodes.work);
    net.nodes.pids = NetworkPids(net.nodes.work);
    auto creds = ClientCredentials(net.nodes.work, mode == "tls");
    if (!creds.ok()) {
      std::fprintf(stderr, "bench_commit e2e: %s\n", creds.status().ToString().c_str());
    } else if (net.nodes.ports.size() < 3 || net.nodes.pids.size() < 3) {
      std::fprintf(stderr, "bench_commit e2e: %s/ports or pids is incomplete\n",
                   net.nodes.work.c_str());
    } else {
      net.creds = *creds;
      rc = Drive(net, tps);
      if (after && after(net.nodes) != 0) {
        rc = 1;
      }
    }
  } else {
    std::fprintf(stderr, "bench_commit e2e: network setup failed (work dir %s)\n",
                 net.nodes.work.c_str());
  }
  const std::string down = script + " down " + net.nodes.work;
  (void)std::system(down.c_str());
  return rc;
}

int RunE2e() {
  double plain = 0;
  // On the plaintext network, the peer's cost of idle Deliver streams too.
  int rc = RunE2eNetwork("", "e2e_tps", &plain, [](const E2eNodes& nodes) {
    return MeasureIdleStreams(nodes.work, nodes.ports[1], nodes.pids[1]);
  });
  const char* env = std::getenv("BENCH_E2E_TLS");
  if (env == nullptr || std::string(env) != "0") {
    double tls = 0;
    rc |= RunE2eNetwork("tls", "e2e_tls_tps", &tls);
    if (plain > 0 && tls > 0) {
      std::printf("# tls: e2e_tls_tps is %.1f%% of e2e_tps\n", tls / plain * 100);
    }
  }
  return rc;
}

}  // namespace fabric::bench
