// SPDX-License-Identifier: Apache-2.0
//
// ChaincodeServer: protos.Chaincode/Connect served with ServeStream.

#include "fabric/shim/server.h"

#include <cstdio>
#include <mutex>

#include <grpcpp/grpcpp.h>

#include "fabric/shim/stream.h"
#include "peer/chaincode_shim.grpc.pb.h"
#include "src/log.h"

namespace fabric::shim {
namespace {

using internal::Log;
using internal::LogLevel;
using ServerStream = grpc::ServerReaderWriter<protos::ChaincodeMessage, protos::ChaincodeMessage>;

constexpr int kMaxMessageBytes = 100 * 1024 * 1024;  // Fabric's default, both ways.

class ConnectStream final : public ChaincodeStream {
 public:
  explicit ConnectStream(ServerStream& stream) : stream_(stream) {}
  bool Write(const protos::ChaincodeMessage& msg) override { return stream_.Write(msg); }
  bool WriteBuffered(const protos::ChaincodeMessage& msg) override {
    return stream_.Write(msg, grpc::WriteOptions().set_buffer_hint());
  }
  bool Read(protos::ChaincodeMessage* msg) override { return stream_.Read(msg); }

 private:
  ServerStream& stream_;
};

class ConnectService final : public protos::Chaincode::Service {
 public:
  ConnectService(Chaincode& chaincode, const ServerOptions& options)
      : chaincode_(chaincode), options_(options) {}

  grpc::Status Connect(grpc::ServerContext* context, ServerStream* stream) override {
    Log(LogLevel::kInfo, "peer connected from " + context->peer());
    ConnectStream adapter(*stream);
    Status why = ServeStream(chaincode_, adapter, options_.chaincode_id, options_.connection);
    Log(LogLevel::kInfo,
        "peer connection from " + context->peer() + " ended: " + std::string(why.message()));
    if (why.code() == StatusCode::kUnavailable) {
      return grpc::Status::OK;  // the peer ended the stream
    }
    return grpc::Status(static_cast<grpc::StatusCode>(why.code()), std::string(why.message()));
  }

 private:
  Chaincode& chaincode_;
  const ServerOptions options_;
};

std::shared_ptr<grpc::ServerCredentials> Credentials(const ServerTlsOptions& tls) {
  if (!tls.enabled) {
    return grpc::InsecureServerCredentials();
  }
  grpc::SslServerCredentialsOptions ssl(
      tls.client_ca_pem.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  ssl.pem_root_certs = tls.client_ca_pem;
  ssl.pem_key_cert_pairs.push_back({tls.key_pem, tls.cert_pem});
  return grpc::SslServerCredentials(ssl);
}

}  // namespace

struct ChaincodeServer::Impl {
  std::unique_ptr<ConnectService> service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  std::once_flag shutdown;
};

StatusOr<std::unique_ptr<ChaincodeServer>> ChaincodeServer::Start(Chaincode& chaincode,
                                                                  const ServerOptions& options) {
  if (options.chaincode_id.empty()) {
    return InvalidArgumentError("chaincode server: the chaincode id to register is empty");
  }
  if (options.tls.enabled && (options.tls.cert_pem.empty() || options.tls.key_pem.empty())) {
    return InvalidArgumentError("chaincode server: TLS needs a certificate and its key");
  }
  auto impl = std::make_unique<Impl>();
  impl->service = std::make_unique<ConnectService>(chaincode, options);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.address, Credentials(options.tls), &impl->port);
  builder.RegisterService(impl->service.get());
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  // The peer pings every minute, also while idle (Fabric's client keepalive).
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 30000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  impl->server = builder.BuildAndStart();
  if (impl->server == nullptr || impl->port == 0) {
    return UnavailableError("chaincode server: cannot listen on " + options.address);
  }
  return std::unique_ptr<ChaincodeServer>(new ChaincodeServer(std::move(impl)));
}

ChaincodeServer::ChaincodeServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ChaincodeServer::~ChaincodeServer() { Shutdown(); }

int ChaincodeServer::port() const { return impl_->port; }

void ChaincodeServer::Wait() { impl_->server->Wait(); }

void ChaincodeServer::Shutdown() {
  std::call_once(impl_->shutdown, [this] {
    // Open streams are cancelled at once: their readers see the end and return.
    impl_->server->Shutdown(std::chrono::system_clock::now());
  });
}

int Serve(Chaincode& chaincode, const ServerOptions& options) {
  auto server = ChaincodeServer::Start(chaincode, options);
  if (!server.ok()) {
    std::fprintf(stderr, "chaincode start failed: %s\n", server.status().ToString().c_str());
    return 1;
  }
  const std::string host = options.address.substr(0, options.address.rfind(':'));
  std::fprintf(stderr, "chaincode server listening on %s:%d as %s\n", host.c_str(),
               (*server)->port(), options.chaincode_id.c_str());
  std::fflush(stderr);
  (*server)->Wait();
  return 0;
}

}  // namespace fabric::shim
