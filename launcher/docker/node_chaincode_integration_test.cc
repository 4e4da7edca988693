// SPDX-License-Identifier: Apache-2.0
//
// Node.js chaincode on the real Docker engine (label: integration): unchanged npm fabric-shim
// 2.5 and fabric-contract-api 2.5 chaincodes, packaged as NODE, built by DockerLauncher in
// fabric-cpp/nodeenv (npm install from the registry, with the host's npm settings and CA
// bundle), run in fabric-cpp/node-runtime containers, registered through the real
// ChaincodeSupport (over TLS with the uploaded launch certificate for getput), invoked and
// queried against a real ledger. A package without a start script fails with a clear error.
//
// Needs the engine, the nodeenv and node-runtime images (scripts/build-images.sh) and the npm
// registry. Without engine or images the tests skip loudly, unless FABRIC_REQUIRE_DOCKER=1.

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/archive/archive.h"
#include "common/common.pb.h"
#include "launcher/docker/chaincode_package.h"
#include "launcher/docker/docker_launcher.h"
#include "launcher/docker/testing/sample_packages.h"
#include "msp/identities.pb.h"
#include "peer/chaincode/authenticator.h"
#include "peer/chaincode/testing/chaincode_test_env.h"
#include "peer/proposal.pb.h"

namespace fabric::launcher::docker {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr char kPeerId[] = "itestnode";

class NodeChaincodeIntegrationTest : public chaincode::testing::ChaincodeTestEnv {
 protected:
  void SetUp() override {
    ChaincodeTestEnv::SetUp();
    DockerLauncherOptions o;
    o.client = DockerClientOptions::FromEnv();
    o.peer_id = kPeerId;
    o.stop_grace = 1s;
    o.node.WithHostDefaults(std::getenv);
    auto launcher = DockerLauncher::Open(o);
    std::string missing = launcher.ok() ? "" : std::string(launcher.status().message());
    for (const auto& image : {o.node.builder_image, o.node.runtime_image}) {
      if (launcher.ok() && (*launcher)->client().InspectImage(image).status().IsNotFound()) {
        missing = "image " + image + " not built";
      }
    }
    if (!missing.empty()) {
      if (std::getenv("FABRIC_REQUIRE_DOCKER") != nullptr) {
        GTEST_FAIL() << "Docker engine and node images required (FABRIC_REQUIRE_DOCKER): "
                     << missing;
      }
      std::fprintf(stderr,
                   "\n*** SKIPPING Node chaincode integration test: %s\n*** start the engine "
                   "with scripts/lib/docker-engine.sh and build images with "
                   "scripts/build-images.sh nodeenv node-runtime\n\n",
                   missing.c_str());
      GTEST_SKIP();
    }
    launcher_ = std::move(*launcher);
  }

  void TearDown() override {
    ChaincodeTestEnv::TearDown();
    if (launcher_ != nullptr) {
      DockerClient& client = launcher_->client();
      auto left = client.ListContainers({std::string("org.fabric-cpp.peer=dev-") + kPeerId});
      for (const auto& c : left.ok() ? *left : std::vector<ContainerSummary>{}) {
        (void)client.RemoveContainer(c.id);
      }
    }
    launcher_.reset();  // stops and removes its containers
  }

  static ChaincodePackage NodePackage(const std::string& ccid, const std::string& code_package) {
    ChaincodePackage p;
    p.ccid = ccid;
    p.code_package = code_package;
    p.type = "NODE";
    return p;
  }
  void AddNodePackage(const std::string& ccid, const std::string& code_package) {
    packages_.Add(NodePackage(ccid, code_package));
  }

  // A signed proposal whose creator is Org1MSP with an X.509 certificate: fabric-contract-api
  // builds ctx.clientIdentity from it before every transaction.
  void SignProposal(Tx& tx) {
    auto ca = chaincode::Authenticator::Create();
    ASSERT_TRUE(ca.ok()) << ca.status();
    auto pair = (*ca)->Generate("client");
    ASSERT_TRUE(pair.ok()) << pair.status();
    ::msp::SerializedIdentity creator;
    creator.set_mspid("Org1MSP");
    creator.set_id_bytes(pair->cert_pem);
    ::common::SignatureHeader signature_header;
    signature_header.set_creator(creator.SerializeAsString());
    signature_header.set_nonce("nonce");
    ::common::ChannelHeader channel_header;
    channel_header.set_type(::common::ENDORSER_TRANSACTION);
    channel_header.set_channel_id(kChannel);
    channel_header.set_tx_id(tx.params.tx_id);
    ::common::Header header;
    header.set_channel_header(channel_header.SerializeAsString());
    header.set_signature_header(signature_header.SerializeAsString());
    auto proposal = std::make_unique<protos::Proposal>();
    proposal->set_header(header.SerializeAsString());
    protos::ChaincodeProposalPayload payload;
    payload.set_input("input");
    proposal->set_payload(payload.SerializeAsString());
    auto signed_proposal = std::make_unique<protos::SignedProposal>();
    signed_proposal->set_proposal_bytes(proposal->SerializeAsString());
    signed_proposal->set_signature("signature");
    tx.params.proposal = proposal.get();
    tx.params.signed_proposal = signed_proposal.get();
    proposals_.push_back(std::move(proposal));
    signed_proposals_.push_back(std::move(signed_proposal));
  }

