// SPDX-License-Identifier: Apache-2.0

#include "peer/cli/client.h"

#include <absl/strings/str_format.h>

#include "common/comm/message_limits.h"
#include "common/crypto/file_util.h"
#include "common/crypto/hash.h"
#include "common/crypto/x509.h"
#include "common/protoutil/txutils.h"
#include "fabric/base/status_macros.h"

namespace fabric::cli {
namespace {

std::chrono::system_clock::time_point Deadline(std::chrono::milliseconds timeout) {
  return std::chrono::system_clock::now() + timeout;
}

Status FromGrpc(const grpc::Status& s, std::string_view what) {
  auto code = static_cast<StatusCode>(s.error_code());
  std::string msg = absl::StrFormat("%s: %s", what, GoRpcError(s));
  if (code == StatusCode::kOk) {
    code = StatusCode::kUnknown;
  }
  return Status(code, msg);
}

StatusOr<std::string> ReadTlsFile(const std::string& path, std::string_view what) {
  auto data = crypto::ReadFile(path);
  if (!data.ok()) {
    return InvalidArgumentError(
        absl::StrFormat("cannot read %s %s: %s", what, path, data.status().message()));
  }
  return *data;
}

orderer::SeekPosition Position(SeekTarget target) {
  orderer::SeekPosition p;
  switch (target.kind) {
    case SeekTarget::Kind::kNewest:
      p.mutable_newest();
      break;
    case SeekTarget::Kind::kOldest:
      p.mutable_oldest();
      break;
    case SeekTarget::Kind::kNumber:
      p.mutable_specified()->set_number(target.number);
      break;
  }
  return p;
}

// SHA-256 of the endpoint's TLS client certificate (DER), empty without one: Fabric's CLI binds
// its Deliver requests to it (CreateSignedEnvelopeWithTLSBinding).
StatusOr<std::string> TlsCertHash(const Endpoint& endpoint) {
  if (!endpoint.tls || endpoint.client_cert_file.empty()) {
    return std::string();
  }
  ASSIGN_OR_RETURN(std::string pem, ReadTlsFile(endpoint.client_cert_file, "TLS cert"));
  StatusOr<crypto::Certificate> cert = crypto::Certificate::FromPem(pem);
  if (!cert.ok()) {
    return InvalidArgumentError(
        absl::StrFormat("TLS cert %s: %s", endpoint.client_cert_file, cert.status().message()));
  }
  return crypto::Sha256(cert->ToDer());
}

StatusOr<common::Envelope> SeekEnvelope(const std::string& channel_id, SeekTarget start,
                                        SeekTarget stop, const msp::SigningIdentity& signer,
                                        const Endpoint& endpoint) {
  orderer::SeekInfo seek;
  *seek.mutable_start() = Position(start);
  *seek.mutable_stop() = Position(stop);
  seek.set_behavior(orderer::SeekInfo::BLOCK_UNTIL_READY);
  ASSIGN_OR_RETURN(std::string tls_cert_hash, TlsCertHash(endpoint));
  return protoutil::CreateSignedEnvelopeWithTlsBinding(common::DELIVER_SEEK_INFO, channel_id,
                                                       signer, seek, tls_cert_hash);
}

}  // namespace

std::string GoRpcError(const grpc::Status& s) {
  // grpc-go's codes.Code names, indexed by the canonical code.
  static constexpr const char* kNames[] = {
      "OK",       "Canceled",       "Unknown",          "InvalidArgument",   "DeadlineExceeded",
      "NotFound", "AlreadyExists",  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
      "Aborted",  "OutOfRange",     "Unimplemented",    "Internal",          "Unavailable",
      "DataLoss", "Unauthenticated"};
  int code = static_cast<int>(s.error_code());
  std::string name = code >= 0 && code < 17 ? kNames[code] : absl::StrFormat("Code(%d)", code);
  return absl::StrFormat("rpc error: code = %s desc = %s", name, s.error_message());
}

StatusOr<std::shared_ptr<grpc::Channel>> Dial(const Endpoint& endpoint,
                                              std::chrono::milliseconds connect_timeout) {
  if (endpoint.address.empty()) {
    return InvalidArgumentError(absl::StrFormat(
        "no %s address: set %s", endpoint.role,
        endpoint.role == "orderer" ? "-o/--orderer" : "CORE_PEER_ADDRESS or --peerAddresses"));
  }
  grpc::ChannelArguments args = comm::ChannelArgsWithLimits();
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (endpoint.tls) {
    grpc::SslCredentialsOptions ssl;
    if (!endpoint.root_cert_file.empty()) {
      ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadTlsFile(endpoint.root_cert_file, "TLS root cert"));
    }
    if (!endpoint.client_cert_file.empty()) {
      ASSIGN_OR_RETURN(ssl.pem_cert_chain, ReadTlsFile(endpoint.client_cert_file, "TLS cert"));
      ASSIGN_OR_RETURN(ssl.pem_private_key, ReadTlsFile(endpoint.client_key_file, "TLS key"));
    }
    if (!endpoint.server_name_override.empty()) {
      args.SetSslTargetNameOverride(endpoint.server_name_override);
    }
    creds = grpc::SslCredentials(ssl);
  }
  auto channel = grpc::CreateCustomChannel(endpoint.address, creds, args);
  if (!channel->WaitForConnected(Deadline(connect_timeout))) {
    // Fabric's words first ("endorser client failed to connect to <address>: ..."), which
    // scripts match, then the hint.
    const char* client = endpoint.role == "orderer" ? "orderer"
                         : endpoint.role == "admin" ? "admin"
                                                    : "endorser";
    return UnavailableError(absl::StrFormat(
        "%s client failed to connect to %s: failed to create new connection: context deadline "
        "exceeded (is the %s running?%s)",
        client, endpoint.address, endpoint.role == "orderer" ? "orderer" : "peer",
        endpoint.tls ? " TLS is on: check the CA file and the host name" : ""));
  }
  return channel;
}

