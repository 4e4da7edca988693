// SPDX-License-Identifier: Apache-2.0
//
// DockerLauncher against the fake engine: Fabric's names, a cached image reused by package
// hash, a name conflict resolved by removing the stray container, the container's command,
// env and labels, a missing builder image, and stale-container cleanup at Open.

#include "launcher/docker/docker_launcher.h"

#include <algorithm>
#include <atomic>
#include <future>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/archive/archive.h"
#include "fabric/base/testing/wait_until.h"
#include "launcher/docker/chaincode_package.h"
#include "launcher/docker/lazy_docker_launcher.h"
#include "launcher/docker/testing/fake_docker_server.h"

namespace fabric::launcher::docker {
namespace {

using namespace std::chrono_literals;
using testing::FakeDockerServer;
using testing::FakeRequest;
using ::testing::HasSubstr;

const std::string kPackage = PackageFiles({{"CMakeLists.txt", "project(x)"}}).value();

DockerLauncherOptions Options(const FakeDockerServer& server) {
  DockerLauncherOptions o;
  o.client.endpoint = server.endpoint();
  o.peer_id = "peer0.org1.example.com";
  return o;
}

StartRequest Request() {
  StartRequest r;
  r.ccid = "mycc:1.0";
  r.package.ccid = "mycc:1.0";
  r.package.code_package = kPackage;
  r.env = {"CORE_CHAINCODE_ID_NAME=mycc:1.0", "CORE_PEER_ADDRESS=127.0.0.1:7052",
           "CORE_PEER_TLS_ENABLED=false"};
  return r;
}

// The engine's answer to an image inspection: the chaincode image (dev-...) built from
// kPackage by the builder images `builder`, the builder images themselves "sha256:base". Empty
// for other requests.
std::string AnswerImages(const FakeRequest& r, const std::string& builder) {
  if (r.path.rfind("/images/dev-", 0) == 0) {
    return FakeDockerServer::Response(
        200, R"({"Id":"sha256:1","Config":{"Labels":{"org.fabric-cpp.chaincode.package.hash":")" +
                 PackageHash(kPackage) + R"(","org.fabric-cpp.chaincode.builder":")" + builder +
                 R"("}}})");
  }
  if (r.path.rfind("/images/", 0) == 0) {
    return FakeDockerServer::Response(200, R"({"Id":"sha256:base"})");
  }
  return "";
}

// The engine's answers for launching mycc:1.0 from its cached image as container c0ffee: the
// container list, the images, create and start. Empty for other requests.
std::string AnswerLaunch(const FakeRequest& r) {
  if (r.path == "/containers/json") {
    return FakeDockerServer::Response(200, "[]");
  }
  if (std::string image = AnswerImages(r, "sha256:base sha256:base"); !image.empty()) {
    return image;
  }
  if (r.path == "/containers/create") {
    return FakeDockerServer::Response(201, R"({"Id":"c0ffee"})");
  }
  if (r.path == "/containers/c0ffee/start") {
    return FakeDockerServer::Response(204, "");
  }
  return "";
}

// An engine with no containers, answering nothing else.
std::string AnswerNoContainers(const FakeRequest& r) {
  return r.path == "/containers/json" ? FakeDockerServer::Response(200, "[]") : "";
}

TEST(DockerLauncherTest, NamesFollowFabric) {
  FakeDockerServer server(AnswerNoContainers);
  auto launcher = DockerLauncher::Open(Options(server));
  ASSERT_TRUE(launcher.ok()) << launcher.status();
  EXPECT_EQ((*launcher)->ContainerName("My_CC:1.0+x"), "dev-peer0.org1.example.com-My_CC-1.0-x");
  std::string image = (*launcher)->ImageName("My_CC:1.0");
  EXPECT_THAT(image, ::testing::StartsWith("dev-peer0.org1.example.com-my_cc-1.0-"));
  EXPECT_EQ(image.size(), std::string("dev-peer0.org1.example.com-my_cc-1.0-").size() + 64);
}

