// SPDX-License-Identifier: Apache-2.0
//
// Start: dial the peer, open ChaincodeSupport.Register, run the Handler on this thread.

#include "fabric/shim/start.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "fabric/base/malloc_tuning.h"
#include "fabric/base/mutex_checks.h"
#include "fabric/base/sched_batch.h"
#include "fabric/shim/server.h"
#include "peer/chaincode_shim.grpc.pb.h"
#include "src/handler.h"
#include "src/log.h"

namespace fabric::shim {
namespace {

using internal::Log;
using internal::LogLevel;

constexpr int kMaxMessageBytes = 100 * 1024 * 1024;  // Fabric's default, both ways.
constexpr std::chrono::milliseconds kSocketDialWait{1000};

class GrpcStream final : public ChaincodeStream {
 public:
  explicit GrpcStream(
      grpc::ClientReaderWriter<protos::ChaincodeMessage, protos::ChaincodeMessage>& stream)
      : stream_(stream) {}
  bool Write(const protos::ChaincodeMessage& msg) override { return stream_.Write(msg); }
  bool WriteBuffered(const protos::ChaincodeMessage& msg) override {
    return stream_.Write(msg, grpc::WriteOptions().set_buffer_hint());
  }
  bool Read(protos::ChaincodeMessage* msg) override { return stream_.Read(msg); }

 private:
  grpc::ClientReaderWriter<protos::ChaincodeMessage, protos::ChaincodeMessage>& stream_;
};

std::shared_ptr<grpc::ChannelCredentials> Credentials(const TlsOptions& tls) {
  if (!tls.enabled) {
    return grpc::InsecureChannelCredentials();
  }
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = tls.root_cert_pem;
  ssl.pem_private_key = tls.client_key_pem;
  ssl.pem_cert_chain = tls.client_cert_pem;
  return grpc::SslCredentials(ssl);
}

// Keepalive as Fabric's Go shim: ping every 60 s, 20 s timeout, also without active calls.
grpc::ChannelArguments ChannelArgs(const StartOptions& options) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, static_cast<int>(options.keepalive_time.count()));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, static_cast<int>(options.keepalive_timeout.count()));
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);  // Keep pinging on an idle stream.
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  args.SetMaxSendMessageSize(kMaxMessageBytes);
  if (options.execution == StartOptions::Execution::kCoroutines) {
    // The reader thread also writes (the coroutines' requests). Announce a receive window the
    // peer cannot fill with the requests of every transaction in flight, so that the peer never
    // waits to write to us while we wait to write to it.
    args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 64 << 20);
  }
  return args;
}

// A connected channel to the peer: over its unix socket when one is given and it answers within
// a second (it is on this host), else over peer_address; null when neither connects in time.
std::shared_ptr<grpc::Channel> Dial(const StartOptions& options) {
  if (!options.peer_socket.empty()) {
    auto local = grpc::CreateCustomChannel("unix:" + options.peer_socket, Credentials(options.tls),
                                           ChannelArgs(options));
    const auto wait = std::min<std::chrono::milliseconds>(options.dial_timeout, kSocketDialWait);
    if (local->WaitForConnected(std::chrono::system_clock::now() + wait)) {
      Log(LogLevel::kDebug, "connected to the peer over unix:" + options.peer_socket);
      return local;
    }
    Log(LogLevel::kWarning, "could not connect to the peer's socket " + options.peer_socket +
                                " within " + std::to_string(wait.count()) + " ms; dialling " +
                                options.peer_address);
  }
  auto channel = grpc::CreateCustomChannel(options.peer_address, Credentials(options.tls),
                                           ChannelArgs(options));
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + options.dial_timeout)) {
    return nullptr;
  }
  return channel;
}

int Fail(const std::string& line) {
  std::fprintf(stderr, "chaincode start failed: %s\n", line.c_str());
  return 1;
}

// Applies the process-wide tuning before gRPC and the worker pools start their threads, so
// that they inherit it.
void ApplyTuning(const StartOptions::ProcessTuning& tuning) {
  if (tuning.skip_mutex_deadlock_checks) {
    SkipMutexDeadlockChecks();
  }
  if (tuning.server_malloc) {
    TuneMallocForServers();
  }
  if (tuning.batch_scheduling) {
    Status s = UseBatchScheduling();
    if (!s.ok()) {
      internal::Log(internal::LogLevel::kWarning,
                    std::string(s.message()) + "; running with the default scheduling policy");
    }
  }
}

}  // namespace

int Start(Chaincode& chaincode, int argc, char** argv, const StartOptions& defaults) {
  if (ServerModeRequested()) {
    StatusOr<ServerOptions> server = LoadServerOptions(defaults);
    if (!server.ok()) {
      return Fail(server.status().ToString());
    }
    ApplyTuning(server->connection.tuning);
    return Serve(chaincode, *server);
  }
  StatusOr<StartOptions> options = LoadStartOptions(argc, argv, defaults);
  if (!options.ok()) {
    return Fail(options.status().ToString());
  }
  return Start(chaincode, *options);
}

int Start(Chaincode& chaincode, const StartOptions& options) {
  ApplyTuning(options.tuning);
  auto channel = Dial(options);
  if (channel == nullptr) {
    return Fail("could not connect to peer at " + options.peer_address + " within " +
                std::to_string(options.dial_timeout.count()) + " ms");
  }
  auto client = protos::ChaincodeSupport::NewStub(channel);
  grpc::ClientContext context;
  if (!options.launch_secret.empty()) {
    context.AddMetadata(std::string(kLaunchSecretMetadata), options.launch_secret);
  }
  auto rpc = client->Register(&context);
  GrpcStream stream(*rpc);
  internal::Handler handler(chaincode, stream, internal::HandlerOptionsFrom(options));

  Status why = handler.Serve(options.chaincode_id_name);
  if (why.code() != StatusCode::kUnavailable) {
    context.TryCancel();  // We end the stream ourselves; make pending writes fail.
  }
  handler.Shutdown();  // Joins the workers; no writes after this.
  rpc->WritesDone();
  grpc::Status end = rpc->Finish();
  std::string detail =
      end.ok() ? std::string("peer finished the stream")
               : "grpc status " + std::to_string(end.error_code()) + " " + end.error_message();
  std::fprintf(stderr, "peer stream closed: %s (%s); chaincode exiting\n",
               std::string(why.message()).c_str(), detail.c_str());
  return 2;
}

}  // namespace fabric::shim
