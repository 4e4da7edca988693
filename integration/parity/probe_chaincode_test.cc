// SPDX-License-Identifier: Apache-2.0
//
// The probe's JSON must be Go's encoding/json byte for byte (the recorded responses were
// written by Go), and its script is read as Go reads it.

#include "integration/parity/probe_chaincode.h"

#include <gtest/gtest.h>

#include "fabric/shim/mock_stub.h"

namespace fabric::parity {
namespace {

TEST(ProbeChaincodeTest, WritesStringsAsGoEncodingJsonDoes) {
  EXPECT_EQ(GoJsonString("plain"), R"("plain")");
  EXPECT_EQ(GoJsonString("<a&b>"), R"("\u003ca\u0026b\u003e")");
  EXPECT_EQ(GoJsonString("q\"b\\s/"), R"("q\"b\\s/")");
  EXPECT_EQ(GoJsonString("\n\r\t\b\f\x01\x1f\x7f"),
            "\"\\n\\r\\t\\u0008\\u000c\\u0001\\u001f\x7f\"");
  EXPECT_EQ(GoJsonString(std::string("a\0b", 3)), R"("a\u0000b")");
  EXPECT_EQ(GoJsonString("k\xff"), R"("k\ufffd")");
  EXPECT_EQ(GoJsonString("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");  // an encoded surrogate
  EXPECT_EQ(GoJsonString("\xc0\xaf"), R"("\ufffd\ufffd")");            // overlong
  EXPECT_EQ(GoJsonString("\xe2\x80\xa8\xe2\x80\xa9"), R"("\u2028\u2029")");
  EXPECT_EQ(GoJsonString("\xc3\xa9\xf0\x9f\x98\x80"), "\"\xc3\xa9\xf0\x9f\x98\x80\"");
}

TEST(ProbeChaincodeTest, ReadsTheScriptAsGoDoes) {
  auto m = ParseGoStringMatrix(R"([["put","k\udcff","v"], ["get", "\ud83d\ude00"],[],null])");
  ASSERT_TRUE(m.has_value());
  ASSERT_EQ(m->size(), 4u);
  EXPECT_EQ((*m)[0], (std::vector<std::string>{"put", "k\xef\xbf\xbd", "v"}));
  EXPECT_EQ((*m)[1][1], "\xf0\x9f\x98\x80");
  EXPECT_TRUE((*m)[2].empty());
  EXPECT_TRUE((*m)[3].empty());
  EXPECT_EQ((*ParseGoStringMatrix(R"([["a\u0000b\n"]])"))[0][0], std::string("a\0b\n", 4));
  EXPECT_FALSE(ParseGoStringMatrix(R"([["a"])").has_value());
  EXPECT_FALSE(ParseGoStringMatrix(R"([[1]])").has_value());
  EXPECT_FALSE(ParseGoStringMatrix("[[\"a\nb\"]]").has_value());
}

TEST(ProbeChaincodeTest, RunsAScriptAndAnswersAsTheGoProbe) {
  ProbeChaincode cc;
  shim::MockStub stub("probe", cc);
  shim::Response r = stub.MockInvoke(
      "tx1", {"ops", R"([["put","a","1"],["put","b","<2>"],["get","a"],["get","zz"],)"
                     R"(["range","a","z"],["range","x","y"],["txid"],["event","",""]])"});
  EXPECT_EQ(r.status, 200) << r.message;
  EXPECT_EQ(r.payload, R"([null,null,"1",null,["a=1","b=\u003c2\u003e"],null,"tx1",)"
                       R"("ERR:event name can not be nil string"])");
  EXPECT_EQ(stub.MockInvoke("tx2", {"ops", "[]"}).payload, "null");
  EXPECT_EQ(stub.MockInvoke("tx3", {"ops", R"([["status","300","warn","pl"]])"}).status, 300);
  EXPECT_EQ(stub.MockInvoke("tx4", {"ops", R"([["nosuch"]])"}).message, "unknown op nosuch");
  EXPECT_EQ(stub.MockInvoke("tx5", {"init"}).payload, "");
}

}  // namespace
}  // namespace fabric::parity
