// SPDX-License-Identifier: Apache-2.0

#include "invoker/invoker.h"

#include <gtest/gtest.h>

#include "abstore/abstore.h"
#include "fabric/shim/mock_stub.h"

namespace fabric::samples {
namespace {

using shim::MockStub;

class InvokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(abstore_stub_.MockInit("init", {"init", "a", "100", "b", "200"}).status, 200);
    stub_.MockPeerChaincode("abstore", abstore_stub_);
    stub_.MockPeerChaincode("abstore", abstore_stub_, "other");
  }
  AbStore abstore_;
  MockStub abstore_stub_{"abstore", abstore_};
  Invoker invoker_;
  MockStub stub_{"invoker", invoker_};
};

TEST_F(InvokerTest, QueriesAnotherChaincode) {
  shim::Response r = stub_.MockInvoke("tx1", {"query", "abstore", "a"});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.payload, "100");
  EXPECT_EQ(stub_.MockInvoke("tx2", {"query", "abstore", "b", "other"}).payload, "200");
}

TEST_F(InvokerTest, TransferWritesThroughTheCallee) {
  ASSERT_EQ(stub_.MockInvoke("tx1", {"transfer", "abstore", "a", "b", "30"}).status, 200);
  EXPECT_EQ(abstore_stub_.State().at("a"), "70");
  EXPECT_EQ(abstore_stub_.State().at("b"), "230");
}

TEST_F(InvokerTest, RecordsQueriedValueInOwnState) {
  ASSERT_EQ(stub_.MockInvoke("tx1", {"queryAndRecord", "abstore", "b"}).status, 200);
  EXPECT_EQ(stub_.State().at("last~b"), "200");
  EXPECT_EQ(abstore_stub_.State().count("last~b"), 0u);
}

TEST_F(InvokerTest, CalleeErrorsAndUnknownChaincodesFail) {
  shim::Response r = stub_.MockInvoke("tx1", {"query", "abstore", "nobody"});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.message, "abstore failed: {\"Error\":\"Nil amount for nobody\"}");
  EXPECT_EQ(stub_.MockInvoke("tx2", {"query", "missing", "a"}).status, 500);
  EXPECT_EQ(stub_.MockInvoke("tx3", {"bogus"}).status, 500);
}

}  // namespace
}  // namespace fabric::samples
