// SPDX-License-Identifier: Apache-2.0

#include "abstore/abstore.h"

#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "fabric/shim/chaincode_stub.h"

namespace fabric::samples {
namespace {

using shim::ChaincodeStub;
using shim::Error;
using shim::Response;
using shim::Success;

std::optional<long long> ParseInt(const std::string& s) {
  long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
    return std::nullopt;
  }
  return v;
}

// Reads an existing balance. On failure returns nullopt and sets *error.
std::optional<long long> Balance(ChaincodeStub& stub, const std::string& name, Response* error) {
  auto value = stub.GetState(name);
  if (!value.ok()) {
    *error = Error("Failed to get state");
    return std::nullopt;
  }
  if (value->empty()) {
    *error = Error("Entity not found");
    return std::nullopt;
  }
  auto v = ParseInt(*value);
  if (!v) {
    *error = Error("Stored value for " + name + " is not an integer");
  }
  return v;
}

Response Move(ChaincodeStub& stub, const std::vector<std::string>& args) {
  if (args.size() != 3) {
    return Error("Incorrect number of arguments. Expecting 3");
  }
  Response error;
  auto a = Balance(stub, args[0], &error);
  if (!a) {
    return error;
  }
  auto b = Balance(stub, args[1], &error);
  if (!b) {
    return error;
  }
  auto x = ParseInt(args[2]);
  if (!x) {
    return Error("Invalid transaction amount, expecting a integer value");
  }
  if (!stub.PutState(args[0], std::to_string(*a - *x)).ok() ||
      !stub.PutState(args[1], std::to_string(*b + *x)).ok()) {
    return Error("Failed to put state");
  }
  return Success();
}

Response Delete(ChaincodeStub& stub, const std::vector<std::string>& args) {
  if (args.size() != 1) {
    return Error("Incorrect number of arguments. Expecting 1");
  }
  if (!stub.DelState(args[0]).ok()) {
    return Error("Failed to delete state");
  }
  return Success();
}

Response Query(ChaincodeStub& stub, const std::vector<std::string>& args) {
  if (args.size() != 1) {
    return Error("Incorrect number of arguments. Expecting name of the person to query");
  }
  auto value = stub.GetState(args[0]);
  if (!value.ok()) {
    return Error("{\"Error\":\"Failed to get state for " + args[0] + "\"}");
  }
  if (value->empty()) {
    return Error("{\"Error\":\"Nil amount for " + args[0] + "\"}");
  }
  return Success(*value);
}

}  // namespace

Response AbStore::Init(ChaincodeStub& stub) {
  auto [fn, args] = stub.GetFunctionAndParameters();
  if (args.size() != 4) {
    return Error("Incorrect number of arguments. Expecting 4");
  }
  auto a = ParseInt(args[1]);
  auto b = ParseInt(args[3]);
  if (!a || !b) {
    return Error("Expecting integer value for asset holding");
  }
  if (!stub.PutState(args[0], std::to_string(*a)).ok() ||
      !stub.PutState(args[2], std::to_string(*b)).ok()) {
    return Error("Failed to put state");
  }
  return Success();
}

Response AbStore::Invoke(ChaincodeStub& stub) {
  auto [fn, args] = stub.GetFunctionAndParameters();
  if (fn == "invoke") {
    return Move(stub, args);
  }
  if (fn == "delete") {
    return Delete(stub, args);
  }
  if (fn == "query") {
    return Query(stub, args);
  }
  return Error("Invalid invoke function name. Expecting \"invoke\" \"delete\" \"query\"");
}

}  // namespace fabric::samples
