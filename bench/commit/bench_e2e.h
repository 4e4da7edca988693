// SPDX-License-Identifier: Apache-2.0
//
// e2e_tps for bench_commit: committed transactions per second end to end on real processes
// (e2e_network.sh: solo orderer, peer0.org1 and peer0.org2, getput under an AND policy).
// The client pre-signs its proposals (User1@org1, one fresh key per transaction, so every
// transaction is VALID), then keeps BENCH_E2E_IN_FLIGHT (default 384, under one 500-transaction
// block) transactions going on gRPC's callback API: each proposal is endorsed on both peers at
// once, the second response assembles and signs the transaction and queues it on a Broadcast
// stream (BENCH_E2E_STREAMS streams, default 1, taking the transactions in turn; the orderer
// answers each stream's envelopes one at a time), while a DeliverFiltered stream on peer0.org1
// counts the commits.
// e2e_tps = VALID commits / (last commit - first proposal sent).
// e2e_tls_tps: the same on a second network with TLS on every listener (orderer, peers, the
// peers' chaincode listeners; server certificates from cryptogen, no client authentication, as
// Fabric's test network runs), the client trusting the orgs' TLS CAs. BENCH_E2E_TLS=0 skips it.

// RunE2eNetwork is that run on one network of e2e_network.sh's (bench_cluster runs it on the
// solo and the cluster network).

#pragma once

#include <functional>
#include <string>
#include <vector>

namespace fabric::bench {

// A network e2e_network.sh brought up.
struct E2eNodes {
  std::string work;        // its work dir (crypto material in work/crypto-config)
  std::vector<int> ports;  // orderer, peer1, peer2[, orderer2, orderer3]
  std::vector<long> pids;  // orderer, peer1, peer2[, orderer2, orderer3, etcd1, etcd2, etcd3]
};

// Brings e2e_network.sh's network up in `mode` ("" for plaintext, "tls" or "cluster"), drives
// the load on it and prints `figure` ("name value tx/s") with "# ..." detail lines, runs `after`
// (when given) while the network is still up, then takes it down. Sets *tps to the figure.
// Returns 0, or 1 when any of it failed.
int RunE2eNetwork(const std::string& mode, const char* figure, double* tps,
                  const std::function<int(const E2eNodes&)>& after = nullptr);

// Prints e2e_tps and e2e_tls_tps (and "# ..." detail lines); returns the process exit code.
int RunE2e();

}  // namespace fabric::bench
