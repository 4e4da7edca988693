// SPDX-License-Identifier: Apache-2.0
#include "orderer/cluster/block_puller.h"

#include <algorithm>
#include <utility>

#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>

#include "common/comm/message_limits.h"
#include "common/deliver/block_verifier.h"
#include "common/logging/logging.h"
#include "common/protoutil/txutils.h"
#include "fabric/base/status_macros.h"
#include "orderer/ab.grpc.pb.h"

namespace fabric::orderer::cluster {
namespace {

logging::Logger logger("orderer.consensus.etcd");

// Verifies `block` as the next block of `support`'s ledger and appends it.
Status AppendIfValid(ChainSupport& support, const std::string& source, common::Block block) {
  const common::BlockchainInfo info = support.store().GetBlockchainInfo();
  if (Status s =
          deliver::VerifyBlock(block, info.height(), info.currentblockhash(), *support.bundle());
      !s.ok()) {
    FLOG_ERROR(logger, "[channel: %s] refusing block %d pulled from orderer %s: %s",
               support.channel_id(), info.height(), source, s.message());
    return s;
  }
  return support.AppendPulledBlock(std::make_shared<const common::Block>(std::move(block)));
}

// Names the TLS client certificate of `identity` for connection errors; empty without one.
std::string DescribeClientCertificate(const std::optional<comm::KeyPair>& identity) {
  if (!identity) {
    return "";
  }
  StatusOr<crypto::Certificate> cert = crypto::Certificate::FromPem(identity->cert_pem);
  return cert.ok() ? absl::StrFormat("%s (issuer %s)", cert->Subject(), cert->Issuer()) : "";
}

}  // namespace

Status PullMissingBlocks(ChainSupport& support, BlockPuller& puller) {
  std::vector<std::string> sources = puller.Sources(*support.bundle());
  if (sources.empty()) {
    return UnavailableError(
        absl::StrFormat("channel %s: no other orderer node to pull blocks from (the channel "
                        "config lists no orderer address but this node's)",
                        support.channel_id()));
  }
  std::vector<std::string> failures;
  for (const std::string& source : sources) {
    const uint64_t start = support.next_block_number();
    Status s = puller.Pull(source, *support.bundle(), start, [&](common::Block block) {
      return AppendIfValid(support, source, std::move(block));
    });
    const uint64_t pulled = support.next_block_number() - start;
    if (s.code() == StatusCode::kCancelled) {
      return s;
    }
    if (s.ok() && pulled > 0) {
      FLOG_INFO(logger, "[channel: %s] pulled blocks %d to %d from orderer %s",
                support.channel_id(), start, start + pulled - 1, source);
      return Status::OK();
    }
    const std::string reason =
        s.ok() ? absl::StrFormat("it has no block after %d", start - 1) : s.ToString();
    FLOG_WARN(logger, "[channel: %s] cannot catch up from orderer %s (%d blocks pulled): %s",
              support.channel_id(), source, pulled, reason);
    failures.push_back(source + ": " + reason);
  }
  return UnavailableError(absl::StrFormat("channel %s: no orderer node gave the blocks from %d: %s",
                                          support.channel_id(), support.next_block_number(),
                                          absl::StrJoin(failures, "; ")));
}

DeliverBlockPuller::DeliverBlockPuller(Options options, const msp::SigningIdentity& signer)
    : options_(std::move(options)),
      tls_cert_hash_(options_.tls && options_.client_identity
                         ? comm::CertHash(*options_.client_identity)
                         : ""),
      client_certificate_(options_.tls ? DescribeClientCertificate(options_.client_identity) : ""),
      signer_(signer) {}

std::string DeliverBlockPuller::ConnectionError(const grpc::Status& end) const {
  std::string out = absl::StrFormat("gRPC status %d: %s", static_cast<int>(end.error_code()),
                                    end.error_message());
  if (end.error_code() == grpc::StatusCode::UNAVAILABLE && !client_certificate_.empty()) {
    absl::StrAppend(
        &out, absl::StrFormat(" (TLS client certificate %s: an orderer that does not trust its "
                              "issuer closes the connection and logs \"TLS client certificate "
                              "refused\" with the reason)",
                              client_certificate_));
  }
  return out;
}

std::vector<std::string> DeliverBlockPuller::Sources(const channelconfig::Bundle& config) {
  std::vector<std::string> all = options_.addresses;
  if (all.empty()) {
    for (const channelconfig::Organization& org : config.orderer_orgs()) {
      all.insert(all.end(), org.endpoints.begin(), org.endpoints.end());
    }
  }
  if (all.empty()) {
    all = config.orderer_addresses();
  }
  std::vector<std::string> out;
  for (const std::string& address : all) {
    const auto& self = options_.self_addresses;
    if (std::find(self.begin(), self.end(), address) == self.end() &&
        std::find(out.begin(), out.end(), address) == out.end()) {
      out.push_back(address);
    }
  }
  return out;
}

void DeliverBlockPuller::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  if (live_ != nullptr) {
    live_->TryCancel();
  }
}

