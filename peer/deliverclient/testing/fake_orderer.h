// SPDX-License-Identifier: Apache-2.0
//
// FakeOrderer: an orderer's Deliver service for tests. It serves the blocks it was given
// (indexed by number) from the requested start, then waits for more until the stream is
// cancelled, as an orderer serves a SeekInfo with BLOCK_UNTIL_READY and an open stop. Broadcast
// is not served. Start() runs it on 127.0.0.1 (port 0 = any) until the object is destroyed.
//
// Thread-safety: Add and starts() may be called while streams are served.

#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "common/common.pb.h"
#include "orderer/ab.grpc.pb.h"

namespace fabric::deliverclient::testing {

class FakeOrderer final : public ::orderer::AtomicBroadcast::Service {
 public:
  ~FakeOrderer() override { Stop(); }

  // Listens on 127.0.0.1:`port`; returns the bound port, 0 on failure.
  int Start(int port = 0) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:" + std::to_string(port), grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
    return server_ == nullptr ? 0 : port_;
  }
  void Stop() {
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::system_clock::now());
      server_.reset();
    }
  }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  grpc::Status Broadcast(
      grpc::ServerContext*,
      grpc::ServerReaderWriter<::orderer::BroadcastResponse, common::Envelope>*) override {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "");
  }

  grpc::Status Deliver(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<::orderer::DeliverResponse, common::Envelope>* stream) override {
    common::Envelope env;
    if (!stream->Read(&env)) {
      return grpc::Status::OK;
    }
    common::Payload payload;
    payload.ParseFromString(env.payload());
    ::orderer::SeekInfo seek;
    seek.ParseFromString(payload.data());
    uint64_t next = seek.start().specified().number();
    {
      std::lock_guard<std::mutex> lock(mu_);
      starts_.push_back(next);
    }
    while (!context->IsCancelled()) {
      std::unique_lock<std::mutex> lock(mu_);
      if (next < blocks_.size()) {
        ::orderer::DeliverResponse r;
        *r.mutable_block() = blocks_[next++];
        lock.unlock();
        if (!stream->Write(r)) {
          break;
        }
        continue;
      }
      cv_.wait_for(lock, std::chrono::milliseconds(20));
    }
    return grpc::Status::OK;
  }

  // Makes `block` (the next number) available to every stream.
  void Add(common::Block block) {
    std::lock_guard<std::mutex> lock(mu_);
    blocks_.push_back(std::move(block));
    cv_.notify_all();
  }
  // The start block of every Deliver request so far.
  std::vector<uint64_t> starts() {
    std::lock_guard<std::mutex> lock(mu_);
    return starts_;
  }

 private:
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  std::vector<common::Block> blocks_;
  std::vector<uint64_t> starts_;
};

}  // namespace fabric::deliverclient::testing