StatusOr<protos::ProposalResponse> ProcessProposal(const std::shared_ptr<grpc::Channel>& channel,
                                                   const std::string& address,
                                                   const protos::SignedProposal& proposal,
                                                   std::chrono::milliseconds timeout) {
  auto stub = protos::Endorser::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(Deadline(timeout));
  protos::ProposalResponse response;
  grpc::Status s = stub->ProcessProposal(&ctx, proposal, &response);
  if (!s.ok()) {
    return FromGrpc(s, "error endorsing proposal on peer " + address);
  }
  return response;
}

Status Broadcast(const std::shared_ptr<grpc::Channel>& channel, const std::string& address,
                 const common::Envelope& envelope, std::chrono::milliseconds timeout) {
  auto stub = orderer::AtomicBroadcast::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(Deadline(timeout));
  auto stream = stub->Broadcast(&ctx);
  orderer::BroadcastResponse response;
  if (!stream->Write(envelope) || !stream->WritesDone() || !stream->Read(&response)) {
    grpc::Status s = stream->Finish();
    return FromGrpc(s, "error sending transaction to orderer " + address);
  }
  ctx.TryCancel();
  if (response.status() != common::SUCCESS) {
    return FailedPreconditionError(absl::StrFormat("got unexpected status: %s -- %s",
                                                   common::Status_Name(response.status()),
                                                   response.info()));
  }
  return Status::OK();
}

StatusOr<common::Block> DeliverBlock(const std::shared_ptr<grpc::Channel>& channel,
                                     const Endpoint& orderer, const std::string& channel_id,
                                     SeekTarget target, const msp::SigningIdentity& signer,
                                     std::chrono::milliseconds timeout) {
  const std::string& address = orderer.address;
  ASSIGN_OR_RETURN(common::Envelope env, SeekEnvelope(channel_id, target, target, signer, orderer));
  auto stub = orderer::AtomicBroadcast::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(Deadline(timeout));
  auto stream = stub->Deliver(&ctx);
  orderer::DeliverResponse response;
  if (!stream->Write(env) || !stream->Read(&response)) {
    stream->WritesDone();
    grpc::Status s = stream->Finish();
    return FromGrpc(s, "error receiving block from orderer " + address);
  }
  ctx.TryCancel();
  if (response.has_block()) {
    return response.block();
  }
  auto status = response.status();
  std::string msg = absl::StrFormat("can't read the block: &{%s}", common::Status_Name(status));
  if (status == common::NOT_FOUND || status == common::SERVICE_UNAVAILABLE) {
    return NotFoundError(msg);
  }
  return FailedPreconditionError(msg);
}

StatusOr<std::unique_ptr<TxCommitWaiter>> TxCommitWaiter::Open(
    std::shared_ptr<grpc::Channel> channel, const Endpoint& peer, const std::string& channel_id,
    const msp::SigningIdentity& signer, std::chrono::milliseconds timeout) {
  SeekTarget newest;
  SeekTarget max{SeekTarget::Kind::kNumber, UINT64_MAX};
  ASSIGN_OR_RETURN(common::Envelope env, SeekEnvelope(channel_id, newest, max, signer, peer));
  std::unique_ptr<TxCommitWaiter> w(new TxCommitWaiter());
  w->channel_ = std::move(channel);
  w->address_ = peer.address;
  w->stub_ = protos::Deliver::NewStub(w->channel_);
  w->context_.set_deadline(Deadline(timeout));
  w->stream_ = w->stub_->DeliverFiltered(&w->context_);
  if (!w->stream_->Write(env)) {
    grpc::Status s = w->stream_->Finish();
    return FromGrpc(s, "error connecting to deliver filtered at " + w->address_);
  }
  return w;
}

TxCommitWaiter::~TxCommitWaiter() {
  if (stream_) {
    context_.TryCancel();
    (void)stream_->Finish();
  }
}

StatusOr<TxCommit> TxCommitWaiter::Wait(const std::string& tx_id) {
  protos::DeliverResponse response;
  while (stream_->Read(&response)) {
    if (response.has_status()) {
      return FailedPreconditionError(
          absl::StrFormat("deliver filtered at peer %s ended with status %s", address_,
                          common::Status_Name(response.status())));
    }
    if (!response.has_filtered_block()) {
      continue;
    }
    for (const auto& tx : response.filtered_block().filtered_transactions()) {
      if (tx.txid() == tx_id) {
        return TxCommit{tx.tx_validation_code(), response.filtered_block().number()};
      }
    }
  }
  grpc::Status s = stream_->Finish();
  stream_.reset();
  if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return DeadlineExceededError(
        absl::StrFormat("timed out waiting for txid %s on peer %s", tx_id, address_));
  }
  return FromGrpc(s, "deliver filtered stream at peer " + address_ + " ended");
}

}  // namespace fabric::cli
