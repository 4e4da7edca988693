// SPDX-License-Identifier: Apache-2.0
//
// The operations listener over real HTTP on 127.0.0.1:0, spoken through raw sockets so that
// tests can send malformed, partial and trickled requests.

#include "peer/node/operations.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/logging/logging.h"

namespace fabric::node {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;

// A connected socket to 127.0.0.1:port whose reads give up after 10 s (no test hangs), or -1.
int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval limit{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Everything the server sends until it closes the connection.
std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) {
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Sends `request` and returns the whole answer; "" when nothing listens.
std::string HttpGet(int port, const std::string& request) {
  int fd = Connect(port);
  if (fd < 0) {
    return "";
  }
  (void)!write(fd, request.data(), request.size());
  std::string out = ReadAll(fd);
  close(fd);
  return out;
}

std::string Body(const std::string& answer) {
  size_t end = answer.find("\r\n\r\n");
  return end == std::string::npos ? "" : answer.substr(end + 4);
}

std::string Put(int port, const std::string& path, const std::string& body) {
  return HttpGet(port, "PUT " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body);
}

// Restores the process-wide logging spec that /logspec changes.
class OperationsServerTest : public ::testing::Test {
 protected:
  void TearDown() override { ASSERT_TRUE(logging::SetSpec("info").ok()); }
  MetricsRegistry registry_;
};

TEST_F(OperationsServerTest, ServesHealthzAndMetricsOverHttp) {
  registry_.NewCounter("endorser_proposals_received", "Proposals.").Inc();
  OperationsServer ops(registry_);
  bool docker_up = true;
  ops.AddHealthCheck("docker", [&docker_up]() {
    return docker_up ? Status::OK() : UnavailableError("docker engine unreachable");
  });
  ASSERT_TRUE(ops.Start("127.0.0.1:0").ok());
  ASSERT_GT(ops.port(), 0);

  std::string ok = HttpGet(ops.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(ok, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(ok, HasSubstr("Content-Type: application/json\r\n"));
  EXPECT_THAT(ok, HasSubstr("\"status\":\"OK\""));
  EXPECT_THAT(ok, HasSubstr("\"time\":\""));

  docker_up = false;
  std::string bad = HttpGet(ops.port(), "GET /healthz HTTP/1.1\r\n\r\n");
  EXPECT_THAT(bad, StartsWith("HTTP/1.1 503 Service Unavailable\r\n"));
  EXPECT_THAT(bad, HasSubstr("\"component\":\"docker\""));
  EXPECT_THAT(bad, HasSubstr("docker engine unreachable"));

  std::string metrics = HttpGet(ops.port(), "GET /metrics?x=1 HTTP/1.1\r\n\r\n");
  EXPECT_THAT(metrics, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(metrics, HasSubstr("text/plain; version=0.0.4"));
  EXPECT_THAT(metrics, HasSubstr("endorser_proposals_received 1"));

  EXPECT_THAT(HttpGet(ops.port(), "GET /nope HTTP/1.1\r\n\r\n"), StartsWith("HTTP/1.1 404"));
  EXPECT_THAT(HttpGet(ops.port(), "GET /healthz/ HTTP/1.1\r\n\r\n"), StartsWith("HTTP/1.1 404"));
  EXPECT_THAT(HttpGet(ops.port(), "POST /metrics HTTP/1.1\r\n\r\n"), StartsWith("HTTP/1.1 405"));
  EXPECT_THAT(HttpGet(ops.port(), "DELETE /healthz HTTP/1.1\r\n\r\n"), StartsWith("HTTP/1.1 405"));
  ops.Stop();
  EXPECT_EQ(HttpGet(ops.port(), "GET /healthz HTTP/1.1\r\n\r\n"), "");
}

TEST_F(OperationsServerTest, MalformedRequestsGetBadRequestOrNoAnswer) {
  OperationsServer ops(registry_);
  ASSERT_TRUE(ops.Start("127.0.0.1:0").ok());
  EXPECT_THAT(HttpGet(ops.port(), "GET /healthz HTTP/x\r\n\r\n"), StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(HttpGet(ops.port(), "GET /healthz HTTP/1.1\r\nno colon\r\n\r\n"),
              StartsWith("HTTP/1.1 400"));
  // libmicrohttpd drops a request line without a method and a path without answering.
  std::string garbage = HttpGet(ops.port(), "garbage\r\n\r\n");
  EXPECT_TRUE(garbage.empty() || garbage.starts_with("HTTP/1.1 400")) << garbage;
  EXPECT_THAT(HttpGet(ops.port(), "GET /healthz HTTP/1.1\r\n\r\n"), StartsWith("HTTP/1.1 200"));
}

TEST_F(OperationsServerTest, LogspecReadsAndSetsTheLoggingSpec) {
  OperationsServer ops(registry_);
  ASSERT_TRUE(ops.Start("127.0.0.1:0").ok());
  ASSERT_TRUE(logging::SetSpec("error").ok());
  std::string get = HttpGet(ops.port(), "GET /logspec HTTP/1.1\r\n\r\n");
  EXPECT_THAT(get, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(get, HasSubstr("Content-Type: application/json\r\n"));
  EXPECT_EQ(Body(get), "{\"spec\":\"error\"}\n");

  std::string put = Put(ops.port(), "/logspec", R"({"spec":"chaincode=debug:info"})");
  EXPECT_THAT(put, StartsWith("HTTP/1.1 204 No Content\r\n"));
  EXPECT_EQ(Body(put), "");
  EXPECT_EQ(logging::GetSpec(), "chaincode=debug:info");
  EXPECT_THAT(HttpGet(ops.port(), "GET /logspec HTTP/1.1\r\n\r\n"),
              HasSubstr("{\"spec\":\"chaincode=debug:info\"}"));

  std::string bad_level = Put(ops.port(), "/logspec", R"({"spec":"chaincode=loud"})");
  EXPECT_THAT(bad_level, StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(Body(bad_level), HasSubstr("{\"error\":\""));
  EXPECT_THAT(Body(bad_level), HasSubstr("unknown log level"));
  EXPECT_EQ(logging::GetSpec(), "chaincode=debug:info") << "a bad spec keeps the old one";
  EXPECT_THAT(Put(ops.port(), "/logspec", "not json"), StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(Put(ops.port(), "/logspec", R"({"spec":7})"), StartsWith("HTTP/1.1 400"));

  std::string post = HttpGet(ops.port(), "POST /logspec HTTP/1.1\r\n\r\n");
  EXPECT_THAT(post, StartsWith("HTTP/1.1 400"));
  EXPECT_EQ(Body(post), "{\"error\":\"invalid request method: POST\"}\n");
}

TEST_F(OperationsServerTest, VersionAnswersTheConfiguredVersion) {
  OperationsServer::Options options;
  options.version = "1.2.3";
  OperationsServer ops(registry_, options);
  ASSERT_TRUE(ops.Start("127.0.0.1:0").ok());
  std::string get = HttpGet(ops.port(), "GET /version HTTP/1.1\r\n\r\n");
  EXPECT_THAT(get, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(Body(get), "{\"Version\":\"1.2.3\"}\n");
  std::string del = HttpGet(ops.port(), "DELETE /version HTTP/1.1\r\n\r\n");
  EXPECT_THAT(del, StartsWith("HTTP/1.1 400"));
  EXPECT_EQ(Body(del), "{\"Error\":\"invalid request method: DELETE\"}\n");
}

TEST_F(OperationsServerTest, BodiesOverTheCapGet413) {
  OperationsServer::Options options;
  options.max_body = 1024;
  OperationsServer ops(registry_, options);
  ASSERT_TRUE(ops.Start("127.0.0.1:0").ok());
  // Declared too long: answered from the headers, the body is never read.
  std::string declared =
      HttpGet(ops.port(), "PUT /logspec HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
  EXPECT_THAT(declared, StartsWith("HTTP/1.1 413"));
  // Chunked, so only counting tells: the rest is read and dropped, then 413.
  std::string chunk(2000, ' ');
  std::string chunked = HttpGet(ops.port(),
                                "PUT /logspec HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                "\r\n7d0\r\n" +
                                    chunk + "\r\n0\r\n\r\n");
  EXPECT_THAT(chunked, StartsWith("HTTP/1.1 413"));
  EXPECT_EQ(logging::GetSpec(), "info");
  // At the cap exactly: served.
  std::string json = R"({"spec":"debug"})";
  json += std::string(options.max_body - json.size(), ' ');
  EXPECT_THAT(Put(ops.port(), "/logspec", json), StartsWith("HTTP/1.1 204"));
  EXPECT_EQ(logging::GetSpec(), "debug");
}

// Twenty clients that connect and trickle a partial request (an orchestrator's probes stuck
// behind them would restart a healthy peer) do not delay anyone else's /healthz.
TEST_F(OperationsServerTest, SlowClientsDoNotDelayOthers) {
  OperationsServer ops(registry_);
  ASSERT_TRUE(ops.Start("127.0.0.1:0").ok());
  std::vector<int> slow;
  for (int i = 0; i < 20; ++i) {
    int fd = Connect(ops.port());
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, "GE", 2), 2);
    slow.push_back(fd);
  }
  std::future<std::string> answer = std::async(
      std::launch::async, [&] { return HttpGet(ops.port(), "GET /healthz HTTP/1.1\r\n\r\n"); });
  ASSERT_EQ(answer.wait_for(std::chrono::seconds(3)), std::future_status::ready);
  EXPECT_THAT(answer.get(), StartsWith("HTTP/1.1 200 OK\r\n"));
  for (int fd : slow) {
    close(fd);
  }
}

// A connection ends its lifetime after it was accepted, also when it keeps sending a byte now
// and then (libmicrohttpd's idle timeout alone would never fire for it).
TEST_F(OperationsServerTest, ConnectionsEndAfterTheirLifetime) {
  OperationsServer::Options options;
  options.connection_lifetime = std::chrono::milliseconds(300);
  OperationsServer ops(registry_, options);
  ASSERT_TRUE(ops.Start("127.0.0.1:0").ok());
  int idle = Connect(ops.port());
  int trickle = Connect(ops.port());
  ASSERT_GE(idle, 0);
  ASSERT_GE(trickle, 0);
  ASSERT_EQ(write(idle, "GET /hea", 8), 8);
  const auto start = Clock::now();
  std::future<std::string> idle_answer = std::async(std::launch::async, ReadAll, idle);
  const std::string request = "GET /healthz HTTP/1.1\r\nX-Slow: ";
  bool cut = false;
  for (int i = 0; i < 40 && !cut; ++i) {  // one byte every 100 ms, for up to 4 s
    cut = send(trickle, i < static_cast<int>(request.size()) ? &request[i] : "a", 1,
               MSG_NOSIGNAL) != 1;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(cut || ReadAll(trickle).empty());
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  ASSERT_EQ(idle_answer.wait_for(std::chrono::seconds(1)), std::future_status::ready);
  EXPECT_EQ(idle_answer.get(), "");
  close(idle);
  close(trickle);
}

// With every slot taken, a new connection waits in the listen backlog until one frees, and is
// then served.
TEST_F(OperationsServerTest, ConnectionsOverTheLimitWaitForASlot) {
  OperationsServer::Options options;
  options.max_connections = 2;
  options.connection_lifetime = std::chrono::milliseconds(500);
  OperationsServer ops(registry_, options);
  ASSERT_TRUE(ops.Start("127.0.0.1:0").ok());
  int a = Connect(ops.port());
  int b = Connect(ops.port());
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // both accepted
  const auto start = Clock::now();
  std::string answer = HttpGet(ops.port(), "GET /healthz HTTP/1.1\r\n\r\n");
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(250));
  close(a);
  close(b);
}

TEST_F(OperationsServerTest, StopWithClientsConnectedReturnsPromptly) {
  OperationsServer ops(registry_);  // 5 s lifetime: Stop must not wait for it
  ASSERT_TRUE(ops.Start("127.0.0.1:0").ok());
  int partial = Connect(ops.port());
  int silent = Connect(ops.port());
  ASSERT_GE(partial, 0);
  ASSERT_GE(silent, 0);
  ASSERT_EQ(write(partial, "GET /healthz HTTP/1.1\r\n", 23), 23);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto start = Clock::now();
  ops.Stop();
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(500));
  EXPECT_EQ(ReadAll(partial), "");
  EXPECT_EQ(ReadAll(silent), "");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(1)) << "the clients saw the close";
  close(partial);
  close(silent);
  ops.Stop();  // idempotent
}

TEST_F(OperationsServerTest, BindFailureIsClear) {
  OperationsServer a(registry_), b(registry_);
  ASSERT_TRUE(a.Start("127.0.0.1:0").ok());
  Status s = b.Start("127.0.0.1:" + std::to_string(a.port()));
  EXPECT_TRUE(s.IsUnavailable());
  EXPECT_THAT(std::string(s.message()), HasSubstr("cannot bind"));
  EXPECT_TRUE(b.Start("127.0.0.1").IsInvalidArgument());
  EXPECT_TRUE(a.Start("127.0.0.1:0").IsFailedPrecondition());
}

}  // namespace
}  // namespace fabric::node
