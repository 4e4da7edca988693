// SPDX-License-Identifier: Apache-2.0
#include "peer/chaincode/extcc.h"

#include <thread>

#include <absl/strings/str_format.h>
#include <grpcpp/grpcpp.h>

#include "common/logging/logging.h"
#include "peer/chaincode/register_check.h"
#include "peer/chaincode_shim.grpc.pb.h"

namespace fabric::chaincode {
namespace {

logging::Logger& Log() {
  static logging::Logger logger("chaincode.extcc");
  return logger;
}

using ClientStream = grpc::ClientReaderWriter<protos::ChaincodeMessage, protos::ChaincodeMessage>;
using Clock = std::chrono::system_clock;

std::string Seconds(std::chrono::milliseconds d) {
  return d.count() % 1000 == 0 ? absl::StrFormat("%ds", d.count() / 1000)
                               : absl::StrFormat("%dms", d.count());
}

// The chaincode's end of Connect as the Handler sees it, presenting the launch's secret.
class ConnectStream : public ChaincodeStream {
 public:
  ConnectStream(ClientStream& stream, std::string secret)
      : stream_(stream), secret_(std::move(secret)) {}
  bool Send(const protos::ChaincodeMessage& msg) override { return stream_.Write(msg); }
  bool SendBuffered(const protos::ChaincodeMessage& msg) override {
    return stream_.Write(msg, grpc::WriteOptions().set_buffer_hint());
  }
  bool Recv(protos::ChaincodeMessage* msg) override { return stream_.Read(msg); }
  std::string launch_secret() const override { return secret_; }

 private:
  ClientStream& stream_;
  const std::string secret_;
};

// The server must register as the ccid it was dialed for.
Status ExpectCcid(const std::string& dialed, const std::string& registered) {
  if (registered == dialed) {
    return Status::OK();
  }
  return PermissionDeniedError(
      absl::StrFormat("chaincode server dialed for %s registered as %s: set its chaincode id "
                      "(CORE_CHAINCODE_ID / CORE_CHAINCODE_ID_NAME) to %s",
                      dialed, registered, dialed));
}

StatusOr<std::shared_ptr<grpc::Channel>> Dial(const launcher::ChaincodeServerInfo& server) {
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (server.tls_required) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = server.root_cert;
    if (server.client_auth_required) {
      ssl.pem_private_key = server.client_key;
      ssl.pem_cert_chain = server.client_cert;
    }
    creds = grpc::SslCredentials(ssl);
    if (creds == nullptr) {
      return InvalidArgumentError("unusable TLS material in connection.json");
    }
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(100 * 1024 * 1024);
  args.SetMaxSendMessageSize(100 * 1024 * 1024);
  // Fabric's client keepalive: ping every minute, 20 s to answer.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 60000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  // A connection of its own per chaincode: never share a subchannel with another stream.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(server.address, creds, args);
}

// Why a channel did not connect, as gRPC reports it to a call that does not wait.
std::string ConnectFailure(grpc::Channel& channel) {
  protos::Chaincode::Stub stub(channel.shared_from_this());
  grpc::ClientContext ctx;
  ctx.set_wait_for_ready(false);
  ctx.set_deadline(Clock::now() + std::chrono::milliseconds(500));
  std::unique_ptr<ClientStream> probe = stub.Connect(&ctx);
  protos::ChaincodeMessage ignored;
  while (probe->Read(&ignored)) {
  }
  grpc::Status s = probe->Finish();
  if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED || s.ok()) {
    return "no gRPC connection was established (is a chaincode server listening there, and "
           "does connection.json's tls_required match it?)";
  }
  return s.error_message();
}

std::string TlsHint(const launcher::ChaincodeServerInfo& server) {
  if (!server.tls_required) {
    return "";
  }
  return server.client_auth_required
             ? "; check root_cert, client_cert and client_key against the server's TLS settings"
             : "; check root_cert against the server's certificate";
}

}  // namespace

struct ExternalChaincodeRuntime::Connection {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<protos::Chaincode::Stub> stub;
  grpc::ClientContext context;
  std::unique_ptr<ClientStream> stream;
  std::jthread thread;  // last: joined first
};

ExternalChaincodeRuntime::ExternalChaincodeRuntime(StreamHandler handle_stream)
    : handle_stream_(std::move(handle_stream)) {}

ExternalChaincodeRuntime::~ExternalChaincodeRuntime() {
  std::map<std::string, std::shared_ptr<Connection>> connections;
  {
    std::lock_guard<std::mutex> lock(mu_);
    connections.swap(connections_);
  }
  for (auto& [ccid, connection] : connections) {
    connection->context.TryCancel();
  }
  connections.clear();  // joins
}

void ExternalChaincodeRuntime::Disconnect(const std::string& ccid) {
  std::shared_ptr<Connection> connection;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = connections_.find(ccid);
    if (it == connections_.end()) {
      return;
    }
    connection = std::move(it->second);
    connections_.erase(it);
  }
  connection->context.TryCancel();
  if (connection->thread.joinable()) {
    connection->thread.join();
  }
}

Status ExternalChaincodeRuntime::Connect(const std::string& ccid,
                                         const launcher::ChaincodeServerInfo& server,
                                         std::string launch_secret,
                                         std::function<void(const Status&)> on_end) {
  Disconnect(ccid);
  auto connection = std::make_shared<Connection>();
  auto channel = Dial(server);
  if (!channel.ok()) {
    return channel.status();
  }
  connection->channel = *channel;
  FLOG_INFO(Log(), "connecting to chaincode server ccid=%s address=%s tls=%d", ccid, server.address,
            server.tls_required);
  if (!connection->channel->WaitForConnected(Clock::now() + server.dial_timeout)) {
    return UnavailableError(absl::StrFormat(
        "cannot connect to chaincode server of %s at %s within %s: %s%s", ccid, server.address,
        Seconds(server.dial_timeout), ConnectFailure(*connection->channel), TlsHint(server)));
  }
  connection->stub = protos::Chaincode::NewStub(connection->channel);
  connection->stream = connection->stub->Connect(&connection->context);
  const std::string where = absl::StrFormat("chaincode server of %s at %s", ccid, server.address);
  Connection* c = connection.get();
  connection->thread = std::jthread([this, c, ccid, where, secret = std::move(launch_secret),
                                     on_end = std::move(on_end)] {
    ConnectStream connect(*c->stream, secret);
    RegisterCheckedStream stream(
        connect, [&ccid](const std::string& registered) { return ExpectCcid(ccid, registered); });
    Status handled = handle_stream_(stream);
    if (!handled.ok() || !stream.failure().ok()) {
      c->context.TryCancel();  // the peer ends the stream; Finish must not wait for the server
    }
    grpc::Status finished = c->stream->Finish();
    Status why = !stream.failure().ok() ? stream.failure()
                 : !handled.ok()        ? handled
                                        : UnavailableError(absl::StrFormat(
                                              "%s closed the stream: %s", where,
                                       finished.ok() ? "end of stream" : finished.error_message()));
    FLOG_INFO(Log(), "stream to %s ended: %s", where, why.message());
    if (on_end) {
      on_end(why);
    }
  });
  std::lock_guard<std::mutex> lock(mu_);
  connections_[ccid] = std::move(connection);
  return Status::OK();
}

}  // namespace fabric::chaincode
