// SPDX-License-Identifier: Apache-2.0
#include "launcher/process_launcher.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/logging/logging.h"
#include "common/logging/testing/log_capture.h"
#include "fabric/base/testing/wait_until.h"

namespace fabric::launcher {
namespace {

using logging::testing::LogCapture;

using namespace std::chrono_literals;

StartRequest Shell(const std::string& ccid, const std::string& script) {
  StartRequest r;
  r.ccid = ccid;
  r.package = ChaincodePackage::ForExecutable(ccid, "/bin/sh");
  r.package.args = {"-c", script};
  return r;
}

TEST(ProcessLauncherTest, ForwardsStdoutAndStderrLinesPrefixedWithCcid) {
  LogCapture logs;
  ProcessLauncher launcher;
  StartRequest r =
      Shell("mycc:1.0", "echo hello out; echo hello err >&2; echo $CORE_CHAINCODE_ID_NAME");
  r.env = {"CORE_CHAINCODE_ID_NAME=mycc:1.0"};
  ASSERT_TRUE(launcher.Start(r).ok());
  auto code = launcher.Wait("mycc:1.0", 10s);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
  EXPECT_TRUE(logs.Contains("[mycc:1.0] hello out"));
  EXPECT_TRUE(logs.Contains("[mycc:1.0] hello err"));
  EXPECT_TRUE(logs.Contains("[mycc:1.0] mycc:1.0"));
}

// The chaincode gets what a program needs and the request's entries, not the peer's settings
// (which name its private key).
TEST(ProcessLauncherTest, ChaincodeGetsOnlyWhatItNeedsOfThePeersEnvironment) {
  ASSERT_EQ(::setenv("CORE_PEER_MSPCONFIGPATH", "/etc/peer/msp", 1), 0);
  ASSERT_EQ(::setenv("CORE_PEER_TLS_KEY_FILE", "/etc/peer/tls/server.key", 1), 0);
  ASSERT_EQ(::setenv("CORE_CHAINCODE_LOGGING_SHIM", "debug", 1), 0);
  LogCapture logs;
  ProcessLauncher launcher;
  StartRequest r = Shell("env:1.0", "env | sed 's/^/env: /'");
  r.env = {"CORE_CHAINCODE_ID_NAME=env:1.0"};
  ASSERT_TRUE(launcher.Start(r).ok());
  auto code = launcher.Wait("env:1.0", 10s);
  ::unsetenv("CORE_PEER_MSPCONFIGPATH");
  ::unsetenv("CORE_PEER_TLS_KEY_FILE");
  ::unsetenv("CORE_CHAINCODE_LOGGING_SHIM");
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_TRUE(logs.Contains("env: CORE_CHAINCODE_ID_NAME=env:1.0"));
  EXPECT_TRUE(logs.Contains("env: CORE_CHAINCODE_LOGGING_SHIM=debug"));
  EXPECT_TRUE(logs.Contains("env: PATH="));
  EXPECT_FALSE(logs.Contains("CORE_PEER_MSPCONFIGPATH"));
  EXPECT_FALSE(logs.Contains("CORE_PEER_TLS_KEY_FILE"));
}

TEST(ProcessLauncherTest, ReportsExitCodeThroughCallbackAndWait) {
  ProcessLauncher launcher;
  std::promise<int> seen;
  StartRequest r = Shell("x:1", "exit 3");
  r.on_exit = [&](int c) { seen.set_value(c); };
  ASSERT_TRUE(launcher.Start(r).ok());
  auto code = launcher.Wait("x:1", 10s);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 3);
  std::future<int> reported = seen.get_future();
  ASSERT_EQ(reported.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(reported.get(), 3);
  EXPECT_FALSE(launcher.IsRunning("x:1"));
}

TEST(ProcessLauncherTest, StopSendsSigtermToRunningChild) {
  ProcessLauncher launcher;
  ASSERT_TRUE(launcher.Start(Shell("s:1", "exec sleep 60")).ok());
  EXPECT_TRUE(launcher.IsRunning("s:1"));
  int pid = launcher.Pid("s:1");
  ASSERT_GT(pid, 0);
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(launcher.Stop("s:1").ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
  EXPECT_FALSE(launcher.IsRunning("s:1"));
  EXPECT_NE(::kill(pid, 0), 0);  // reaped: no such process (or a recycled pid, unlikely)
}

TEST(ProcessLauncherTest, StopFallsBackToSigkillAfterGracePeriod) {
  ProcessLauncher launcher(ProcessLauncher::Options{200ms});
  ASSERT_TRUE(
      launcher.Start(Shell("t:1", "trap '' TERM; echo ready; while true; do sleep 1; done")).ok());
  // The shell has installed its trap once it printed "ready".
  ASSERT_TRUE(WaitUntil([&] {
    std::vector<std::string> lines = launcher.LastLogLines("t:1");
    return std::any_of(lines.begin(), lines.end(),
                       [](const std::string& l) { return l.find("ready") != std::string::npos; });
  }));
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(launcher.Stop("t:1").ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_FALSE(launcher.IsRunning("t:1"));
}

TEST(ProcessLauncherTest, DestructorStopsChildren) {
  int pid = -1;
  {
    ProcessLauncher launcher(ProcessLauncher::Options{500ms});
    ASSERT_TRUE(launcher.Start(Shell("d:1", "exec sleep 60")).ok());
    pid = launcher.Pid("d:1");
  }
  EXPECT_NE(::kill(pid, 0), 0);
}

TEST(ProcessLauncherTest, StartFailsForMissingExecutable) {
  ProcessLauncher launcher;
  StartRequest r;
  r.ccid = "m:1";
  r.package.executable = "/nonexistent/chaincode";
  Status s = launcher.Start(r);
  // glibc posix_spawn reports exec failures synchronously.
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent/chaincode"), std::string::npos) << s;
  r.package.executable.clear();
  EXPECT_TRUE(launcher.Start(r).IsInvalidArgument());
}

TEST(ProcessLauncherTest, StartReplacesRunningInstance) {
  ProcessLauncher launcher(ProcessLauncher::Options{500ms});
  ASSERT_TRUE(launcher.Start(Shell("r:1", "exec sleep 60")).ok());
  int first = launcher.Pid("r:1");
  ASSERT_TRUE(launcher.Start(Shell("r:1", "exec sleep 60")).ok());
  EXPECT_NE(launcher.Pid("r:1"), first);
  EXPECT_NE(::kill(first, 0), 0);
}

TEST(MapPackageProviderTest, LooksUpByCcid) {
  MapPackageProvider p;
  p.Add(ChaincodePackage::ForExecutable("a:1", "/bin/a"));
  auto got = p.GetPackage("a:1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->executable, "/bin/a");
  EXPECT_TRUE(p.GetPackage("b:1").status().IsNotFound());
}

TEST(ProcessLauncherTest, WritesFilesPrivatelyRewritesEnvPathsAndRemovesThemOnExit) {
  LogCapture logs;
  ProcessLauncher launcher;
  StartRequest r =
      Shell("files:1.0",
            "echo key=$(cat $CORE_TLS_CLIENT_KEY_PATH) path=$CORE_TLS_CLIENT_KEY_PATH; "
            "stat -c mode=%a $CORE_TLS_CLIENT_KEY_PATH; "
            "stat -c dirmode=%a $(dirname $(dirname $(dirname $(dirname "
            "$CORE_TLS_CLIENT_KEY_PATH)))); "
            "echo other=$OTHER; sleep 0.2");
  r.files = {{"/etc/hyperledger/fabric/client.key", "S3CR3T"},
             {"/etc/hyperledger/fabric/peer.crt", "ROOT"}};
  r.env = {"CORE_TLS_CLIENT_KEY_PATH=/etc/hyperledger/fabric/client.key", "OTHER=/etc/hosts"};
  ASSERT_TRUE(launcher.Start(r).ok());
  auto code = launcher.Wait("files:1.0", 10s);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
  EXPECT_TRUE(logs.Contains("key=S3CR3T path=/"));
  EXPECT_FALSE(logs.Contains("path=/etc/hyperledger"));
  EXPECT_TRUE(logs.Contains("[files:1.0] mode=600"));
  EXPECT_TRUE(logs.Contains("[files:1.0] dirmode=700"));
  EXPECT_TRUE(logs.Contains("other=/etc/hosts"));
  // The directory is gone once the exit is published... allow the reaper thread to finish.
  std::string path;
  for (const auto& line : launcher.LastLogLines("files:1.0")) {
    if (size_t p = line.find("path="); p != std::string::npos) {
      path = line.substr(p + 5);
    }
  }
  ASSERT_FALSE(path.empty());
  ASSERT_TRUE(launcher.Stop("files:1.0").ok());
  EXPECT_NE(::access(path.c_str(), F_OK), 0) << path;
}

TEST(ProcessLauncherTest, RefusesRelativeFilePaths) {
  ProcessLauncher launcher;
  StartRequest r = Shell("files:1.0", "true");
  r.files = {{"client.key", "x"}};
  Status s = launcher.Start(r);
  EXPECT_TRUE(s.IsInvalidArgument()) << s;
}

}  // namespace
}  // namespace fabric::launcher
