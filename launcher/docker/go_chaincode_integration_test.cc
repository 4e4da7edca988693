// SPDX-License-Identifier: Apache-2.0
//
// Go chaincode on the real Docker engine (label: integration): the Go getput chaincode
// (launcher/docker/testdata/go_getput, gRPC code generated from fabric-cpp's protos, its
// dependencies vendored from Debian's Go sources by assemble.sh) packaged by the CLI's packager
// in both of Fabric's layouts, built offline in fabric-cpp/goenv by the DockerLauncher, run in
// the C++ runtime image and invoked through the real ChaincodeSupport against a real ledger;
// packages that do not vendor a module or have no main package fail with what to do.
//
// Needs the engine, the images (scripts/build-images.sh) and, on the host, go, protoc,
// protoc-gen-go and Debian's gRPC sources (scripts/install-deps.sh). Without them the tests
// skip loudly, unless FABRIC_REQUIRE_DOCKER=1, where they fail. Containers and images are named
// after network id "gotest" and removed at the end.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/archive/archive.h"
#include "fabric/base/testing/wait_until.h"
#include "launcher/docker/chaincode_package.h"
#include "launcher/docker/docker_launcher.h"
#include "launcher/docker/testing/go_packages.h"
#include "peer/chaincode/testing/chaincode_test_env.h"

namespace fabric::launcher::docker {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr char kNetwork[] = "gotest";
constexpr char kPeer[] = "itest";
constexpr char kImportPath[] = "fabric-cpp.example/getput";

ChaincodePackage GoPackage(const std::string& ccid, const std::string& code_package,
                           const std::string& path) {
  ChaincodePackage p;
  p.ccid = ccid;
  p.code_package = code_package;
  p.type = "GOLANG";
  p.path = path;
  return p;
}

bool Required() { return std::getenv("FABRIC_REQUIRE_DOCKER") != nullptr; }

class GoChaincodeIntegrationTest : public chaincode::testing::ChaincodeTestEnv {
 protected:
  void SetUp() override {
    ChaincodeTestEnv::SetUp();
    char tmpl[] = "/tmp/go_chaincode_test_XXXXXX";
    dir_ = mkdtemp(tmpl);
    DockerLauncherOptions o;
    o.client = DockerClientOptions::FromEnv();
    o.network_id = kNetwork;
    o.peer_id = kPeer;
    o.stop_grace = 1s;
    auto launcher = DockerLauncher::Open(o);
    std::string missing;
    if (!launcher.ok()) {
      missing = std::string(launcher.status().message());
    } else if (!(*launcher)->client().InspectImage(o.goenv_image).ok()) {
      missing = "image " + o.goenv_image + " (scripts/build-images.sh goenv)";
    }
    if (!missing.empty()) {
      if (Required()) {
        GTEST_FAIL() << "Docker required (FABRIC_REQUIRE_DOCKER): " << missing;
      }
      std::fprintf(stderr, "\n*** SKIPPING Go chaincode integration test: %s\n\n", missing.c_str());
      GTEST_SKIP();
    }
    launcher_ = std::move(*launcher);
  }

  void TearDown() override {
    ChaincodeTestEnv::TearDown();
    if (launcher_ != nullptr) {
      std::vector<std::string> images;
      for (const char* ccid : {"gogetput:1.0", "gopath:1.0", "gomissing:1.0", "golib:1.0"}) {
        images.push_back(launcher_->ImageName(ccid));
      }
      launcher_.reset();  // stops and removes its containers
      auto again = DockerClient::Connect(DockerClientOptions::FromEnv());
      if (again.ok()) {
        for (const auto& image : images) {
          (void)(*again)->RemoveImage(image);
        }
      }
    }
    fs::remove_all(dir_);
  }

  // The Go getput package in `layout`; sets path_ to the chaincode path recorded. Empty (the
  // test skips) without the host's Go tools.
  std::string GetputPackage(const std::string& layout) {
    auto sample = testing::GoGetputPackage(dir_, layout);
    if (sample.status().IsUnavailable() && !Required()) {
      std::fprintf(stderr, "\n*** SKIPPING: %s\n\n",
                   std::string(sample.status().message()).c_str());
      return "";
    }
    EXPECT_TRUE(sample.ok()) << sample.status();
    path_ = sample.ok() ? sample->path : "";
    return sample.ok() ? sample->code_package : "";
  }

  void AddPackage(const std::string& ccid, const std::string& code_package,
                  const std::string& path) {
    packages_.Add(GoPackage(ccid, code_package, path));
  }

