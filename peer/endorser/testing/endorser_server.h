// SPDX-License-Identifier: Apache-2.0
//
// Test helper: a gRPC server on 127.0.0.1 (a free port) serving one EndorserService, and a client
// stub connected to it. The server is shut down when the helper is destroyed.

#pragma once

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "peer/endorser/endorser_service.h"
#include "peer/peer.grpc.pb.h"

namespace fabric::endorser::testing {

class EndorserServer {
 public:
  // Null server() when the server could not start.
  explicit EndorserServer(EndorserService& service) {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service);
    server_ = builder.BuildAndStart();
    if (server_ != nullptr) {
      stub_ = protos::Endorser::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                                            grpc::InsecureChannelCredentials()));
    }
  }
  ~EndorserServer() { Shutdown(); }
  EndorserServer(const EndorserServer&) = delete;
  EndorserServer& operator=(const EndorserServer&) = delete;

  void Shutdown() {
    if (server_ != nullptr) {
      server_->Shutdown();
    }
  }
  grpc::Server* server() { return server_.get(); }
  protos::Endorser::Stub& stub() { return *stub_; }

 private:
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<protos::Endorser::Stub> stub_;
};

}  // namespace fabric::endorser::testing
