// SPDX-License-Identifier: Apache-2.0
#include "peer/chaincode/chaincode_support.h"

#include <absl/cleanup/cleanup.h>
#include <absl/strings/escaping.h>
#include <absl/strings/str_format.h>
#include <openssl/rand.h>

#include "common/logging/logging.h"
#include "fabric/base/fiber.h"
#include "fabric/base/status_macros.h"
#include "fabric/base/thread_name.h"

namespace fabric::chaincode {
namespace {

logging::Logger& Log() {
  static logging::Logger logger("chaincode");
  return logger;
}

using Clock = std::chrono::steady_clock;

std::string FormatDuration(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) {
    return absl::StrFormat("%ds", d.count() / 1000);
  }
  return absl::StrFormat("%dms", d.count());
}

struct Target {
  std::string name;
  std::string version;
  std::string channel;
};

// "name[:version][/channel]" (Fabric's cc2cc target syntax).
Target ParseTarget(const std::string& spec) {
  Target t;
  std::string rest = spec;
  if (size_t slash = rest.find('/'); slash != std::string::npos) {
    t.channel = rest.substr(slash + 1);
    rest.resize(slash);
  }
  if (size_t colon = rest.find(':'); colon != std::string::npos) {
    t.version = rest.substr(colon + 1);
    rest.resize(colon);
  }
  t.name = rest;
  return t;
}

}  // namespace

ChaincodeSupport::ChaincodeSupport(ChaincodeSupportOptions options, launcher::Launcher& launcher,
                                   const launcher::PackageProvider& packages)
    : options_(std::move(options)),
      launcher_(launcher),
      packages_(packages),
      registry_(std::make_shared<HandlerRegistry>(launcher.IsDevMode())),
      invoke_blocking_(std::make_unique<fabric::WorkerPool>(
          options_.invoke_workers, static_cast<int>(options_.queue_capacity), "cc2cc")),
      request_pool_(
          std::make_unique<BackpressurePool>(options_.request_workers, options_.queue_capacity)),
      invoke_pool_(
          std::make_unique<BackpressurePool>(options_.invoke_workers, options_.queue_capacity)),
      extcc_(std::make_unique<ExternalChaincodeRuntime>(
          [this](ChaincodeStream& stream) { return HandleChaincodeStream(stream); })),
      peer_address_(options_.peer_address) {
  if (options_.keepalive_interval.count() > 0) {
    keepalive_thread_ = std::jthread([this](std::stop_token stop) { KeepaliveLoop(stop); });
  }
}

ChaincodeSupport::~ChaincodeSupport() {
  extcc_.reset();
  if (keepalive_thread_.joinable()) {
    keepalive_thread_.request_stop();
    keepalive_cv_.notify_all();
    keepalive_thread_.join();
  }
  invoke_pool_.reset();
  request_pool_.reset();
  invoke_blocking_.reset();
}

void ChaincodeSupport::SetPeerAddress(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  peer_address_ = address;
}

void ChaincodeSupport::SetLocalSocket(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  local_socket_ = path;
}

void ChaincodeSupport::KeepaliveLoop(std::stop_token stop) {
  SetThreadName("cc-keepalive");
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop.stop_requested()) {
    keepalive_cv_.wait_for(lock, stop, options_.keepalive_interval, [] { return false; });
    if (stop.stop_requested()) {
      return;
    }
    lock.unlock();
    protos::ChaincodeMessage keepalive;
    keepalive.set_type(protos::ChaincodeMessage::KEEPALIVE);
    for (const auto& handler : registry_->All()) {
      (void)handler->Send(keepalive);
    }
    lock.lock();
  }
}

Status ChaincodeSupport::HandleChaincodeStream(ChaincodeStream& stream) {
  HandlerOptions handler_options = options_.handler;
  handler_options.invoke_stacks = &invoke_stacks_;
  handler_options.invoke_blocking = invoke_blocking_.get();
  auto handler = std::make_shared<Handler>(stream, *registry_, *request_pool_, *invoke_pool_, *this,
                                           handler_options);
  return handler->ProcessStream();
}

