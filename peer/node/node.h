// SPDX-License-Identifier: Apache-2.0
//
// PeerNode: `peer node start` — constructs and wires every part of the peer and owns them.
//
// Construction (Start), in dependency order:
//   local MSP (Msp + SigningIdentity from mspConfigPath/localMspId)
//   LedgerManager (<fileSystemPath>/ledgersData) -> PeerChannels (joined channels' configs)
//   PackageStore (<fileSystemPath>/chaincodes), AclProvider, scc::Registry + SystemChaincodes
//   Launcher (DockerLauncher | ProcessLauncher | DevModeLauncher) + NodePackageProvider
//   ChaincodeSupport -> ChaincodeServer (chaincodeListenAddress)
//   MeteredChaincodeExecutor -> Endorser -> EndorserService (ProposalMetrics observer)
//   per joined channel: Committer (+ config observer) -> DeliverClient; CommitterChannels
//   DeliverService, AdminService; gRPC server (listenAddress: Endorser + Deliver + Admin),
//   OperationsServer
// cscc JoinChain calls back (PeerChannels join hook) to start the new channel's committer and
// deliver client.
//
// Stop (also the destructor) runs the reverse: operations listener, Deliver streams, gRPC server
// (Shutdown with a deadline), deliver clients, chaincode listener, running chaincodes (launcher),
// committers, ledgers.
//
// Thread-safety: Start and Stop from one thread; the parts are thread-safe.

#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fabric/base/status.h"
#include "peer/node/config.h"
#include "peer/node/metrics.h"

namespace fabric::node {

class PeerNode {
 public:
  // Builds and starts everything. Errors name the part that failed ("load local MSP ...",
  // "listen on 0.0.0.0:7051 ..."). An unreachable Docker engine does not stop it: chaincodes
  // are launched once the engine is back, and /healthz reports it meanwhile.
  static StatusOr<std::unique_ptr<PeerNode>> Start(const PeerConfig& config);
  ~PeerNode();
  PeerNode(const PeerNode&) = delete;
  PeerNode& operator=(const PeerNode&) = delete;

  // Graceful shutdown. Idempotent.
  void Stop();

  int port() const;            // bound peer port
  int chaincode_port() const;  // bound chaincode port
  int operations_port() const;
  MetricsRegistry& metrics();

  struct Impl;

 private:
  explicit PeerNode(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// `peer node <args>`: `start [--peer-chaincodedev]` (pflag syntax, as cobra's). Blocks until
// SIGINT/SIGTERM, then stops. Returns the exit status: 0 after `start --help`, 1 with one
// "Error: ..." line and the usage for a bad flag, 1 with one "Error: ..." line for a start-up
// error.
int RunNodeCommand(const std::vector<std::string>& args);

}  // namespace fabric::node
