// SPDX-License-Identifier: Apache-2.0
//
// DockerClient against an in-process fake engine on a unix socket: version negotiation and
// every error path (unreachable engine, 404, 409, 500, a failing build, an engine that goes
// away mid-stream, a truncated log stream), plus packages, tar owners and the stream decoders.

#include "launcher/docker/docker_client.h"

#include <unistd.h>

#include <atomic>
#include <functional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/archive/archive.h"
#include "launcher/docker/chaincode_package.h"
#include "launcher/docker/docker_launcher.h"
#include "launcher/docker/testing/fake_docker_server.h"

namespace fabric::launcher::docker {
namespace {

using testing::FakeDockerServer;
using testing::FakeRequest;
using ::testing::HasSubstr;

std::unique_ptr<DockerClient> Connect(FakeDockerServer& server) {
  DockerClientOptions o;
  o.endpoint = server.endpoint();
  auto c = DockerClient::Connect(o);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? std::move(*c) : nullptr;
}

TEST(DockerClientTest, ConnectNegotiatesApiVersionAndPrefixesPaths) {
  FakeDockerServer server([](const FakeRequest& r) -> std::string {
    if (r.path == "/version") {
      return FakeDockerServer::Response(200, R"({"Version":"19.03","ApiVersion":"1.40"})");
    }
    if (r.path == "/images/fabric-cpp%2Fbaseos:latest/json" ||
        r.path == "/images/fabric-cpp/baseos:latest/json") {
      return FakeDockerServer::Response(
          200, R"({"Id":"sha256:abc","Size":42,"Config":{"Labels":{"k":"v","n":1}}})");
    }
    return "";
  });
  auto client = Connect(server);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->api_version(), "1.40");
  auto image = client->InspectImage("fabric-cpp/baseos:latest");
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->id, "sha256:abc");
  EXPECT_EQ(image->labels.at("k"), "v");
  EXPECT_EQ(image->labels.count("n"), 0u);  // non-string label ignored, no crash
  EXPECT_EQ(server.requests().back().target.rfind("/v1.40/images/", 0), 0u);
}

TEST(DockerClientTest, NewerEngineIsCappedAtMaxApiVersion) {
  FakeDockerServer server([](const FakeRequest& r) -> std::string {
    if (r.path == "/version") {
      return FakeDockerServer::Response(200, R"({"Version":"28.2","ApiVersion":"1.50"})");
    }
    return "";
  });
  auto client = Connect(server);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->api_version(), kMaxApiVersion);
}

TEST(DockerClientTest, UnreachableEngineSaysWhatToCheck) {
  DockerClientOptions o;
  o.endpoint = "unix:///tmp/no-such-docker-" + std::to_string(getpid()) + ".sock";
  auto c = DockerClient::Connect(o);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(c.status().IsUnavailable()) << c.status();
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("is dockerd running"));
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("no-such-docker"));
}

TEST(DockerClientTest, BadEndpointIsInvalidArgument) {
  DockerClientOptions o;
  o.endpoint = "ftp://x";
  auto c = DockerClient::Connect(o);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(c.status().IsInvalidArgument()) << c.status();
}

TEST(DockerClientTest, GarbageVersionAnswerIsAnErrorNotACrash) {
  FakeDockerServer server([](const FakeRequest& r) -> std::string {
    if (r.path == "/version") {
      return FakeDockerServer::Response(200, "{not json");
    }
    return "";
  });
  DockerClientOptions o;
  o.endpoint = server.endpoint();
  auto c = DockerClient::Connect(o);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("no ApiVersion"));
}

TEST(DockerClientTest, MissingImageIsNotFound) {
  FakeDockerServer server([](const FakeRequest& r) -> std::string {
    if (r.path == "/containers/create") {
      return FakeDockerServer::Response(404, R"({"message":"No such image: dev-x:latest"})");
    }
    return "";
  });
  auto client = Connect(server);
  ASSERT_NE(client, nullptr);
  auto image = client->InspectImage("dev-x");
  EXPECT_TRUE(image.status().IsNotFound()) << image.status();
  ContainerConfig cfg;
  cfg.name = "c1";
  cfg.image = "dev-x";
  auto id = client->CreateContainer(cfg);
  ASSERT_FALSE(id.ok());
  EXPECT_TRUE(id.status().IsNotFound()) << id.status();
  EXPECT_THAT(std::string(id.status().message()), HasSubstr("No such image: dev-x"));
  EXPECT_THAT(std::string(id.status().message()), HasSubstr("build-images.sh"));
}

