// SPDX-License-Identifier: Apache-2.0
//
// Status and StatusOr<T>: the error type of every fallible call in fabric-cpp.
//
// A Status is either OK (cheap: no allocation) or an error with a code and a message. The codes
// are gRPC's canonical codes, so converting at a gRPC boundary is a cast. StatusOr<T> holds
// either a value or a non-OK Status.
//
// This header depends on the standard library only: it is part of the shim's public API and
// ships inside chaincode images.
//
// Thread-safety: Status and StatusOr are values; const methods may be called concurrently,
// mutation needs external synchronisation (like std::string).

#pragma once

#include <cstdlib>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace fabric {

// gRPC's canonical status codes, same numbering.
enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// Returns the canonical name of `code`, e.g. "INVALID_ARGUMENT".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // An OK status.
  Status() noexcept = default;
  Status(StatusCode code, std::string_view message)
      : rep_(code == StatusCode::kOk
                 ? nullptr
                 : std::make_shared<const Rep>(Rep{code, std::string(message)})) {}

  static Status OK() { return Status(); }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  // The message; empty for OK.
  std::string_view message() const {
    return rep_ ? std::string_view(rep_->message) : std::string_view();
  }

  bool IsInvalidArgument() const { return code() == StatusCode::kInvalidArgument; }
  bool IsNotFound() const { return code() == StatusCode::kNotFound; }
  bool IsAlreadyExists() const { return code() == StatusCode::kAlreadyExists; }
  bool IsPermissionDenied() const { return code() == StatusCode::kPermissionDenied; }
  bool IsFailedPrecondition() const { return code() == StatusCode::kFailedPrecondition; }
  bool IsDeadlineExceeded() const { return code() == StatusCode::kDeadlineExceeded; }
  bool IsUnavailable() const { return code() == StatusCode::kUnavailable; }
  bool IsInternal() const { return code() == StatusCode::kInternal; }
  bool IsDataLoss() const { return code() == StatusCode::kDataLoss; }

  // Returns a copy whose message is "<prefix>: <message>"; OK stays OK. Used to add context
  // while propagating ("load msp dir=/x: open file: ...").
  Status Annotate(std::string_view prefix) const {
    if (ok()) {
      return *this;
    }
    std::string m(prefix);
    m += ": ";
    m += message();
    return Status(code(), m);
  }

  // "OK" or "INVALID_ARGUMENT: message".
  std::string ToString() const {
    if (ok()) {
      return "OK";
    }
    std::string s(StatusCodeName(code()));
    s += ": ";
    s += message();
    return s;
  }

  friend bool operator==(const Status& a, const Status& b) {
    return a.code() == b.code() && a.message() == b.message();
  }

 private:
  struct Rep {
    StatusCode code;
    std::string message;
  };
  // Null for OK. Immutable, so sharing between copies is safe.
  std::shared_ptr<const Rep> rep_;
};

inline std::ostream& operator<<(std::ostream& os, const Status& s) { return os << s.ToString(); }

// Factories, one per code used in the project.
inline Status InvalidArgumentError(std::string_view m) { return {StatusCode::kInvalidArgument, m}; }
inline Status NotFoundError(std::string_view m) { return {StatusCode::kNotFound, m}; }
inline Status AlreadyExistsError(std::string_view m) { return {StatusCode::kAlreadyExists, m}; }
inline Status PermissionDeniedError(std::string_view m) {
  return {StatusCode::kPermissionDenied, m};
}
inline Status FailedPreconditionError(std::string_view m) {
  return {StatusCode::kFailedPrecondition, m};
}
inline Status DeadlineExceededError(std::string_view m) {
  return {StatusCode::kDeadlineExceeded, m};
}
inline Status UnavailableError(std::string_view m) { return {StatusCode::kUnavailable, m}; }
inline Status InternalError(std::string_view m) { return {StatusCode::kInternal, m}; }
inline Status DataLossError(std::string_view m) { return {StatusCode::kDataLoss, m}; }
inline Status UnimplementedError(std::string_view m) { return {StatusCode::kUnimplemented, m}; }
inline Status OutOfRangeError(std::string_view m) { return {StatusCode::kOutOfRange, m}; }
inline Status ResourceExhaustedError(std::string_view m) {
  return {StatusCode::kResourceExhausted, m};
}
inline Status AbortedError(std::string_view m) { return {StatusCode::kAborted, m}; }
inline Status UnknownError(std::string_view m) { return {StatusCode::kUnknown, m}; }

inline std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kCancelled:
      return "CANCELLED";
    case StatusCode::kUnknown:
      return "UNKNOWN";
    case StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case StatusCode::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case StatusCode::kNotFound:
      return "NOT_FOUND";
    case StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case StatusCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case StatusCode::kAborted:
      return "ABORTED";
    case StatusCode::kOutOfRange:
      return "OUT_OF_RANGE";
    case StatusCode::kUnimplemented:
      return "UNIMPLEMENTED";
    case StatusCode::kInternal:
      return "INTERNAL";
    case StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case StatusCode::kDataLoss:
      return "DATA_LOSS";
    case StatusCode::kUnauthenticated:
      return "UNAUTHENTICATED";
  }
  return "UNKNOWN_CODE";
}

// Holds a T or a non-OK Status. Accessing value() of an error aborts: callers check ok() first
// (or use FABRIC_ASSIGN_OR_RETURN).
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  // From an error. Passing an OK status is a programming error and becomes kInternal.
  StatusOr(Status status)  // NOLINT(google-explicit-constructor)
      : status_(status.ok() ? InternalError("StatusOr constructed from OK status without value")
                            : std::move(status)) {}
  StatusOr(const T& value) : value_(value) {}        // NOLINT(google-explicit-constructor)
  StatusOr(T&& value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  template <typename U, typename = std::enable_if_t<std::is_convertible_v<U&&, T> &&
                                                    !std::is_same_v<std::decay_t<U>, Status> &&
                                                    !std::is_same_v<std::decay_t<U>, T> &&
                                                    !std::is_same_v<std::decay_t<U>, StatusOr<T>>>>
  StatusOr(U&& value) : value_(std::forward<U>(value)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  const T& value() const& {
    CheckOk();
    return *value_;
  }
  T& value() & {
    CheckOk();
    return *value_;
  }
  T&& value() && {
    CheckOk();
    return std::move(*value_);
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  void CheckOk() const {
    if (!value_.has_value()) {
      std::abort();
    }
  }
  Status status_;  // OK when value_ holds a value.
  std::optional<T> value_;
};

}  // namespace fabric
