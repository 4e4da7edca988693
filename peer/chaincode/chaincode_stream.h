// SPDX-License-Identifier: Apache-2.0
//
// ChaincodeStream: one end of a chaincode's ChaincodeMessage stream, as the peer's Handler
// sees it. The gRPC implementation wraps the ChaincodeSupport/Register server stream; system
// chaincodes (later) will use an in-process implementation, as Fabric's inproccontroller does.
//
// Thread-safety: one thread may Recv while another Sends; Sends are serialised by the caller
// (Handler::Send), as gRPC requires.

#pragma once

#include <string>

#include "peer/chaincode_shim.pb.h"

namespace fabric::chaincode {

class ChaincodeStream {
 public:
  virtual ~ChaincodeStream() = default;
  // False when the stream is broken.
  virtual bool Send(const protos::ChaincodeMessage& msg) = 0;
  // Sends `msg` when another Send follows at once: the stream may hold it back until then and
  // send both together (the gRPC stream uses gRPC's buffer hint). The default sends it.
  virtual bool SendBuffered(const protos::ChaincodeMessage& msg) { return Send(msg); }
  // Blocks for the next message; false at the end of the stream.
  virtual bool Recv(protos::ChaincodeMessage* msg) = 0;
  // The launch secret the chaincode presented when it opened the stream; empty for none.
  virtual std::string launch_secret() const { return {}; }
};

}  // namespace fabric::chaincode
