// SPDX-License-Identifier: Apache-2.0

#include "bench/commit/bench_e2e.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
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

#include "bench/common/proc_stats.h"
#include "common/msp/x509_signing_identity.h"
#include "common/protoutil/proputils.h"
#include "common/protoutil/txutils.h"
#include "fabric/status_macros.h"
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
  for (size_t i = 0; i < n; ++i) {
    if (!status[i].ok()) {
      return UnavailableError("endorse on peer " + std::to_string(i) + ": " +
                              status[i].error_message());
    }
    if (out[i].response().status() != 200) {
      return InternalError("endorse on peer " + std::to_string(i) + ": " +
                           out[i].response().message());
    }
  }
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

int Drive(const std::string& work, int orderer_port, int peer1, int peer2) {
  auto user = msp::LoadSigningIdentity(
      work + "/crypto-config/peerOrganizations/org1.example.com/users/User1@org1.example.com/msp",
      "Org1MSP");
  if (!user.ok()) {
    std::fprintf(stderr, "bench_commit e2e: %s\n", user.status().ToString().c_str());
    return 1;
  }
  auto channel = [](int port) {
    return grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                               grpc::InsecureChannelCredentials());
  };
  std::vector<std::unique_ptr<protos::Endorser::Stub>> peers;
  peers.push_back(protos::Endorser::NewStub(channel(peer1)));
  peers.push_back(protos::Endorser::NewStub(channel(peer2)));
  // Warm-up: both peers have the chaincode definition and the chaincode is launched.
  const auto warm_deadline = Clock::now() + 60s;
  for (int i = 0;; ++i) {
    auto tx = MakeTx(**user, "warm" + std::to_string(i));
    if (tx.ok() && Endorse(peers, *tx).ok()) {
      break;
    }
    if (Clock::now() > warm_deadline) {
      std::fprintf(stderr, "bench_commit e2e: peers never endorsed getput\n");
      return 1;
    }
    std::this_thread::sleep_for(200ms);
  }
  const int n = EnvInt("BENCH_E2E_TX", 6000);
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
  auto deliver = protos::Deliver::NewStub(channel(peer1));
  CommitCounter counter(*deliver, **user, std::move(ids));
  auto orderer = ::orderer::AtomicBroadcast::NewStub(channel(orderer_port));
  grpc::ClientContext bctx;
  auto broadcast = orderer->Broadcast(&bctx);
  std::atomic<int> rejected{0}, failed{0};
  std::jthread acks([&] {
    ::orderer::BroadcastResponse r;
    while (broadcast->Read(&r)) {
      if (r.status() != common::SUCCESS) {
        rejected++;
      }
    }
  });
  // CPU of every process of the network: orderer, peers (from e2e_network.sh's pids file),
  // the peers' chaincodes, and this client.
  std::vector<long> nodes;
  {
    std::ifstream pids(work + "/pids");
    long pid;
    while (pids >> pid) {
      nodes.push_back(pid);
    }
  }
  // Per node (orderer, peer1, peer2 in pids order) with its chaincodes, then this client.
  auto cpu = [&] {
    std::vector<std::array<double, 2>> per_node;
    for (long pid : nodes) {
      double chaincodes = 0;
      for (long cc : Children(pid)) {
        chaincodes += CpuSeconds(cc);
      }
      per_node.push_back({CpuSeconds(pid), chaincodes});
    }
    return std::make_pair(per_node, CpuSeconds(getpid()));
  };
  const auto cpu0 = cpu();
  std::mutex write_mu;
  std::atomic<int> next{0};
  const std::string load = LoadAverage();
  const auto start = Clock::now();
  {
    std::vector<std::jthread> workers;
    for (int w = 0; w < EnvInt("BENCH_E2E_WORKERS", 48); ++w) {
      workers.emplace_back([&] {
        for (int i = next++; i < n; i = next++) {
          auto responses = Endorse(peers, txs[i]);
          auto env = responses.ok() ? protoutil::CreateSignedTx(txs[i].proposal, **user, *responses)
                                    : StatusOr<common::Envelope>(responses.status());
          if (!env.ok()) {
            if (failed++ == 0) {
              std::fprintf(stderr, "bench_commit e2e: %s\n", env.status().ToString().c_str());
            }
            continue;
          }
          std::lock_guard<std::mutex> lock(write_mu);
          broadcast->Write(*env);
        }
      });
    }
  }
  const double sent_s = std::chrono::duration<double>(Clock::now() - start).count();
  const auto deadline = Clock::now() + 60s;
  while (counter.valid() + counter.invalid() + failed + rejected < n && Clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  const auto cpu1 = cpu();
  broadcast->WritesDone();
  bctx.TryCancel();
  const double secs = std::chrono::duration<double>(counter.last() - start).count();
  std::printf(
      "# load %s (e2e: %d tx, %d VALID, %d invalid, %d endorse failures, %d rejected by "
      "the orderer; all endorsed and broadcast after %.2f s)\n",
      load.c_str(), n, counter.valid(), counter.invalid(), failed.load(), rejected.load(), sent_s);
  {
    const double per_tx = 1e6 / std::max(1, counter.valid());
    double network = 0;
    std::string detail;
    for (size_t i = 0; i < nodes.size() && i < cpu1.first.size(); ++i) {
      const double node = (cpu1.first[i][0] - cpu0.first[i][0]) * per_tx;
      const double cc = (cpu1.first[i][1] - cpu0.first[i][1]) * per_tx;
      network += node + cc;
      detail += absl::StrFormat("%s%s %.0f us", detail.empty() ? "" : ", ",
                                i == 0 ? "orderer" : "peer" + std::to_string(i), node);
      if (i > 0) {
        detail += absl::StrFormat(" + chaincode %.0f us", cc);
      }
    }
    std::printf("# e2e CPU per committed tx: network %.0f us (%s), client %.0f us\n", network,
                detail.c_str(), (cpu1.second - cpu0.second) * per_tx);
  }
  std::printf("e2e_tps %.0f tx/s\n", counter.valid() > 0 ? counter.valid() / secs : 0.0);
  std::fflush(stdout);
  return counter.valid() == n ? 0 : 1;
}

}  // namespace

int RunE2e() {
  char tmpl[] = "/tmp/bench_e2e.XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    return 1;
  }
  const std::string work = tmpl;
  const std::string script = E2E_SCRIPT;
  std::string up = script + " up " + work + " " + BIN_DIR + " " + GETPUT_PATH;
  int rc = 1;
  if (std::system(up.c_str()) == 0) {
    std::ifstream ports(work + "/ports");
    int o = 0, p1 = 0, p2 = 0;
    ports >> o >> p1 >> p2;
    rc = Drive(work, o, p1, p2);
  } else {
    std::fprintf(stderr, "bench_commit e2e: network setup failed (work dir %s)\n", work.c_str());
  }
  std::string down = script + " down " + work;
  (void)std::system(down.c_str());
  return rc;
}

}  // namespace fabric::bench