bool DeliverBlockPuller::SetLive(grpc::ClientContext* context) {
  std::lock_guard<std::mutex> lock(mu_);
  live_ = context;
  return !cancelled_;
}

StatusOr<std::shared_ptr<grpc::ChannelCredentials>> DeliverBlockPuller::Credentials(
    const std::string& source, const channelconfig::Bundle& config) const {
  if (!options_.tls) {
    return grpc::InsecureChannelCredentials();
  }
  std::vector<crypto::Certificate> cas = comm::OrdererServerCas(config, source);
  cas.insert(cas.end(), options_.static_cas.begin(), options_.static_cas.end());
  if (cas.empty()) {
    return FailedPreconditionError(absl::StrFormat(
        "no TLS CA to verify orderer %s with: the channel's orderer organisations' MSPs have no "
        "TLS root certificates (tlscacerts) and General.TLS.RootCAs is empty",
        source));
  }
  return comm::ClientCredentials(cas,
                                 options_.client_identity ? &*options_.client_identity : nullptr);
}

Status DeliverBlockPuller::Pull(const std::string& source, const channelconfig::Bundle& config,
                                uint64_t start, const BlockHandler& on_block) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + options_.stream_timeout);
  if (!SetLive(&context)) {
    SetLive(nullptr);
    return Status(StatusCode::kCancelled, "block puller cancelled");
  }
  Status s = Stream(source, config, start, on_block, context);
  if (!SetLive(nullptr)) {
    return Status(StatusCode::kCancelled, "block puller cancelled");
  }
  return s;
}

Status DeliverBlockPuller::Stream(const std::string& source, const channelconfig::Bundle& config,
                                  uint64_t start, const BlockHandler& on_block,
                                  grpc::ClientContext& context) {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> creds, Credentials(source, config));
  auto stub = ::orderer::AtomicBroadcast::NewStub(
      grpc::CreateCustomChannel(source, creds, comm::ChannelArgsWithLimits()));
  ::orderer::SeekInfo seek;
  seek.mutable_start()->mutable_specified()->set_number(start);
  seek.mutable_stop()->mutable_newest();
  seek.set_behavior(::orderer::SeekInfo::FAIL_IF_NOT_READY);
  ASSIGN_OR_RETURN(common::Envelope request, protoutil::CreateSignedEnvelopeWithTlsBinding(
                                                 common::DELIVER_SEEK_INFO, config.channel_id(),
                                                 signer_, seek, tls_cert_hash_));
  auto stream = stub->Deliver(&context);
  if (!stream->Write(request) || !stream->WritesDone()) {
    grpc::Status end = stream->Finish();
    return UnavailableError(
        absl::StrFormat("cannot send the seek request to %s: %s", source, ConnectionError(end)));
  }
  Status result = Status::OK();
  bool complete = false;  // the source answered SUCCESS after its newest block
  bool any_block = false;
  ::orderer::DeliverResponse response;
  while (result.ok() && !complete && stream->Read(&response)) {
    if (response.has_block()) {
      any_block = true;
      result = on_block(std::move(*response.mutable_block()));
    } else if (response.status() == common::SUCCESS) {
      complete = true;
    } else if (!any_block && (response.status() == common::BAD_REQUEST ||
                              response.status() == common::NOT_FOUND)) {
      // Fabric's Deliver answers a start past the newest block so (stop before start, or not
      // ready): the source is not ahead of this node.
      result =
          NotFoundError(absl::StrFormat("orderer %s has no block %d yet (it answered %s)", source,
                                        start, common::Status_Name(response.status())));
    } else {
      result = UnavailableError(absl::StrFormat("orderer %s answered status %s", source,
                                                common::Status_Name(response.status())));
    }
  }
  context.TryCancel();
  grpc::Status end = stream->Finish();
  if (result.ok() && !complete) {
    return UnavailableError(
        absl::StrFormat("stream from %s ended: %s", source, ConnectionError(end)));
  }
  return result;
}

}  // namespace fabric::orderer::cluster
