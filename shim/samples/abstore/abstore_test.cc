// SPDX-License-Identifier: Apache-2.0

#include "abstore/abstore.h"

#include <gtest/gtest.h>

#include "fabric/shim/mock_stub.h"

namespace fabric::samples {
namespace {

using shim::MockStub;

class AbStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(stub_.MockInit("init", {"init", "a", "100", "b", "200"}).status, 200);
  }
  AbStore cc_;
  MockStub stub_{"abstore", cc_};
};

TEST_F(AbStoreTest, InitSetsBalances) {
  EXPECT_EQ(stub_.State().at("a"), "100");
  EXPECT_EQ(stub_.State().at("b"), "200");
}

TEST_F(AbStoreTest, InitRejectsBadArguments) {
  EXPECT_EQ(stub_.MockInit("i2", {"init", "a", "100"}).message,
            "Incorrect number of arguments. Expecting 4");
  EXPECT_EQ(stub_.MockInit("i3", {"init", "a", "x", "b", "1"}).message,
            "Expecting integer value for asset holding");
}

TEST_F(AbStoreTest, InvokeMovesAndQueryReads) {
  ASSERT_EQ(stub_.MockInvoke("tx1", {"invoke", "a", "b", "10"}).status, 200);
  EXPECT_EQ(stub_.MockInvoke("q1", {"query", "a"}).payload, "90");
  EXPECT_EQ(stub_.MockInvoke("q2", {"query", "b"}).payload, "210");
}

TEST_F(AbStoreTest, InvokeErrors) {
  EXPECT_EQ(stub_.MockInvoke("t", {"invoke", "a", "b"}).message,
            "Incorrect number of arguments. Expecting 3");
  EXPECT_EQ(stub_.MockInvoke("t", {"invoke", "a", "zz", "1"}).message, "Entity not found");
  EXPECT_EQ(stub_.MockInvoke("t", {"invoke", "a", "b", "ten"}).message,
            "Invalid transaction amount, expecting a integer value");
  EXPECT_EQ(stub_.MockInvoke("t", {"transfer"}).status, 500);
}

TEST_F(AbStoreTest, DeleteRemovesAccount) {
  ASSERT_EQ(stub_.MockInvoke("d", {"delete", "a"}).status, 200);
  EXPECT_EQ(stub_.MockInvoke("q", {"query", "a"}).message, "{\"Error\":\"Nil amount for a\"}");
}

}  // namespace
}  // namespace fabric::samples
