// SPDX-License-Identifier: Apache-2.0
//
// The real shim FSM over real gRPC against FakePeer: handshake, transactions, concurrency,
// errors, keepalive, stream end.

#include "src/handler.h"

#include <algorithm>
#include <map>
#include <vector>

#include <gtest/gtest.h>

#include "peer/chaincode.pb.h"
#include "peer/proposal_response.pb.h"
#include "src/testing/fake_peer.h"
#include "src/testing/test_chaincode.h"

namespace fabric::shim {
namespace {

using protos::ChaincodeMessage;
using testing::FakePeer;
using testing::Message;
using testing::OptionsFor;
using testing::Reply;
using testing::RunningShim;
using testing::TestChaincode;
using testing::Transaction;

protos::Response ResponseOf(const ChaincodeMessage& completed) {
  protos::Response r;
  EXPECT_TRUE(r.ParseFromString(completed.payload()));
  return r;
}

// Every test runs with both ways of executing transactions (StartOptions::Execution).
class HandlerTest : public ::testing::TestWithParam<StartOptions::Execution> {
 protected:
  StartOptions Options(const std::string& address) {
    StartOptions o = OptionsFor(address);
    o.execution = GetParam();
    return o;
  }
  StartOptions Options() { return Options(peer_.address()); }
  void StartShim(StartOptions options) {
    shim_ = std::make_unique<RunningShim>(cc_, std::move(options));
    ASSERT_TRUE(peer_.Handshake("mycc:1.0"));
  }
  void StartShim() { StartShim(Options()); }

  // Starts the shim with a short request timeout and sends transaction `txid` running
  // get("a"); returns its GET_STATE, which the test may leave unanswered.
  ChaincodeMessage StartWithTimedGet(std::chrono::milliseconds request_timeout,
                                     const std::string& txid) {
    StartOptions options = Options();
    options.request_timeout = request_timeout;
    StartShim(std::move(options));
    EXPECT_TRUE(peer_.Write(Transaction(txid, {"get", "a"})));
    return Next();
  }

  // Reads the next message, failing the test if none arrives.
  ChaincodeMessage Next() {
    ChaincodeMessage msg;
    EXPECT_TRUE(peer_.Read(&msg)) << "no message from the chaincode";
    return msg;
  }

  void TearDown() override {
    peer_.EndStream();
    if (shim_) {
      EXPECT_EQ(shim_->WaitExit(), 2);
    }
  }

