// SPDX-License-Identifier: Apache-2.0
//
// ServeStream: runs the shim's handler over any bidirectional ChaincodeMessage stream, for
// hosts other than Start's gRPC client: an in-process chaincode served over in-memory streams
// (as Fabric runs system chaincodes) or a chaincode-as-a-service connection.
//
// Thread-safety: the stream's Write and WriteBuffered are called from several threads, but never
// concurrently (the handler has one writer at a time); Read is called only from the thread that
// runs ServeStream. Writes and Read may run concurrently with each other.

#pragma once

#include <string>

#include "fabric/base/status.h"
#include "fabric/shim/chaincode.h"
#include "fabric/shim/start.h"
#include "peer/chaincode_shim.pb.h"

namespace fabric::shim {

class ChaincodeStream {
 public:
  virtual ~ChaincodeStream() = default;
  // Both return false once the stream is broken or finished.
  virtual bool Write(const protos::ChaincodeMessage& msg) = 0;
  virtual bool Read(protos::ChaincodeMessage* msg) = 0;
  // Writes `msg` when another Write follows at once: the stream may hold it back until then and
  // send both together (Start's gRPC stream uses gRPC's buffer hint). The default writes it.
  virtual bool WriteBuffered(const protos::ChaincodeMessage& msg) { return Write(msg); }
};

// Sends REGISTER{ChaincodeID{name = chaincode_id_name}} and serves `chaincode` on the calling
// thread until Read fails or the peer refuses the registration; then fails pending requests,
// waits for running transactions and returns. Uses the concurrency and request-timeout fields
// of `options`. Returns why serving stopped (never OK): UNAVAILABLE when the stream ended,
// PERMISSION_DENIED when the peer answered REGISTER with ERROR. Borrows both arguments.
Status ServeStream(Chaincode& chaincode, ChaincodeStream& stream,
                   const std::string& chaincode_id_name, const StartOptions& options);

}  // namespace fabric::shim
