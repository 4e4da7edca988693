// SPDX-License-Identifier: Apache-2.0
//
// EndorserService's server model over real gRPC on 127.0.0.1:0: proposals run on the worker
// pool, a full pool refuses at once with RESOURCE_EXHAUSTED (Fabric 2.x's concurrency limit
// message), shutdown answers queued proposals UNAVAILABLE, and the observer sees every answer.

#include "peer/endorser/endorser_service.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/msp/testing/status_testing.h"
#include "fabric/base/testing/wait_until.h"
#include "peer/endorser/testing/endorser_server.h"
#include "peer/endorser/testing/test_peer.h"

namespace fabric::endorser {
namespace {

using ::testing::HasSubstr;
using testing::kChannel;
using testing::TestPeer;

// The test peer's FakeExecutor behind a gate: transactions wait while it is closed.
class GatedExecutor : public ChaincodeExecutor {
 public:
  StatusOr<ExecuteResult> Execute(const ExecuteParams& params, const std::string& ccid,
                                  const protos::ChaincodeInput& input, bool init) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      ++entered_;
      cv_.notify_all();
      cv_.wait(lock, [this] { return open_; });
    }
    return inner_.Execute(params, ccid, input, init);
  }
  void Open(bool open) {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = open;
    cv_.notify_all();
  }
  // Waits until `n` executions have entered.
  bool WaitEntered(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return entered_ >= n; });
  }

 private:
  testing::FakeExecutor inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
  int entered_ = 0;
};

class EndorserServiceTest : public ::testing::Test {
 protected:
  void Start(EndorserService::Options options) {
    auto peer = TestPeer::Create(&executor_);
    ASSERT_OK(peer);
    peer_ = std::move(peer).value();
    ASSERT_OK(peer_->InstallAndDeploy("mycc", "1.0", {"init"}));
    service_ = std::make_unique<EndorserService>(
        peer_->endorser(), options,
        [this](const grpc::Status& s, const protos::ProposalResponse& r,
               std::chrono::steady_clock::duration) {
          std::lock_guard<std::mutex> lock(observed_mu_);
          observed_.push_back(s.ok() ? r.response().status() : -static_cast<int>(s.error_code()));
        });
    server_ = std::make_unique<testing::EndorserServer>(*service_);
    ASSERT_NE(server_->server(), nullptr);
  }

  void TearDown() override {
    executor_.Open(true);
    server_.reset();
  }

  // Sends an invoke with a fresh txid on its own thread.
  std::future<std::pair<grpc::Status, protos::ProposalResponse>> Send() {
    protos::SignedProposal sp =
        TestPeer::MakeSigned(peer_->org1_user(), kChannel, "mycc", {"invoke"});
    return std::async(std::launch::async, [this, sp] {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      protos::ProposalResponse resp;
      grpc::Status s = server_->stub().ProcessProposal(&ctx, sp, &resp);
      return std::make_pair(s, resp);
    });
  }

  std::vector<int> Observed() {
    std::lock_guard<std::mutex> lock(observed_mu_);
    return observed_;
  }

  GatedExecutor executor_;
  std::unique_ptr<TestPeer> peer_;
  std::unique_ptr<EndorserService> service_;
  std::unique_ptr<testing::EndorserServer> server_;
  std::mutex observed_mu_;
  std::vector<int> observed_;  // response status, or -(gRPC code) when not OK
};

TEST_F(EndorserServiceTest, ProposalsBeyondTheConcurrencyLimitAreRefusedAtOnce) {
  Start({.workers = 1, .max_queued = 0});
  executor_.Open(false);
  auto running = Send();
  ASSERT_TRUE(executor_.WaitEntered(2));  // deploy's Init, then this invoke

  auto refused = Send().get();
  EXPECT_EQ(refused.first.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(refused.first.error_message(),
            "too many requests for /protos.Endorser, exceeding concurrency limit (1)");

  executor_.Open(true);
  auto done = running.get();
  ASSERT_TRUE(done.first.ok()) << done.first.error_message();
  EXPECT_EQ(done.second.response().status(), 200) << done.second.response().message();
  EXPECT_TRUE(done.second.has_endorsement());

  // The pool is free again once the worker is back from the finished proposal; its answer
  // reaches the client just before that, so a proposal sent at once may still be refused.
  const int exhausted = -static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED);
  std::pair<grpc::Status, protos::ProposalResponse> again;
  EXPECT_TRUE(WaitUntil([&] {
    again = Send().get();
    return again.first.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED;
  }));
  ASSERT_TRUE(again.first.ok()) << again.first.error_message();
  EXPECT_EQ(again.second.response().status(), 200);
  const std::vector<int> seen = Observed();
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 200), 2);
  EXPECT_GE(std::count(seen.begin(), seen.end(), exhausted), 1);
  EXPECT_THAT(seen, ::testing::Each(::testing::AnyOf(200, exhausted)));
}

TEST_F(EndorserServiceTest, ManyConcurrentProposalsAllEndorsedThroughFewWorkers) {
  for (bool fibers : {true, false}) {
    SCOPED_TRACE(fibers ? "proposals as fibers" : "proposals on their worker");
    Start({.workers = 2, .max_queued = 100, .fibers = fibers});
    std::vector<std::future<std::pair<grpc::Status, protos::ProposalResponse>>> calls;
    for (int i = 0; i < 40; ++i) {
      calls.push_back(Send());
    }
    for (auto& c : calls) {
      auto r = c.get();
      ASSERT_TRUE(r.first.ok()) << r.first.error_message();
      EXPECT_EQ(r.second.response().status(), 200);
    }
    EXPECT_EQ(Observed().size(), fibers ? 40u : 80u);
    server_.reset();
    service_.reset();
  }
}

TEST_F(EndorserServiceTest, ShutdownAnswersQueuedProposalsUnavailableAndFinishesRunningOnes) {
  Start({.workers = 1, .max_queued = 10});
  executor_.Open(false);
  auto running = Send();
  ASSERT_TRUE(executor_.WaitEntered(2));
  auto queued = Send();
  EXPECT_TRUE(WaitUntil([&] { return service_->queued_proposals() == 1; }));

  std::thread opener([this, &queued] {
    // Shutdown answers the queued proposal before it waits for the running one.
    EXPECT_EQ(queued.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    executor_.Open(true);
  });
  service_->Shutdown();  // waits for the running proposal
  opener.join();

  auto q = queued.get();
  EXPECT_EQ(q.first.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(q.first.error_message(), "peer is shutting down");
  auto r = running.get();
  ASSERT_TRUE(r.first.ok()) << r.first.error_message();
  EXPECT_EQ(r.second.response().status(), 200);

  auto late = Send().get();
  EXPECT_EQ(late.first.error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace fabric::endorser
