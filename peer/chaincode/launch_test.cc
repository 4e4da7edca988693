// SPDX-License-Identifier: Apache-2.0
//
// Launch with the process launcher: a real child process (fake_chaincode) that dials the peer
// over loopback gRPC, against a real ledger on disk.

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/logging/logging.h"
#include "fabric/base/fiber.h"
#include "fabric/base/testing/wait_until.h"
#include "fabric/base/worker_pool.h"
#include "launcher/process_launcher.h"
#include "peer/chaincode/testing/chaincode_test_env.h"
#include "peer/chaincode/testing/fake_chaincode.h"

namespace fabric::chaincode {
namespace {

using namespace std::chrono_literals;

// Counts Start calls and remembers the thread of the last one.
class CountingLauncher : public launcher::ProcessLauncher {
 public:
  CountingLauncher() : ProcessLauncher(Options{1000ms}) {}
  Status Start(const launcher::StartRequest& r) override {
    ++starts;
    {
      std::lock_guard<std::mutex> lock(mu);
      start_thread = std::this_thread::get_id();
      env = r.env;
    }
    return ProcessLauncher::Start(r);
  }
  std::vector<std::string> last_env() {
    std::lock_guard<std::mutex> lock(mu);
    return env;
  }
  std::thread::id last_start_thread() {
    std::lock_guard<std::mutex> lock(mu);
    return start_thread;
  }
  std::atomic<int> starts{0};

