// SPDX-License-Identifier: Apache-2.0
//
// libFuzzer target over ProcessProposal's parsing and validation path, against a TestPeer (real
// MSPs, ledger, system chaincodes, fake user chaincode "mycc" deployed). Any crash, sanitizer
// report or abort is a bug; every input must yield either an error Status or a
// ProposalResponse with a non-zero status. Input formats:
//   - anything else: a marshalled SignedProposal (else the bytes become proposal_bytes), which
//     mostly exercises parsing, header checks and the signature/identity checks;
//   - 0xF1 + Proposal bytes: the creator in the SignatureHeader is replaced with User1@org1 of
//     this peer's network, the txid recomputed, and the proposal signed, so that mutations reach
//     what lies behind the signature (channel, duplicate txid, ACL, lscc/qscc/cscc, simulation);
//   - 0xF0 + Proposal bytes: signed by User1@org1 as they are (txid and creator unchanged).
// FABRIC_FUZZ_WRITE_SEEDS=<dir> writes the seed corpus (peer/endorser/fuzz_corpus) and exits.
//
// Built with clang as process_proposal_fuzzer (-fsanitize=fuzzer); process_proposal_mutation_
// test.cc drives the same entry point with deterministic mutations of real proposals under GCC.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "common/logging/logging.h"
#include "common/protoutil/txutils.h"
#include "peer/endorser/testing/test_peer.h"

namespace {

using fabric::endorser::testing::kChannel;
using fabric::endorser::testing::TestPeer;

constexpr uint8_t kSignAsIs = 0xF0;
constexpr uint8_t kSignAsUser = 0xF1;

TestPeer& Peer() {
  static TestPeer* peer = [] {
    auto p = TestPeer::Create();
    if (!p.ok() || !(*p)->InstallAndDeploy("mycc", "1.0").ok()) {
      std::abort();
    }
    return std::move(p).value().release();
  }();
  return *peer;
}

// Proposal bytes with the creator replaced by `user` and the txid recomputed; the input itself
// when it does not parse that far.
std::string WithCreator(const std::string& proposal_bytes,
                        const fabric::msp::SigningIdentity& user) {
  ::protos::Proposal prop;
  ::common::Header header;
  ::common::SignatureHeader sh;
  ::common::ChannelHeader ch;
  if (!prop.ParseFromString(proposal_bytes) || !header.ParseFromString(prop.header()) ||
      !sh.ParseFromString(header.signature_header()) ||
      !ch.ParseFromString(header.channel_header())) {
    return proposal_bytes;
  }
  sh.set_creator(user.Serialize());
  ch.set_tx_id(fabric::protoutil::ComputeTxId(sh.nonce(), sh.creator()));
  header.set_signature_header(sh.SerializeAsString());
  header.set_channel_header(ch.SerializeAsString());
  prop.set_header(header.SerializeAsString());
  return prop.SerializeAsString();
}

::protos::SignedProposal FromInput(const uint8_t* data, size_t size) {
  ::protos::SignedProposal sp;
  if (size > 0 && (data[0] == kSignAsIs || data[0] == kSignAsUser)) {
    std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const auto& user = Peer().org1_user();
    if (data[0] == kSignAsUser) {
      bytes = WithCreator(bytes, user);
    }
    sp.set_proposal_bytes(bytes);
    auto sig = user.Sign(bytes);
    if (sig.ok()) {
      sp.set_signature(*sig);
    }
    return sp;
  }
  if (!sp.ParseFromArray(data, static_cast<int>(size))) {
    sp.set_proposal_bytes(std::string(reinterpret_cast<const char*>(data), size));
  }
  return sp;
}

void WriteSeed(const std::string& dir, const std::string& name, uint8_t mode,
               const ::protos::Proposal& prop) {
  std::ofstream out(dir + "/" + name, std::ios::binary);
  if (mode != 0) {
    out.put(static_cast<char>(mode));
    out << prop.SerializeAsString();
  } else {
    out << TestPeer::Sign(prop, Peer().org1_user()).SerializeAsString();
  }
}

void WriteSeeds(const std::string& dir) {
  const auto& user = Peer().org1_user();
  const auto& admin = Peer().org1_admin();
  auto p = [&](const auto& who, const std::string& ch, const std::string& cc,
               const std::vector<std::string>& args) {
    return TestPeer::MakeProposal(who, ch, cc, args);
  };
  WriteSeed(dir, "signed_invoke", 0, p(user, kChannel, "mycc", {"invoke"}));
  WriteSeed(dir, "user_invoke", kSignAsUser, p(user, kChannel, "mycc", {"invoke"}));
  WriteSeed(dir, "user_get", kSignAsUser, p(user, kChannel, "mycc", {"get"}));
  WriteSeed(dir, "user_fail", kSignAsUser, p(user, kChannel, "mycc", {"fail"}));
  WriteSeed(dir, "user_lscc_getid", kSignAsUser,
            p(user, kChannel, "lscc", {"getid", kChannel, "mycc"}));
  WriteSeed(dir, "user_lscc_getccdata", kSignAsUser,
            p(user, kChannel, "lscc", {"getccdata", kChannel, "mycc"}));
  WriteSeed(
      dir, "user_lscc_deploy", kSignAsUser,
      p(admin, kChannel, "lscc", {"deploy", kChannel, TestPeer::MakeCds("cc2", "1.0", {"init"})}));
  WriteSeed(dir, "user_qscc_info", kSignAsUser, p(user, "", "qscc", {"GetChainInfo", kChannel}));
  WriteSeed(dir, "user_qscc_block", kSignAsUser,
            p(user, "", "qscc", {"GetBlockByNumber", kChannel, "0"}));
  WriteSeed(dir, "user_cscc_channels", kSignAsUser, p(user, "", "cscc", {"GetChannels"}));
  WriteSeed(dir, "asis_invoke", kSignAsIs, p(user, kChannel, "mycc", {"invoke"}));
  WriteSeed(dir, "asis_config", kSignAsIs,
            TestPeer::MakeProposal(user, kChannel, "mycc", {"invoke"}, ::common::CONFIG));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Refused proposals are logged as warnings; at fuzzing rates that is most of the run time.
  (void)fabric::logging::SetSpec("error");
  if (const char* dir = std::getenv("FABRIC_FUZZ_WRITE_SEEDS")) {
    WriteSeeds(dir);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = Peer().endorser().ProcessProposal(FromInput(data, size));
  if (r.ok() && r->response().status() == 0) {
    std::abort();  // clients reject status 0; the endorser must always set one
  }
  return 0;
}
