// SPDX-License-Identifier: Apache-2.0
//
// Deterministic randomized mutation of real proposals through ProcessProposal (the fuzz
// target's path, for compilers without libFuzzer): byte flips, insertions, truncations and
// splices of the SignedProposal bytes and of the inner Proposal/Header bytes (re-signed, so
// mutations reach the checks behind the signature). Every input must give an error or a
// response with a non-zero status, and the peer must keep endorsing good proposals.

#include <random>

#include <gtest/gtest.h>

#include "common/logging/logging.h"
#include "common/msp/testing/status_testing.h"
#include "common/protoutil/unmarshal.h"
#include "peer/endorser/testing/test_peer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace fabric::endorser {
namespace {

using testing::kChannel;
using testing::TestPeer;

std::string Mutate(std::string s, std::mt19937& rng) {
  int ops = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < ops; ++i) {
    switch (rng() % 5) {
      case 0:
        if (!s.empty()) {
          s[rng() % s.size()] ^= static_cast<char>(1 << (rng() % 8));
        }
        break;
      case 1:
        if (!s.empty()) {
          s[rng() % s.size()] = static_cast<char>(rng());
        }
        break;
      case 2:
        s.insert(s.begin() + static_cast<long>(s.empty() ? 0 : rng() % s.size()),
                 static_cast<char>(rng()));
        break;
      case 3:
        if (!s.empty()) {
          s.resize(rng() % s.size());
        }
        break;
      default:
        if (s.size() > 4) {
          size_t a = rng() % s.size();
          size_t n = rng() % (s.size() - a);
          s.insert(rng() % s.size(), s.substr(a, n));
        }
        break;
    }
  }
  return s;
}

TEST(ProcessProposalMutationTest, MutatedProposalsNeverCrashAndPeerKeepsServing) {
  ASSERT_OK(logging::SetSpec("error"));
  auto peer = TestPeer::Create();
  ASSERT_OK(peer);
  TestPeer& p = **peer;
  ASSERT_OK(p.InstallAndDeploy("mycc", "1.0"));
  std::vector<protos::Proposal> seeds = {
      TestPeer::MakeProposal(p.org1_user(), kChannel, "mycc", {"invoke"}),
      TestPeer::MakeProposal(p.org1_user(), kChannel, "qscc", {"GetChainInfo", kChannel}),
      TestPeer::MakeProposal(p.org1_admin(), kChannel, "lscc",
                             {"deploy", kChannel, TestPeer::MakeCds("mycc", "2.0", {"init"})}),
      TestPeer::MakeProposal(p.org1_admin(), "", "lscc", {"getinstalledchaincodes"}),
      TestPeer::MakeProposal(p.org1_user(), kChannel, "lscc", {"getccdata", kChannel, "mycc"}),
  };
  std::mt19937 rng(20240601);
  int endorsed = 0;
  int refused = 0;
  for (int i = 0; i < 3000; ++i) {
    protos::Proposal prop = seeds[rng() % seeds.size()];
    protos::SignedProposal sp;
    switch (rng() % 3) {
      case 0: {  // outer bytes
        std::string bytes = TestPeer::Sign(prop, p.org1_user()).SerializeAsString();
        bytes = Mutate(bytes, rng);
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
        continue;
      }
      case 1:  // the header, re-signed
        prop.set_header(Mutate(prop.header(), rng));
        break;
      default:  // the payload, re-signed
        prop.set_payload(Mutate(prop.payload(), rng));
        break;
    }
    sp = TestPeer::Sign(prop, p.org1_user());
    auto r = p.endorser().ProcessProposal(sp);
    if (r.ok()) {
      EXPECT_NE(r->response().status(), 0);
      endorsed += r->has_endorsement() ? 1 : 0;
    } else {
      ++refused;
      EXPECT_FALSE(r.status().message().empty());
    }
  }
  EXPECT_GT(refused, 100);
  auto good = p.endorser().ProcessProposal(
      TestPeer::MakeSigned(p.org1_user(), kChannel, "mycc", {"invoke"}));
  ASSERT_OK(good);
  EXPECT_TRUE(good->has_endorsement());
  RecordProperty("endorsed", endorsed);
  RecordProperty("refused", refused);
}

}  // namespace
}  // namespace fabric::endorser
