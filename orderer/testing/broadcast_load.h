// SPDX-License-Identifier: Apache-2.0
//
// Tests of an orderer cluster: BroadcastLoad keeps transactions flowing to a set of orderer
// nodes from several client threads, failing over as Fabric's clients do when a node dies or
// answers SERVICE_UNAVAILABLE, and records which transactions were acknowledged; ReadChain and
// CheckChains then account for every one of them in each node's chain.
//
// Each transaction is an ENDORSER_TRANSACTION whose data is a unique id ("<tag>c<client>-<n>"). An
// attempt whose stream broke before the answer is "in doubt": it may be ordered or not, but
// never twice. Nothing is resent: a client retries with a new transaction, as an application
// resubmits with a new transaction id.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "common/common.pb.h"
#include "common/msp/signing_identity.h"
#include "common/protoutil/blockutils.h"
#include "common/protoutil/txutils.h"
#include "orderer/ab.grpc.pb.h"

namespace fabric::orderer::testing {

class BroadcastLoad {
 public:
  struct Options {
    std::vector<std::string> addresses;  // host:port of the orderer nodes
    std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
    std::string channel;
    const msp::SigningIdentity* signer = nullptr;
    int clients = 4;
    std::chrono::milliseconds pause{0};         // between transactions of one client
    std::chrono::milliseconds deadline{10000};  // per answer
    std::string tag{};  // prefixes the ids, so that several loads on one chain stay apart
  };

  explicit BroadcastLoad(Options options) : options_(std::move(options)) {
    for (const std::string& address : options_.addresses) {
      stubs_.push_back(
          ::orderer::AtomicBroadcast::NewStub(grpc::CreateChannel(address, options_.credentials)));
    }
  }
  ~BroadcastLoad() { Stop(); }

  void Start() {
    for (int c = 0; c < options_.clients; ++c) {
      threads_.emplace_back([this, c] { RunClient(c); });
    }
  }
  // Stops sending and joins the clients. Idempotent.
  void Stop() {
    stop_ = true;
    for (std::thread& t : threads_) {
      if (t.joinable()) {
        t.join();
      }
    }
  }

  size_t accepted_count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return accepted_.size();
  }
  std::set<std::string> accepted() const {
    std::lock_guard<std::mutex> lock(mu_);
    return accepted_;
  }
  std::set<std::string> in_doubt() const {
    std::lock_guard<std::mutex> lock(mu_);
    return in_doubt_;
  }
  // Answers other than SUCCESS, by status.
  std::map<common::Status, int> refusals() const {
    std::lock_guard<std::mutex> lock(mu_);
    return refusals_;
  }
  // How often a client moved to another node.
  int failovers() const { return failovers_.load(); }

