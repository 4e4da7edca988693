// SPDX-License-Identifier: Apache-2.0
//
// The logic of orderer.AtomicBroadcast/Deliver for one request envelope (Fabric's
// common/deliver/deliver.go deliverBlocks), without gRPC. In order:
//  - the payload, its header and channel header parse, else BAD_REQUEST;
//  - the channel header has a timestamp within `time_window` of now, else BAD_REQUEST;
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
// Waiting is cancelled when the client goes away (`cancelled` returns true; nothing more is
// sent) or the handler shuts down (SERVICE_UNAVAILABLE).
//
// Thread-safety: Handle may run concurrently on many streams.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string_view>

#include "common/common.pb.h"
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
    // How often a waiting request checks for cancellation.
    std::chrono::milliseconds poll_interval{100};
    // The current time for certificate expiry; empty means system_clock::now.
    std::function<std::chrono::system_clock::time_point()> clock;
  };
  // Sends one response; returns false when the stream is broken.
  using Sender = std::function<bool(const ::orderer::DeliverResponse&)>;
  using Cancelled = std::function<bool()>;

  DeliverHandler(Registrar& registrar, Options options)
      : registrar_(registrar), options_(options) {}

  // Serves the request in `envelope`. Returns the final status sent (or that would have been
  // sent when the client went away: SERVICE_UNAVAILABLE / the send failure as UNKNOWN).
  common::Status Handle(const common::Envelope& envelope, const Sender& send,
                        const Cancelled& cancelled);

  // Wakes waiting requests; they end with SERVICE_UNAVAILABLE.
  void Shutdown() { shutting_down_.store(true); }

 private:
  common::Status DeliverBlocks(const common::Envelope& envelope, const Sender& send,
                               const Cancelled& cancelled);

  Registrar& registrar_;
  const Options options_;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace fabric::orderer
