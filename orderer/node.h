// SPDX-License-Identifier: Apache-2.0
//
// Orderer: the whole orderer process wired together (Fabric's orderer/common/server/main.go):
// the local signing identity from the MSP folder, the genesis blocks read from the bootstrap
// files, the Registrar over the file ledger, and the gRPC server. `orderer start` and the tests
// run it the same way.
//
// Thread-safety: Stop may be called from any thread; the destructor stops.
#pragma once

#include <memory>
#include <string>

#include "common/comm/tls.h"
#include "common/common.pb.h"
#include "common/msp/signing_identity.h"
#include "fabric/base/status.h"
#include "orderer/config.h"
#include "orderer/registrar.h"
#include "orderer/server.h"

namespace fabric::orderer {

// Reads a file holding one marshalled common.Block. NotFound / InvalidArgument naming the file.
StatusOr<common::Block> ReadBlockFile(const std::string& path);

class Orderer {
 public:
  // What channels of consensus type "etcd" need beyond the config file: the factory of their
  // logs on the etcd cluster, fixed (channel_logs) or made from the etcd endpoints the channel
  // config names (make_channel_logs; cluster::EtcdConfigFromBlock reads them from a config
  // block), and the cluster chains' settings. Without either factory such a channel fails to
  // open. See Registrar::Options. Without chain.make_puller, a node behind the compacted log
  // catches up through the Deliver service of the channel's other orderer addresses, with
  // this node's TLS settings.
  struct Cluster {
    std::shared_ptr<cluster::ChannelLogFactory> channel_logs;
    cluster::ChannelLogFactoryMaker make_channel_logs;
    cluster::ClusterChain::Options chain;
  };

  // Starts the orderer described by `config` (already validated). Errors name the failing
  // step: "load local msp dir=...", "read bootstrap file ...", "open channel ...", "listen ...".
  static StatusOr<std::unique_ptr<Orderer>> Start(const OrdererConfig& config,
                                                  Cluster cluster = {});
  ~Orderer();
  Orderer(const Orderer&) = delete;
  Orderer& operator=(const Orderer&) = delete;

  int port() const { return server_->port(); }
  // Broadcast and Deliver streams open now.
  int open_streams() const { return server_->open_streams(); }
  Registrar& registrar() { return *registrar_; }
  const msp::SigningIdentity& signer() const { return *signer_; }

  // Graceful stop: the server first (waiting requests end with SERVICE_UNAVAILABLE), then the
  // chains' ordering threads. Idempotent.
  void Stop();

 private:
  Orderer() = default;

  std::unique_ptr<msp::SigningIdentity> signer_;
  // With TLS client authentication: the CAs trusted for client certificates.
  std::shared_ptr<comm::TrustPool> client_cas_;
  std::unique_ptr<Registrar> registrar_;
  std::unique_ptr<OrdererServer> server_;
};

}  // namespace fabric::orderer
