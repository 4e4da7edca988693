// SPDX-License-Identifier: Apache-2.0
#include "orderer/server.h"

#include <mutex>
#include <string>

#include <absl/strings/str_format.h>
#include <grpcpp/grpcpp.h>

#include "common/comm/message_limits.h"
#include "common/comm/tls.h"
#include "common/logging/logging.h"
#include "fabric/base/status_macros.h"
#include "orderer/ab.grpc.pb.h"
#include "orderer/broadcast.h"
#include "orderer/deliver.h"

namespace fabric::orderer {
namespace {

logging::Logger logger("orderer.server");

DeliverHandler::Options DeliverOptions(const OrdererConfig& config) {
  DeliverHandler::Options options;
  options.time_window = config.auth_time_window;
  options.mutual_tls = config.tls.enabled && config.tls.client_auth_required;
  return options;
}

BroadcastHandler::Options BroadcastOptions(const OrdererConfig& config) {
  BroadcastHandler::Options options;
  options.streams.workers = config.max_threads;
  return options;
}

// Both methods on gRPC's callback API: an open stream holds no thread.
class AtomicBroadcastService final : public ::orderer::AtomicBroadcast::CallbackService {
 public:
  AtomicBroadcastService(Registrar& registrar, const OrdererConfig& config)
      : broadcast_(registrar, BroadcastOptions(config)),
        deliver_(registrar, DeliverOptions(config)) {}

  void Shutdown() {
    broadcast_.Shutdown();
    deliver_.Shutdown();
  }

  int open_streams() const { return broadcast_.open_streams() + deliver_.open_streams(); }

  grpc::ServerBidiReactor<common::Envelope, ::orderer::BroadcastResponse>* Broadcast(
      grpc::CallbackServerContext* context) override {
    return broadcast_.Start(context);
  }

  grpc::ServerBidiReactor<common::Envelope, ::orderer::DeliverResponse>* Deliver(
      grpc::CallbackServerContext* context) override {
    return deliver_.Start(context);
  }

 private:
  BroadcastHandler broadcast_;
  DeliverHandler deliver_;
};

// Fabric 1.4's orderer: with client authentication, the CAs of `client_cas` (the channels'
// organisations and General.TLS.ClientRootCAs); General.TLS.RootCAs are not client CAs.
StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeCredentials(
    const TlsConfig& tls, std::shared_ptr<const comm::TrustPool> client_cas) {
  if (!tls.enabled) {
    return grpc::InsecureServerCredentials();
  }
  ASSIGN_OR_RETURN(comm::KeyPair identity,
                   comm::LoadKeyPair(tls.certificate, tls.private_key,
                                     "General.TLS.Certificate, General.TLS.PrivateKey"));
  if (!tls.client_auth_required) {
    return comm::ServerCredentials(identity, nullptr);
  }
  if (client_cas == nullptr) {
    return InvalidArgumentError("TLS client authentication needs the client CA pool");
  }
  return comm::ServerCredentials(identity, std::move(client_cas));
}

}  // namespace

struct OrdererServer::Impl {
  std::unique_ptr<AtomicBroadcastService> service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  std::once_flag shutdown_once;
};

OrdererServer::OrdererServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

OrdererServer::~OrdererServer() { Shutdown(); }

StatusOr<std::unique_ptr<OrdererServer>> OrdererServer::Start(
    const OrdererConfig& config, Registrar& registrar,
    std::shared_ptr<const comm::TrustPool> client_cas) {
  auto impl = std::make_unique<Impl>();
  impl->service = std::make_unique<AtomicBroadcastService>(registrar, config);
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                   MakeCredentials(config.tls, std::move(client_cas)));
  grpc::ServerBuilder builder;
  const std::string address = absl::StrFormat("%s:%d", config.listen_address, config.listen_port);
  builder.AddListeningPort(address, credentials, &impl->port);
  builder.RegisterService(impl->service.get());
  comm::SetMessageLimits(builder);
  comm::SetConnectionLimits(builder);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 7200 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20 * 1000);
  impl->server = builder.BuildAndStart();
  if (impl->server == nullptr || impl->port == 0) {
    return UnavailableError(absl::StrFormat("cannot listen on %s", address));
  }
  FLOG_INFO(logger, "serving orderer.AtomicBroadcast on %s:%d%s", config.listen_address, impl->port,
            !config.tls.enabled               ? ""
            : config.tls.client_auth_required ? " (mutual TLS)"
                                              : " (TLS)");
  return std::unique_ptr<OrdererServer>(new OrdererServer(std::move(impl)));
}

int OrdererServer::port() const { return impl_->port; }

int OrdererServer::open_streams() const { return impl_->service->open_streams(); }

void OrdererServer::Shutdown(std::chrono::milliseconds grace) {
  std::call_once(impl_->shutdown_once, [&] {
    FLOG_INFO(logger, "stopping the gRPC server");
    impl_->service->Shutdown();
    impl_->server->Shutdown(std::chrono::system_clock::now() + grace);
    impl_->server->Wait();
    FLOG_INFO(logger, "gRPC server stopped");
  });
}

}  // namespace fabric::orderer
