// SPDX-License-Identifier: Apache-2.0

#include "peer/node/admin_service.h"

#include <algorithm>
#include <cctype>

#include <absl/strings/str_format.h>

#include "common/logging/logging.h"
#include "common/policies/builder.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"

namespace fabric::node {
namespace {

logging::Logger logger("server");

// Fabric's validator accepts requests stamped within this much of the peer's clock.
constexpr auto kMaxClockSkew = std::chrono::minutes(15);

// Fabric's admin service returns plain Go errors, which gRPC sends as UNKNOWN.
grpc::Status Unknown(std::string_view message) {
  return grpc::Status(grpc::StatusCode::UNKNOWN, std::string(message));
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

// Fabric's UnmarshalEnvelopeOfType: the headers, the type and the AdminOperation.
StatusOr<common::ChannelHeader> ParseRequest(const common::Envelope& env,
                                             protos::AdminOperation* op) {
  ASSIGN_OR_RETURN(auto payload, protoutil::Unmarshal<common::Payload>(env.payload(), "payload"));
  if (!payload.has_header()) {
    return InvalidArgumentError("envelope must have a Header");
  }
  ASSIGN_OR_RETURN(auto ch, protoutil::Unmarshal<common::ChannelHeader>(
                                payload.header().channel_header(), "channel header"));
  if (ch.type() != common::PEER_ADMIN_OPERATION) {
    return InvalidArgumentError(
        absl::StrFormat("invalid type %s, expected PEER_ADMIN_OPERATION",
                        common::HeaderType_Name(static_cast<common::HeaderType>(ch.type()))));
  }
  RETURN_IF_ERROR(protoutil::Unmarshal<common::SignatureHeader>(payload.header().signature_header(),
                                                                "signature header")
                      .status());
  if (!op->ParseFromString(payload.data())) {
    return InvalidArgumentError("unmarshal admin operation: malformed protobuf");
  }
  return ch;
}

}  // namespace

StatusOr<std::unique_ptr<AdminService>> AdminService::Create(const msp::Msp& local_msp,
                                                             Clock clock) {
  ASSIGN_OR_RETURN(auto admins, policies::SignaturePolicy::Compile(
                                    policies::SignedByAnyAdmin({local_msp.MspId()}), local_msp));
  if (!clock) {
    clock = [] { return std::chrono::system_clock::now(); };
  }
  return std::unique_ptr<AdminService>(new AdminService(std::move(admins), std::move(clock)));
}

AdminService::AdminService(std::unique_ptr<policies::SignaturePolicy> admins, Clock clock)
    : admins_(std::move(admins)), clock_(std::move(clock)), spec_at_startup_(logging::GetSpec()) {}

StatusOr<protos::AdminOperation> AdminService::Validate(grpc::ServerContext* ctx,
                                                        const common::Envelope& env) const {
  const std::string peer = ctx != nullptr ? ctx->peer() : "";
  protos::AdminOperation op;
  auto ch = ParseRequest(env, &op);
  if (!ch.ok()) {
    FLOG_WARN(logger, "Request from %s is badly formed: %s", peer, ch.status().message());
    return UnknownError(absl::StrFormat("bad request: %s", ch.status().message()));
  }
  if (!ch->has_timestamp()) {
    FLOG_WARN(logger, "Request from %s has no timestamp", peer);
    return UnknownError("empty timestamp");
  }
  auto stamped = std::chrono::system_clock::time_point(
      std::chrono::seconds(ch->timestamp().seconds()) +
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(ch->timestamp().nanos())));
  auto now = clock_();
  if (stamped + kMaxClockSkew < now || stamped - kMaxClockSkew > now) {
    FLOG_WARN(logger, "Request from %s unauthorized due to incorrect time: %d", peer,
              ch->timestamp().seconds());
    return UnknownError("access denied");
  }
  auto signed_data = protoutil::EnvelopeAsSignedData(env);
  Status s = signed_data.ok() ? admins_->Evaluate(*signed_data) : signed_data.status();
  if (!s.ok()) {
    FLOG_WARN(logger, "Request from %s unauthorized due to authentication: %s", peer, s.message());
    return UnknownError("access denied");
  }
  return op;
}

StatusOr<protos::LogLevelRequest> AdminService::ValidateLevelRequest(
    grpc::ServerContext* ctx, const common::Envelope& env) const {
  ASSIGN_OR_RETURN(protos::AdminOperation op, Validate(ctx, env));
  if (!op.has_logreq()) {
    return UnknownError("request is nil");
  }
  return op.logreq();
}

grpc::Status AdminService::GetStatus(grpc::ServerContext* ctx, const common::Envelope* env,
                                     protos::ServerStatus* out) {
  if (auto op = Validate(ctx, *env); !op.ok()) {
    return Unknown(op.status().message());
  }
  out->set_status(protos::ServerStatus::STARTED);
  return grpc::Status::OK;
}

grpc::Status AdminService::StartServer(grpc::ServerContext* ctx, const common::Envelope* env,
                                       protos::ServerStatus* out) {
  return GetStatus(ctx, env, out);
}

grpc::Status AdminService::GetModuleLogLevel(grpc::ServerContext* ctx, const common::Envelope* env,
                                             protos::LogLevelResponse* out) {
  auto req = ValidateLevelRequest(ctx, *env);
  if (!req.ok()) {
    return Unknown(req.status().message());
  }
  out->set_log_module(req->log_module());
  out->set_log_level(std::string(logging::LevelName(logging::LevelFor(req->log_module()))));
  return grpc::Status::OK;
}

grpc::Status AdminService::SetModuleLogLevel(grpc::ServerContext* ctx, const common::Envelope* env,
                                             protos::LogLevelResponse* out) {
  auto validated = ValidateLevelRequest(ctx, *env);
  if (!validated.ok()) {
    return Unknown(validated.status().message());
  }
  const protos::LogLevelRequest& req = *validated;
  std::string spec =
      absl::StrFormat("%s:%s=%s", logging::GetSpec(), req.log_module(), req.log_level());
  if (Status s = logging::SetSpec(spec); !s.ok()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrFormat("error setting log spec to '%s': %s", spec, s.message()));
  }
  out->set_log_module(req.log_module());
  out->set_log_level(Upper(req.log_level()));
  return grpc::Status::OK;
}