Status ChaincodeSupport::StartRuntime(const std::string& ccid,
                                      const std::shared_ptr<LaunchState>& state,
                                      std::chrono::steady_clock::time_point deadline) {
  launcher::StartRequest request;
  request.ccid = ccid;
  request.deadline = deadline;
  if (!launcher_.IsDevMode()) {
    ASSIGN_OR_RETURN(request.package, packages_.GetPackage(ccid));
  }
  std::string address;
  std::string local_socket;
  {
    std::lock_guard<std::mutex> lock(mu_);
    address = peer_address_;
    local_socket = local_socket_;
  }
  request.env = {"CORE_CHAINCODE_ID_NAME=" + ccid, "CORE_PEER_ADDRESS=" + address,
                 std::string("CORE_PEER_TLS_ENABLED=") + (options_.tls_enabled ? "true" : "false")};
  if (!local_socket.empty() && launcher_.SharesPeerFileSystem()) {
    request.env.push_back("CORE_PEER_CHAINCODESOCKET=" + local_socket);
  }
  // fabric-cpp's shim presents the launch secret; Fabric's shims (fabric-shim from npm in a
  // NODE package, Fabric's Go shim in a GOLANG one) know nothing of it and register as they do
  // with Fabric's peer.
  const std::string& type = request.package.type;
  const bool presents_secret = type.empty() || type == "CPP" || type == "EXTERNAL";
  std::string secret;
  if (options_.tls_enabled) {
    RETURN_IF_ERROR(AddTlsMaterial(ccid, request));
  } else if (!launcher_.IsDevMode() && presents_secret) {
    // Without TLS nothing else tells the launched runtime from any local process that dials
    // the listener first and registers under the ccid.
    unsigned char random[32];
    if (RAND_bytes(random, sizeof(random)) != 1) {
      return InternalError("launch " + ccid + ": the random number generator failed");
    }
    secret = absl::BytesToHexString(
        absl::string_view(reinterpret_cast<const char*>(random), sizeof(random)));
    state->set_secret(secret);
    request.env.push_back("CORE_CHAINCODE_LAUNCH_SECRET=" + secret);
  }
  request.env.insert(request.env.end(), options_.extra_env.begin(), options_.extra_env.end());
  std::shared_ptr<HandlerRegistry> registry = registry_;
  request.on_exit = [registry, ccid, state](int code) {
    registry->Failed(ccid, state,
                     UnavailableError(absl::StrFormat(
                         "chaincode %s exited with code %d before registering", ccid, code)));
  };
  request.connect = [this, registry, ccid, state,
                     secret](const launcher::ChaincodeServerInfo& server) {
    return extcc_->Connect(ccid, server, secret, [registry, ccid, state](const Status& why) {
      registry->Failed(ccid, state, why);
    });
  };
  FLOG_INFO(Log(), "launching chaincode ccid=%s", ccid);
  return launcher_.Start(request);
}

Status ChaincodeSupport::AddTlsMaterial(const std::string& ccid, launcher::StartRequest& request) {
  // Fabric 1.4 core/chaincode/container_runtime.go: TLSClientKeyPath etc.
  static constexpr char kKeyPath[] = "/etc/hyperledger/fabric/client.key";
  static constexpr char kCertPath[] = "/etc/hyperledger/fabric/client.crt";
  static constexpr char kRootPath[] = "/etc/hyperledger/fabric/peer.crt";
  if (options_.authenticator == nullptr) {
    return FailedPreconditionError("TLS is enabled but the peer has no chaincode CA");
  }
  ASSIGN_OR_RETURN(CertKeyPair pair, options_.authenticator->Generate(ccid));
  request.files[kKeyPath] = absl::Base64Escape(pair.key_pem);
  request.files[kCertPath] = absl::Base64Escape(pair.cert_pem);
  request.files[kRootPath] = options_.authenticator->ca_cert_pem();
  request.env.push_back(std::string("CORE_TLS_CLIENT_KEY_PATH=") + kKeyPath);
  request.env.push_back(std::string("CORE_TLS_CLIENT_CERT_PATH=") + kCertPath);
  request.env.push_back(std::string("CORE_PEER_TLS_ROOTCERT_FILE=") + kRootPath);
  return Status::OK();
}

