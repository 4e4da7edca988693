// SPDX-License-Identifier: Apache-2.0
//
// libFuzzer target over ProcessProposal's parsing and validation path: the input bytes are a
// SignedProposal sent to a TestPeer (real MSPs, ledger, system chaincodes, fake user
// chaincode). Any crash, sanitizer report or abort is a bug; every input must yield either an
// error Status or a ProposalResponse with a non-zero status.
//
// Built only with clang (-fsanitize=fuzzer); process_proposal_mutation_test.cc drives the same
// entry point with deterministic mutations of real proposals under GCC.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "peer/endorser/testing/test_peer.h"

namespace {

fabric::endorser::testing::TestPeer& Peer() {
  static fabric::endorser::testing::TestPeer* peer = [] {
    auto p = fabric::endorser::testing::TestPeer::Create();
    if (!p.ok()) {
      std::abort();
    }
    return std::move(p).value().release();
  }();
  return *peer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ::protos::SignedProposal sp;
  if (!sp.ParseFromArray(data, static_cast<int>(size))) {
    sp.set_proposal_bytes(std::string(reinterpret_cast<const char*>(data), size));
  }
  auto r = Peer().endorser().ProcessProposal(sp);
  if (r.ok() && r->response().status() == 0) {
    std::abort();  // clients reject status 0; the endorser must always set one
  }
  return 0;
}
