// SPDX-License-Identifier: Apache-2.0

#include "peer/deliverclient/deliver_client.h"

#include <algorithm>
#include <limits>
#include <random>

#include <absl/strings/str_format.h>

#include "common/comm/message_limits.h"
#include "common/deliver/block_verifier.h"
#include "common/logging/logging.h"
#include "common/protoutil/txutils.h"
#include "fabric/base/status_macros.h"
#include "fabric/base/thread_name.h"
#include "orderer/ab.grpc.pb.h"

namespace fabric::deliverclient {
namespace {

logging::Logger logger("deliveryClient");

// Fabric's blocksRequester.getTLSCertHash: the hash of the client certificate's DER.
std::string TlsCertHash(const DeliverClient::Options::Tls& tls) {
  return tls.enabled && tls.client_identity ? comm::CertHash(*tls.client_identity) : "";
}

}  // namespace

DeliverClient::DeliverClient(Options options, committer::Committer& committer,
                             const msp::SigningIdentity& signer)
    : options_(std::move(options)),
      tls_cert_hash_(TlsCertHash(options_.tls)),
      committer_(committer),
      signer_(signer) {}

DeliverClient::~DeliverClient() { Stop(); }

void DeliverClient::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stopping_) {
    return;
  }
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

void DeliverClient::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    if (stream_context_ != nullptr) {
      stream_context_->TryCancel();
    }
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

Status DeliverClient::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

std::vector<std::string> DeliverClient::Addresses() const {
  if (!options_.addresses.empty()) {
    return options_.addresses;
  }
  return committer_.config()->orderer_addresses();
}

std::chrono::milliseconds DeliverClient::Backoff(int failures) {
  static thread_local std::mt19937 rng(std::random_device{}());
  double ms = static_cast<double>(options_.initial_backoff.count());
  for (int i = 0; i < failures && ms < options_.max_backoff.count(); ++i) {
    ms *= 2;
  }
  ms = std::min(ms, static_cast<double>(options_.max_backoff.count()));
  std::uniform_real_distribution<double> jitter(0.75, 1.25);
  return std::chrono::milliseconds(static_cast<int64_t>(ms * jitter(rng)));
}

void DeliverClient::Run(std::stop_token stop) {
  SetThreadName("deliver/" + committer_.channel_id());
  size_t index = 0;
  int failures = 0;
  while (!stop.stop_requested()) {
    std::vector<std::string> addresses = Addresses();
    Status s;
    bool progress = false;
    if (addresses.empty()) {
      s = FailedPreconditionError("no orderer addresses");
    } else {
      const std::string& address = addresses[index % addresses.size()];
      const auto opened = std::chrono::steady_clock::now();
      s = RunStream(address, &progress);
      progress |= std::chrono::steady_clock::now() - opened >= options_.healthy_stream;
      if (!stop.stop_requested()) {
        FLOG_WARN(logger, "[%s] deliver stream to %s ended: %s", committer_.channel_id(), address,
                  s.ToString());
      }
    }
    ++index;
    failures = progress ? 0 : failures + 1;
    std::unique_lock<std::mutex> lock(mu_);
    last_error_ = s;
    if (stopping_) {
      return;
    }
    cv_.wait_for(lock, stop, Backoff(failures - 1 < 0 ? 0 : failures - 1),
                 [this] { return stopping_; });
  }
}

StatusOr<std::shared_ptr<grpc::ChannelCredentials>> DeliverClient::Credentials(
    const std::string& address) {
  if (!options_.tls.enabled) {
    return grpc::InsecureChannelCredentials();
  }
  std::vector<crypto::Certificate> cas = comm::OrdererServerCas(*committer_.config(), address);
  cas.insert(cas.end(), options_.tls.static_cas.begin(), options_.tls.static_cas.end());
  if (cas.empty()) {
    return FailedPreconditionError(absl::StrFormat(
        "no TLS CA to verify orderer %s with: the channel's orderer organisations' MSPs have no "
        "TLS root certificates (tlscacerts)",
        address));
  }
  const comm::KeyPair* identity =
      options_.tls.client_identity ? &*options_.tls.client_identity : nullptr;
  return comm::ClientCredentials(cas, identity);
}

Status DeliverClient::RunStream(const std::string& address, bool* progress) {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> creds, Credentials(address));
  auto channel = grpc::CreateCustomChannel(address, creds, comm::ChannelArgsWithLimits());
  auto stub = ::orderer::AtomicBroadcast::NewStub(channel);
  grpc::ClientContext context;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      return Status(StatusCode::kCancelled, "stopping");
    }
    stream_context_ = &context;
  }
  attempts_.fetch_add(1);
  auto stream = stub->Deliver(&context);
  bool finished = false;
  Status result = [&]() -> Status {
    ::orderer::SeekInfo seek;
    seek.mutable_start()->mutable_specified()->set_number(committer_.Height());
    seek.mutable_stop()->mutable_specified()->set_number(std::numeric_limits<uint64_t>::max());
    seek.set_behavior(::orderer::SeekInfo::BLOCK_UNTIL_READY);
    ASSIGN_OR_RETURN(
        common::Envelope request,
        protoutil::CreateSignedEnvelopeWithTlsBinding(
            common::DELIVER_SEEK_INFO, committer_.channel_id(), signer_, seek, tls_cert_hash_));
    if (!stream->Write(request)) {
      // The stream's status says why (e.g. a refused TLS handshake).
      finished = true;
      grpc::Status end = stream->Finish();
      return UnavailableError(
          absl::StrFormat("cannot send seek info to %s: %s", address, end.error_message()));
    }
    ::orderer::DeliverResponse response;
    while (stream->Read(&response)) {
      if (response.has_status()) {
        return UnavailableError(absl::StrFormat("orderer %s answered status %s", address,
                                                common::Status_Name(response.status())));
      }
      if (!response.has_block()) {
        return UnavailableError(absl::StrFormat("empty response from %s", address));
      }
      RETURN_IF_ERROR(HandleBlock(std::move(*response.mutable_block())));
      *progress = true;
    }
    // The stream's own status says why it ended (e.g. RESOURCE_EXHAUSTED for a message above
    // the receive limit); Finish may be called once, so it is not called again below.
    finished = true;
    grpc::Status end = stream->Finish();
    if (end.ok()) {
      return UnavailableError(absl::StrFormat("stream from %s closed by the orderer", address));
    }
    return UnavailableError(absl::StrFormat("stream from %s ended: gRPC status %d: %s", address,
                                            static_cast<int>(end.error_code()),
                                            end.error_message()));
  }();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stream_context_ = nullptr;
  }
  if (!finished) {
    context.TryCancel();
    (void)stream->Finish();
  }
  return result;
}

Status DeliverClient::HandleBlock(common::Block block) {
  const common::BlockchainInfo info = committer_.ledger().GetBlockchainInfo();
  Status s =
      deliver::VerifyBlock(block, info.height(), info.currentblockhash(), *committer_.config());
  if (!s.ok()) {
    FLOG_ERROR(logger, "[%s] refusing block from orderer: %s", committer_.channel_id(),
               s.message());
    return s;
  }
  RETURN_IF_ERROR(committer_.CommitBlock(std::move(block), {.data_hash = true}));
  committed_.fetch_add(1);
  return Status::OK();
}

}  // namespace fabric::deliverclient
