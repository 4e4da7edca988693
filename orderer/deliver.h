// SPDX-License-Identifier: Apache-2.0
//
// The logic of orderer.AtomicBroadcast/Deliver for one request envelope (Fabric's
// common/deliver/deliver.go deliverBlocks), without gRPC. In order:
//  - the payload, its header and channel header parse, else BAD_REQUEST;
//  - the channel header has a timestamp within `time_window` of now, else BAD_REQUEST;
//  - with mutual TLS, the channel header's TLS cert hash is that of the connection's client
//    certificate (Fabric's binding inspector), else BAD_REQUEST;
//  - the channel exists, else NOT_FOUND;
//  - the envelope's signature satisfies /Channel/Readers (/Channel/Orderer/Readers while the
//    channel is in maintenance mode), else FORBIDDEN (re-checked before a block whenever the
//    channel config changed); the signer's certificate has not expired, else FORBIDDEN
//    (re-checked before every block: Fabric's session access control);
//  - the payload data is a SeekInfo with start and stop positions, else BAD_REQUEST;
//    start: oldest = 0, newest = height - 1, specified = n (n > height: NOT_FOUND);
//    stop: oldest = the start, newest = height - 1 at the time of the request (start if the
//    start is newest too), specified = n; stop < start: BAD_REQUEST;
//  - blocks start..stop are sent; with FAIL_IF_NOT_READY a block not yet cut ends the request
//    with NOT_FOUND, with BLOCK_UNTIL_READY the handler waits for it;
//  - after the stop block, a final status SUCCESS.
// Waiting ends when the client goes away (nothing more is sent) or the handler shuts down
// (SERVICE_UNAVAILABLE). Any final status but SUCCESS ends the stream, as Fabric's handler.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <functional>
#include <string_view>

#include "common/common.pb.h"
#include "common/deliver/block_stream.h"
#include "orderer/ab.pb.h"
#include "orderer/msgprocessor.h"
#include "orderer/registrar.h"

namespace fabric::orderer {

inline constexpr std::string_view kChannelOrdererReaders = "/Channel/Orderer/Readers";

// Whether the signer of a Deliver request may read the channel: /Channel/Readers, or
// /Channel/Orderer/Readers in maintenance mode. PermissionDenied naming the policy otherwise.
Status CheckDeliverReaders(const channelconfig::Bundle& bundle, const common::Envelope& envelope,
                           const EnvelopeHeaders& headers);

class DeliverHandler {
 public:
  struct Options {
    std::chrono::nanoseconds time_window = std::chrono::minutes(15);
    // The current time for certificate expiry; empty means system_clock::now.
    std::function<std::chrono::system_clock::time_point()> clock;
    // Streams, the threads that serve them and the first-request deadline.
    comm::StreamRegistry::Options streams;
    // TLS with client certificates required: requests must carry the hash of the connection's
    // client certificate (comm::CheckTlsBinding), else BAD_REQUEST.
    bool mutual_tls = false;
  };
  using Response = ::orderer::DeliverResponse;

  DeliverHandler(Registrar& registrar, Options options);

  // A Deliver stream on gRPC's callback API (common/deliver/block_stream.h): no thread is held
  // while it waits for a request or a block.
  grpc::ServerBidiReactor<common::Envelope, Response>* Start(grpc::CallbackServerContext* context);

  // Checks the request in `envelope` as above: the Session that serves it, or null with the
  // refusal in `*status` (logged with its reason).
  std::unique_ptr<deliver::Session<Response>> Open(const common::Envelope& envelope,
                                                   const deliver::Client& client,
                                                   common::Status* status);

  // Ends waiting requests with SERVICE_UNAVAILABLE and refuses new ones.
  void Shutdown() { streams_.Shutdown(); }

  int open_streams() const { return streams_.open_streams(); }

 private:
  class ChainSession;

  Registrar& registrar_;
  const Options options_;
  comm::StreamRegistry streams_;
};

}  // namespace fabric::orderer
