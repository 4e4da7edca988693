// SPDX-License-Identifier: Apache-2.0
#include "peer/chaincode/chaincode_server.h"

#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <mutex>

#include <absl/strings/str_format.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/resource_quota.h>

#include "common/logging/logging.h"
#include "fabric/base/fiber.h"
#include "fabric/base/status_macros.h"
#include "peer/chaincode/register_check.h"
#include "peer/chaincode_shim.grpc.pb.h"

namespace fabric::chaincode {
namespace {

logging::Logger& Log() {
  static logging::Logger logger("chaincode");
  return logger;
}

using ServerStream = grpc::ServerReaderWriter<protos::ChaincodeMessage, protos::ChaincodeMessage>;

// Cancels a stream that has not delivered its first message by a deadline (the shared
// DeadlineTimer calls back; Disarm, also run by the destructor, makes sure it no longer will).
class FirstMessageDeadline {
 public:
  FirstMessageDeadline(grpc::ServerContext& context, std::chrono::milliseconds timeout)
      : state_(std::make_shared<State>()) {
    state_->context = &context;
    std::weak_ptr<State> weak = state_;
    timer_ = DeadlineTimer::Shared().Add(DeadlineTimer::Clock::now() + timeout, [weak] {
      if (auto state = weak.lock()) {
        std::lock_guard<std::mutex> lock(state->mu);
        if (state->context != nullptr) {
          FLOG_WARN(Log(), "cancelling chaincode stream from %s: no REGISTER in time",
                    state->context->peer());
          state->context->TryCancel();
        }
      }
    });
  }
  ~FirstMessageDeadline() { Disarm(); }
  FirstMessageDeadline(const FirstMessageDeadline&) = delete;
  FirstMessageDeadline& operator=(const FirstMessageDeadline&) = delete;

  void Disarm() {
    DeadlineTimer::Shared().Cancel(timer_);
    std::lock_guard<std::mutex> lock(state_->mu);  // waits for a callback that already started
    state_->context = nullptr;
  }

 private:
  struct State {
    std::mutex mu;
    grpc::ServerContext* context = nullptr;  // Guarded by mu; null once disarmed.
  };
  std::shared_ptr<State> state_;
  uint64_t timer_ = 0;
};

class GrpcChaincodeStream : public ChaincodeStream {
 public:
  GrpcChaincodeStream(ServerStream* stream, const grpc::ServerContext& context,
                      FirstMessageDeadline* deadline)
      : stream_(stream), launch_secret_(LaunchSecret(context)), deadline_(deadline) {}
  bool Send(const protos::ChaincodeMessage& msg) override { return stream_->Write(msg); }
  bool SendBuffered(const protos::ChaincodeMessage& msg) override {
    return stream_->Write(msg, grpc::WriteOptions().set_buffer_hint());
  }
  bool Recv(protos::ChaincodeMessage* msg) override {
    if (!stream_->Read(msg)) {
      return false;
    }
    if (deadline_ != nullptr) {
      deadline_->Disarm();
      deadline_ = nullptr;
    }
    return true;
  }
  std::string launch_secret() const override { return launch_secret_; }

 private:
  static std::string LaunchSecret(const grpc::ServerContext& context) {
    const auto& metadata = context.client_metadata();
    auto it =
        metadata.find(grpc::string_ref(kLaunchSecretMetadata.data(), kLaunchSecretMetadata.size()));
    return it == metadata.end() ? std::string() : std::string(it->second.data(), it->second.size());
  }

  ServerStream* const stream_;
  const std::string launch_secret_;
  FirstMessageDeadline* deadline_;  // until the first message
};

// The PEM certificate the client presented in the TLS handshake; empty without one.
std::string ClientCertificatePem(const grpc::ServerContext& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) {
    return "";
  }
  std::vector<grpc::string_ref> pem = auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
  return pem.empty() ? "" : std::string(pem.front().data(), pem.front().size());
}

}  // namespace

class ChaincodeServer::Service : public protos::ChaincodeSupport::Service {
 public:
  Service(ChaincodeSupport& support, const Authenticator* auth,
          std::chrono::milliseconds first_message_timeout)
      : support_(support), auth_(auth), first_message_timeout_(first_message_timeout) {}

  grpc::Status Register(grpc::ServerContext* context, ServerStream* stream) override {
    FLOG_DEBUG(Log(), "chaincode connected from %s", context->peer());
    FirstMessageDeadline deadline(*context, first_message_timeout_);
    GrpcChaincodeStream adapter(stream, *context, &deadline);
    Status s;
    if (auth_ != nullptr) {
      // Fabric's accesscontrol interceptor: the first message must be a REGISTER for the ccid
      // the stream's TLS client certificate was generated for.
      RegisterCheckedStream checked(
          adapter, [auth = auth_, cert = ClientCertificatePem(*context)](const std::string& ccid) {
            return auth->Authenticate(ccid, cert);
          });
      s = support_.HandleChaincodeStream(checked);
      if (!checked.failure().ok()) {
        s = checked.failure();
      }
    } else {
      s = support_.HandleChaincodeStream(adapter);
    }
    if (!s.ok()) {
      return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
    }
    return grpc::Status::OK;
  }