  // put k=v, committed; then get k and invoke k through the chaincode.
  void PutGetInvoke(const std::string& ccid, const std::string& ns) {
    auto put = NewTx("put-" + ns);
    auto r = Invoke(*put, ccid, {"put", "k", "v"});
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status(), 200) << r->message();
    auto results = put->sim->GetTxSimulationResults();
    ASSERT_TRUE(results.ok()) << results.status();
    kvrwset::KVRWSet rw;
    for (const auto& nsrw : results->ns_rwset()) {
      if (nsrw.namespace_() == ns) {
        rw.ParseFromString(nsrw.rwset());
      }
    }
    ASSERT_EQ(rw.writes_size(), 1);
    EXPECT_EQ(rw.writes(0).key(), "k");
    EXPECT_EQ(rw.writes(0).value(), "v");
    Commit({ledger::testing::FastEndorserTx(kChannel, "put-" + ns, *results)});
    auto get = NewTx("get-" + ns);
    auto g = Invoke(*get, ccid, {"get", "k"});
    ASSERT_TRUE(g.ok()) << g.status();
    EXPECT_EQ(g->status(), 200) << g->message();
    EXPECT_EQ(g->payload(), "v");
    auto inv = NewTx("invoke-" + ns);
    auto i = Invoke(*inv, ccid, {"invoke", "k"});
    ASSERT_TRUE(i.ok()) << i.status();
    EXPECT_EQ(i->status(), 200) << i->message();
    rw = RwSet(*inv->sim, ns);
    ASSERT_EQ(rw.writes_size(), 1);
    EXPECT_EQ(rw.writes(0).value(), "vx");
    auto bad = NewTx("bad-" + ns);
    auto b = Invoke(*bad, ccid, {"nosuch"});
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_EQ(b->status(), 500);
    EXPECT_THAT(b->message(), HasSubstr("unknown function"));
  }

  std::string dir_;
  std::string path_;
  std::unique_ptr<DockerLauncher> launcher_;
};

TEST_F(GoChaincodeIntegrationTest, ModulePackageBuildsOfflineRunsAndAnswers) {
  const std::string pkg = GetputPackage("module");
  if (pkg.empty()) {
    GTEST_SKIP();
  }
  EXPECT_EQ(path_, kImportPath);
  AddPackage("gogetput:1.0", pkg, path_);
  options_.startup_timeout = 600s;  // includes the first build
  StartSupport(*launcher_);
  PutGetInvoke("gogetput:1.0", "gogetput");

  auto image = launcher_->client().InspectImage(launcher_->ImageName("gogetput:1.0"));
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->labels["org.hyperledger.fabric.chaincode.type"], "GOLANG");
  EXPECT_EQ(image->labels["org.fabric-cpp.chaincode.package.hash"], PackageHash(pkg));
  EXPECT_TRUE(launcher_->IsRunning("gogetput:1.0"));
  // The container's output reaches the peer log (its follower thread may lag a moment).
  EXPECT_TRUE(WaitUntil([&] {
    for (const auto& line : launcher_->LastLogLines("gogetput:1.0")) {
      if (line.find("registering with 127.0.0.1:") != std::string::npos) {
        return true;
      }
    }
    return false;
  }));

  // A restarted peer reuses the image: no build inside a short startup timeout.
  server_->Shutdown();
  ASSERT_TRUE(launcher_->Stop("gogetput:1.0").ok());
  auto start = std::chrono::steady_clock::now();
  auto again = launcher_->EnsureImage(GoPackage("gogetput:1.0", pkg, path_));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "cached Go image rebuilt?";
}

TEST_F(GoChaincodeIntegrationTest, GopathPackageBuildsWithModulesOff) {
  const std::string pkg = GetputPackage("gopath");
  if (pkg.empty()) {
    GTEST_SKIP();
  }
  EXPECT_EQ(path_, kImportPath);
  AddPackage("gopath:1.0", pkg, path_);
  options_.startup_timeout = 600s;
  StartSupport(*launcher_);
  PutGetInvoke("gopath:1.0", "gopath");
}

std::string ModuleWith(const std::string& go_mod, const std::string& main_go) {
  return archive::Write(
             {archive::File("src/go.mod", go_mod), archive::File("src/main.go", main_go)},
             {.gzip = true})
      .value();
}

TEST_F(GoChaincodeIntegrationTest, ModuleNotVendoredFailsNamingIt) {
  const std::string pkg = ModuleWith(
      "module example.com/missing\n\ngo 1.17\n\nrequire example.org/absent v1.2.3\n",
      "package main\n\nimport \"example.org/absent/thing\"\n\nfunc main() { thing.Do() }\n");
  auto image = launcher_->EnsureImage(GoPackage("gomissing:1.0", pkg, ""));
  ASSERT_FALSE(image.ok());
  EXPECT_TRUE(image.status().IsFailedPrecondition()) << image.status();
  EXPECT_THAT(std::string(image.status().message()),
              HasSubstr("needs module example.org/absent, which its package does not vendor"));
  EXPECT_THAT(std::string(image.status().message()), HasSubstr("go mod vendor"));
  auto builders = launcher_->client().ListContainers(
      {"org.fabric-cpp.role=builder",
       std::string("org.fabric-cpp.peer=") + kNetwork + "-" + kPeer});
  ASSERT_TRUE(builders.ok());
  EXPECT_TRUE(builders->empty()) << "builder container left behind";
}

TEST_F(GoChaincodeIntegrationTest, PackageWithoutMainFailsClearly) {
  const std::string pkg =
      ModuleWith("module example.com/lib\n\ngo 1.17\n", "package lib\n\nconst X = 1\n");
  auto image = launcher_->EnsureImage(GoPackage("golib:1.0", pkg, ""));
  ASSERT_FALSE(image.ok());
  EXPECT_TRUE(image.status().IsFailedPrecondition()) << image.status();
  EXPECT_THAT(std::string(image.status().message()), HasSubstr("is not a main package"));
}

}  // namespace
}  // namespace fabric::launcher::docker
