// SPDX-License-Identifier: Apache-2.0
//
// The peer side of bench_endorse, run in a child process (`bench_endorse --peer process|docker`)
// so that its RSS is the peer's alone: a TestPeer (cryptogen network, ledger on disk, system
// chaincodes, Endorser) behind the gRPC EndorserService on 127.0.0.1:0, the real
// ChaincodeSupport and ChaincodeServer, and one deployed chaincode:
//   process: the getput chaincode (one GetState + one PutState) through the process launcher;
//   process-abstore: the abstore sample through the process launcher;
//   process-tls: as process, with TLS as `peer node start` serves it with peer.tls.enabled and
//            peer.tls.clientAuthRequired: the EndorserService with peer0.org1's cryptogen TLS
//            key pair, requiring client certificates from Org1's TLS CA (User1's tls/client.crt
//            is one), and the chaincode connection with certificates of the ephemeral
//            chaincode CA;
//   docker:  the getput chaincode in its container through DockerLauncher;
//   docker-node: getput written for fabric-shim (launcher/docker/testdata/node-getput) in its
//            Node.js container through DockerLauncher (its image needs the npm registry once);
//   docker-abstore: the abstore sample in its container through DockerLauncher (invoke: two
//            GetStates and two PutStates).
// When ready it prints one line to stdout, "READY <port> <network dir> <ccname>", then serves
// until stdin closes.

#pragma once

#include <string>

namespace fabric::bench {

// Returns the process exit code.
int RunEndorsePeer(const std::string& mode);

}  // namespace fabric::bench