 private:
  std::mutex mu;
  // Guarded by mu:
  std::thread::id start_thread;
  std::vector<std::string> env;
};

class LaunchTest : public testing::ChaincodeTestEnv {
 protected:
  void SetUp() override {
    ChaincodeTestEnv::SetUp();
    options_.startup_timeout = 10s;
    packages_.Add(launcher::ChaincodePackage::ForExecutable("mycc:1.0", FAKE_CHAINCODE_PATH));
  }
  void TearDown() override { ChaincodeTestEnv::TearDown(); }
  CountingLauncher launcher_;
  // For executions run as fiber tasks (members: a task may still be ending on the stream's
  // reader until TearDown stops the server).
  FiberStacks stacks_;
  fabric::WorkerPool blocking_{2, 16};
};

TEST_F(LaunchTest, LaunchesProcessOnFirstExecuteAndForwardsItsLogs) {
  std::mutex mu;
  std::vector<std::string> lines;
  logging::SetSink([&](std::string_view l) {
    std::lock_guard<std::mutex> lock(mu);
    lines.emplace_back(l);
  });
  StartSupport(launcher_);
  auto tx = NewTx("t1");
  auto r = Invoke(*tx, "mycc:1.0", {"put", "a", "1"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status(), 200);
  EXPECT_EQ(RwSet(*tx->sim, "mycc").writes(0).key(), "a");
  EXPECT_TRUE(launcher_.IsRunning("mycc:1.0"));
  server_->Shutdown();  // ends the stream; the child exits and its last line is logged
  auto code = launcher_.Wait("mycc:1.0", 10s);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 1);
  logging::SetSink(nullptr);
  bool started = false;
  bool ended = false;
  for (const auto& l : lines) {
    started |=
        l.find("[mycc:1.0] fake chaincode mycc:1.0 starting, peer 127.0.0.1:") != std::string::npos;
    ended |= l.find("[mycc:1.0] chaincode stream ended") != std::string::npos;
  }
  EXPECT_TRUE(started);
  EXPECT_TRUE(ended);
}

TEST_F(LaunchTest, ConcurrentLaunchesShareOneStart) {
  StartSupport(launcher_);
  std::vector<std::future<Status>> launches;
  for (int i = 0; i < 8; ++i) {
    launches.push_back(
        std::async(std::launch::async, [&] { return support_->Launch("mycc:1.0"); }));
  }
  for (auto& f : launches) {
    Status s = f.get();
    EXPECT_TRUE(s.ok()) << s;
  }
  EXPECT_EQ(launcher_.starts.load(), 1);
}

TEST_F(LaunchTest, ChaincodeThatNeverRegistersIsStopped) {
  options_.startup_timeout = 1s;
  options_.extra_env = {"FAKE_CC_NO_REGISTER=1"};
  StartSupport(launcher_);
  auto start = std::chrono::steady_clock::now();
  Status s = support_->Launch("mycc:1.0");
  EXPECT_TRUE(s.IsDeadlineExceeded()) << s;
  // The error carries what the chaincode printed, so the user needn't dig through the log.
  EXPECT_EQ(std::string(s.message())
                .rfind("chaincode mycc:1.0 did not register within 1s; its last output:\n  "
                       "fake chaincode mycc:1.0 starting",
                       0),
            0u)
      << s;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_FALSE(launcher_.IsRunning("mycc:1.0"));
}

// Without TLS a launch is bound to the secret its runtime got: a local process that dials the
// listener while the launch is pending cannot register in its place.
TEST_F(LaunchTest, OnlyTheLaunchedRuntimeMayRegister) {
  options_.startup_timeout = 3s;
  options_.extra_env = {"FAKE_CC_NO_REGISTER=1"};  // the real runtime stays silent
  StartSupport(launcher_);
  auto launch = std::async(std::launch::async, [&] { return support_->Launch("mycc:1.0"); });
  ASSERT_TRUE(WaitUntil([&] { return launcher_.IsRunning("mycc:1.0"); }));
  for (const std::string secret : {"", "00112233"}) {
    auto impostor = testing::FakeChaincode::Connect(server_->address(), secret);
    ASSERT_TRUE(impostor.ok()) << impostor.status();
    Status s = (*impostor)->Register("mycc:1.0");
    EXPECT_FALSE(s.ok());
  }
  Status s = launch.get();
  EXPECT_TRUE(s.IsDeadlineExceeded()) << s;
  EXPECT_EQ(support_->GetHandler("mycc:1.0"), nullptr);
}

// Fabric's shims (fabric-shim in a NODE package, Fabric's Go shim in a GOLANG one) know no
// launch secret: their launches get none and they register as with Fabric's peer.
TEST_F(LaunchTest, NodeAndGoRuntimesGetNoLaunchSecretAndRegister) {
  const std::vector<std::pair<std::string, std::string>> runtimes = {{"nodecc:1.0", "NODE"},
                                                                     {"gocc:1.0", "GOLANG"}};
  for (const auto& [ccid, type] : runtimes) {
    auto package = launcher::ChaincodePackage::ForExecutable(ccid, FAKE_CHAINCODE_PATH);
    package.type = type;
    packages_.Add(package);
  }
  StartSupport(launcher_);
  for (const auto& [ccid, type] : runtimes) {
    Status s = support_->Launch(ccid);
    ASSERT_TRUE(s.ok()) << ccid << ": " << s;
    for (const std::string& kv : launcher_.last_env()) {
      EXPECT_EQ(kv.rfind("CORE_CHAINCODE_LAUNCH_SECRET=", 0), std::string::npos) << ccid << kv;
    }
  }
  ASSERT_TRUE(support_->Launch("mycc:1.0").ok());
  bool secret = false;
  for (const std::string& kv : launcher_.last_env()) {
    secret = secret || kv.rfind("CORE_CHAINCODE_LAUNCH_SECRET=", 0) == 0;
  }
  EXPECT_TRUE(secret) << "a CPP runtime gets its launch secret";
}

TEST_F(LaunchTest, LaunchErrorEndsWithTheChaincodesLastOutput) {
  auto package = launcher::ChaincodePackage::ForExecutable("noisy:1.0", "/bin/sh");
  package.args = {"-c",
                  "for i in $(seq 1 15); do echo line $i; done; "
                  "echo 'config error: CORE_X missing' >&2; exit 3"};
  packages_.Add(package);
  StartSupport(launcher_);
  Status s = support_->Launch("noisy:1.0");
  EXPECT_TRUE(s.IsUnavailable()) << s;
  std::string m(s.message());
  EXPECT_EQ(
      m.rfind("chaincode noisy:1.0 exited with code 3 before registering; its last output:", 0), 0u)
      << m;
  // Only the last ten lines; stderr included.
  EXPECT_NE(m.find("\n  config error: CORE_X missing"), std::string::npos) << m;
  EXPECT_NE(m.find("\n  line 15"), std::string::npos) << m;
  EXPECT_EQ(m.find("\n  line 6\n"), std::string::npos) << m;
}

TEST_F(LaunchTest, ChaincodeExitingBeforeRegisterFailsLaunchAtOnce) {
  packages_.Add(launcher::ChaincodePackage::ForExecutable("dead:1.0", "/bin/false"));
  StartSupport(launcher_);
  auto start = std::chrono::steady_clock::now();
  Status s = support_->Launch("dead:1.0");
  EXPECT_TRUE(s.IsUnavailable()) << s;
  EXPECT_EQ(s.message(), "chaincode dead:1.0 exited with code 1 before registering");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  Status missing = support_->Launch("nopkg:1.0");
  EXPECT_TRUE(missing.IsNotFound()) << missing;
  EXPECT_EQ(missing.message(),
            "error starting chaincode nopkg:1.0: chaincode package nopkg:1.0 not found");
}

TEST_F(LaunchTest, CrashMidTransactionFailsInFlightAtOnceAndNextExecuteRelaunches) {
  StartSupport(launcher_);
  ASSERT_TRUE(support_->Launch("mycc:1.0").ok());
  int first_pid = launcher_.Pid("mycc:1.0");
  ASSERT_GT(first_pid, 0);
  std::vector<std::unique_ptr<Tx>> txs;
  std::vector<std::future<StatusOr<protos::Response>>> futures;
  for (int i = 0; i < 4; ++i) {
    txs.push_back(NewTx("slow" + std::to_string(i)));
  }
  for (int i = 0; i < 4; ++i) {
    futures.push_back(std::async(std::launch::async, [&, i] {
      return Invoke(*txs[i], "mycc:1.0", {"sleep", "20000"});
    }));
  }
  EXPECT_TRUE(WaitUntil([&] { return InFlight("mycc:1.0") == 4; }));
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(first_pid, SIGKILL), 0);
  for (auto& f : futures) {
    auto r = f.get();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("chaincode stream terminated"), std::string::npos)
        << r.status();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  // Also a transaction whose chaincode crashes while serving it.
  auto crash = NewTx("crash");
  auto r = Invoke(*crash, "mycc:1.0", {"crash"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("chaincode stream terminated"), std::string::npos);
  // The next Execute relaunches.
  auto tx = NewTx("after");
  auto ok = Invoke(*tx, "mycc:1.0", {"put", "k", "v"});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->status(), 200);
  EXPECT_NE(launcher_.Pid("mycc:1.0"), first_pid);
  EXPECT_EQ(launcher_.starts.load(), 3);
}

TEST_F(LaunchTest, AFiberTaskThatMustLaunchMovesToItsBlockingPoolFirst) {
  // An endorser proposal runs as a fiber on gRPC's callback thread; a launch (which waits for
  // REGISTER, up to the startup timeout) must not hold that thread.
  StartSupport(launcher_);
  auto tx = NewTx("fiber-launch");
  std::promise<StatusOr<protos::Response>> done;
  ASSERT_TRUE(FiberTask::Start(
      [&] {
        done.set_value(Invoke(*tx, "mycc:1.0", {"put", "a", "1"}));
      },
      stacks_, &blocking_));
  auto r = done.get_future().get();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status(), 200);
  EXPECT_EQ(launcher_.starts.load(), 1);
  EXPECT_NE(launcher_.last_start_thread(), std::this_thread::get_id());
}

