// SPDX-License-Identifier: Apache-2.0
//
// DockerLauncher on the real Docker engine (label: integration): the abstore sample built from
// a source package in fabric-cpp/ccenv, launched through the real ChaincodeSupport +
// HandlerRegistry, invoked against a real ledger; crash and relaunch; peer restart with a
// cached image and stale containers; stale-package rebuild; startup timeout; build failure;
// concurrent launches; chaincode TLS with the uploaded per-launch certificate.
//
// Needs a running engine (scripts/lib/docker-engine.sh) and the images (scripts/build-images.sh);
// scripts/test.sh does both. Without an engine the tests skip loudly, unless
// FABRIC_REQUIRE_DOCKER=1, where they fail. Every test removes the containers it started.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <iterator>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fabric/base/testing/wait_until.h"
#include "launcher/docker/chaincode_package.h"
#include "launcher/docker/docker_launcher.h"
#include "launcher/docker/testing/sample_packages.h"
#include "peer/chaincode/authenticator.h"
#include "peer/chaincode/testing/chaincode_test_env.h"

namespace fabric::launcher::docker {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

constexpr char kPeerId[] = "itest";

class DockerLauncherIntegrationTest : public chaincode::testing::ChaincodeTestEnv {
 protected:
  void SetUp() override {
    ChaincodeTestEnv::SetUp();
    launcher_ = OpenLauncher();
    if (launcher_ == nullptr) {
      if (HasFailure()) {
        GTEST_FAIL() << "no Docker engine: the test cannot run";  // fatal: the body is skipped
      }
      GTEST_SKIP();
    }
  }

  void TearDown() override {
    ChaincodeTestEnv::TearDown();
    launcher_.reset();  // stops and removes its containers
    if (client_ != nullptr) {
      auto left = client_->ListContainers({std::string("org.fabric-cpp.peer=dev-") + kPeerId});
      if (left.ok()) {
        for (const auto& c : *left) {
          (void)client_->RemoveContainer(c.id);
        }
      }
    }
  }

  std::unique_ptr<DockerLauncher> OpenLauncher() {
    DockerLauncherOptions o;
    o.client = DockerClientOptions::FromEnv();
    o.peer_id = kPeerId;
    o.stop_grace = 1s;
    auto launcher = DockerLauncher::Open(o);
    if (!launcher.ok()) {
      if (std::getenv("FABRIC_REQUIRE_DOCKER") != nullptr) {
        ADD_FAILURE() << "Docker engine required (FABRIC_REQUIRE_DOCKER): " << launcher.status();
      } else {
        std::fprintf(stderr,
                     "\n*** SKIPPING Docker integration test: %s\n*** start the engine with "
                     "scripts/lib/docker-engine.sh and build images with "
                     "scripts/build-images.sh\n\n",
                     std::string(launcher.status().message()).c_str());
      }
      return nullptr;
    }
    if (client_ == nullptr) {
      auto c = DockerClient::Connect(o.client);
      if (c.ok()) {
        client_ = std::move(*c);
      }
    }
    return std::move(*launcher);
  }

  void AddPackage(const std::string& ccid, const std::string& code_package) {
    ChaincodePackage p;
    p.ccid = ccid;
    p.code_package = code_package;
    p.type = "CPP";
    packages_.Add(p);
  }

  std::vector<ContainerSummary> ContainersOf(const std::string& ccid) {
    auto list = client_->ListContainers(
        {"org.fabric-cpp.chaincode.id=" + ccid, std::string("org.fabric-cpp.peer=dev-") + kPeerId});
    EXPECT_TRUE(list.ok()) << list.status();
    return list.ok() ? *list : std::vector<ContainerSummary>{};
  }

  // init a=100 b=200, committed.
  void InitAbstore(const std::string& ccid) {
    auto init = NewTx("init-" + ccid);
    auto m = support_->Execute(init->params, ccid, Input({"init", "a", "100", "b", "200"}),
                               chaincode::ExecuteType::kInit);
    ASSERT_TRUE(m.ok()) << m.status();
    Commit({ledger::testing::FastEndorserTx(kChannel, "init-" + ccid,
                                            init->sim->GetTxSimulationResults().value())});
  }

