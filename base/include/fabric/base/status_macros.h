// SPDX-License-Identifier: Apache-2.0
//
// Propagation macros for fabric::Status and fabric::StatusOr<T>, and FABRIC_CHECK for true
// "cannot happen" conditions.

#pragma once

#include <cstdio>
#include <cstdlib>

#include "fabric/base/status.h"

#define FABRIC_STATUS_CONCAT_INNER_(a, b) a##b
#define FABRIC_STATUS_CONCAT_(a, b) FABRIC_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (a Status); returns it from the enclosing function if it is not OK.
#define RETURN_IF_ERROR(expr)                     \
  do {                                            \
    ::fabric::Status fabric_status_tmp_ = (expr); \
    if (!fabric_status_tmp_.ok()) {               \
      return fabric_status_tmp_;                  \
    }                                             \
  } while (false)

// `lhs` = value of `rexpr` (a StatusOr<T>), or returns its status from the enclosing function.
// `lhs` may be a declaration: ASSIGN_OR_RETURN(auto key, LoadKey(path));
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ASSIGN_OR_RETURN_IMPL_(FABRIC_STATUS_CONCAT_(fabric_statusor_, __LINE__), lhs, rexpr)

#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                           \
  if (!tmp.ok()) {                              \
    return tmp.status();                        \
  }                                             \
  lhs = std::move(tmp).value()

// Aborts (in every build type) when `cond` is false. Only for invariants that no input can
// break; untrusted input gets a Status instead.
#define FABRIC_CHECK(cond)                                                          \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (false)