namespace {

// Appends the runtime's last output lines (at most kMaxLines) to a launch error, so the user
// sees why the chaincode did not come up without digging through the peer's log.
Status WithLastOutput(const Status& status, const std::vector<std::string>& lines) {
  constexpr size_t kMaxLines = 10;
  if (lines.empty()) {
    return status;
  }
  std::string message(status.message());
  message += "; its last output:";
  for (size_t i = lines.size() > kMaxLines ? lines.size() - kMaxLines : 0; i < lines.size(); ++i) {
    message += "\n  " + lines[i];
  }
  return Status(status.code(), message);
}

}  // namespace

void ChaincodeSupport::StopRuntime(const std::string& ccid) {
  (void)launcher_.Stop(ccid);
  extcc_->Disconnect(ccid);
}

Status ChaincodeSupport::Launch(const std::string& ccid) {
  if (registry_->Get(ccid) != nullptr) {
    return Status::OK();
  }
  // Waiting for a launch can take minutes: not on a thread that serves others (an endorser
  // proposal running as a fiber on gRPC's callback thread whose chaincode just went away).
  if (!MoveToBlockingPool()) {
    return UnavailableError("peer is shutting down: cannot launch chaincode " + ccid);
  }
  auto [state, started] = registry_->Launching(ccid);
  const auto deadline = Clock::now() + options_.startup_timeout;
  if (started) {
    Status s = StartRuntime(ccid, state, deadline);
    if (!s.ok()) {
      s = s.Annotate("error starting chaincode " + ccid);
      registry_->Failed(ccid, state, s);
      StopRuntime(ccid);
      return s;
    }
  }
  std::optional<Status> result = state->Wait(deadline);
  if (!result.has_value()) {
    Status timeout = DeadlineExceededError(absl::StrFormat(
        "chaincode %s did not register within %s", ccid, FormatDuration(options_.startup_timeout)));
    registry_->Failed(ccid, state, timeout);
    result = state->Wait(deadline);  // the winner's status (a late REGISTER may have won)
  }
  if (!result->ok()) {
    FLOG_WARN(Log(), "launch failed ccid=%s: %s", ccid, result->message());
    if (!started) {
      return *result;
    }
    StopRuntime(ccid);
    return WithLastOutput(*result, launcher_.LastLogLines(ccid));
  }
  return Status::OK();
}

StatusOr<protos::ChaincodeMessage> ChaincodeSupport::Execute(const TxParams& params,
                                                             const std::string& ccid,
                                                             const protos::ChaincodeInput& input,
                                                             ExecuteType type,
                                                             std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0) {
    timeout = options_.execute_timeout;
  }
  RETURN_IF_ERROR(Launch(ccid));
  std::shared_ptr<Handler> handler = registry_->Get(ccid);
  if (handler == nullptr) {
    return UnavailableError("chaincode " + ccid + " is not running");
  }
  protos::ChaincodeMessage msg;
  msg.set_type(type == ExecuteType::kInit ? protos::ChaincodeMessage::INIT
                                          : protos::ChaincodeMessage::TRANSACTION);
  msg.set_payload(input.SerializeAsString());
  auto result = handler->Execute(params, std::move(msg), Clock::now() + timeout);
  if (!result.ok()) {
    return result.status().Annotate("failed to execute transaction " + params.tx_id);
  }
  if (result->type() == protos::ChaincodeMessage::ERROR) {
    return UnknownError("transaction returned with failure: " + result->payload());
  }
  if (result->type() != protos::ChaincodeMessage::COMPLETED) {
    return InternalError("unexpected response type " + MessageTypeName(result->type()));
  }
  if (result->has_chaincode_event()) {
    result->mutable_chaincode_event()->set_chaincode_id(ccid.substr(0, ccid.find(':')));
    result->mutable_chaincode_event()->set_tx_id(params.tx_id);
  }
  return result;
}