 private:
  ChaincodeSupport& support_;
  const Authenticator* const auth_;
  const std::chrono::milliseconds first_message_timeout_;
};

struct ChaincodeServer::Impl {
  Impl(ChaincodeSupport& support, const Authenticator* auth,
       std::chrono::milliseconds first_message_timeout)
      : service(support, auth, first_message_timeout) {}
  Service service;
  std::unique_ptr<grpc::Server> server;
  std::once_flag shutdown_once;
};

namespace {

// Server credentials for the TLS listener: a server certificate issued by the chaincode CA,
// client certificates required and verified against that CA.
StatusOr<std::shared_ptr<grpc::ServerCredentials>> TlsCredentials(
    const ChaincodeServer::Options& options) {
  std::vector<std::string> hosts;
  auto add = [&hosts](const std::string& h) {
    if (!h.empty() && h != "0.0.0.0" && h != "[::]" &&
        std::find(hosts.begin(), hosts.end(), h) == hosts.end()) {
      hosts.push_back(h);
    }
  };
  add(options.listen_address.substr(0, options.listen_address.rfind(':')));
  for (const std::string& h : options.tls_hosts) {
    add(h);
  }
  add("localhost");
  add("127.0.0.1");
  auto pair = options.authenticator->NewServerCertKeyPair(hosts);
  if (!pair.ok()) {
    return pair.status().Annotate("chaincode listener TLS certificate");
  }
  grpc::SslServerCredentialsOptions ssl(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  ssl.pem_root_certs = options.authenticator->ca_cert_pem();
  ssl.pem_key_cert_pairs.push_back({pair->key_pem, pair->cert_pem});
  return grpc::SslServerCredentials(ssl);
}

}  // namespace

StatusOr<std::unique_ptr<ChaincodeServer>> ChaincodeServer::Start(const Options& options,
                                                                  ChaincodeSupport& support) {
  static_assert(kMaxLocalSocketPath + 1 == sizeof(sockaddr_un::sun_path));
  if (options.local_socket.size() > kMaxLocalSocketPath) {
    return InvalidArgumentError(absl::StrFormat(
        "chaincode socket path %s is %d bytes, the limit is %d: choose a shorter path",
        options.local_socket, options.local_socket.size(), kMaxLocalSocketPath));
  }
  std::error_code ec;
  if (!options.local_socket.empty() && std::filesystem::exists(options.local_socket, ec) &&
      !std::filesystem::is_socket(options.local_socket, ec)) {
    return FailedPreconditionError("chaincode socket path " + options.local_socket +
                                   " is taken by a file that is not a socket: remove it or "
                                   "choose another path");
  }
  auto impl = std::make_unique<Impl>(support, options.authenticator, options.first_message_timeout);
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (options.authenticator != nullptr) {
    ASSIGN_OR_RETURN(credentials, TlsCredentials(options));
  }
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen_address, credentials, &port);
  if (!options.local_socket.empty()) {
    builder.AddListeningPort("unix:" + options.local_socket, credentials);
  }
  builder.RegisterService(&impl->service);
  // gRPC's sync server answers calls past the thread limit with RESOURCE_EXHAUSTED.
  grpc::ResourceQuota quota("chaincode-listener");
  quota.SetMaxThreads(options.max_streams + 2);  // + gRPC's own pollers
  builder.SetResourceQuota(quota);
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
    return UnavailableError("listen on " + options.listen_address +
                            (options.local_socket.empty()
                                 ? std::string()
                                 : " and unix socket " + options.local_socket +
                                       " (is its directory there and writable?)") +
                            " failed");
  }
  std::string host = options.listen_address.substr(0, options.listen_address.rfind(':'));
  if (host.empty() || host == "0.0.0.0" || host == "[::]") {
    host = "127.0.0.1";
  }
  FLOG_INFO(Log(), "chaincode listener on %s:%d%s%s", host, port,
            options.local_socket.empty() ? "" : " and unix:" + options.local_socket,
            options.authenticator != nullptr ? " with TLS (client certificates required)" : "");
  return std::unique_ptr<ChaincodeServer>(
      new ChaincodeServer(std::move(impl), port, host, options.local_socket));
}

ChaincodeServer::ChaincodeServer(std::unique_ptr<Impl> impl, int port, std::string host,
                                 std::string local_socket)
    : impl_(std::move(impl)),
      port_(port),
      host_(std::move(host)),
      local_socket_(std::move(local_socket)) {}

ChaincodeServer::~ChaincodeServer() { Shutdown(); }

std::string ChaincodeServer::address() const { return host_ + ":" + std::to_string(port_); }

void ChaincodeServer::Shutdown() {
  std::call_once(impl_->shutdown_once, [this] {
    impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    impl_->server->Wait();
    if (!local_socket_.empty()) {
      (void)::unlink(local_socket_.c_str());
    }
  });
}

}  // namespace fabric::chaincode