 private:
  // One stream per transaction, so that the per-answer deadline is the stream's deadline: a
  // node that hangs without closing its streams does not stall the client.
  void RunClient(int client) {
    size_t node = client % stubs_.size();
    uint64_t n = 0;
    while (!stop_) {
      std::string id = options_.tag + "c" + std::to_string(client) + "-" + std::to_string(n++);
      if (SendOne(*stubs_[node], id)) {
        if (options_.pause.count() > 0) {
          std::this_thread::sleep_for(options_.pause);
        }
        continue;
      }
      node = (node + 1) % stubs_.size();
      failovers_++;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  // Whether the node acknowledged the transaction.
  bool SendOne(::orderer::AtomicBroadcast::Stub& stub, const std::string& id) {
    common::BlockData data;
    data.add_data(id);
    StatusOr<common::Envelope> env = protoutil::CreateSignedEnvelope(
        common::ENDORSER_TRANSACTION, options_.channel, *options_.signer, data);
    if (!env.ok()) {
      return false;
    }
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + options_.deadline);
    auto stream = stub.Broadcast(&context);
    ::orderer::BroadcastResponse response;
    if (!stream->Write(*env)) {
      return false;  // never sent
    }
    bool answered = stream->Read(&response);
    context.TryCancel();
    std::lock_guard<std::mutex> lock(mu_);
    if (!answered) {
      in_doubt_.insert(id);
      return false;
    }
    if (response.status() == common::SUCCESS) {
      accepted_.insert(id);
      return true;
    }
    refusals_[response.status()]++;
    return false;
  }

  const Options options_;
  std::vector<std::unique_ptr<::orderer::AtomicBroadcast::Stub>> stubs_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<int> failovers_{0};
  mutable std::mutex mu_;
  std::set<std::string> accepted_;
  std::set<std::string> in_doubt_;
  std::map<common::Status, int> refusals_;
};

// Every block of `channel` a node has, read through its Deliver service (Oldest to Newest).
// With mutual TLS, `tls_cert_hash` is the hash of the client certificate `credentials` present
// (comm::CertHash): a node requiring client certificates refuses an unbound request.
inline std::vector<common::Block> ReadChain(
    const std::string& address, const std::shared_ptr<grpc::ChannelCredentials>& credentials,
    const std::string& channel, const msp::SigningIdentity& signer,
    const std::string& tls_cert_hash = "") {
  ::orderer::SeekInfo seek;
  seek.mutable_start()->mutable_oldest();
  seek.mutable_stop()->mutable_newest();
  seek.set_behavior(::orderer::SeekInfo::FAIL_IF_NOT_READY);
  StatusOr<common::Envelope> request = protoutil::CreateSignedEnvelopeWithTlsBinding(
      common::DELIVER_SEEK_INFO, channel, signer, seek, tls_cert_hash);
  std::vector<common::Block> blocks;
  if (!request.ok()) {
    return blocks;
  }
  auto stub = ::orderer::AtomicBroadcast::NewStub(grpc::CreateChannel(address, credentials));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto stream = stub->Deliver(&context);
  if (!stream->Write(*request)) {
    return blocks;
  }
  ::orderer::DeliverResponse response;
  while (stream->Read(&response) && response.has_block()) {
    blocks.push_back(response.block());
  }
  context.TryCancel();
  return blocks;
}

// What is wrong with the nodes' chains, or "" when nothing is: every chain has the same blocks
// (header and data; each node signs its own metadata), every transaction in them appears once,
// and every accepted transaction is there. In-doubt transactions may be there or not.
inline std::string CheckChains(const std::vector<std::vector<common::Block>>& chains,
                               const std::set<std::string>& accepted) {
  if (chains.empty() || chains[0].empty()) {
    return "no chain read";
  }
  for (size_t n = 1; n < chains.size(); ++n) {
    if (chains[n].size() != chains[0].size()) {
      return "node " + std::to_string(n) + " has " + std::to_string(chains[n].size()) +
             " blocks, node 0 has " + std::to_string(chains[0].size());
    }
    for (size_t b = 0; b < chains[0].size(); ++b) {
      if (chains[n][b].header().SerializeAsString() != chains[0][b].header().SerializeAsString() ||
          chains[n][b].data().SerializeAsString() != chains[0][b].data().SerializeAsString()) {
        return "block " + std::to_string(b) + " differs between node 0 and node " +
               std::to_string(n);
      }
    }
  }
  std::map<std::string, int> seen;
  for (const common::Block& block : chains[0]) {
    for (const std::string& bytes : block.data().data()) {
      common::Envelope env;
      StatusOr<protoutil::ParsedEnvelope> parsed =
          env.ParseFromString(bytes)
              ? protoutil::ParseEnvelope(env)
              : StatusOr<protoutil::ParsedEnvelope>(InvalidArgumentError("not an envelope"));
      common::BlockData data;
      if (!parsed.ok() || parsed->channel_header.type() != common::ENDORSER_TRANSACTION ||
          !data.ParseFromString(parsed->payload.data()) || data.data_size() != 1) {
        continue;  // config transactions
      }
      if (++seen[data.data(0)] > 1) {
        return "transaction " + data.data(0) + " ordered twice";
      }
    }
  }
  for (const std::string& id : accepted) {
    if (seen.count(id) == 0) {
      return "accepted transaction " + id + " is not in the chain (" + std::to_string(seen.size()) +
             " transactions are)";
    }
  }
  return "";
}

}  // namespace fabric::orderer::testing