  std::unique_ptr<DockerLauncher> launcher_;
  std::unique_ptr<DockerClient> client_;
  std::unique_ptr<chaincode::Authenticator> ca_;
};

// /proc/<pid>/status of the main process of container `name`, as the host sees it.
std::string ProcessStatus(const std::string& name) {
  std::string pid;
  FILE* out = popen(("docker inspect -f '{{.State.Pid}}' " + name).c_str(), "r");
  if (out == nullptr) {
    return "";
  }
  char buf[64];
  while (fgets(buf, sizeof(buf), out) != nullptr) {
    pid += buf;
  }
  pclose(out);
  pid.erase(pid.find_last_not_of(" \n") + 1);
  std::ifstream in("/proc/" + pid + "/status");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST_F(DockerLauncherIntegrationTest, BuildsLaunchesAndInvokesAbstoreFromSourcePackage) {
  auto pkg = testing::AbstorePackage();
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  AddPackage("abstore:1.0", *pkg);
  options_.startup_timeout = 300s;  // includes a first-time image build
  StartSupport(*launcher_);
  InitAbstore("abstore:1.0");
  auto tx = NewTx("move");
  auto r = Invoke(*tx, "abstore:1.0", {"invoke", "a", "b", "10"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status(), 200) << r->message();
  kvrwset::KVRWSet rw = RwSet(*tx->sim, "abstore");
  ASSERT_EQ(rw.writes_size(), 2);
  EXPECT_EQ(rw.writes(0).value(), "90");
  EXPECT_EQ(rw.writes(1).value(), "210");
  auto q = NewTx("query");
  auto qr = Invoke(*q, "abstore:1.0", {"query", "a"});
  ASSERT_TRUE(qr.ok()) << qr.status();
  EXPECT_EQ(qr->payload(), "100");

  // Fabric's names and our labels.
  EXPECT_EQ(launcher_->ContainerName("abstore:1.0"), "dev-itest-abstore-1.0");
  EXPECT_THAT(launcher_->ImageName("abstore:1.0"), ::testing::StartsWith("dev-itest-abstore-1.0-"));
  auto containers = ContainersOf("abstore:1.0");
  ASSERT_EQ(containers.size(), 1u);
  EXPECT_EQ(containers[0].name, "dev-itest-abstore-1.0");
  EXPECT_EQ(containers[0].state, "running");
  auto image = client_->InspectImage(launcher_->ImageName("abstore:1.0"));
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->labels["org.fabric-cpp.chaincode.package.hash"], PackageHash(*pkg));
  EXPECT_EQ(image->labels["org.hyperledger.fabric.chaincode.id.name"], "abstore");
  EXPECT_TRUE(launcher_->IsRunning("abstore:1.0"));

  // The chaincode runs as nobody, without capabilities, and cannot gain any.
  const std::string status = ProcessStatus("dev-itest-abstore-1.0");
  EXPECT_THAT(status, HasSubstr("Uid:\t65534\t65534\t65534\t65534"));
  EXPECT_THAT(status, HasSubstr("CapEff:\t0000000000000000"));
  EXPECT_THAT(status, HasSubstr("CapBnd:\t0000000000000000"));
  EXPECT_THAT(status, HasSubstr("NoNewPrivs:\t1"));

  // Stop (upgrade/shutdown path) removes the container.
  server_->Shutdown();
  ASSERT_TRUE(launcher_->Stop("abstore:1.0").ok());
  EXPECT_TRUE(ContainersOf("abstore:1.0").empty());
  EXPECT_FALSE(launcher_->IsRunning("abstore:1.0"));
}

TEST_F(DockerLauncherIntegrationTest, AbstoreRegistersOverTlsWithUploadedLaunchCertificate) {
  // peer.tls.enabled: client.key, client.crt (base64 PEM) and peer.crt are uploaded into the
  // container at /etc/hyperledger/fabric, and the listener accepts only that certificate.
  auto ca = chaincode::Authenticator::Create();
  ASSERT_TRUE(ca.ok()) << ca.status();
  ca_ = std::move(*ca);  // outlives the listener (TearDown)
  auto pkg = testing::AbstorePackage();
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  AddPackage("abstore:1.0", *pkg);
  options_.startup_timeout = 300s;  // includes a first-time image build
  options_.tls_enabled = true;
  options_.authenticator = ca_.get();
  StartSupport(*launcher_);
  InitAbstore("abstore:1.0");
  auto tx = NewTx("move");
  auto r = Invoke(*tx, "abstore:1.0", {"invoke", "a", "b", "10"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status(), 200) << r->message();
  server_->Shutdown();
  ASSERT_TRUE(launcher_->Stop("abstore:1.0").ok());
}

TEST_F(DockerLauncherIntegrationTest, KilledContainerIsRelaunchedByTheNextInvoke) {
  auto pkg = testing::AbstorePackage();
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  AddPackage("abstore:1.0", *pkg);
  options_.startup_timeout = 300s;
  StartSupport(*launcher_);
  InitAbstore("abstore:1.0");
  std::string first = launcher_->ContainerId("abstore:1.0");
  ASSERT_FALSE(first.empty());
  ASSERT_TRUE(launcher_->client().KillContainer(first).ok());
  auto code = launcher_->Wait("abstore:1.0", 20s);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 137);
  ASSERT_TRUE(WaitUntil([&] { return support_->GetHandler("abstore:1.0") == nullptr; }))
      << "crash not noticed";
  auto q = NewTx("query-after-crash");
  auto qr = Invoke(*q, "abstore:1.0", {"query", "a"});
  ASSERT_TRUE(qr.ok()) << qr.status();
  EXPECT_EQ(qr->payload(), "100");
  std::string second = launcher_->ContainerId("abstore:1.0");
  EXPECT_NE(second, first);
  EXPECT_EQ(ContainersOf("abstore:1.0").size(), 1u);
}

TEST_F(DockerLauncherIntegrationTest, PeerRestartReusesCachedImageAndRemovesStaleContainers) {
  auto pkg = testing::AbstorePackage();
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  auto built = launcher_->EnsureImage("abstore:1.0", *pkg);
  ASSERT_TRUE(built.ok()) << built.status();
  std::string image_id = client_->InspectImage(*built).value().id;

  // A container left behind by an earlier run of this peer (e.g. after a crash of the peer).
  ContainerConfig leftover;
  leftover.name = "dev-itest-leftover";
  leftover.image = *built;
  leftover.cmd = {"sleep", "600"};
  leftover.labels = {{"org.fabric-cpp.peer", "dev-itest"}};
  auto id = client_->CreateContainer(leftover);
  ASSERT_TRUE(id.ok()) << id.status();
  ASSERT_TRUE(client_->StartContainer(*id).ok());

  launcher_.reset();           // peer stops
  launcher_ = OpenLauncher();  // peer restarts
  ASSERT_NE(launcher_, nullptr);
  auto stale = client_->ListContainers({"org.fabric-cpp.peer=dev-itest"});
  ASSERT_TRUE(stale.ok());
  EXPECT_TRUE(stale->empty()) << "stale container not removed at start";

  AddPackage("abstore:1.0", *pkg);
  options_.startup_timeout = 20s;  // no build may happen inside it
  StartSupport(*launcher_);
  auto start = Clock::now();
  InitAbstore("abstore:1.0");
  auto elapsed = Clock::now() - start;
  EXPECT_LT(elapsed, 10s) << "cached image was rebuilt?";
  EXPECT_EQ(client_->InspectImage(*built).value().id, image_id);
}

TEST_F(DockerLauncherIntegrationTest, DifferentPackageUnderSameVersionRebuildsTheImage) {
  auto p1 = testing::SleeperPackage("one");
  auto p2 = testing::SleeperPackage("two");
  ASSERT_TRUE(p1.ok() && p2.ok());
  auto i1 = launcher_->EnsureImage("sleeper:1.0", *p1);
  ASSERT_TRUE(i1.ok()) << i1.status();
  std::string id1 = client_->InspectImage(*i1).value().id;
  auto again = launcher_->EnsureImage("sleeper:1.0", *p1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(client_->InspectImage(*again).value().id, id1);  // same package: reused
  auto i2 = launcher_->EnsureImage("sleeper:1.0", *p2);
  ASSERT_TRUE(i2.ok()) << i2.status();
  EXPECT_EQ(*i2, *i1);  // same name (Fabric's), new content
  auto info = client_->InspectImage(*i2).value();
  EXPECT_NE(info.id, id1);
  EXPECT_EQ(info.labels["org.fabric-cpp.chaincode.package.hash"], PackageHash(*p2));
}

TEST_F(DockerLauncherIntegrationTest, StartupTimeoutRemovesContainerAndKeepsItsLastLines) {
  auto pkg = testing::SleeperPackage();
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  ASSERT_TRUE(launcher_->EnsureImage("sleeper:1.0", *pkg).ok());
  AddPackage("sleeper:1.0", *pkg);
  options_.startup_timeout = 3s;
  StartSupport(*launcher_);
  Status s = support_->Launch("sleeper:1.0");
  ASSERT_TRUE(s.IsDeadlineExceeded()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("did not register within 3s"));
  EXPECT_TRUE(ContainersOf("sleeper:1.0").empty()) << "timed-out container not removed";
  EXPECT_FALSE(launcher_->IsRunning("sleeper:1.0"));
  auto lines = launcher_->LastLogLines("sleeper:1.0");
  EXPECT_THAT(lines, ::testing::Contains(HasSubstr("not registering: waiting forever")));
  EXPECT_THAT(lines, ::testing::Contains(HasSubstr("-peer.address=127.0.0.1:")));
}

TEST_F(DockerLauncherIntegrationTest, BuildFailureCarriesTheCompilerOutput) {
  auto pkg = testing::BrokenPackage();
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  auto image = launcher_->EnsureImage("broken:1.0", *pkg);
  ASSERT_FALSE(image.ok());
  EXPECT_TRUE(image.status().IsFailedPrecondition()) << image.status();
  EXPECT_THAT(std::string(image.status().message()), HasSubstr("this_does_not_compile"));
  auto builders = client_->ListContainers(
      {"org.fabric-cpp.role=builder", std::string("org.fabric-cpp.peer=dev-") + kPeerId});
  ASSERT_TRUE(builders.ok());
  EXPECT_TRUE(builders->empty()) << "builder container left behind";
}

// A build that never ends gives up at the launch deadline, and its builder is removed.
TEST_F(DockerLauncherIntegrationTest, EndlessBuildStopsAtTheLaunchDeadline) {
  auto pkg = testing::EndlessBuildPackage();
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  const auto started = std::chrono::steady_clock::now();
  auto image = launcher_->EnsureImage("endless:1.0", *pkg, std::chrono::steady_clock::now() + 3s);
  EXPECT_TRUE(image.status().IsDeadlineExceeded()) << image.status();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
  auto builders = client_->ListContainers(
      {"org.fabric-cpp.role=builder", std::string("org.fabric-cpp.peer=dev-") + kPeerId});
  ASSERT_TRUE(builders.ok());
  EXPECT_TRUE(builders->empty()) << "builder container left behind";
}

// Shutting the launcher down abandons a build in progress within a few seconds, so that the
// peer stops on SIGTERM whatever its chaincodes' builds do.
TEST_F(DockerLauncherIntegrationTest, ShutdownAbandonsABuildInProgress) {
  auto pkg = testing::EndlessBuildPackage();
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  std::promise<Status> result;
  std::jthread build(
      [&] { result.set_value(launcher_->EnsureImage("endless:1.0", *pkg).status()); });
  // The build is in progress once its builder container runs.
  EXPECT_TRUE(WaitUntil(
      [&] {
        auto builders = client_->ListContainers(
            {"org.fabric-cpp.role=builder", std::string("org.fabric-cpp.peer=dev-") + kPeerId});
        return builders.ok() && !builders->empty() && (*builders)[0].state == "running";
      },
      60s));
  const auto asked = std::chrono::steady_clock::now();
  launcher_->Shutdown();
  std::future<Status> done = result.get_future();
  ASSERT_EQ(done.wait_for(10s), std::future_status::ready);
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 5s);
  EXPECT_EQ(done.get().code(), StatusCode::kCancelled);
  StartRequest r;
  r.ccid = "endless:1.0";
  EXPECT_EQ(launcher_->Start(r).code(), StatusCode::kCancelled);
}

TEST_F(DockerLauncherIntegrationTest, ConcurrentLaunchesMakeOneContainer) {
  auto pkg = testing::AbstorePackage();
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  AddPackage("abstore:1.0", *pkg);
  options_.startup_timeout = 300s;
  StartSupport(*launcher_);
  std::vector<Status> results(4);
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&, i] { results[i] = support_->Launch("abstore:1.0"); });
    }
  }
  for (const auto& s : results) {
    EXPECT_TRUE(s.ok()) << s;
  }
  EXPECT_EQ(ContainersOf("abstore:1.0").size(), 1u);
}

}  // namespace
}  // namespace fabric::launcher::docker