StatusOr<protos::ChaincodeMessage> ChaincodeSupport::InvokeSystemChaincode(
    const TxParams& params, const std::string& name, const protos::ChaincodeInput& input) {
  ASSIGN_OR_RETURN(protos::Response response,
                   options_.invoke_system_chaincode(params, name, input));
  // What a callee's COMPLETED message carries: its Response.
  protos::ChaincodeMessage completed;
  completed.set_type(protos::ChaincodeMessage::COMPLETED);
  completed.set_txid(params.tx_id);
  completed.set_channel_id(params.channel_id);
  completed.set_payload(response.SerializeAsString());
  return completed;
}

StatusOr<protos::ChaincodeMessage> ChaincodeSupport::InvokeChaincode(
    const TransactionContext& caller, const protos::ChaincodeSpec& spec) {
  Target target = ParseTarget(spec.chaincode_id().name());
  if (target.name.empty()) {
    return InvalidArgumentError("INVOKE_CHAINCODE without a chaincode name");
  }
  if (target.channel.empty()) {
    target.channel = caller.channel_id();
  }
  const bool system = options_.is_system_chaincode && options_.is_system_chaincode(target.name);
  if (system && !options_.invoke_system_chaincode) {
    return UnimplementedError("system chaincode " + target.name +
                              " cannot be invoked with a cc2cc invocation");
  }
  if (!system && !options_.resolve_version) {
    return NotFoundError(absl::StrFormat(
        "cannot determine the version of chaincode %s on channel %s", target.name, target.channel));
  }
  TxParams params;
  params.channel_id = target.channel;
  params.tx_id = caller.tx_id();
  params.signed_proposal = caller.params().signed_proposal;
  params.proposal = caller.params().proposal;
  std::unique_ptr<ledger::QueryExecutor> other_channel;
  if (target.channel == caller.channel_id()) {
    params.tx_simulator = caller.params().tx_simulator;
    params.query_executor = caller.params().query_executor;
    params.history_query_executor = caller.params().history_query_executor;
  } else {
    if (options_.channel_ledgers == nullptr) {
      return NotFoundError("channel " + target.channel + " not found");
    }
    ASSIGN_OR_RETURN(other_channel, options_.channel_ledgers->NewQueryExecutor(target.channel));
    params.query_executor = other_channel.get();
  }
  // The other channel's view is released however the call ends.
  absl::Cleanup release = [&other_channel] {
    if (other_channel != nullptr) {
      other_channel->Done();
    }
  };
  if (system) {
    return InvokeSystemChaincode(params, target.name, spec.input());
  }
  ledger::QueryExecutor* definitions =
      params.tx_simulator != nullptr ? params.tx_simulator : params.query_executor;
  if (definitions == nullptr) {
    return FailedPreconditionError("INVOKE_CHAINCODE outside a transaction with ledger access");
  }
  ASSIGN_OR_RETURN(target.version,
                   options_.resolve_version(target.channel, target.name, *definitions));
  const std::string ccid = target.name + ":" + target.version;
  RETURN_IF_ERROR(Launch(ccid));
  std::shared_ptr<Handler> handler = registry_->Get(ccid);
  if (handler == nullptr) {
    return UnavailableError("chaincode " + ccid + " is not running");
  }
  protos::ChaincodeMessage msg;
  msg.set_type(protos::ChaincodeMessage::TRANSACTION);
  msg.set_payload(spec.input().SerializeAsString());
  auto result = handler->Execute(params, std::move(msg), caller.deadline());
  if (!result.ok()) {
    // The calling chaincode sees the text; Fabric's invoke path wraps it so.
    return Status(result.status().code(),
                  "execute failed: error sending: " + std::string(result.status().message()));
  }
  return result;
}

}  // namespace fabric::chaincode