  std::unique_ptr<DockerLauncher> launcher_;
  std::unique_ptr<chaincode::Authenticator> ca_;
  std::vector<std::unique_ptr<protos::Proposal>> proposals_;
  std::vector<std::unique_ptr<protos::SignedProposal>> signed_proposals_;
};

TEST_F(NodeChaincodeIntegrationTest, FabricShimGetputBuildsAndServesOverTls) {
  auto ca = chaincode::Authenticator::Create();
  ASSERT_TRUE(ca.ok()) << ca.status();
  ca_ = std::move(*ca);  // outlives the listener (TearDown)
  auto pkg = testing::NodeGetputPackage();
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  AddNodePackage("nodegetput:1.0", *pkg);
  options_.startup_timeout = 600s;  // includes a first-time npm install
  options_.tls_enabled = true;
  options_.authenticator = ca_.get();
  StartSupport(*launcher_);

  auto init = NewTx("init-nodegetput");
  auto m = support_->Execute(init->params, "nodegetput:1.0", Input({"init", "a", "100"}),
                             chaincode::ExecuteType::kInit);
  ASSERT_TRUE(m.ok()) << m.status() << "\nlast output:\n"
                      << ::testing::PrintToString(launcher_->LastLogLines("nodegetput:1.0"));
  Commit({ledger::testing::FastEndorserTx(kChannel, "init-nodegetput",
                                          init->sim->GetTxSimulationResults().value())});

  auto tx = NewTx("getput");
  auto r = Invoke(*tx, "nodegetput:1.0", {"getput", "a"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status(), 200) << r->message();
  kvrwset::KVRWSet rw = RwSet(*tx->sim, "nodegetput");
  ASSERT_EQ(rw.writes_size(), 1);
  EXPECT_EQ(rw.writes(0).value(), "100x");
  auto q = NewTx("get");
  auto qr = Invoke(*q, "nodegetput:1.0", {"get", "a"});
  ASSERT_TRUE(qr.ok()) << qr.status();
  EXPECT_EQ(qr->payload(), "100");

  auto image = launcher_->client().InspectImage(launcher_->ImageName("nodegetput:1.0"));
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->labels["org.hyperledger.fabric.chaincode.type"], "NODE");
  EXPECT_EQ(image->labels["org.fabric-cpp.chaincode.package.hash"], PackageHash(*pkg));
  server_->Shutdown();
  ASSERT_TRUE(launcher_->Stop("nodegetput:1.0").ok());
}

TEST_F(NodeChaincodeIntegrationTest, FabricContractApiChaincodeServesTransactions) {
  auto pkg = testing::NodeContractPackage();
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  AddNodePackage("nodeasset:1.0", *pkg);
  options_.startup_timeout = 600s;
  StartSupport(*launcher_);

  auto tx = NewTx("create");
  SignProposal(*tx);
  auto r = Invoke(*tx, "nodeasset:1.0", {"CreateAsset", "asset1", "blue"});
  ASSERT_TRUE(r.ok()) << r.status() << "\nlast output:\n"
                      << ::testing::PrintToString(launcher_->LastLogLines("nodeasset:1.0"));
  EXPECT_EQ(r->status(), 200) << r->message();
  EXPECT_EQ(r->payload(), "blue");
  Commit({ledger::testing::FastEndorserTx(kChannel, "create",
                                          tx->sim->GetTxSimulationResults().value())});
  auto q = NewTx("read");
  SignProposal(*q);
  auto qr = Invoke(*q, "nodeasset:1.0", {"AssetContract:ReadAsset", "asset1"});
  ASSERT_TRUE(qr.ok()) << qr.status();
  EXPECT_EQ(qr->status(), 200) << qr->message();
  EXPECT_EQ(qr->payload(), "blue");
  auto missing = NewTx("read-missing");
  SignProposal(*missing);
  auto mr = Invoke(*missing, "nodeasset:1.0", {"ReadAsset", "asset9"});
  ASSERT_TRUE(mr.ok()) << mr.status();
  EXPECT_EQ(mr->status(), 500);
  EXPECT_THAT(mr->message(), HasSubstr("asset asset9 does not exist"));
  server_->Shutdown();
  ASSERT_TRUE(launcher_->Stop("nodeasset:1.0").ok());
}

TEST_F(NodeChaincodeIntegrationTest, FailedNpmInstallIsReportedWithNpmsError) {
  // A dependency that does not exist: npm's E404 reaches the caller.
  std::vector<archive::Entry> files = {
      archive::File("src/package.json",
                    R"({"name":"x","version":"1.0.0","scripts":{"start":"node index.js"},)"
                    R"("dependencies":{"fabric-cpp-no-such-package-e404":"1.0.0"}})"),
      archive::File("src/index.js", "")};
  auto built = launcher_->EnsureImage(
      NodePackage("nodebad:1.0", archive::Write(files, {.gzip = true}).value()),
      std::chrono::steady_clock::now() + 300s);
  ASSERT_FALSE(built.ok());
  EXPECT_TRUE(built.status().IsFailedPrecondition()) << built.status();
  EXPECT_THAT(std::string(built.status().message()), HasSubstr("E404"));
}

}  // namespace
}  // namespace fabric::launcher::docker