TEST(DockerLauncherTest, ReusesCachedImageAndReplacesStrayContainerOfSameName) {
  std::atomic<int> creates{0};
  FakeDockerServer server([&](const FakeRequest& r) -> std::string {
    if (r.path == "/containers/json") {
      return FakeDockerServer::Response(200, "[]");
    }
    if (std::string image = AnswerImages(r, "sha256:base sha256:base"); !image.empty()) {
      return image;
    }
    if (r.path == "/containers/create") {
      if (creates++ == 0) {
        return FakeDockerServer::Response(409, R"({"message":"name already in use"})");
      }
      return FakeDockerServer::Response(201, R"({"Id":"c0ffee"})");
    }
    if (r.method == "DELETE" || r.path == "/containers/c0ffee/start" ||
        r.path == "/containers/c0ffee/stop") {
      return FakeDockerServer::Response(204, "");
    }
    if (r.path == "/containers/c0ffee/logs") {
      return FakeDockerServer::Response(200, FakeDockerServer::MuxFrame(1, "hello from cc\n"));
    }
    if (r.path == "/containers/c0ffee/wait") {
      return FakeDockerServer::Response(200, R"({"StatusCode":0})");
    }
    return "";
  });
  auto launcher = DockerLauncher::Open(Options(server));
  ASSERT_TRUE(launcher.ok()) << launcher.status();
  std::promise<int> exit_code;
  StartRequest req = Request();
  req.on_exit = [&](int code) { exit_code.set_value(code); };
  ASSERT_TRUE((*launcher)->Start(req).ok());
  auto code = (*launcher)->Wait("mycc:1.0", 5s);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
  EXPECT_THAT((*launcher)->LastLogLines("mycc:1.0"), ::testing::ElementsAre("hello from cc"));
  bool built = false, removed_stray = false;
  std::string create_body;
  for (const auto& r : server.requests()) {
    built = built || r.path == "/build";
    removed_stray =
        removed_stray || (r.method == "DELETE" &&
                          r.path.find("/containers/dev-peer0.org1.example.com-mycc-1.0") == 0);
    if (r.path == "/containers/create") {
      create_body = r.body;
    }
  }
  EXPECT_FALSE(built) << "cached image must be reused";
  EXPECT_TRUE(removed_stray);
  EXPECT_THAT(create_body, HasSubstr(R"("Cmd":["chaincode","-peer.address=127.0.0.1:7052"])"));
  EXPECT_THAT(create_body, HasSubstr("CORE_CHAINCODE_ID_NAME=mycc:1.0"));
  EXPECT_THAT(create_body, HasSubstr(R"("org.fabric-cpp.chaincode.id":"mycc:1.0")"));
  EXPECT_THAT(create_body, HasSubstr(R"("org.fabric-cpp.peer":"dev-peer0.org1.example.com")"));
  // on_exit runs on the launcher's thread after Wait's waiters are woken, so it may lag Wait.
  std::future<int> reported = exit_code.get_future();
  ASSERT_EQ(reported.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(reported.get(), 0);
}

// A chaincode image made by other builder images (an older shim, say) is not reused.
TEST(DockerLauncherTest, ImageOfOtherBuilderImagesIsRebuilt) {
  FakeDockerServer server([&](const FakeRequest& r) -> std::string {
    if (r.path == "/containers/json") {
      return FakeDockerServer::Response(200, "[]");
    }
    if (std::string image = AnswerImages(r, "sha256:old sha256:base"); !image.empty()) {
      return image;
    }
    // The builder container fails: enough to see that a build was started.
    if (r.path == "/containers/create") {
      return FakeDockerServer::Response(500, R"({"message":"no builds here"})");
    }
    return "";
  });
  auto launcher = DockerLauncher::Open(Options(server));
  ASSERT_TRUE(launcher.ok()) << launcher.status();
  Status s = (*launcher)->Start(Request());
  EXPECT_FALSE(s.ok());
  std::string create_body;
  for (const auto& r : server.requests()) {
    if (r.path == "/containers/create") {
      create_body = r.body;
    }
  }
  EXPECT_THAT(create_body, HasSubstr(R"("org.fabric-cpp.role":"builder")"));
}

// dockerd restarting cuts the output and wait streams of a running container: that is no exit.
// The launcher reconnects, follows the output from then on and reports the exit the engine
// reports.
TEST(DockerLauncherTest, EngineDroppingTheConnectionIsNotAnExit) {
  std::atomic<int> logs_calls{0}, wait_calls{0};
  FakeDockerServer server([&](const FakeRequest& r) -> std::string {
    if (std::string answer = AnswerLaunch(r); !answer.empty()) {
      return answer;
    }
    if (r.path == "/containers/c0ffee/logs") {
      if (logs_calls++ == 0) {
        return FakeDockerServer::Chunked(200, {FakeDockerServer::MuxFrame(1, "before\n")},
                                         /*terminate=*/false);
      }
      return FakeDockerServer::Response(200, FakeDockerServer::MuxFrame(1, "after\n"));
    }
    if (r.path == "/containers/c0ffee/wait") {
      if (wait_calls++ == 0) {
        return FakeDockerServer::Chunked(200, {}, /*terminate=*/false);
      }
      return FakeDockerServer::Response(200, R"({"StatusCode":0})");
    }
    if (r.method == "DELETE") {
      return FakeDockerServer::Response(204, "");
    }
    return "";
  });
  auto launcher = DockerLauncher::Open(Options(server));
  ASSERT_TRUE(launcher.ok()) << launcher.status();
  std::atomic<int> exit_code{-1};
  StartRequest req = Request();
  req.on_exit = [&](int code) { exit_code = code; };
  ASSERT_TRUE((*launcher)->Start(req).ok());
  auto code = (*launcher)->Wait("mycc:1.0", 10s);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
  EXPECT_THAT((*launcher)->LastLogLines("mycc:1.0"), ::testing::ElementsAre("before", "after"));
  std::vector<std::string> log_queries;
  for (const auto& r : server.requests()) {
    if (r.path == "/containers/c0ffee/logs") {
      log_queries.push_back(r.query);
    }
  }
  ASSERT_EQ(log_queries.size(), 2u);
  EXPECT_THAT(log_queries[1], HasSubstr("tail=0"));
}

// With the engine gone for good, stopping the chaincode (an upgrade, a relaunch) lets go of the
// container at once instead of waiting for the engine to come back.
TEST(DockerLauncherTest, StopDoesNotWaitForALostEngine) {
  std::atomic<bool> engine_up{true};
  FakeDockerServer server([&](const FakeRequest& r) -> std::string {
    if (std::string answer = AnswerLaunch(r); !answer.empty() && engine_up.load()) {
      return answer;
    }
    if (r.path.rfind("/containers/c0ffee", 0) == 0 || !engine_up.load()) {
      engine_up = false;  // the output stream is cut, and nothing answers from then on
      return FakeDockerServer::Chunked(200, {}, /*terminate=*/false);
    }
    return "";
  });
  auto launcher = DockerLauncher::Open(Options(server));
  ASSERT_TRUE(launcher.ok()) << launcher.status();
  ASSERT_TRUE((*launcher)->Start(Request()).ok());
  // The output stream was cut and the launcher follows it again.
  ASSERT_TRUE(WaitUntil([&] {
    std::vector<FakeRequest> requests = server.requests();
    return std::count_if(requests.begin(), requests.end(), [](const FakeRequest& r) {
             return r.path == "/containers/c0ffee/logs";
           }) >= 2;
  }));
  auto stopped = std::async(std::launch::async, [&] { return (*launcher)->Stop("mycc:1.0"); });
  ASSERT_EQ(stopped.wait_for(5s), std::future_status::ready);
  EXPECT_FALSE(stopped.get().ok());  // the engine could not remove it
}

TEST(DockerLauncherTest, MissingBuilderImageSaysRunBuildImages) {
  FakeDockerServer server([](const FakeRequest& r) -> std::string {
    if (r.path == "/containers/json") {
      return FakeDockerServer::Response(200, "[]");
    }
    if (r.path.rfind("/images/", 0) == 0) {
      return FakeDockerServer::Response(404, R"({"message":"no such image"})");
    }
    return "";
  });
  auto launcher = DockerLauncher::Open(Options(server));
  ASSERT_TRUE(launcher.ok()) << launcher.status();
  Status s = (*launcher)->Start(Request());
  EXPECT_TRUE(s.IsFailedPrecondition()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("scripts/build-images.sh"));
  StartRequest empty = Request();
  empty.package.code_package.clear();
  EXPECT_TRUE((*launcher)->Start(empty).IsInvalidArgument());
}

TEST(DockerLauncherTest, PackagesOfOtherLanguagesAreRefusedWithWhatToDo) {
  FakeDockerServer server(AnswerNoContainers);
  auto launcher = DockerLauncher::Open(Options(server));
  ASSERT_TRUE(launcher.ok()) << launcher.status();
  StartRequest java = Request();
  java.package.type = "JAVA";
  Status s = (*launcher)->Start(java);
  EXPECT_TRUE(s.IsInvalidArgument()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("does not build Java chaincode"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("Maven"));
  StartRequest car = Request();
  car.package.type = "CAR";
  s = (*launcher)->Start(car);
  EXPECT_TRUE(s.IsInvalidArgument()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("builds CPP, GOLANG and NODE packages only"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("CORE_CHAINCODE_MODE=dev"));
}

// An engine where the chaincode image is missing (it gets built) and every builder image exists.
std::string AnswerNoChaincodeImage(const FakeRequest& r) {
  if (r.path == "/containers/json") {
    return FakeDockerServer::Response(200, "[]");
  }
  if (r.path.rfind("/images/dev-", 0) == 0) {
    return FakeDockerServer::Response(404, R"({"message":"no such image"})");
  }
  if (r.path.rfind("/images/", 0) == 0) {
    return FakeDockerServer::Response(200, R"({"Id":"sha256:base"})");
  }
  return "";
}

// A GOLANG package is compiled by `go build` in the goenv image, offline, and a bad one is
// refused before any container is made.
TEST(DockerLauncherTest, GolangPackageBuildsInGoenvWithGoBuild) {
  FakeDockerServer server([&](const FakeRequest& r) -> std::string {
    if (std::string answer = AnswerNoChaincodeImage(r); !answer.empty()) {
      return answer;
    }
    if (r.path == "/containers/create") {  // the builder fails: its config is what matters
      return FakeDockerServer::Response(500, R"({"message":"no builds here"})");
    }
    return "";
  });
  auto launcher = DockerLauncher::Open(Options(server));
  ASSERT_TRUE(launcher.ok()) << launcher.status();
  StartRequest go = Request();
  go.package.type = "GOLANG";
  go.package.path = "example.com/mycc";
  go.package.code_package =
      archive::Write({archive::File("src/example.com/mycc/main.go", "package main\n")},
                     {.gzip = true})
          .value();
  EXPECT_FALSE((*launcher)->Start(go).ok());
  std::string create_body;
  for (const auto& r : server.requests()) {
    if (r.path == "/containers/create") {
      create_body = r.body;
    }
  }
  EXPECT_THAT(create_body, HasSubstr(R"("Image":"fabric-cpp/goenv:latest")"));
  EXPECT_THAT(create_body, HasSubstr(R"("-o","/chaincode/output/chaincode","example.com/mycc"])"));
  EXPECT_THAT(create_body, HasSubstr(R"("GO111MODULE=off")"));
  EXPECT_THAT(create_body, HasSubstr(R"("GOPROXY=off")"));
  EXPECT_THAT(create_body, HasSubstr(R"("WorkingDir":"/chaincode/input")"));
  EXPECT_THAT(create_body, HasSubstr(R"("NetworkMode":"none")"));

  go.package.path = "example.com/other";
  Status s = (*launcher)->Start(go);
  EXPECT_TRUE(s.IsInvalidArgument()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("src/example.com/other/"));
}

const std::string kNodePackage =
    archive::Write({archive::File("src/package.json", R"({"scripts":{"start":"node index.js"}})"),
                    archive::File("src/index.js", "require('fabric-shim');")},
                   {.gzip = true})
        .value();

StartRequest NodeRequest(const std::string& package) {
  StartRequest r = Request();
  r.package.type = "NODE";
  r.package.code_package = package;
  return r;
}

TEST(DockerLauncherTest, NodePackageWithoutPackageJsonOrStartScriptIsRefusedAtLaunch) {
  FakeDockerServer server(AnswerNoChaincodeImage);
  auto launcher = DockerLauncher::Open(Options(server));
  ASSERT_TRUE(launcher.ok()) << launcher.status();
  Status s = (*launcher)->Start(
      NodeRequest(archive::Write({archive::File("src/index.js", "x")}, {.gzip = true}).value()));
  EXPECT_TRUE(s.IsInvalidArgument()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("node chaincode mycc:1.0: no package.json"));
  s = (*launcher)->Start(NodeRequest(
      archive::Write({archive::File("src/package.json", "{}")}, {.gzip = true}).value()));
  EXPECT_TRUE(s.IsInvalidArgument()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("no \"start\" script"));
  for (const auto& r : server.requests()) {
    EXPECT_NE(r.path, "/containers/create") << "no builder for a package that cannot build";
  }
}

// A failed npm install: the builder ran with host networking and the npm settings, and the
// error carries npm's last lines.
TEST(DockerLauncherTest, FailedNpmInstallReportsNpmsLastLines) {
  FakeDockerServer server([](const FakeRequest& r) -> std::string {
    if (std::string answer = AnswerNoChaincodeImage(r); !answer.empty()) {
      return answer;
    }
    if (r.path == "/containers/create") {
      return FakeDockerServer::Response(201, R"({"Id":"b0b"})");
    }
    if (r.method == "DELETE" || r.path == "/containers/b0b/start" ||
        r.path == "/containers/b0b/archive") {
      return FakeDockerServer::Response(r.method == "PUT" ? 200 : 204, "");
    }
    if (r.path == "/containers/b0b/wait") {
      return FakeDockerServer::Response(200, R"({"StatusCode":1})");
    }
    if (r.path == "/containers/b0b/logs") {
      return FakeDockerServer::Response(
          200, FakeDockerServer::MuxFrame(2, "npm ERR! code E404\n") +
                   FakeDockerServer::MuxFrame(2,
                                              "npm ERR! 404 Not Found - GET "
                                              "https://registry.npmjs.org/no-such-pkg\n"));
    }
    return "";
  });
  DockerLauncherOptions o = Options(server);
  o.node.ca_file = "/proc/self/cmdline";  // any readable file
  o.node.env = {"HTTPS_PROXY=http://proxy:3128"};
  auto launcher = DockerLauncher::Open(o);
  ASSERT_TRUE(launcher.ok()) << launcher.status();
  Status s = (*launcher)->Start(NodeRequest(kNodePackage));
  EXPECT_TRUE(s.IsFailedPrecondition()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("failed to build in fabric-cpp/nodeenv:latest"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("npm ERR! 404 Not Found - GET"));
  std::string create_body;
  std::vector<std::string> uploads;
  for (const auto& r : server.requests()) {
    if (r.path == "/containers/create") {
      create_body = r.body;
    }
    if (r.method == "PUT" && r.path == "/containers/b0b/archive") {
      uploads.push_back(r.query);
    }
  }
  EXPECT_THAT(create_body, HasSubstr(R"("Image":"fabric-cpp/nodeenv:latest")"));
  EXPECT_THAT(create_body, HasSubstr("npm install --omit=dev"));
  EXPECT_THAT(create_body, HasSubstr(R"("NetworkMode":"host")"));
  EXPECT_THAT(create_body, HasSubstr("HTTPS_PROXY=http://proxy:3128"));
  EXPECT_THAT(create_body, HasSubstr("NODE_EXTRA_CA_CERTS=/etc/fabric-cpp/npm/ca.crt"));
  EXPECT_EQ(uploads.size(), 2u);  // the CA bundle at /, the package at /chaincode/input
}

// A NODE chaincode from its cached image runs its start script (NodeStartCommand) with
// `--peer.address <addr>`.
TEST(DockerLauncherTest, NodeChaincodeRunsItsStartScriptWithThePeerAddress) {
  FakeDockerServer server([](const FakeRequest& r) -> std::string {
    if (r.path.rfind("/images/dev-", 0) == 0) {
      return FakeDockerServer::Response(
          200, R"({"Id":"sha256:1","Config":{"Labels":{"org.fabric-cpp.chaincode.package.hash":")" +
                   PackageHash(kNodePackage) +
                   R"(","org.fabric-cpp.chaincode.builder":"sha256:base sha256:base"}}})");
    }
    if (std::string answer = AnswerLaunch(r); !answer.empty()) {
      return answer;
    }
    if (r.method == "DELETE") {
      return FakeDockerServer::Response(404, R"({"message":"no such container"})");
    }
    return "";
  });
  auto launcher = DockerLauncher::Open(Options(server));
  ASSERT_TRUE(launcher.ok()) << launcher.status();
  Status s = (*launcher)->Start(NodeRequest(kNodePackage));
  ASSERT_TRUE(s.ok()) << s;
  std::string create_body;
  bool built = false;
  for (const auto& r : server.requests()) {
    built = built || r.path == "/build";
    if (r.path == "/containers/create") {
      create_body = r.body;
    }
  }
  EXPECT_FALSE(built);
  EXPECT_THAT(create_body, HasSubstr(R"("Cmd":["/bin/sh","-c",)"));
  EXPECT_THAT(create_body, HasSubstr(R"(,"npm-start","--peer.address","127.0.0.1:7052"])"));
  EXPECT_THAT(create_body, HasSubstr("CORE_CHAINCODE_ID_NAME=mycc:1.0"));
}