TEST(DockerClientTest, NameConflictIsAlreadyExistsWithEngineMessage) {
  FakeDockerServer server([](const FakeRequest& r) -> std::string {
    if (r.path == "/containers/create") {
      return FakeDockerServer::Response(
          409, R"({"message":"Conflict. The container name \"/c1\" is already in use"})");
    }
    return "";
  });
  auto client = Connect(server);
  ASSERT_NE(client, nullptr);
  ContainerConfig cfg;
  cfg.name = "c1";
  cfg.image = "img";
  cfg.env = {"A=1"};
  cfg.labels = {{"org.fabric-cpp.peer", "dev-peer0"}};
  cfg.memory_bytes = 1 << 28;
  cfg.pids_limit = 100;
  cfg.user = "65534:65534";
  cfg.unprivileged = true;
  auto id = client->CreateContainer(cfg);
  ASSERT_FALSE(id.ok());
  EXPECT_TRUE(id.status().IsAlreadyExists()) << id.status();
  EXPECT_THAT(std::string(id.status().message()), HasSubstr("already in use"));
  const FakeRequest create = server.requests().back();
  EXPECT_THAT(create.query, HasSubstr("name=c1"));
  EXPECT_THAT(create.body, HasSubstr(R"("NetworkMode":"host")"));
  EXPECT_THAT(create.body, HasSubstr(R"("Memory":268435456)"));
  EXPECT_THAT(create.body, HasSubstr(R"("PidsLimit":100)"));
  EXPECT_THAT(create.body, HasSubstr(R"("CapDrop":["ALL"])"));
  EXPECT_THAT(create.body, HasSubstr(R"("SecurityOpt":["no-new-privileges"])"));
  EXPECT_THAT(create.body, HasSubstr(R"("User":"65534:65534")"));
  EXPECT_THAT(create.body, HasSubstr(R"("org.fabric-cpp.peer":"dev-peer0")"));
}