  TestChaincode cc_;
  FakePeer peer_;
  std::unique_ptr<RunningShim> shim_;
};

TEST_P(HandlerTest, InitPutsStateAndCompletes) {
  StartShim();
  ASSERT_TRUE(peer_.Write(Transaction("tx1", {"init"}, /*init=*/true)));
  ChaincodeMessage put = Next();
  ASSERT_EQ(put.type(), ChaincodeMessage::PUT_STATE);
  EXPECT_EQ(put.txid(), "tx1");
  EXPECT_EQ(put.channel_id(), "ch");
  protos::PutState ps;
  ASSERT_TRUE(ps.ParseFromString(put.payload()));
  EXPECT_EQ(ps.key(), "initialized");
  EXPECT_EQ(ps.value(), "yes");
  EXPECT_EQ(ps.collection(), "");
  ASSERT_TRUE(peer_.Write(Reply(put, "")));
  ChaincodeMessage done = Next();
  ASSERT_EQ(done.type(), ChaincodeMessage::COMPLETED);
  EXPECT_EQ(done.txid(), "tx1");
  EXPECT_EQ(done.channel_id(), "ch");
  EXPECT_EQ(ResponseOf(done).status(), 200);
  EXPECT_EQ(ResponseOf(done).payload(), "init ok");
}

TEST_P(HandlerTest, InitErrorResponseIsSentAsError) {
  StartShim();
  ASSERT_TRUE(peer_.Write(Transaction("tx1", {"fail"}, /*init=*/true)));
  ChaincodeMessage msg = Next();
  EXPECT_EQ(msg.type(), ChaincodeMessage::ERROR);
  EXPECT_EQ(msg.payload(), "init refused");
}

TEST_P(HandlerTest, GetAndDelStateRoundTrip) {
  StartShim();
  ASSERT_TRUE(peer_.Write(Transaction("tx1", {"get", "a"})));
  ChaincodeMessage get = Next();
  ASSERT_EQ(get.type(), ChaincodeMessage::GET_STATE);
  protos::GetState gs;
  ASSERT_TRUE(gs.ParseFromString(get.payload()));
  EXPECT_EQ(gs.key(), "a");
  ASSERT_TRUE(peer_.Write(Reply(get, "100")));
  ChaincodeMessage done = Next();
  ASSERT_EQ(done.type(), ChaincodeMessage::COMPLETED);
  EXPECT_EQ(ResponseOf(done).payload(), "100");

  ASSERT_TRUE(peer_.Write(Transaction("tx2", {"del", "a"})));
  ChaincodeMessage del = Next();
  ASSERT_EQ(del.type(), ChaincodeMessage::DEL_STATE);
  protos::DelState ds;
  ASSERT_TRUE(ds.ParseFromString(del.payload()));
  EXPECT_EQ(ds.key(), "a");
  ASSERT_TRUE(peer_.Write(Reply(del, "")));
  EXPECT_EQ(ResponseOf(Next()).status(), 200);
}

TEST_P(HandlerTest, ManyConcurrentTransactionsAnsweredOutOfOrderAreRoutedRight) {
  constexpr int kTx = 50;
  StartShim();
  for (int i = 0; i < kTx; ++i) {
    // Same txid on two channels must not collide: odd ones go to "ch2".
    ASSERT_TRUE(
        peer_.Write(Transaction("tx" + std::to_string(i / 2), {"get", "k" + std::to_string(i)},
                                false, i % 2 ? "ch2" : "ch")));
  }
  std::vector<ChaincodeMessage> gets;
  for (int i = 0; i < kTx; ++i) {
    gets.push_back(Next());
    ASSERT_EQ(gets.back().type(), ChaincodeMessage::GET_STATE);
  }
  std::reverse(gets.begin(), gets.end());
  std::map<std::pair<std::string, std::string>, std::string> expected;
  for (const ChaincodeMessage& get : gets) {
    protos::GetState gs;
    ASSERT_TRUE(gs.ParseFromString(get.payload()));
    expected[{get.channel_id(), get.txid()}] = "value-of-" + gs.key();
    ASSERT_TRUE(peer_.Write(Reply(get, "value-of-" + gs.key())));
  }
  for (int i = 0; i < kTx; ++i) {
    ChaincodeMessage done = Next();
    ASSERT_EQ(done.type(), ChaincodeMessage::COMPLETED);
    std::pair<std::string, std::string> key(done.channel_id(), done.txid());
    EXPECT_EQ(ResponseOf(done).payload(), expected[key]);
    expected.erase(key);
  }
  EXPECT_TRUE(expected.empty());
}

TEST_P(HandlerTest, PeerErrorSurfacesAsStatusInChaincode) {
  StartShim();
  ASSERT_TRUE(peer_.Write(Transaction("tx1", {"get", "a"})));
  ChaincodeMessage get = Next();
  ASSERT_TRUE(peer_.Write(Reply(get, "GET_STATE failed: transaction ID: tx1: no ledger", true)));
  ChaincodeMessage done = Next();
  ASSERT_EQ(done.type(), ChaincodeMessage::COMPLETED);  // Invoke returned a 500 Response.
  EXPECT_EQ(ResponseOf(done).status(), 500);
  EXPECT_EQ(ResponseOf(done).message(), "GET_STATE failed: transaction ID: tx1: no ledger");
}

TEST_P(HandlerTest, ThrowingChaincodeAnswersError) {
  StartShim();
  ASSERT_TRUE(peer_.Write(Transaction("tx1", {"throw"})));
  ChaincodeMessage msg = Next();
  ASSERT_EQ(msg.type(), ChaincodeMessage::ERROR);
  EXPECT_EQ(msg.txid(), "tx1");
  EXPECT_NE(msg.payload().find("boom"), std::string::npos) << msg.payload();
}

TEST_P(HandlerTest, KeepaliveIsEchoedInAnyState) {
  shim_ = std::make_unique<RunningShim>(cc_, Options());
  ChaincodeMessage reg = Next();
  ASSERT_EQ(reg.type(), ChaincodeMessage::REGISTER);
  ASSERT_TRUE(peer_.Write(Message(ChaincodeMessage::KEEPALIVE, "", "", "")));
  EXPECT_EQ(Next().type(), ChaincodeMessage::KEEPALIVE);
  ASSERT_TRUE(peer_.Write(Message(ChaincodeMessage::REGISTERED, "", "", "")));
  ASSERT_TRUE(peer_.Write(Message(ChaincodeMessage::READY, "", "", "")));
  ASSERT_TRUE(peer_.Write(Message(ChaincodeMessage::KEEPALIVE, "", "", "")));
  EXPECT_EQ(Next().type(), ChaincodeMessage::KEEPALIVE);
}

TEST_P(HandlerTest, StreamClosedByPeerFailsWaitersAndStartReturnsNonZero) {
  StartShim();
  ASSERT_TRUE(peer_.Write(Transaction("tx1", {"get", "a"})));
  ASSERT_EQ(Next().type(), ChaincodeMessage::GET_STATE);  // Left unanswered.
  auto t0 = std::chrono::steady_clock::now();
  peer_.EndStream();
  EXPECT_EQ(shim_->WaitExit(std::chrono::seconds(5)), 2);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  shim_.reset();
}

TEST_P(HandlerTest, RegistrationRefusedEndsStart) {
  shim_ = std::make_unique<RunningShim>(cc_, Options());
  ASSERT_EQ(Next().type(), ChaincodeMessage::REGISTER);
  ASSERT_TRUE(peer_.Write(Message(ChaincodeMessage::ERROR, "", "duplicate chaincodeID", "")));
  EXPECT_EQ(shim_->WaitExit(std::chrono::seconds(5)), 2);
  shim_.reset();
}

TEST_P(HandlerTest, MessagesInTheWrongStateAreAnsweredWithErrorAndStreamKept) {
  shim_ = std::make_unique<RunningShim>(cc_, Options());
  ASSERT_EQ(Next().type(), ChaincodeMessage::REGISTER);
  ASSERT_TRUE(peer_.Write(Transaction("early", {"get", "a"})));  // Before REGISTERED.
  ChaincodeMessage err = Next();
  EXPECT_EQ(err.type(), ChaincodeMessage::ERROR);
  EXPECT_EQ(err.txid(), "early");
  ASSERT_TRUE(peer_.Write(Message(ChaincodeMessage::REGISTERED, "", "", "")));
  ASSERT_TRUE(peer_.Write(Message(ChaincodeMessage::READY, "", "", "")));
  ASSERT_TRUE(peer_.Write(Message(ChaincodeMessage::GET_STATE, "odd", "x")));  // Not for a cc.
  EXPECT_EQ(Next().type(), ChaincodeMessage::ERROR);
  ASSERT_TRUE(peer_.Write(Transaction("tx1", {"put", "k", "v"})));
  ChaincodeMessage put = Next();
  ASSERT_EQ(put.type(), ChaincodeMessage::PUT_STATE);
  ASSERT_TRUE(peer_.Write(Reply(put, "")));
  EXPECT_EQ(Next().type(), ChaincodeMessage::COMPLETED);
}

TEST_P(HandlerTest, GarbageFromPeerIsRejectedWithoutCrashing) {
  StartShim();
  // A TRANSACTION whose payload is not a ChaincodeInput.
  ASSERT_TRUE(peer_.Write(Message(ChaincodeMessage::TRANSACTION, "bad", "\xff\xff\xff\xff")));
  ChaincodeMessage err = Next();
  EXPECT_EQ(err.type(), ChaincodeMessage::ERROR);
  EXPECT_EQ(err.txid(), "bad");
  // A TRANSACTION whose proposal does not parse.
  ChaincodeMessage bad_prop = Transaction("badprop", {"get", "a"});
  bad_prop.mutable_proposal()->set_proposal_bytes("\xff\xff");
  ASSERT_TRUE(peer_.Write(bad_prop));
  EXPECT_EQ(Next().type(), ChaincodeMessage::ERROR);
  // Replies nobody waits for.
  ASSERT_TRUE(peer_.Write(Message(ChaincodeMessage::RESPONSE, "nobody", "x")));
  ASSERT_TRUE(peer_.Write(Message(ChaincodeMessage::ERROR, "nobody", "x")));
  // A range reply that is not a QueryResponse.
  ASSERT_TRUE(peer_.Write(Transaction("tx1", {"range", "a", "z"})));
  ChaincodeMessage range = Next();
  ASSERT_EQ(range.type(), ChaincodeMessage::GET_STATE_BY_RANGE);
  ASSERT_TRUE(peer_.Write(Reply(range, "\xff\xff\xff")));
  ChaincodeMessage done = Next();
  ASSERT_EQ(done.type(), ChaincodeMessage::COMPLETED);
  EXPECT_EQ(ResponseOf(done).status(), 500);
  EXPECT_NE(ResponseOf(done).message().find("does not parse"), std::string::npos);
  // Still serving.
  ASSERT_TRUE(peer_.Write(Transaction("tx2", {"event", "e", "p"})));
  EXPECT_EQ(Next().type(), ChaincodeMessage::COMPLETED);
}

TEST_P(HandlerTest, FullPoolAndQueueAnswerTooManyConcurrentTransactions) {
  StartOptions options = Options();
  options.max_concurrent_transactions = 1;
  options.max_queued_transactions = 1;
  StartShim(options);
  ASSERT_TRUE(peer_.Write(Transaction("tx1", {"get", "a"})));
  ChaincodeMessage get1 = Next();  // tx1 now holds the only worker.
  ASSERT_EQ(get1.type(), ChaincodeMessage::GET_STATE);
  ASSERT_TRUE(peer_.Write(Transaction("tx2", {"get", "b"})));  // Queued.
  ASSERT_TRUE(peer_.Write(Transaction("tx3", {"get", "c"})));  // Refused.
  ChaincodeMessage refused = Next();
  ASSERT_EQ(refused.type(), ChaincodeMessage::ERROR);
  EXPECT_EQ(refused.txid(), "tx3");
  EXPECT_EQ(refused.payload(), "too many concurrent transactions");
  ASSERT_TRUE(peer_.Write(Reply(get1, "1")));
  EXPECT_EQ(Next().type(), ChaincodeMessage::COMPLETED);
  ChaincodeMessage get2 = Next();
  ASSERT_EQ(get2.txid(), "tx2");
  ASSERT_TRUE(peer_.Write(Reply(get2, "2")));
  EXPECT_EQ(ResponseOf(Next()).payload(), "2");
}

TEST_P(HandlerTest, UnansweredRequestTimesOut) {
  ChaincodeMessage get = StartWithTimedGet(std::chrono::milliseconds(200), "tx1");
  ChaincodeMessage done = Next();
  ASSERT_EQ(done.type(), ChaincodeMessage::COMPLETED);
  EXPECT_EQ(ResponseOf(done).status(), 500);
  EXPECT_NE(ResponseOf(done).message().find("no reply from the peer"), std::string::npos);
  ASSERT_TRUE(peer_.Write(Reply(get, "late")));  // Dropped with a log line.
  ASSERT_TRUE(peer_.Write(Transaction("tx2", {"event", "e", "p"})));
  EXPECT_EQ(Next().type(), ChaincodeMessage::COMPLETED);
}

TEST_P(HandlerTest, StartFailsFastWithoutPeer) {
  StartOptions options = Options("127.0.0.1:1");
  options.dial_timeout = std::chrono::milliseconds(300);
  EXPECT_EQ(Start(cc_, options), 1);
}

TEST_P(HandlerTest, CoroutinesRunEveryTransactionOnTheReaderThread) {
  if (GetParam() != StartOptions::Execution::kCoroutines) {
    GTEST_SKIP() << "threads: transactions run on worker threads";
  }
  constexpr int kTx = 8;
  StartShim();
  for (int i = 0; i < kTx; ++i) {
    ASSERT_TRUE(peer_.Write(Transaction("tx" + std::to_string(i), {"thread", "k"})));
  }
  std::vector<ChaincodeMessage> gets;
  for (int i = 0; i < kTx; ++i) {
    gets.push_back(Next());
    ASSERT_EQ(gets.back().type(), ChaincodeMessage::GET_STATE);
  }
  // All eight are parked in GetState at once: none has a thread to itself.
  for (const ChaincodeMessage& get : gets) {
    ASSERT_TRUE(peer_.Write(Reply(get, "v")));
  }
  std::string first;
  for (int i = 0; i < kTx; ++i) {
    ChaincodeMessage done = Next();
    ASSERT_EQ(done.type(), ChaincodeMessage::COMPLETED);
    const std::string threads = ResponseOf(done).payload();  // "before,after" the GetState
    const size_t comma = threads.find(',');
    ASSERT_NE(comma, std::string::npos);
    EXPECT_EQ(threads.substr(0, comma), threads.substr(comma + 1));
    if (first.empty()) {
      first = threads;
    }
    EXPECT_EQ(threads, first);
  }
}

TEST_P(HandlerTest, TimedOutRequestDoesNotHoldUpOtherTransactions) {
  ChaincodeMessage unanswered = StartWithTimedGet(std::chrono::milliseconds(300), "slow");
  ASSERT_EQ(unanswered.type(), ChaincodeMessage::GET_STATE);
  // Another transaction is served while the first waits for its reply.
  ASSERT_TRUE(peer_.Write(Transaction("fast", {"get", "b"})));
  ChaincodeMessage get = Next();
  ASSERT_EQ(get.txid(), "fast");
  ASSERT_TRUE(peer_.Write(Reply(get, "2")));
  ChaincodeMessage done = Next();
  EXPECT_EQ(done.txid(), "fast");
  EXPECT_EQ(ResponseOf(done).payload(), "2");
  ChaincodeMessage timed_out = Next();
  EXPECT_EQ(timed_out.txid(), "slow");
  EXPECT_EQ(ResponseOf(timed_out).status(), 500);
  EXPECT_NE(ResponseOf(timed_out).message().find("no reply from the peer"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Execution, HandlerTest,
                         ::testing::Values(StartOptions::Execution::kThreads,
                                           StartOptions::Execution::kCoroutines),
                         [](const ::testing::TestParamInfo<StartOptions::Execution>& param) {
                           return param.param == StartOptions::Execution::kThreads ? "Threads"
                                                                                   : "Coroutines";
                         });

}  // namespace
}  // namespace fabric::shim
