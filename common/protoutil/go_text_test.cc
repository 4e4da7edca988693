// SPDX-License-Identifier: Apache-2.0

#include "common/protoutil/go_text.h"

#include <gtest/gtest.h>

namespace fabric::protoutil {
namespace {

TEST(GoTextTest, QuotesAsGolangProtobufDoes) {
  EXPECT_EQ(GoTextQuote("a\"b\\c\n\r\t'"), R"("a\"b\\c\n\r\t'")");
  EXPECT_EQ(GoTextQuote(std::string("\0\x1f\x7f\xff", 4)), R"("\000\037\177\377")");
}

TEST(GoTextTest, CompactTextOfAChaincodeInput) {
  protos::ChaincodeInput input;
  EXPECT_EQ(GoCompactText(input), "");
  input.add_args("init");
  input.add_args("a b");
  (*input.mutable_decorations())["z"] = "1";
  (*input.mutable_decorations())["a"] = "\n";
  EXPECT_EQ(GoCompactText(input),
            "args:\"init\" args:\"a b\" decorations:<key:\"a\" value:\"\\n\" > "
            "decorations:<key:\"z\" value:\"1\" > ");
}

}  // namespace
}  // namespace fabric::protoutil
