// SPDX-License-Identifier: Apache-2.0
//
// OrdererServer: the gRPC server of the orderer, serving orderer.AtomicBroadcast (Broadcast and
// Deliver) with gRPC's callback API.
//  - an open stream holds no thread; Broadcast envelopes are processed on at most
//    config.max_threads workers, Deliver requests on a few; each method takes at most 10,000
//    open streams (more are refused with RESOURCE_EXHAUSTED), and a stream that sends nothing
//    for 20 s is cancelled;
//  - keepalive is permissive for Fabric clients (pings without calls allowed, at most one every
//    10 s), messages up to 100 MB as Fabric's defaults;
//  - TLS when config.tls.enabled; with config.tls.client_auth_required, clients must present a
//    certificate that chains to a CA of the client CA pool at handshake time
//    (common/comm/tls.h).
// Shutdown() is graceful: new broadcasts get SERVICE_UNAVAILABLE, waiting Deliver requests end
// with SERVICE_UNAVAILABLE, in-flight calls get a short grace period, then the server stops.
//
// Thread-safety: Shutdown and Wait may be called from any thread. The registrar must outlive the
// server; destroy (or Shutdown) the server before halting the registrar.
#pragma once

#include <chrono>
#include <memory>

#include "common/comm/tls.h"
#include "fabric/base/status.h"
#include "orderer/config.h"
#include "orderer/registrar.h"

namespace fabric::orderer {

class OrdererServer {
 public:
  // Binds config.listen_address:config.listen_port (port 0 picks a free one) and starts
  // serving. `client_cas` is required with TLS client authentication and read at each
  // handshake. Unavailable when the address cannot be bound; InvalidArgument for unreadable or
  // malformed TLS files, or client authentication without `client_cas`.
  static StatusOr<std::unique_ptr<OrdererServer>> Start(
      const OrdererConfig& config, Registrar& registrar,
      std::shared_ptr<const comm::TrustPool> client_cas = nullptr);
  ~OrdererServer();
  OrdererServer(const OrdererServer&) = delete;
  OrdererServer& operator=(const OrdererServer&) = delete;

  // The bound port.
  int port() const;
  // Broadcast and Deliver streams open now.
  int open_streams() const;

  // Stops serving, giving in-flight calls up to `grace`; then they are cancelled. gRPC also
  // waits up to `grace` for idle client connections to close, so the default is short (waiting
  // Deliver requests end by themselves within ~100 ms). Idempotent.
  void Shutdown(std::chrono::milliseconds grace = std::chrono::seconds(1));

 private:
  struct Impl;
  explicit OrdererServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fabric::orderer
