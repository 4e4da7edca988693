// SPDX-License-Identifier: Apache-2.0
//
// e2e_tps for bench_commit: committed transactions per second end to end on real processes
// (e2e_network.sh: solo orderer, peer0.org1 and peer0.org2, getput under an AND policy).
// The client pre-signs its proposals (User1@org1, one fresh key per transaction, so every
// transaction is VALID), then keeps BENCH_E2E_IN_FLIGHT (default 384, under one 500-transaction
// block) transactions going on gRPC's callback API: each proposal is endorsed on both peers at
// once, the second response assembles and signs the transaction and queues it on one Broadcast
// stream, while a DeliverFiltered stream on peer0.org1 counts the commits.
// e2e_tps = VALID commits / (last commit - first proposal sent).
// e2e_tls_tps: the same on a second network with TLS on every listener (orderer, peers, the
// peers' chaincode listeners; server certificates from cryptogen, no client authentication, as
// Fabric's test network runs), the client trusting the orgs' TLS CAs. BENCH_E2E_TLS=0 skips it.

#pragma once

namespace fabric::bench {

// Prints e2e_tps and e2e_tls_tps (and "# ..." detail lines); returns the process exit code.
int RunE2e();

}  // namespace fabric::bench
