// SPDX-License-Identifier: Apache-2.0
//
// ServeStream over an in-memory stream: the handler without gRPC.

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>

#include <gtest/gtest.h>

#include "fabric/shim/stream.h"
#include "peer/chaincode.pb.h"
#include "src/testing/fake_peer.h"
#include "src/testing/test_chaincode.h"

namespace fabric::shim {
namespace {

using protos::ChaincodeMessage;

// Two queues: what the test feeds the shim (Read) and what the shim wrote (Write).
class InMemoryStream : public ChaincodeStream {
 public:
  bool Write(const ChaincodeMessage& msg) override { return Push(written_, msg); }
  bool Read(ChaincodeMessage* msg) override { return Pop(inbound_, msg); }

  void Feed(const ChaincodeMessage& msg) { Push(inbound_, msg); }
  bool Written(ChaincodeMessage* msg) { return Pop(written_, msg); }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }

 private:
  bool Push(std::deque<ChaincodeMessage>& q, const ChaincodeMessage& msg) {
    std::lock_guard<std::mutex> lock(mu_);
    q.push_back(msg);
    cv_.notify_all();
    return !closed_;
  }
  bool Pop(std::deque<ChaincodeMessage>& q, ChaincodeMessage* msg) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return !q.empty() || closed_; });
    if (q.empty()) {
      return false;
    }
    *msg = q.front();
    q.pop_front();
    return true;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<ChaincodeMessage> inbound_, written_;
  bool closed_ = false;
};

TEST(ServeStreamTest, ServesATransactionOverAnyStream) {
  testing::TestChaincode cc;
  InMemoryStream stream;
  auto served = std::async(std::launch::async,
                           [&] { return ServeStream(cc, stream, "inproc:1.0", StartOptions()); });
  ChaincodeMessage msg;
  ASSERT_TRUE(stream.Written(&msg));
  ASSERT_EQ(msg.type(), ChaincodeMessage::REGISTER);
  protos::ChaincodeID id;
  ASSERT_TRUE(id.ParseFromString(msg.payload()));
  EXPECT_EQ(id.name(), "inproc:1.0");
  stream.Feed(testing::Message(ChaincodeMessage::REGISTERED, "", "", ""));
  stream.Feed(testing::Message(ChaincodeMessage::READY, "", "", ""));
  stream.Feed(testing::Transaction("tx1", {"put", "k", "v"}));
  ASSERT_TRUE(stream.Written(&msg));
  ASSERT_EQ(msg.type(), ChaincodeMessage::PUT_STATE);
  stream.Feed(testing::Reply(msg, ""));
  ASSERT_TRUE(stream.Written(&msg));
  EXPECT_EQ(msg.type(), ChaincodeMessage::COMPLETED);
  stream.Close();
  EXPECT_TRUE(served.get().IsUnavailable());
}

}  // namespace
}  // namespace fabric::shim
