// SPDX-License-Identifier: Apache-2.0
//
// DeliverService: the peer's block event service, `protos.Deliver` (Fabric 1.4
// common/deliver/deliver.go + core/peer/deliverevents.go). A client sends an Envelope carrying
// a SeekInfo and receives blocks (Deliver) or FilteredBlocks (DeliverFiltered), then a final
// status. Per request, in order:
//   envelope, payload or headers malformed, or the channel header timestamp more than
//   Options::time_window from now                                  -> BAD_REQUEST
//   with Options::mutual_tls, no or another TLS cert hash in the channel header than the
//   connection's client certificate's (Fabric's binding inspector)  -> BAD_REQUEST
//   the peer has no such channel                                    -> NOT_FOUND
//   the signer's certificate has expired                            -> FORBIDDEN
//   the signed envelope does not satisfy the channel's ACL for event/Block or
//   event/FilteredBlock (default /Channel/Application/Readers)      -> FORBIDDEN
//   SeekInfo malformed, or start after stop                         -> BAD_REQUEST
//   FAIL_IF_NOT_READY and a block beyond the ledger height          -> NOT_FOUND
// then blocks from `start` in order, waiting for new commits (BLOCK_UNTIL_READY), access
// re-checked when the channel config changes and the certificate's expiry before every block
// (FORBIDDEN, as Fabric's session access control), and SUCCESS after the stop block,
// after which the client may send another request on the same stream. Any other status ends
// the stream. Blocks come from the ledger's block store, so they carry the final
// TRANSACTIONS_FILTER. DeliverWithPrivateData answers gRPC UNIMPLEMENTED (no private data).
//
// Streams end when the client cancels or disconnects, and on Shutdown(). They run on gRPC's
// callback API (common/deliver/block_stream.h): an open stream holds no thread, whether it waits
// for a request or for the next block; streams beyond Options::streams.max_streams are refused
// with RESOURCE_EXHAUSTED, and one without a request within first_request_timeout is cancelled.
//
// Thread-safety: all methods are safe to call concurrently.

#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/channelconfig/bundle.h"
#include "common/common.pb.h"
#include "common/deliver/block_stream.h"
#include "orderer/ab.pb.h"
#include "peer/events.grpc.pb.h"
#include "peer/ledger/kv_ledger.h"

namespace fabric::committer {
class Committer;
}

namespace fabric::deliver {

// A channel as the Deliver service sees it.
class DeliverChannel {
 public:
  virtual ~DeliverChannel() = default;
  virtual ledger::KvLedger& ledger() = 0;
  // The channel config in force.
  virtual std::shared_ptr<const channelconfig::Bundle> config() const = 0;
};

class ChannelProvider {
 public:
  virtual ~ChannelProvider() = default;
  // The channel `channel_id`, or null when this peer has not joined it. The channel must stay
  // alive while the service runs.
  virtual DeliverChannel* GetChannel(const std::string& channel_id) = 0;
};

// A ChannelProvider over committers, registered as channels are joined. Thread-safe.
class CommitterChannels : public ChannelProvider {
 public:
  CommitterChannels();
  ~CommitterChannels() override;
  // `committer` is not owned and must outlive this provider.
  void Add(committer::Committer* committer);
  DeliverChannel* GetChannel(const std::string& channel_id) override;

 private:
  class Adapter;
  std::mutex mu_;
  // Guarded by mu_:
  std::map<std::string, std::unique_ptr<Adapter>> channels_;
};

class DeliverService final : public protos::Deliver::CallbackService {
 public:
  struct Options {
    std::chrono::nanoseconds time_window = std::chrono::minutes(15);
    // The current time; empty means system_clock::now.
    std::function<std::chrono::system_clock::time_point()> clock;
    // Streams, the threads that serve them and the first-request deadline.
    comm::StreamRegistry::Options streams;
    // TLS with client certificates required (peer.tls.clientAuthRequired): requests must carry
    // the hash of the connection's client certificate (comm::CheckTlsBinding), else BAD_REQUEST.
    bool mutual_tls = false;
  };

  // `channels` must outlive the service.
  explicit DeliverService(ChannelProvider& channels) : DeliverService(channels, Options()) {}
  DeliverService(ChannelProvider& channels, Options options);

  grpc::ServerBidiReactor<common::Envelope, protos::DeliverResponse>* Deliver(
      grpc::CallbackServerContext* context) override;
  grpc::ServerBidiReactor<common::Envelope, protos::DeliverResponse>* DeliverFiltered(
      grpc::CallbackServerContext* context) override;
  grpc::ServerBidiReactor<common::Envelope, protos::DeliverResponse>* DeliverWithPrivateData(
      grpc::CallbackServerContext* context) override;

  // Ends every stream (each sends SERVICE_UNAVAILABLE if it was waiting for blocks) and makes
  // new requests fail with SERVICE_UNAVAILABLE. Call before shutting the gRPC server down.
  void Shutdown() { streams_.Shutdown(); }

  int open_streams() const { return streams_.open_streams(); }

 private:
  struct Request;
  class BlockSession;

  grpc::ServerBidiReactor<common::Envelope, protos::DeliverResponse>* Start(
      grpc::CallbackServerContext* context, bool filtered);
  std::unique_ptr<Session<protos::DeliverResponse>> Open(const common::Envelope& envelope,
                                                         const deliver::Client& client,
                                                         bool filtered, common::Status* status);
  common::Status CheckRequest(const common::Envelope& envelope, const deliver::Client& client,
                              bool filtered, Request* req);
  common::Status CheckAccess(const Request& req, const channelconfig::Bundle& config) const;
  // FORBIDDEN once the requester's certificate has expired (checked before every block).
  common::Status CheckExpiry(const Request& req) const;

  ChannelProvider& channels_;
  const Options options_;
  comm::StreamRegistry streams_;
};

}  // namespace fabric::deliver