// Records each start request's env and starts nothing.
class RecordingLauncher : public launcher::Launcher {
 public:
  explicit RecordingLauncher(bool shares) : shares_(shares) {}
  Status Start(const launcher::StartRequest& r) override {
    std::lock_guard<std::mutex> lock(mu);
    env = r.env;
    return InternalError("recording launcher starts nothing");
  }
  Status Stop(const std::string&) override { return Status::OK(); }
  StatusOr<int> Wait(const std::string& ccid, std::chrono::milliseconds) override {
    return NotFoundError(ccid);
  }
  bool IsRunning(const std::string&) const override { return false; }
  bool SharesPeerFileSystem() const override { return shares_; }

  std::mutex mu;
  std::vector<std::string> env;  // Guarded by mu.

 private:
  const bool shares_;
};

TEST_F(LaunchTest, LocalSocketIsOfferedOnlyToRuntimesOnThePeersFileSystem) {
  const std::string sock = dir_.Sub("cc.sock");
  for (bool shares : {true, false}) {
    RecordingLauncher launcher(shares);
    StartSupport(launcher, sock);
    auto tx = NewTx(shares ? "shared" : "apart");
    EXPECT_FALSE(Invoke(*tx, "mycc:1.0", {"put", "a", "1"}).ok());
    std::vector<std::string> env;
    {
      std::lock_guard<std::mutex> lock(launcher.mu);
      env = launcher.env;
    }
    const bool offered =
        std::find(env.begin(), env.end(), "CORE_PEER_CHAINCODESOCKET=" + sock) != env.end();
    EXPECT_EQ(offered, shares) << (shares ? "process-like launcher" : "container-like launcher");
    EXPECT_NE(std::find(env.begin(), env.end(), "CORE_PEER_ADDRESS=" + server_->address()),
              env.end());
    TearDown();
  }
}

}  // namespace
}  // namespace fabric::chaincode