TEST(DockerClientTest, ServerErrorIsInternalWithEngineMessage) {
  FakeDockerServer server([](const FakeRequest& r) -> std::string {
    if (r.path.find("/start") != std::string::npos) {
      return FakeDockerServer::Response(500, R"({"message":"oci runtime error: boom"})");
    }
    if (r.path.find("/stop") != std::string::npos) {
      return FakeDockerServer::Response(304, "");
    }
    return "";
  });
  auto client = Connect(server);
  ASSERT_NE(client, nullptr);
  Status s = client->StartContainer("0123456789abcdef");
  EXPECT_TRUE(s.IsInternal()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("oci runtime error: boom"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("0123456789ab"));
  EXPECT_TRUE(client->StopContainer("0123456789abcdef", std::chrono::seconds(1)).ok());
  EXPECT_TRUE(client->RemoveContainer("gone").ok());  // 404 on remove is fine
}

// A chaincode container that crashed is being removed by another request when the launcher
// removes it before relaunching: the engine answers 409 "removal ... already in progress".
// An engine removing container dev-cc: inspecting it answers 200 while `still_there()`, then 404.
FakeDockerServer::Handler RemovingEngine(std::function<bool()> still_there) {
  return [still_there](const FakeRequest& r) -> std::string {
    if (r.method == "DELETE") {
      return FakeDockerServer::Response(
          409, R"({"message":"removal of container dev-cc is already in progress"})");
    }
    if (r.path == "/containers/dev-cc/json") {
      return still_there() ? FakeDockerServer::Response(200, R"({"Id":"abc"})")
                           : FakeDockerServer::Response(404, R"({"message":"No such container"})");
    }
    return "";
  };
}

TEST(DockerClientTest, RemoveWaitsForARemovalAlreadyInProgress) {
  std::atomic<int> inspections{0};
  FakeDockerServer server(RemovingEngine([&] { return ++inspections < 3; }));
  auto client = Connect(server);
  ASSERT_NE(client, nullptr);
  Status s = client->RemoveContainer("dev-cc");
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(inspections.load(), 3);
}

TEST(DockerClientTest, RemovalThatNeverFinishesIsADeadlineNotAHang) {
  FakeDockerServer server(RemovingEngine([] { return true; }));
  DockerClientOptions o;
  o.endpoint = server.endpoint();
  o.removal_wait = std::chrono::milliseconds(300);
  auto client = DockerClient::Connect(o);
  ASSERT_TRUE(client.ok()) << client.status();
  Status s = (*client)->RemoveContainer("dev-cc");
  EXPECT_TRUE(s.IsDeadlineExceeded()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("removal still not finished after 300 ms"));
}

TEST(DockerClientTest, OtherConflictsOnRemoveAreErrors) {
  FakeDockerServer server([&](const FakeRequest& r) -> std::string {
    if (r.method == "DELETE") {
      return FakeDockerServer::Response(409, R"({"message":"container is paused"})");
    }
    return "";
  });
  auto client = Connect(server);
  ASSERT_NE(client, nullptr);
  Status s = client->RemoveContainer("dev-cc");
  EXPECT_TRUE(s.IsAlreadyExists()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("container is paused"));
  for (const FakeRequest& r : server.requests()) {
    EXPECT_EQ(r.path.find("/json"), std::string::npos) << "no waiting on other conflicts";
  }
}

TEST(DockerClientTest, FailedBuildReturnsBuilderErrorVerbatimWithLastLines) {
  FakeDockerServer server([](const FakeRequest& r) -> std::string {
    if (r.path == "/build") {
      return FakeDockerServer::Chunked(
          200,
          {R"({"stream":"Step 1/2 : FROM fabric-cpp/baseos:latest\n"})"
           "\n",
           R"({"stream":"Step 2/2 : RUN false\n"})"
           "\n"
           R"({"errorDetail":{"code":1,"message":"The command '/bin/sh -c false' returned a non-zero code: 1"},"error":"The command '/bin/sh -c false' returned a non-zero code: 1"})"
           "\n"},
          true);
    }
    return "";
  });
  auto client = Connect(server);
  ASSERT_NE(client, nullptr);
  BuildImageRequest req;
  req.tag = "dev-peer0-cc-1.0-abc";
  req.context = "tar";
  req.labels = {{"org.fabric-cpp.chaincode.package.hash", "abc"}};
  std::vector<std::string> output;
  Status s = client->BuildImage(req, [&](std::string_view l) { output.emplace_back(l); });
  EXPECT_TRUE(s.IsFailedPrecondition()) << s;
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("The command '/bin/sh -c false' returned a non-zero code: 1"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("Step 2/2 : RUN false"));
  EXPECT_EQ(output.size(), 2u);
  const FakeRequest build = server.requests().back();
  EXPECT_THAT(build.query, HasSubstr("t=dev-peer0-cc-1.0-abc"));
  EXPECT_THAT(build.query, HasSubstr("pull=0"));
  EXPECT_THAT(build.query, HasSubstr("labels="));
  EXPECT_EQ(build.headers.at("content-type"), "application/x-tar");
  EXPECT_EQ(build.body, "tar");
}

TEST(DockerClientTest, EngineGoingAwayMidBuildIsUnavailable) {
  FakeDockerServer server([](const FakeRequest& r) -> std::string {
    if (r.path == "/build") {
      return FakeDockerServer::Chunked(200,
                                       {R"({"stream":"Step 1/2 : FROM x\n"})"
                                        "\n"},
                                       /*terminate=*/false);
    }
    return "";
  });
  auto client = Connect(server);
  ASSERT_NE(client, nullptr);
  BuildImageRequest req;
  req.tag = "img";
  Status s = client->BuildImage(req);
  EXPECT_TRUE(s.IsUnavailable()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("lost mid-response"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("Step 1/2"));
}

TEST(DockerClientTest, LogsAreDemultiplexedIntoLines) {
  FakeDockerServer server([](const FakeRequest& r) -> std::string {
    if (r.path == "/containers/abc/logs") {
      std::string frames = FakeDockerServer::MuxFrame(1, "hello\nwor") +
                           FakeDockerServer::MuxFrame(2, "oops\n") +
                           FakeDockerServer::MuxFrame(1, "ld\n");
      // Split mid-header to exercise reassembly.
      return FakeDockerServer::Chunked(200, {frames.substr(0, 3), frames.substr(3)}, true,
                                       "application/vnd.docker.raw-stream");
    }
    return "";
  });
  auto client = Connect(server);
  ASSERT_NE(client, nullptr);
  std::vector<std::string> lines;
  Status s = client->Logs("abc", {.follow = true}, [&](LogStream st, std::string_view l) {
    lines.push_back((st == LogStream::kStderr ? "E:" : "O:") + std::string(l));
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_THAT(lines, ::testing::ElementsAre("O:hello", "E:oops", "O:world"));
  EXPECT_THAT(server.requests().back().query, HasSubstr("follow=1"));
}

TEST(DockerClientTest, TruncatedLogStreamIsDataLossButKeepsLines) {
  FakeDockerServer server([](const FakeRequest& r) -> std::string {
    if (r.path == "/containers/abc/logs") {
      std::string frame = FakeDockerServer::MuxFrame(1, "line one\nline two is cut");
      return FakeDockerServer::Response(200, frame.substr(0, frame.size() - 4),
                                        "application/vnd.docker.raw-stream");
    }
    return "";
  });
  auto client = Connect(server);
  ASSERT_NE(client, nullptr);
  std::vector<std::string> lines;
  Status s = client->Logs("abc", {}, [&](LogStream, std::string_view l) { lines.emplace_back(l); });
  EXPECT_TRUE(s.IsDataLoss()) << s;
  EXPECT_THAT(lines, ::testing::ElementsAre("line one", "line two is"));
}

TEST(DockerClientTest, WaitAndListParseAnswers) {
  FakeDockerServer server([](const FakeRequest& r) -> std::string {
    if (r.path == "/containers/abc/wait") {
      return FakeDockerServer::Response(200, R"({"StatusCode":3})");
    }
    if (r.path == "/containers/json") {
      return FakeDockerServer::Response(
          200, R"([{"Id":"1","Names":["/dev-peer0-cc-1.0"],"State":"running",)"
               R"("Labels":{"org.fabric-cpp.peer":"dev-peer0"}},{"Id":2,"Names":7}])");
    }
    return "";
  });
  auto client = Connect(server);
  ASSERT_NE(client, nullptr);
  auto code = client->WaitContainer("abc");
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 3);
  auto list = client->ListContainers({"org.fabric-cpp.peer=dev-peer0"});
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "dev-peer0-cc-1.0");
  EXPECT_EQ((*list)[0].labels.at("org.fabric-cpp.peer"), "dev-peer0");
  EXPECT_THAT(server.requests().back().query, HasSubstr("filters="));
}

// Packages are gzipped tars of the files under src/, the same bytes for the same files.
TEST(TarTest, PackagesAreGzippedTarsUnderSrc) {
  const std::string long_name = std::string(120, 'a') + "/main.cc";
  auto pkg =
      PackageFiles({{"CMakeLists.txt", "project(x)\n"}, {long_name, std::string(1000, 'z')}});
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  EXPECT_TRUE(archive::IsGzip(*pkg));
  EXPECT_EQ(*pkg,
            PackageFiles({{"CMakeLists.txt", "project(x)\n"}, {long_name, std::string(1000, 'z')}})
                .value());
  auto files = archive::Read(*pkg);
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].path, "src/CMakeLists.txt");
  EXPECT_EQ((*files)[0].content, "project(x)\n");
  EXPECT_EQ((*files)[1].path, "src/" + long_name);
  EXPECT_EQ((*files)[1].content, std::string(1000, 'z'));
  EXPECT_FALSE(PackageFiles({{"CMakeLists.txt", ""}, {"../x", ""}}).ok());
  EXPECT_FALSE(PackageFiles({{"main.cc", ""}}).ok());
}

