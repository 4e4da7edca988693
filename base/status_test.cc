// SPDX-License-Identifier: Apache-2.0
#include "fabric/base/status.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "fabric/base/status_macros.h"

namespace fabric {
namespace {

TEST(StatusTest, DefaultIsOkAndCheap) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = NotFoundError("chaincode mycc not found");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.message(), "chaincode mycc not found");
  EXPECT_EQ(s.ToString(), "NOT_FOUND: chaincode mycc not found");
  EXPECT_EQ(static_cast<int>(s.code()), 5);  // gRPC's NOT_FOUND
}

TEST(StatusTest, OkCodeWithMessageIsOk) {
  Status s(StatusCode::kOk, "ignored");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
}

TEST(StatusTest, AnnotatePrefixesErrorsOnly) {
  EXPECT_EQ(InvalidArgumentError("bad pem").Annotate("load key path=/k").message(),
            "load key path=/k: bad pem");
  EXPECT_TRUE(Status().Annotate("x").ok());
}

TEST(StatusOrTest, HoldsValueOrError) {
  StatusOr<std::string> v = std::string("abc");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, "abc");
  EXPECT_EQ(v->size(), 3u);
  StatusOr<std::string> e = InternalError("boom");
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(), "boom");
}

TEST(StatusOrTest, OkStatusWithoutValueBecomesInternal) {
  StatusOr<int> e = Status();
  EXPECT_FALSE(e.ok());
  EXPECT_TRUE(e.status().IsInternal());
}

TEST(StatusOrTest, MoveOnlyValues) {
  StatusOr<std::unique_ptr<int>> p = std::make_unique<int>(7);
  ASSERT_TRUE(p.ok());
  std::unique_ptr<int> q = std::move(p).value();
  EXPECT_EQ(*q, 7);
}

StatusOr<int> Half(int x) {
  if (x % 2 != 0) {
    return InvalidArgumentError("odd");
  }
  return x / 2;
}

Status Quarter(int x, int* out) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(*out, Half(h));
  return Status();
}

Status Chain(bool fail) {
  RETURN_IF_ERROR(fail ? AbortedError("stop") : Status());
  return UnknownError("reached end");
}

TEST(StatusMacrosTest, AssignOrReturnPropagates) {
  int out = 0;
  EXPECT_TRUE(Quarter(8, &out).ok());
  EXPECT_EQ(out, 2);
  EXPECT_TRUE(Quarter(6, &out).IsInvalidArgument());
}

TEST(StatusMacrosTest, ReturnIfErrorPropagates) {
  EXPECT_EQ(Chain(true).code(), StatusCode::kAborted);
  EXPECT_EQ(Chain(false).code(), StatusCode::kUnknown);
}

}  // namespace
}  // namespace fabric
