// SPDX-License-Identifier: Apache-2.0
#include "orderer/broadcast.h"

#include <memory>

#include <absl/strings/str_format.h>

#include "common/comm/callback_stream.h"
#include "common/logging/logging.h"
#include "common/logging/rate_limit.h"
#include "fabric/base/status_macros.h"
#include "orderer/msgprocessor.h"

namespace fabric::orderer {
namespace {

logging::Logger logger("orderer.broadcast");

}  // namespace

common::Status ToCommonStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return common::SUCCESS;
    case StatusCode::kInvalidArgument:
    case StatusCode::kResourceExhausted:
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kOutOfRange:
      return common::BAD_REQUEST;
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnauthenticated:
      return common::FORBIDDEN;
    case StatusCode::kNotFound:
      return common::NOT_FOUND;
    case StatusCode::kUnavailable:
    case StatusCode::kCancelled:
      return common::SERVICE_UNAVAILABLE;
    default:
      return common::INTERNAL_SERVER_ERROR;
  }
}

// One Broadcast stream: read an envelope, process it on a worker (ordering waits for the
// ordering thread to take it), write the answer, read the next. Fabric's handler answers each
// envelope in order on its stream; so does this one.
class BroadcastHandler::Stream final
    : public comm::CallbackStream<common::Envelope, ::orderer::BroadcastResponse>,
      public std::enable_shared_from_this<Stream> {
 public:
  static grpc::ServerBidiReactor<common::Envelope, ::orderer::BroadcastResponse>* Start(
      grpc::CallbackServerContext* context, BroadcastHandler& handler) {
    auto stream = std::shared_ptr<Stream>(new Stream(context, handler));
    if (Open(stream)) {
      stream->StartRead(&stream->request_);
    }
    return stream.get();
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      End(grpc::Status::OK);  // the client closed its side (or went away)
      return;
    }
    NoteRequest();
    auto self = shared_from_this();
    if (!registry().Run([self] {
          self->response_ = self->handler_.ProcessMessage(self->request_);
          self->StartWrite(&self->response_);
        })) {
      End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "orderer is shutting down"));
    }
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      End(grpc::Status(grpc::StatusCode::CANCELLED, "broadcast stream closed"));
      return;
    }
    StartRead(&request_);
  }

  void Wake() override {}  // never waits but for gRPC, which ends its operations at shutdown

 private:
  Stream(grpc::CallbackServerContext* context, BroadcastHandler& handler)
      : CallbackStream(context, handler.streams_), handler_(handler) {}

  BroadcastHandler& handler_;
  common::Envelope request_;
  ::orderer::BroadcastResponse response_;
};

BroadcastHandler::BroadcastHandler(Registrar& registrar, Options options)
    : registrar_(registrar), streams_("/orderer.AtomicBroadcast", "broadcast", options.streams) {}

grpc::ServerBidiReactor<common::Envelope, ::orderer::BroadcastResponse>* BroadcastHandler::Start(
    grpc::CallbackServerContext* context) {
  return Stream::Start(context, *this);
}

::orderer::BroadcastResponse BroadcastHandler::ProcessMessage(const common::Envelope& envelope) {
  ::orderer::BroadcastResponse response;
  Status status = Process(envelope);
  response.set_status(ToCommonStatus(status));
  if (!status.ok()) {
    response.set_info(std::string(status.message()));
    static logging::RateLimit rejections;
    if (uint64_t more = 0; rejections.Allow(&more)) {
      FLOG_WARN(logger, "rejected envelope: %s: %s (%d more rejections since the last line)",
                common::Status_Name(response.status()), status.message(), more);
    }
  }
  return response;
}

Status BroadcastHandler::Process(const common::Envelope& envelope) {
  if (shutting_down_.load()) {
    return UnavailableError("orderer is shutting down");
  }
  ASSIGN_OR_RETURN(EnvelopeHeaders headers, ParseEnvelopeHeaders(envelope));
  const common::ChannelHeader& chdr = headers.channel_header;
  MsgClass kind = ClassifyMsg(chdr);
  if (kind == MsgClass::kRejected) {
    return InvalidArgumentError(absl::StrFormat(
        "message of type %d is of a type that cannot be processed directly", chdr.type()));
  }
  ChainSupport* chain = registrar_.GetChain(chdr.channel_id());
  if (chain == nullptr) {
    ChainSupport* system = registrar_.system_chain();
    if (kind != MsgClass::kConfigUpdate || system == nullptr) {
      return NotFoundError(absl::StrFormat("channel %s not found", chdr.channel_id()));
    }
    std::shared_ptr<const channelconfig::Bundle> bundle = system->bundle();
    ASSIGN_OR_RETURN(common::Envelope wrapped,
                     ProcessChannelCreation(*bundle, envelope, system->signer()));
    // Fabric's SystemChainFilter: channels (the system channel included) must not outnumber
    // the limit; the registrar checks again when the channel is created.
    const uint64_t max = bundle->max_channels();
    if (max > 0 && registrar_.ChannelIds().size() > max) {
      return InvalidArgumentError(
          absl::StrFormat("channel creation would exceed maximimum number of channels: %d", max));
    }
    return system->Configure(std::move(wrapped), bundle->sequence(), envelope);
  }
  std::shared_ptr<const channelconfig::Bundle> bundle = chain->bundle();
  if (kind == MsgClass::kConfigUpdate) {
    ASSIGN_OR_RETURN(common::Envelope config,
                     ProcessConfigUpdate(*bundle, envelope, chain->signer()));
    return chain->Configure(std::move(config), bundle->sequence(), envelope);
  }
  RETURN_IF_ERROR(ProcessNormalMsg(*bundle, envelope, headers));
  return chain->Order(envelope, bundle->sequence());
}

}  // namespace fabric::orderer
