// SPDX-License-Identifier: Apache-2.0
//
// ExternalChaincodeRuntime: the peer's client side of chaincode that runs as a server (Fabric
// 2.x core/chaincode/extcc). Connect dials the server a launcher found (connection.json), opens
// protos.Chaincode/Connect and serves that stream on a thread of its own with the same handler
// logic as a Register stream (ChaincodeSupport::HandleChaincodeStream): the chaincode sends
// REGISTER, the peer REGISTERED and READY, then transactions flow as usual.
//
// The first message must be REGISTER for the ccid the peer dialed for; otherwise the server
// gets ERROR and the stream ends. TLS follows the connection info: the server's certificate
// must chain to root_cert and name the address's host; with client_auth_required the peer
// presents client_cert/client_key.
//
// Ownership: owned by ChaincodeSupport; the destructor cancels every stream and joins its
// thread. Thread-safety: all methods are safe to call concurrently, but not from a stream's own
// thread.

#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "fabric/base/status.h"
#include "launcher/launcher.h"
#include "peer/chaincode/chaincode_stream.h"

namespace fabric::chaincode {

class ExternalChaincodeRuntime {
 public:
  // Serves one stream until it ends (ChaincodeSupport::HandleChaincodeStream).
  using StreamHandler = std::function<Status(ChaincodeStream& stream)>;

  explicit ExternalChaincodeRuntime(StreamHandler handle_stream);
  ~ExternalChaincodeRuntime();
  ExternalChaincodeRuntime(const ExternalChaincodeRuntime&) = delete;
  ExternalChaincodeRuntime& operator=(const ExternalChaincodeRuntime&) = delete;

  // Dials `server` for `ccid` (replacing a previous connection of `ccid`) and starts serving
  // its stream; the stream presents `launch_secret` to the registry. Returns once the stream is
  // open, not once the chaincode has registered. `on_end` is called from the stream's thread
  // when it ends, with why (Unavailable "chaincode server of mycc:1.0 at host:port closed the
  // stream: ..."). Errors: Unavailable "cannot connect to chaincode server of mycc:1.0 at
  // host:port within 3s: <gRPC's reason>" when the server is down, does not answer in time or
  // the TLS handshake fails; InvalidArgument for unusable TLS material.
  Status Connect(const std::string& ccid, const launcher::ChaincodeServerInfo& server,
                 std::string launch_secret, std::function<void(const Status&)> on_end);
  // Cancels the stream of `ccid` (its in-flight transactions fail) and waits for its thread.
  void Disconnect(const std::string& ccid);

 private:
  struct Connection;

  const StreamHandler handle_stream_;
  std::mutex mu_;
  // Guarded by mu_:
  std::map<std::string, std::shared_ptr<Connection>> connections_;
};

}  // namespace fabric::chaincode
