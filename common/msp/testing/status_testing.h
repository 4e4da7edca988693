// SPDX-License-Identifier: Apache-2.0
//
// gtest helpers for Status and StatusOr: ASSERT_OK / EXPECT_OK print the status on failure;
// ASSERT_OK_AND_ASSIGN(lhs, expr) assigns the value or fails the test.

#pragma once

#include <gtest/gtest.h>

#include "fabric/base/status.h"

namespace fabric::msp::testing {

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const StatusOr<T>& s) {
  return s.status();
}

}  // namespace fabric::msp::testing

#define EXPECT_OK(expr)                                                \
  do {                                                                 \
    const auto& msp_testing_s_ = (expr);                               \
    EXPECT_TRUE(::fabric::msp::testing::StatusOf(msp_testing_s_).ok()) \
        << ::fabric::msp::testing::StatusOf(msp_testing_s_);           \
  } while (false)
#define ASSERT_OK(expr)                                                \
  do {                                                                 \
    const auto& msp_testing_s_ = (expr);                               \
    ASSERT_TRUE(::fabric::msp::testing::StatusOf(msp_testing_s_).ok()) \
        << ::fabric::msp::testing::StatusOf(msp_testing_s_);           \
  } while (false)

#define MSP_TESTING_CONCAT_INNER_(a, b) a##b
#define MSP_TESTING_CONCAT_(a, b) MSP_TESTING_CONCAT_INNER_(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(MSP_TESTING_CONCAT_(msp_statusor_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  ASSERT_TRUE(tmp.ok()) << tmp.status();           \
  lhs = std::move(tmp).value()
