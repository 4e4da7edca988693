// SPDX-License-Identifier: Apache-2.0
#include "peer/chaincode/chaincode_server.h"

#include <mutex>

#include <grpcpp/grpcpp.h>

#include "common/logging/logging.h"
#include "peer/chaincode_shim.grpc.pb.h"

namespace fabric::chaincode {
namespace {

logging::Logger& Log() {
  static logging::Logger logger("chaincode");
  return logger;
}

using ServerStream = grpc::ServerReaderWriter<protos::ChaincodeMessage, protos::ChaincodeMessage>;

class GrpcChaincodeStream : public ChaincodeStream {
 public:
  explicit GrpcChaincodeStream(ServerStream* stream) : stream_(stream) {}
  bool Send(const protos::ChaincodeMessage& msg) override { return stream_->Write(msg); }
  bool Recv(protos::ChaincodeMessage* msg) override { return stream_->Read(msg); }

 private:
  ServerStream* const stream_;
};

}  // namespace

class ChaincodeServer::Service : public protos::ChaincodeSupport::Service {
 public:
  explicit Service(ChaincodeSupport& support) : support_(support) {}

  grpc::Status Register(grpc::ServerContext* context, ServerStream* stream) override {
    FLOG_DEBUG(Log(), "chaincode connected from %s", context->peer());
    GrpcChaincodeStream adapter(stream);
    Status s = support_.HandleChaincodeStream(adapter);
    if (!s.ok()) {
      return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
    }
    return grpc::Status::OK;
  }

 private:
  ChaincodeSupport& support_;
};

struct ChaincodeServer::Impl {
  explicit Impl(ChaincodeSupport& support) : service(support) {}
  Service service;
  std::unique_ptr<grpc::Server> server;
  std::once_flag shutdown_once;
};

StatusOr<std::unique_ptr<ChaincodeServer>> ChaincodeServer::Start(const Options& options,
                                                                  ChaincodeSupport& support) {
  auto impl = std::make_unique<Impl>(support);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen_address, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&impl->service);
  builder.SetMaxReceiveMessageSize(options.max_message_size);
  builder.SetMaxSendMessageSize(options.max_message_size);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             static_cast<int>(options.min_client_ping_interval.count()));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);  // 0: never GOAWAY on pings
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             static_cast<int>(options.keepalive_time.count()));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             static_cast<int>(options.keepalive_timeout.count()));
  impl->server = builder.BuildAndStart();
  if (impl->server == nullptr || port == 0) {
    return UnavailableError("listen on " + options.listen_address + " failed");
  }
  std::string host = options.listen_address.substr(0, options.listen_address.rfind(':'));
  if (host.empty() || host == "0.0.0.0" || host == "[::]") {
    host = "127.0.0.1";
  }
  FLOG_INFO(Log(), "chaincode listener on %s:%d", host, port);
  return std::unique_ptr<ChaincodeServer>(new ChaincodeServer(std::move(impl), port, host));
}

ChaincodeServer::ChaincodeServer(std::unique_ptr<Impl> impl, int port, std::string host)
    : impl_(std::move(impl)), port_(port), host_(std::move(host)) {}

ChaincodeServer::~ChaincodeServer() { Shutdown(); }

std::string ChaincodeServer::address() const { return host_ + ":" + std::to_string(port_); }

void ChaincodeServer::Shutdown() {
  std::call_once(impl_->shutdown_once, [this] {
    impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    impl_->server->Wait();
  });
}

}  // namespace fabric::chaincode