grpc::Status AdminService::RevertLogLevels(grpc::ServerContext* ctx, const common::Envelope* env,
                                           google::protobuf::Empty*) {
  if (auto op = Validate(ctx, *env); !op.ok()) {
    return Unknown(op.status().message());
  }
  // The spec at startup was in force once, so it parses.
  (void)logging::SetSpec(spec_at_startup_);
  return grpc::Status::OK;
}

grpc::Status AdminService::GetLogSpec(grpc::ServerContext* ctx, const common::Envelope* env,
                                      protos::LogSpecResponse* out) {
  if (auto op = Validate(ctx, *env); !op.ok()) {
    return Unknown(op.status().message());
  }
  out->set_log_spec(logging::GetSpec());
  return grpc::Status::OK;
}

grpc::Status AdminService::SetLogSpec(grpc::ServerContext* ctx, const common::Envelope* env,
                                      protos::LogSpecResponse* out) {
  auto op = Validate(ctx, *env);
  if (!op.ok()) {
    return Unknown(op.status().message());
  }
  if (!op->has_logspecreq()) {
    return Unknown("request is nil");
  }
  const std::string& spec = op->logspecreq().log_spec();
  out->set_log_spec(spec);
  if (Status s = logging::SetSpec(spec); !s.ok()) {
    out->set_error(absl::StrFormat("invalid logging specification '%s': %s", spec, s.message()));
  }
  return grpc::Status::OK;
}

}  // namespace fabric::node
