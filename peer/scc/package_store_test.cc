// SPDX-License-Identifier: Apache-2.0
#include "peer/scc/package_store.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "peer/ledger/testing/temp_dir.h"

namespace fabric::scc {
namespace {

std::string PackageBytes(const std::string& name, const std::string& version,
                         const std::string& code) {
  protos::ChaincodeDeploymentSpec cds;
  cds.mutable_chaincode_spec()->mutable_chaincode_id()->set_name(name);
  cds.mutable_chaincode_spec()->mutable_chaincode_id()->set_version(version);
  cds.set_code_package(code);
  return cds.SerializeAsString();
}

TEST(PackageStoreTest, InfoMatchesTheParsedPackage) {
  ledger::testing::TempDir dir;
  PackageStore store(dir.path());
  ASSERT_TRUE(store.Put("mycc", "1.0", PackageBytes("mycc", "1.0", "code-1")).ok());
  auto pkg = store.Get("mycc", "1.0");
  ASSERT_TRUE(pkg.ok()) << pkg.status().message();
  for (int i = 0; i < 2; ++i) {  // parsed, then cached
    auto info = store.Info("mycc", "1.0");
    ASSERT_TRUE(info.ok()) << info.status().message();
    EXPECT_EQ(info->chaincode_data.SerializeAsString(), pkg->chaincode_data.SerializeAsString());
    EXPECT_EQ(info->chaincode_data.version(), "1.0");
    EXPECT_TRUE(info->instantiation_policy.empty());
  }
}

TEST(PackageStoreTest, InfoKeepsVersionsApartAndNoticesRemovedFiles) {
  ledger::testing::TempDir dir;
  PackageStore store(dir.path());
  ASSERT_TRUE(store.Put("mycc", "1.0", PackageBytes("mycc", "1.0", "code-1")).ok());
  ASSERT_TRUE(store.Put("mycc", "2.0", PackageBytes("mycc", "2.0", "code-2")).ok());
  auto v1 = store.Info("mycc", "1.0");
  auto v2 = store.Info("mycc", "2.0");
  ASSERT_TRUE(v1.ok() && v2.ok());
  EXPECT_NE(v1->chaincode_data.id(), v2->chaincode_data.id());

  std::filesystem::remove(store.PathFor("mycc", "1.0"));
  auto gone = store.Info("mycc", "1.0");
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
  EXPECT_NE(std::string(gone.status().message()).find("no such file"), std::string::npos);
  EXPECT_EQ(store.Info("other", "1.0").status().code(), StatusCode::kNotFound);
}

TEST(PackageStoreTest, InfoRefusesAFileThatDoesNotParse) {
  ledger::testing::TempDir dir;
  PackageStore store(dir.path());
  ASSERT_TRUE(store.Put("bad", "1.0", "\xff\xff not a package").ok());
  auto info = store.Info("bad", "1.0");
  EXPECT_EQ(info.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fabric::scc
