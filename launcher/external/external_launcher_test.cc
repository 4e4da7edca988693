// SPDX-License-Identifier: Apache-2.0
#include "launcher/external/external_launcher.h"

#include <stdlib.h>

#include <filesystem>
#include <thread>

#include <absl/strings/escaping.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/archive/archive.h"

namespace fabric::launcher::external {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kConnection[] = R"({"address": "127.0.0.1:9999", "dial_timeout": "2s"})";

// Records what it was asked to start.
class RecordingLauncher : public Launcher {
 public:
  Status Start(const StartRequest& request) override {
    started.push_back(request.ccid);
    return Status::OK();
  }
  Status Stop(const std::string& ccid) override {
    stopped.push_back(ccid);
    return Status::OK();
  }
  StatusOr<int> Wait(const std::string&, std::chrono::milliseconds) override { return 0; }
  bool IsRunning(const std::string&) const override { return false; }
  std::vector<std::string> started;
  std::vector<std::string> stopped;
};

class TempDir {
 public:
  TempDir() {
    std::string dir = (fs::temp_directory_path() / "extlaunch-XXXXXX").string();
    path_ = ::mkdtemp(dir.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string Package(const std::vector<archive::Entry>& files) {
  return archive::Write(files, {.gzip = true}).value();
}

BuilderConfig TestBuilder(const std::string& name) {
  return {name, std::string(EXTERNAL_TESTDATA) + "/" + name, {"FROM_PEER"}};
}

struct Launch {
  std::unique_ptr<ExternalLauncher> launcher;
  RecordingLauncher* fallback = nullptr;
  std::vector<ChaincodeServerInfo> connected;
};

std::unique_ptr<Launch> NewLauncher(std::vector<BuilderConfig> builders, const std::string& dir) {
  auto launch = std::make_unique<Launch>();
  auto fallback = std::make_unique<RecordingLauncher>();
  launch->fallback = fallback.get();
  ExternalLauncherOptions options;
  options.builders = std::move(builders);
  options.durable_path = dir;
  options.mspid = "Org1MSP";
  options.grace_period = std::chrono::milliseconds(500);
  auto created = ExternalLauncher::Create(std::move(options), std::move(fallback));
  EXPECT_TRUE(created.ok()) << created.status();
  launch->launcher = std::move(*created);
  return launch;
}

StartRequest Request(Launch& launch, const std::string& type, std::string code_package,
                     std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  StartRequest request;
  request.ccid = "mycc:1.0";
  request.package.ccid = request.ccid;
  request.package.type = type;
  request.package.code_package = std::move(code_package);
  request.deadline = std::chrono::steady_clock::now() + timeout;
  request.connect = [&launch](const ChaincodeServerInfo& info) {
    launch.connected.push_back(info);
    return Status::OK();
  };
  return request;
}

StatusOr<std::unique_ptr<ExternalLauncher>> CreateWith(std::vector<BuilderConfig> builders,
                                                       std::string durable_path = "/tmp") {
  ExternalLauncherOptions options;
  options.builders = std::move(builders);
  options.durable_path = std::move(durable_path);
  return ExternalLauncher::Create(std::move(options), nullptr);
}

TEST(ExternalLauncherConfigTest, RefusesBadBuilderConfiguration) {
  auto missing = CreateWith({{"b", "/no/such/builder", {}}});
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr("builder \"b\": /no/such/builder/bin/detect is missing"));
  auto relative = CreateWith({{"b", "rel/path", {}}});
  EXPECT_THAT(std::string(relative.status().message()), HasSubstr("must be absolute"));
  auto twice = CreateWith({TestBuilder("ccaas"), TestBuilder("ccaas")});
  EXPECT_THAT(std::string(twice.status().message()), HasSubstr("\"ccaas\" is used twice"));
  auto unnamed = CreateWith({{"", "/x", {}}});
  EXPECT_THAT(std::string(unnamed.status().message()), HasSubstr("has no name"));
  auto nowhere = CreateWith({TestBuilder("ccaas")}, "");
  EXPECT_THAT(std::string(nowhere.status().message()), HasSubstr("need a folder to keep builds"));
}

TEST(ExternalLauncherConfigTest, ExternalPackageWithoutBuildersConnectsToItsServer) {
  auto launch = NewLauncher({}, "");
  auto request =
      Request(*launch, "EXTERNAL", Package({archive::File("connection.json", kConnection)}));
  ASSERT_TRUE(launch->launcher->Start(request).ok());
  ASSERT_EQ(launch->connected.size(), 1u);
  EXPECT_EQ(launch->connected[0].address, "127.0.0.1:9999");
  EXPECT_EQ(launch->connected[0].dial_timeout, std::chrono::seconds(2));
  EXPECT_TRUE(launch->fallback->started.empty());
}

TEST(ExternalLauncherConfigTest, ExternalPackageErrorsNameThePackage) {
  auto launch = NewLauncher({}, "");
  auto none =
      launch->launcher->Start(Request(*launch, "ccaas", Package({archive::File("README", "x")})));
  EXPECT_EQ(none.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(none.message()),
              HasSubstr("the external package of mycc:1.0 has no connection.json"));
  auto bad = launch->launcher->Start(
      Request(*launch, "EXTERNAL", Package({archive::File("connection.json", "{}")})));
  EXPECT_THAT(std::string(bad.message()),
              HasSubstr("connection.json of external chaincode mycc:1.0: address is missing"));
  auto no_connect =
      Request(*launch, "EXTERNAL", Package({archive::File("connection.json", kConnection)}));
  no_connect.connect = nullptr;
  EXPECT_EQ(launch->launcher->Start(no_connect).code(), StatusCode::kFailedPrecondition);
}

TEST(ExternalLauncherConfigTest, OtherPackagesGoToTheFallback) {
  auto launch = NewLauncher({}, "");
  ASSERT_TRUE(launch->launcher->Start(Request(*launch, "CPP", "")).ok());
  EXPECT_EQ(launch->fallback->started, std::vector<std::string>{"mycc:1.0"});
  ASSERT_TRUE(launch->launcher->Stop("mycc:1.0").ok());
  EXPECT_THAT(launch->fallback->stopped, ::testing::Contains("mycc:1.0"));
}

TEST(ExternalLauncherTest, BuilderReleaseWithConnectionJsonIsDialled) {
  TempDir dir;
  auto launch = NewLauncher({TestBuilder("nodetect"), TestBuilder("ccaas")}, dir.path());
  auto request =
      Request(*launch, "EXTERNAL", Package({archive::File("connection.json", kConnection)}));
  ASSERT_TRUE(launch->launcher->Start(request).ok());
  ASSERT_EQ(launch->connected.size(), 1u);
  EXPECT_EQ(launch->connected[0].address, "127.0.0.1:9999");
  EXPECT_TRUE(fs::exists(dir.path() + "/mycc-1.0/release/chaincode/server/connection.json"));
  EXPECT_TRUE(fs::exists(dir.path() + "/mycc-1.0/build-info.json"));
  // A second launch reuses the kept build (no detect; the package may even be gone).
  ASSERT_TRUE(launch->launcher->Start(Request(*launch, "EXTERNAL", "")).ok());
  EXPECT_EQ(launch->connected.size(), 2u);
  EXPECT_TRUE(launch->fallback->started.empty());
}

TEST(ExternalLauncherTest, NoBuilderDetectsAPackageSoTheFallbackStartsIt) {
  TempDir dir;
  auto launch = NewLauncher({TestBuilder("nodetect"), TestBuilder("failbuild")}, dir.path());
  ASSERT_TRUE(
      launch->launcher->Start(Request(*launch, "CPP", Package({archive::File("a.cc", "")}))).ok());
  EXPECT_EQ(launch->fallback->started, std::vector<std::string>{"mycc:1.0"});
  EXPECT_FALSE(fs::exists(dir.path() + "/mycc-1.0"));
}

TEST(ExternalLauncherTest, FailingBuildNamesBuilderStepAndLastOutput) {
  TempDir dir;
  auto launch = NewLauncher({TestBuilder("failbuild")}, dir.path());
  Status s =
      launch->launcher->Start(Request(*launch, "CPP", Package({archive::File("fail-build", "")})));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("external builder 'failbuild' build of mycc:1.0 failed with exit code 2"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("compiling chaincode"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("main.cc:3: error: expected ';'"));
  EXPECT_FALSE(fs::exists(dir.path() + "/mycc-1.0/build-info.json"));
  EXPECT_TRUE(launch->fallback->started.empty());
}

TEST(ExternalLauncherTest, BuilderStepHangingPastTheDeadlineIsStopped) {
  TempDir dir;
  auto launch = NewLauncher({TestBuilder("hang")}, dir.path());
  const auto start = std::chrono::steady_clock::now();
  Status s = launch->launcher->Start(Request(*launch, "CPP", Package({archive::File("hang", "")}),
                                             std::chrono::milliseconds(1500)));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s;
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("external builder 'hang' detect of mycc:1.0 did not finish in time"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("hang: thinking"));
  EXPECT_LT(took, std::chrono::seconds(10));
}

TEST(ExternalLauncherTest, BuilderRunStartsAProcessWithChaincodeJson) {
  TempDir dir;
  ::setenv("FROM_PEER", "propagated", 1);
  auto launch = NewLauncher({TestBuilder("runner")}, dir.path());
  auto request = Request(*launch, "CPP", Package({archive::File("run-me", "v1")}));
  request.env = {"CORE_CHAINCODE_ID_NAME=mycc:1.0", "CORE_PEER_ADDRESS=127.0.0.1:7052",
                 "CORE_TLS_CLIENT_CERT_PATH=/etc/hyperledger/fabric/client.crt"};
  request.files["/etc/hyperledger/fabric/client.crt"] =
      absl::Base64Escape("-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n");
  int exit_code = -1;
  request.on_exit = [&exit_code](int code) { exit_code = code; };
  ASSERT_TRUE(launch->launcher->Start(request).ok());
  EXPECT_TRUE(launch->connected.empty());
  std::string out;
  for (int i = 0; i < 100 && out.find("env:") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    out.clear();
    for (const auto& line : launch->launcher->LastLogLines("mycc:1.0")) {
      out += line + "\n";
    }
  }
  EXPECT_THAT(out, HasSubstr("built: v1"));
  EXPECT_THAT(out, HasSubstr(R"("chaincode_id":"mycc:1.0")"));
  EXPECT_THAT(out, HasSubstr(R"("peer_address":"127.0.0.1:7052")"));
  EXPECT_THAT(out, HasSubstr(R"("mspid":"Org1MSP")"));
  EXPECT_THAT(out, HasSubstr(R"("client_cert":"-----BEGIN CERTIFICATE-----\nX\n)"));
  EXPECT_THAT(out, HasSubstr("CORE_CHAINCODE_ID_NAME=mycc:1.0 FROM_PEER=propagated"));
  EXPECT_TRUE(launch->launcher->IsRunning("mycc:1.0"));
  ASSERT_TRUE(launch->launcher->Stop("mycc:1.0").ok());
  EXPECT_FALSE(launch->launcher->IsRunning("mycc:1.0"));
  EXPECT_NE(exit_code, -1);
  EXPECT_TRUE(launch->fallback->started.empty());
}

}  // namespace
}  // namespace fabric::launcher::external
