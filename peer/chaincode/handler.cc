// SPDX-License-Identifier: Apache-2.0
//
// Handler: stream, states, routing and Execute. Per-request handling is in handler_requests.cc.

#include "peer/chaincode/handler.h"

#include <absl/strings/str_format.h>

#include "common/logging/logging.h"
#include "common/logging/rate_limit.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "fabric/base/thread_name.h"

namespace fabric::chaincode {
namespace {

logging::Logger& Log() {
  static logging::Logger logger("chaincode");
  return logger;
}

using Msg = protos::ChaincodeMessage;

// Where a chaincode request is served. Point reads and writes are answered from the
// transaction's simulator without waiting on anything else, so the reader thread serves them
// itself (handing them to a pool cost two thread wake-ups per GetState + PutState transaction);
// range queries and history, which may read many keys, go to the request pool, and
// INVOKE_CHAINCODE, which blocks on another chaincode, to its own pool.
enum class Route { kNotARequest, kInline, kRequestPool, kInvokePool };

Route RouteOf(Msg::Type type) {
  switch (type) {
    case Msg::GET_STATE:
    case Msg::PUT_STATE:
    case Msg::DEL_STATE:
    case Msg::GET_STATE_METADATA:
    case Msg::PUT_STATE_METADATA:
    case Msg::GET_PRIVATE_DATA_HASH:
      return Route::kInline;
    case Msg::GET_STATE_BY_RANGE:
    case Msg::GET_QUERY_RESULT:
    case Msg::QUERY_STATE_NEXT:
    case Msg::QUERY_STATE_CLOSE:
    case Msg::GET_HISTORY_FOR_KEY:
      return Route::kRequestPool;
    case Msg::INVOKE_CHAINCODE:
      return Route::kInvokePool;
    default:
      return Route::kNotARequest;
  }
}

}  // namespace

std::string MessageTypeName(protos::ChaincodeMessage::Type type) {
  if (protos::ChaincodeMessage::Type_IsValid(type)) {
    return protos::ChaincodeMessage::Type_Name(type);
  }
  return absl::StrFormat("type(%d)", static_cast<int>(type));
}

Handler::Handler(ChaincodeStream& stream, HandlerRegistry& registry, BackpressurePool& request_pool,
                 BackpressurePool& invoke_pool, ChaincodeInvoker& invoker, HandlerOptions options)
    : stream_(stream),
      registry_(registry),
      request_pool_(request_pool),
      invoke_pool_(invoke_pool),
      invoker_(invoker),
      options_(options),
      writer_([this](const protos::ChaincodeMessage& m, bool more) {
        return more ? stream_.SendBuffered(m) : stream_.Send(m);
      }) {}

Handler::~Handler() = default;

Status Handler::Send(const protos::ChaincodeMessage& msg) {
  switch (writer_.Write(msg)) {
    case SerialWriter<protos::ChaincodeMessage>::Result::kSent:
      return Status::OK();
    case SerialWriter<protos::ChaincodeMessage>::Result::kFailed:
      // A failed write means the stream is gone: say so the same way as a stream that ended.
      return UnavailableError("chaincode stream terminated: error sending " +
                              MessageTypeName(msg.type()) + " to chaincode " + ccid_);
    case SerialWriter<protos::ChaincodeMessage>::Result::kClosed:
      break;
  }
  return UnavailableError("chaincode stream terminated: " + ccid_);
}

Status Handler::ProcessStream() {
  // The stream borrows a gRPC server thread for its whole life; named after the chaincode once
  // it registers.
  ScopedThreadName thread_name("cc-stream");
  bool named = false;
  Status result;
  protos::ChaincodeMessage msg;
  while (stream_.Recv(&msg)) {
    result = HandleMessage(msg);
    if (!named && registered_) {
      SetThreadName("cc/" + ccid_);
      named = true;
    }
    if (!result.ok()) {
      FLOG_WARN(Log(), "closing chaincode stream ccid=%s: %s", ccid_, result.message());
      protos::ChaincodeMessage err;
      err.set_type(Msg::ERROR);
      err.set_payload(std::string(result.message()));
      err.set_txid(msg.txid());
      err.set_channel_id(msg.channel_id());
      (void)Send(err);
      break;
    }
    msg.Clear();
  }
  Shutdown();
  return result;
}

void Handler::Shutdown() {
  writer_.Close();
  if (registered_) {
    registry_.Deregister(ccid_, this);
  }
  contexts_.FailAll(UnavailableError("chaincode stream terminated: ccid=" + ccid_));
  FLOG_INFO(Log(), "chaincode stream ended ccid=%s", ccid_);
}

Status Handler::HandleMessage(protos::ChaincodeMessage& msg) {
  if (msg.type() == Msg::KEEPALIVE) {
    return Status::OK();
  }
  State state = state_.load();
  if (state == State::kCreated) {
    if (msg.type() != Msg::REGISTER) {
      return FailedPreconditionError("chaincode sent " + MessageTypeName(msg.type()) +
                                     " before REGISTER");
    }
    return HandleRegister(msg);
  }
  if (msg.type() == Msg::COMPLETED || msg.type() == Msg::ERROR) {
    Notify(std::move(msg));
    return Status::OK();
  }
  const Route route = RouteOf(msg.type());
  if (route == Route::kInline) {
    HandleRequest(msg);
    return Status::OK();
  }
  if (route != Route::kNotARequest) {
    BackpressurePool& pool = route == Route::kInvokePool ? invoke_pool_ : request_pool_;
    auto self = shared_from_this();
    const bool as_fiber = route == Route::kInvokePool && options_.invoke_stacks != nullptr;
    auto task = [self, as_fiber, m = std::move(msg)] {
      if (!as_fiber ||
          !FiberTask::Start([self, m] { self->HandleRequest(m); }, *self->options_.invoke_stacks,
                            self->options_.invoke_blocking)) {
        self->HandleRequest(m);
      }
    };
    if (!pool.Submit(std::move(task))) {
      return UnavailableError("peer is shutting down");
    }
    return Status::OK();
  }
  return FailedPreconditionError(
      absl::StrFormat("chaincode %s sent %s in ready state", ccid_, MessageTypeName(msg.type())));
}

Status Handler::HandleRegister(const protos::ChaincodeMessage& msg) {
  auto id = protoutil::Unmarshal<protos::ChaincodeID>(msg.payload(), "REGISTER ChaincodeID");
  if (!id.ok()) {
    return id.status();
  }
  if (id->name().empty()) {
    return InvalidArgumentError("REGISTER with an empty chaincode name");
  }
  Status s = registry_.Register(id->name(), shared_from_this(), stream_.launch_secret());
  if (!s.ok()) {
    return s;
  }
  ccid_ = id->name();
  chaincode_name_ = ccid_.substr(0, ccid_.find(':'));
  registered_ = true;
  protos::ChaincodeMessage reply;
  reply.set_type(Msg::REGISTERED);
  RETURN_IF_ERROR(Send(reply));
  state_ = State::kEstablished;
  reply.set_type(Msg::READY);
  RETURN_IF_ERROR(Send(reply));
  state_ = State::kReady;
  registry_.Ready(ccid_);
  FLOG_INFO(Log(), "chaincode registered ccid=%s", ccid_);
  return Status::OK();
}

void Handler::Notify(protos::ChaincodeMessage msg) {
  auto ctx = contexts_.Get(msg.channel_id(), msg.txid());
  if (ctx == nullptr) {
    static logging::RateLimit unknown;
    if (uint64_t more = 0; unknown.Allow(&more)) {
      FLOG_WARN(Log(),
                "dropping %s from ccid=%s for unknown transaction %s(%s) (%d more dropped since "
                "the last line)",
                MessageTypeName(msg.type()), ccid_, msg.txid(), msg.channel_id(), more);
    }
    return;
  }
  ctx->Deliver(std::move(msg));
}

StatusOr<protos::ChaincodeMessage> Handler::Execute(
    const TxParams& params, protos::ChaincodeMessage msg,
    std::chrono::steady_clock::time_point deadline) {
  ASSIGN_OR_RETURN(
      std::shared_ptr<TransactionContext> ctx,
      contexts_.Create(params, deadline, msg.type() == protos::ChaincodeMessage::INIT));
  msg.set_txid(params.tx_id);
  msg.set_channel_id(params.channel_id);
  if (params.signed_proposal != nullptr) {
    *msg.mutable_proposal() = *params.signed_proposal;
  }
  StatusOr<protos::ChaincodeMessage> result = InternalError("unset");
  Status sent = Send(msg);
  if (!sent.ok()) {
    result = sent.Annotate("error sending");
  } else {
    auto outcome = ctx->WaitForOutcome(deadline);
    if (outcome.has_value()) {
      result = std::move(*outcome);
    } else {
      result = DeadlineExceededError("timeout expired while executing transaction");
    }
  }
  // Forget the context first so late replies are dropped, then wait for running requests.
  contexts_.Delete(params.channel_id, params.tx_id);
  ctx->Close();
  return result;
}

}  // namespace fabric::chaincode