TEST(DockerLauncherTest, OpenRemovesContainersOfAnEarlierRun) {
  FakeDockerServer server([](const FakeRequest& r) -> std::string {
    if (r.path == "/containers/json") {
      return FakeDockerServer::Response(
          200, R"([{"Id":"old1","Names":["/dev-peer0.org1.example.com-mycc-1.0"]}])");
    }
    if (r.method == "DELETE") {
      return FakeDockerServer::Response(204, "");
    }
    return "";
  });
  auto launcher = DockerLauncher::Open(Options(server));
  ASSERT_TRUE(launcher.ok()) << launcher.status();
  bool removed = false;
  for (const auto& r : server.requests()) {
    if (r.path == "/containers/json") {
      EXPECT_THAT(r.query, HasSubstr("dev-peer0.org1.example.com"));
    }
    removed = removed || (r.method == "DELETE" && r.path == "/containers/old1");
  }
  EXPECT_TRUE(removed);
}

// The peer starts while the engine is down: launches fail with Unavailable naming the endpoint,
// nothing runs; the first launch after the engine is back opens the launcher (and removes the
// peer's stale containers then).
TEST(LazyDockerLauncherTest, LaunchesOnceTheEngineIsBack) {
  FakeDockerServer server([](const FakeRequest& r) -> std::string {
    if (r.method == "DELETE") {
      return FakeDockerServer::Response(204, "");
    }
    if (r.path == "/containers/json") {
      return FakeDockerServer::Response(200, "[]");
    }
    return "";
  });
  std::atomic<bool> engine_up{false};
  std::atomic<int> opens{0};
  LazyDockerLauncher launcher(Options(server), [&]() -> StatusOr<std::unique_ptr<DockerLauncher>> {
    ++opens;
    if (!engine_up.load()) {
      return UnavailableError("cannot connect to the Docker engine");
    }
    return DockerLauncher::Open(Options(server));
  });
  EXPECT_EQ(opens.load(), 1);  // tried at start
  EXPECT_FALSE(launcher.IsOpen());
  StartRequest request;
  request.ccid = "mycc:1.0";
  Status s = launcher.Start(request);
  EXPECT_TRUE(s.IsUnavailable()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("docker engine unreachable at unix://"));
  EXPECT_FALSE(launcher.IsRunning("mycc:1.0"));
  EXPECT_TRUE(launcher.Stop("mycc:1.0").ok());
  EXPECT_TRUE(launcher.Wait("mycc:1.0", 1ms).status().IsNotFound());

  engine_up = true;
  s = launcher.Start(request);  // opens now; the request itself lacks a package
  EXPECT_TRUE(launcher.IsOpen());
  EXPECT_TRUE(s.IsInvalidArgument()) << s;
  EXPECT_EQ(opens.load(), 3);
  launcher.Shutdown();
  EXPECT_EQ(launcher.Start(request).code(), StatusCode::kCancelled);
}

}  // namespace
}  // namespace fabric::launcher::docker
