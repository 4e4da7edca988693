// SPDX-License-Identifier: Apache-2.0

#include "asset-transfer/asset_transfer.h"

#include <charconv>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fabric/shim/chaincode_stub.h"

namespace fabric::samples {
namespace {

using nlohmann::json;
using shim::ChaincodeStub;
using shim::Error;
using shim::Response;
using shim::Success;
using Args = std::vector<std::string>;

constexpr char kOwnerIndex[] = "owner~id";

struct Asset {
  std::string id, color, owner;
  long long size = 0, appraised_value = 0;
};

// Never throws: invalid UTF-8 in a string is replaced rather than rejected.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string ToJson(const Asset& a) {
  json j = {{"ID", a.id},
            {"Color", a.color},
            {"Size", a.size},
            {"Owner", a.owner},
            {"AppraisedValue", a.appraised_value}};
  return Dump(j);  // Keys sorted: the same bytes on every endorser.
}

std::optional<Asset> FromJson(const std::string& s) {
  json j = json::parse(s, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return std::nullopt;
  }
  for (const char* f : {"ID", "Color", "Owner"}) {
    if (!j.contains(f) || !j[f].is_string()) {
      return std::nullopt;
    }
  }
  for (const char* f : {"Size", "AppraisedValue"}) {
    if (!j.contains(f) || !j[f].is_number_integer()) {
      return std::nullopt;
    }
  }
  return Asset{j["ID"].get<std::string>(), j["Color"].get<std::string>(),
               j["Owner"].get<std::string>(), j["Size"].get<long long>(),
               j["AppraisedValue"].get<long long>()};
}

std::optional<long long> ParseInt(const std::string& s) {
  long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

Response Fail(const Status& s) { return Error(std::string(s.message())); }

// Reads the asset `id`: nullopt with *error set if it is missing or unreadable.
std::optional<Asset> Read(ChaincodeStub& stub, const std::string& id, Response* error) {
  auto value = stub.GetState(id);
  if (!value.ok()) {
    *error = Error("failed to read from world state: " + std::string(value.status().message()));
    return std::nullopt;
  }
  if (value->empty()) {
    *error = Error("the asset " + id + " does not exist");
    return std::nullopt;
  }
  auto asset = FromJson(*value);
  if (!asset) {
    *error = Error("the asset " + id + " is not valid JSON");
  }
  return asset;
}

Status WriteIndex(ChaincodeStub& stub, const Asset& a, bool remove) {
  auto key = stub.CreateCompositeKey(kOwnerIndex, {a.owner, a.id});
  if (!key.ok()) {
    return key.status();
  }
  // The value must not be empty (an empty value is a delete), as in fabric-samples.
  return remove ? stub.DelState(*key) : stub.PutState(*key, std::string(1, '\0'));
}

Status Write(ChaincodeStub& stub, const Asset& a, const std::optional<Asset>& previous) {
  if (previous && previous->owner != a.owner) {
    Status s = WriteIndex(stub, *previous, true);
    if (!s.ok()) {
      return s;
    }
  }
  Status s = stub.PutState(a.id, ToJson(a));
  if (s.ok() && (!previous || previous->owner != a.owner)) {
    s = WriteIndex(stub, a, false);
  }
  return s;
}

std::optional<Asset> FromArgs(const Args& p, Response* error) {
  if (p.size() != 5) {
    *error = Error("incorrect number of arguments: expecting id, color, size, owner, value");
    return std::nullopt;
  }
  auto size = ParseInt(p[2]);
  auto value = ParseInt(p[4]);
  if (!size || !value) {
    *error = Error("size and appraised value must be integers");
    return std::nullopt;
  }
  return Asset{p[0], p[1], p[3], *size, *value};
}

Response CreateAsset(ChaincodeStub& stub, const Args& p) {
  Response error;
  auto asset = FromArgs(p, &error);
  if (!asset) {
    return error;
  }
  auto existing = stub.GetState(asset->id);
  if (!existing.ok()) {
    return Fail(existing.status());
  }
  if (!existing->empty()) {
    return Error("the asset " + asset->id + " already exists");
  }
  Status s = Write(stub, *asset, std::nullopt);
  return s.ok() ? Success(ToJson(*asset)) : Fail(s);
}

Response UpdateAsset(ChaincodeStub& stub, const Args& p) {
  Response error;
  auto asset = FromArgs(p, &error);
  if (!asset) {
    return error;
  }
  auto previous = Read(stub, asset->id, &error);
  if (!previous) {
    return error;
  }
  Status s = Write(stub, *asset, previous);
  return s.ok() ? Success(ToJson(*asset)) : Fail(s);
}

Response ReadAsset(ChaincodeStub& stub, const Args& p) {
  if (p.size() != 1) {
    return Error("incorrect number of arguments: expecting id");
  }
  Response error;
  auto asset = Read(stub, p[0], &error);
  return asset ? Success(ToJson(*asset)) : error;
}

Response DeleteAsset(ChaincodeStub& stub, const Args& p) {
  if (p.size() != 1) {
    return Error("incorrect number of arguments: expecting id");
  }
  Response error;
  auto asset = Read(stub, p[0], &error);
  if (!asset) {
    return error;
  }
  Status s = stub.DelState(asset->id);
  if (s.ok()) {
    s = WriteIndex(stub, *asset, true);
  }
  return s.ok() ? Success() : Fail(s);
}

Response AssetExists(ChaincodeStub& stub, const Args& p) {
  if (p.size() != 1) {
    return Error("incorrect number of arguments: expecting id");
  }
  auto value = stub.GetState(p[0]);
  if (!value.ok()) {
    return Fail(value.status());
  }
  return Success(value->empty() ? "false" : "true");
}

Response TransferAsset(ChaincodeStub& stub, const Args& p) {
  if (p.size() != 2) {
    return Error("incorrect number of arguments: expecting id, new owner");
  }
  Response error;
  auto previous = Read(stub, p[0], &error);
  if (!previous) {
    return error;
  }
  Asset asset = *previous;
  asset.owner = p[1];
  Status s = Write(stub, asset, previous);
  return s.ok() ? Success(previous->owner) : Fail(s);
}

// Collects the assets an iterator returns (values of simple keys, or the assets named by index
// keys when `via_index`) into a JSON array, and closes it.
Response Collect(ChaincodeStub& stub, shim::StateQueryIterator& it, bool via_index) {
  json out = json::array();
  while (it.HasNext()) {
    auto kv = it.Next();
    if (!kv.ok()) {
      return Fail(kv.status());
    }
    std::string value = kv->value();
    if (via_index) {
      auto parts = stub.SplitCompositeKey(kv->key());
      if (!parts.ok() || parts->attributes.size() != 2) {
        return Error("malformed owner index key");
      }
      auto v = stub.GetState(parts->attributes[1]);
      if (!v.ok()) {
        return Fail(v.status());
      }
      value = *v;
    }
    json j = json::parse(value, nullptr, false);
    if (!j.is_discarded()) {
      out.push_back(std::move(j));
    }
  }
  Status s = it.Close();
  return s.ok() ? Success(Dump(out)) : Fail(s);
}

Response GetAssetsByRange(ChaincodeStub& stub, const Args& p) {
  if (p.size() != 2) {
    return Error("incorrect number of arguments: expecting start, end");
  }
  auto it = stub.GetStateByRange(p[0], p[1]);
  return it.ok() ? Collect(stub, **it, false) : Fail(it.status());
}

Response GetAllAssets(ChaincodeStub& stub, const Args&) { return GetAssetsByRange(stub, {"", ""}); }

Response QueryAssetsByOwner(ChaincodeStub& stub, const Args& p) {
  if (p.size() != 1) {
    return Error("incorrect number of arguments: expecting owner");
  }
  auto it = stub.GetStateByPartialCompositeKey(kOwnerIndex, {p[0]});
  return it.ok() ? Collect(stub, **it, true) : Fail(it.status());
}

Response GetAssetHistory(ChaincodeStub& stub, const Args& p) {
  if (p.size() != 1) {
    return Error("incorrect number of arguments: expecting id");
  }
  auto it = stub.GetHistoryForKey(p[0]);
  if (!it.ok()) {
    return Fail(it.status());
  }
  json out = json::array();
  while ((*it)->HasNext()) {
    auto mod = (*it)->Next();
    if (!mod.ok()) {
      return Fail(mod.status());
    }
    json record = json::parse(mod->value(), nullptr, false);
    out.push_back({{"txId", mod->tx_id()},
                   {"timestamp", mod->timestamp().seconds()},
                   {"isDelete", mod->is_delete()},
                   {"asset", record.is_discarded() ? json() : record}});
  }
  Status s = (*it)->Close();
  return s.ok() ? Success(Dump(out)) : Fail(s);
}

Response InitLedger(ChaincodeStub& stub, const Args&) {
  const std::vector<Asset> assets = {
      {"asset1", "blue", "Tomoko", 5, 300},    {"asset2", "red", "Brad", 5, 400},
      {"asset3", "green", "Jin Soo", 10, 500}, {"asset4", "yellow", "Max", 10, 600},
      {"asset5", "black", "Adriana", 15, 700}, {"asset6", "white", "Michel", 15, 800}};
  for (const Asset& a : assets) {
    Status s = Write(stub, a, std::nullopt);
    if (!s.ok()) {
      return Fail(s);
    }
  }
  return Success();
}

}  // namespace

Response AssetTransfer::Init(ChaincodeStub& stub) {
  auto [fn, args] = stub.GetFunctionAndParameters();
  return fn == "InitLedger" ? InitLedger(stub, args) : Success();
}

Response AssetTransfer::Invoke(ChaincodeStub& stub) {
  using Fn = Response (*)(ChaincodeStub&, const Args&);
  static const std::map<std::string, Fn> kFunctions = {{"InitLedger", InitLedger},
                                                       {"CreateAsset", CreateAsset},
                                                       {"ReadAsset", ReadAsset},
                                                       {"UpdateAsset", UpdateAsset},
                                                       {"DeleteAsset", DeleteAsset},
                                                       {"AssetExists", AssetExists},
                                                       {"TransferAsset", TransferAsset},
                                                       {"GetAllAssets", GetAllAssets},
                                                       {"GetAssetsByRange", GetAssetsByRange},
                                                       {"QueryAssetsByOwner", QueryAssetsByOwner},
                                                       {"GetAssetHistory", GetAssetHistory}};
  auto [fn, args] = stub.GetFunctionAndParameters();
  auto it = kFunctions.find(fn);
  if (it == kFunctions.end()) {
    return Error("unknown function " + fn);
  }
  return it->second(stub, args);
}

}  // namespace fabric::samples
