// SPDX-License-Identifier: Apache-2.0

#include "asset-transfer/asset_transfer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fabric/shim/mock_stub.h"

namespace fabric::samples {
namespace {

using nlohmann::json;
using shim::MockStub;

class AssetTransferTest : public ::testing::Test {
 protected:
  json Call(const std::vector<std::string>& args) {
    shim::Response r = stub_.MockInvoke("tx" + std::to_string(++tx_), args);
    EXPECT_EQ(r.status, 200) << r.message;
    return json::parse(r.payload, nullptr, false);
  }
  std::string CallError(const std::vector<std::string>& args) {
    shim::Response r = stub_.MockInvoke("tx" + std::to_string(++tx_), args);
    EXPECT_EQ(r.status, 500);
    return r.message;
  }
  static std::vector<std::string> Ids(const json& assets) {
    std::vector<std::string> ids;
    for (const json& a : assets) {
      ids.push_back(a["ID"].get<std::string>());
    }
    return ids;
  }

  AssetTransfer cc_;
  MockStub stub_{"basic", cc_};
  int tx_ = 0;
};

TEST_F(AssetTransferTest, InitLedgerAndGetAllAssets) {
  ASSERT_EQ(stub_.MockInit("init", {"InitLedger"}).status, 200);
  json all = Call({"GetAllAssets"});
  ASSERT_EQ(all.size(), 6u);  // Index keys (composite) are not listed.
  EXPECT_EQ(all[0]["ID"], "asset1");
  EXPECT_EQ(all[0]["Owner"], "Tomoko");
  EXPECT_EQ(all[0]["AppraisedValue"], 300);
}

TEST_F(AssetTransferTest, CreateReadUpdateDelete) {
  json created = Call({"CreateAsset", "a1", "blue", "5", "alice", "100"});
  EXPECT_EQ(created["Color"], "blue");
  EXPECT_EQ(CallError({"CreateAsset", "a1", "red", "5", "bob", "1"}),
            "the asset a1 already exists");
  EXPECT_EQ(Call({"ReadAsset", "a1"})["Owner"], "alice");
  EXPECT_EQ(Call({"AssetExists", "a1"}), true);
  Call({"UpdateAsset", "a1", "green", "6", "alice", "150"});
  EXPECT_EQ(Call({"ReadAsset", "a1"})["AppraisedValue"], 150);
  EXPECT_EQ(CallError({"UpdateAsset", "zz", "g", "1", "o", "1"}), "the asset zz does not exist");
  Call({"DeleteAsset", "a1"});
  EXPECT_EQ(Call({"AssetExists", "a1"}), false);
  EXPECT_EQ(CallError({"ReadAsset", "a1"}), "the asset a1 does not exist");
  EXPECT_TRUE(Call({"QueryAssetsByOwner", "alice"}).empty());
}

TEST_F(AssetTransferTest, BadArgumentsAreRejected) {
  CallError({"CreateAsset", "a1", "blue"});
  CallError({"CreateAsset", "a1", "blue", "five", "alice", "100"});
  CallError({"NoSuchFunction"});
}

TEST_F(AssetTransferTest, TransferMovesOwnerIndex) {
  Call({"CreateAsset", "a1", "blue", "5", "alice", "100"});
  Call({"CreateAsset", "a2", "red", "5", "alice", "200"});
  Call({"CreateAsset", "a3", "red", "5", "bob", "300"});
  EXPECT_EQ(Ids(Call({"QueryAssetsByOwner", "alice"})), (std::vector<std::string>{"a1", "a2"}));
  shim::Response r = stub_.MockInvoke("t", {"TransferAsset", "a1", "bob"});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.payload, "alice");
  EXPECT_EQ(Ids(Call({"QueryAssetsByOwner", "alice"})), std::vector<std::string>{"a2"});
  EXPECT_EQ(Ids(Call({"QueryAssetsByOwner", "bob"})), (std::vector<std::string>{"a1", "a3"}));
}

TEST_F(AssetTransferTest, RangeQuery) {
  for (std::string id : {"a1", "a2", "a3", "b1"}) {
    Call({"CreateAsset", id, "c", "1", "o", "1"});
  }
  EXPECT_EQ(Ids(Call({"GetAssetsByRange", "a2", "b"})), (std::vector<std::string>{"a2", "a3"}));
}

TEST_F(AssetTransferTest, HistoryListsEveryChange) {
  stub_.SetClock([] {
    google::protobuf::Timestamp ts;
    ts.set_seconds(1000);
    return ts;
  });
  Call({"CreateAsset", "a1", "blue", "5", "alice", "100"});
  Call({"TransferAsset", "a1", "bob"});
  Call({"DeleteAsset", "a1"});
  json history = Call({"GetAssetHistory", "a1"});
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0]["txId"], "tx1");
  EXPECT_EQ(history[0]["asset"]["Owner"], "alice");
  EXPECT_EQ(history[1]["asset"]["Owner"], "bob");
  EXPECT_EQ(history[2]["isDelete"], true);
  EXPECT_EQ(history[2]["timestamp"], 1000);
}

}  // namespace
}  // namespace fabric::samples