// Files uploaded into a chaincode container belong to the user it runs as.
TEST(TarTest, EntriesCarryTheirNumericOwner) {
  EXPECT_EQ(OwnerOf("65534:65533").uid, 65534u);
  EXPECT_EQ(OwnerOf("65534:65533").gid, 65533u);
  EXPECT_EQ(OwnerOf("1000").uid, 1000u);
  EXPECT_EQ(OwnerOf("1000").gid, 0u);
  EXPECT_EQ(OwnerOf("nobody").uid, 0u);  // a name cannot be resolved in an archive
  EXPECT_EQ(OwnerOf("12:x").uid, 0u);
  archive::Entry key = archive::File("etc/key.pem", "k", 0600);
  key.uid = OwnerOf("65534:65534").uid;
  key.gid = OwnerOf("65534:65534").gid;
  auto tar = archive::Write({key, archive::File("etc/root.pem", "r")});
  ASSERT_TRUE(tar.ok()) << tar.status();
  auto octal = [&](size_t at, size_t width) {
    return std::stoul(std::string(tar->substr(at, width).c_str()), nullptr, 8);
  };
  EXPECT_EQ(octal(100, 8), 0600u);
  EXPECT_EQ(octal(108, 8), 65534u);
  EXPECT_EQ(octal(116, 8), 65534u);
  EXPECT_EQ(octal(512 * 2 + 108, 8), 0u);  // the second header: root
}

}  // namespace
}  // namespace fabric::launcher::docker
