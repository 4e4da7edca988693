// SPDX-License-Identifier: Apache-2.0
//
// The real `orderer` binary as a child process: configured by an orderer.json file plus
// ORDERER_* environment, stopped with SIGTERM (graceful) and SIGKILL, restarted over the same
// ledger. Every child is killed by its guard, even when a test fails.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "common/msp/testing/status_testing.h"
#include "common/protoutil/blockutils.h"
#include "fabric/base/testing/wait_until.h"
#include "orderer/block_writer.h"
#include "orderer/testing/test_network.h"

namespace fabric::orderer {
namespace {

using msp::testing::TempDir;
using testing::Client;
using testing::MakeSeek;
using testing::MakeTx;
using testing::Oldest;
using testing::Specified;

constexpr char kChannel[] = "mychannel";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A child `orderer` process; killed (SIGKILL) and reaped by the destructor if still running.
class OrdererProcess {
 public:
  OrdererProcess(const std::vector<std::string>& args, const std::vector<std::string>& env,
                 std::string log_path)
      : log_path_(std::move(log_path)) {
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      std::vector<char*> argv = {const_cast<char*>(ORDERER_BIN)};
      for (const auto& a : args) {
        argv.push_back(const_cast<char*>(a.c_str()));
      }
      argv.push_back(nullptr);
      for (const auto& e : env) {
        putenv(const_cast<char*>(e.c_str()));
      }
      execv(ORDERER_BIN, argv.data());
      _exit(127);
    }
  }
  ~OrdererProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // The port from the "listening on" line, or 0 if the process exits or 20 s pass.
  int WaitForPort() {
    static const std::regex kListening("listening on [^:]+:([0-9]+)");
    int port = 0;
    (void)WaitUntil(
        [&] {
          std::smatch m;
          std::string log = ReadAll(log_path_);
          if (std::regex_search(log, m, kListening)) {
            port = std::stoi(m[1]);
            return true;
          }
          return Reaped();
        },
        std::chrono::seconds(20));
    return port;
  }

  // Sends `sig` and returns the wait status (or -1 after 15 s).
  int Stop(int sig) {
    kill(pid_, sig);
    return Wait();
  }
  int Wait() {
    return WaitUntil([&] { return Reaped(); }, std::chrono::seconds(15)) ? exit_status_ : -1;
  }
  std::string log() const { return ReadAll(log_path_); }

 private:
  // Whether the child has exited (reaping it, and keeping its wait status, the first time).
  bool Reaped() {
    if (!exited_) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        exit_status_ = status;
      }
    }
    return exited_;
  }

  std::string log_path_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_status_ = 0;
};

class OrdererBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(common::Block genesis,
                         testing::MakeGenesis("TwoOrgsApplicationGenesis", kChannel));
    ASSERT_OK(testing::WriteBlock(tmp_.path() + "/genesis.block", genesis));
    std::ofstream(tmp_.path() + "/orderer.json")
        << R"({"General": {"ListenAddress": "127.0.0.1", "ListenPort": 7050,
                "BootstrapFile": "genesis.block", "LocalMSPID": "OrdererMSP"},
               "FileLedger": {"Location": "ledger"}})";
    env_ = {"ORDERER_GENERAL_LISTENPORT=0",
            "ORDERER_GENERAL_LOCALMSPDIR=" + testing::OrdererMspDir(), "FABRIC_LOGGING_SPEC=info"};
    user_ = testing::LoadUser(1, "User1");
    orderer_id_ = testing::LoadOrdererIdentity();
  }

  std::unique_ptr<OrdererProcess> Launch(const std::string& name) {
    return std::make_unique<OrdererProcess>(
        std::vector<std::string>{"start", "--config", tmp_.path() + "/orderer.json"}, env_,
        tmp_.path() + "/" + name + ".log");
  }

  TempDir tmp_;
  std::vector<std::string> env_;
  std::unique_ptr<msp::X509SigningIdentity> user_, orderer_id_;
};

TEST_F(OrdererBinaryTest, OrdersSurvivesSigtermAndSigkillAndContinuesTheChain) {
  std::string first_block;
  {
    auto process = Launch("run1");
    int port = process->WaitForPort();
    ASSERT_NE(port, 0) << process->log();
    Client client(port);
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(client.BroadcastOne(MakeTx(kChannel, *user_)), common::SUCCESS);
    }
    Client::DeliverResult r = client.Deliver(MakeSeek(kChannel, *user_, Oldest(), Specified(1)));
    ASSERT_EQ(r.status, common::SUCCESS);
    ASSERT_EQ(r.blocks.size(), 2u);
    ASSERT_OK_AND_ASSIGN(auto md, protoutil::Unmarshal<common::Metadata>(
                                      r.blocks[1].metadata().metadata(0), "metadata"));
    ASSERT_EQ(md.signatures_size(), 1);
    EXPECT_OK(orderer_id_->public_key().Verify(
        MetadataSignedBytes(md.value(), md.signatures(0).signature_header(), r.blocks[1].header()),
        md.signatures(0).signature()));
    first_block = r.blocks[1].SerializeAsString();
    int status = process->Stop(SIGTERM);
    ASSERT_TRUE(WIFEXITED(status)) << process->log();
    EXPECT_EQ(WEXITSTATUS(status), 0) << process->log();
  }
  {
    auto process = Launch("run2");
    int port = process->WaitForPort();
    ASSERT_NE(port, 0) << process->log();
    Client client(port);
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(client.BroadcastOne(MakeTx(kChannel, *user_)), common::SUCCESS);
    }
    Client::DeliverResult r = client.Deliver(MakeSeek(kChannel, *user_, Oldest(), Specified(2)));
    ASSERT_EQ(r.status, common::SUCCESS);
    ASSERT_EQ(r.blocks.size(), 3u);
    EXPECT_EQ(r.blocks[1].SerializeAsString(), first_block);
    EXPECT_EQ(r.blocks[2].header().previous_hash(),
              protoutil::BlockHeaderHash(r.blocks[1].header()));
    process->Stop(SIGKILL);
  }
  {
    auto process = Launch("run3");
    int port = process->WaitForPort();
    ASSERT_NE(port, 0) << process->log();
    Client client(port);
    Client::DeliverResult r = client.Deliver(MakeSeek(kChannel, *user_, Oldest(), Specified(2)));
    ASSERT_EQ(r.status, common::SUCCESS);
    EXPECT_EQ(r.blocks.size(), 3u);
  }
}

TEST_F(OrdererBinaryTest, BadConfigurationExitsWithOneLine) {
  env_.push_back("ORDERER_GENERAL_LOCALMSPDIR=" + tmp_.path() + "/no-msp");
  auto process = Launch("bad");
  EXPECT_EQ(process->WaitForPort(), 0);
  int status = process->Wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::string log = process->log();
  EXPECT_NE(log.find("orderer: error: load local msp"), std::string::npos) << log;
}

}  // namespace
}  // namespace fabric::orderer
