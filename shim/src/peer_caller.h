// SPDX-License-Identifier: Apache-2.0
//
// PeerCaller: sends one shim -> peer request and waits for the peer's RESPONSE or ERROR for the
// same (channel_id, txid). Implemented by Handler; an interface so stubs do not see the stream.
// TxContext: one transaction's identity plus a flag set when the transaction has been answered,
// shared by the stub and its iterators (an iterator may be destroyed after that).
// Thread-safety: Call is thread-safe; TxContext::done is atomic.

#pragma once

#include <atomic>
#include <string>

#include "fabric/base/status.h"
#include "peer/chaincode_shim.pb.h"

namespace fabric::shim::internal {

class PeerCaller {
 public:
  virtual ~PeerCaller() = default;
  // Returns the peer's reply (type RESPONSE or ERROR). Errors: UNAVAILABLE when the stream is
  // gone, DEADLINE_EXCEEDED after the request timeout, FAILED_PRECONDITION if a request for the
  // same (channel, txid) is already pending.
  virtual StatusOr<protos::ChaincodeMessage> Call(const protos::ChaincodeMessage& request) = 0;
};

struct TxContext {
  TxContext(PeerCaller& c, std::string channel, std::string tx)
      : caller(c), channel_id(std::move(channel)), txid(std::move(tx)) {}

  // Sends a request of `type` with `payload` for this transaction; maps an ERROR reply to
  // UNKNOWN with the peer's text. Errors: FAILED_PRECONDITION once the transaction is done.
  StatusOr<std::string> Request(protos::ChaincodeMessage::Type type, const std::string& payload);

  PeerCaller& caller;
  const std::string channel_id;
  const std::string txid;
  std::atomic<bool> done{false};
};

}  // namespace fabric::shim::internal
