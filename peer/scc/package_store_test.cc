// SPDX-License-Identifier: Apache-2.0
#include "peer/scc/package_store.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "common/crypto/hash.h"
#include "common/policies/policyparser.h"
#include "common/protoutil/ccpackage.h"
#include "common/protoutil/testing/test_signer.h"
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

// A signed package is installed as the CHAINCODE_PACKAGE envelope `peer chaincode package -s`
// writes, and fingerprinted as Fabric's SignedCDSPackage: SignedCDSData{hash, metadatahash,
// signaturehash = sha256(policy || owners)}, id = sha256 of the three.
TEST(PackageStoreTest, SignedPackageEnvelopeIsFingerprintedAsFabricsSignedCDSPackage) {
  protos::ChaincodeDeploymentSpec cds;
  ASSERT_TRUE(cds.ParseFromString(PackageBytes("mycc", "1.0", "code-1")));
  auto policy = policies::FromString("OR('Org1MSP.member')");
  ASSERT_TRUE(policy.ok());
  protoutil::testing::TestSigner owner;
  auto env = protoutil::CreateSignedCCDepSpec(cds, *policy, &owner);
  ASSERT_TRUE(env.ok());
  auto pkg = ParsePackage(env->SerializeAsString());
  ASSERT_TRUE(pkg.ok()) << pkg.status().message();
  ASSERT_TRUE(pkg->signed_cds.has_value());
  EXPECT_EQ(pkg->cds.SerializeAsString(), cds.SerializeAsString());
  EXPECT_EQ(pkg->instantiation_policy, policy->SerializeAsString());

  ccprovider::SignedCDSData data;
  ASSERT_TRUE(data.ParseFromString(pkg->chaincode_data.data()));
  EXPECT_EQ(data.hash(), crypto::Sha256("code-1"));
  EXPECT_EQ(data.metadatahash(), crypto::Sha256("mycc1.0"));
  EXPECT_EQ(data.signaturehash(), crypto::Sha256(policy->SerializeAsString() + owner.Serialize()));
  EXPECT_EQ(pkg->chaincode_data.id(),
            crypto::Sha256(data.hash() + data.metadatahash() + data.signaturehash()));
  EXPECT_EQ(pkg->chaincode_data.name(), "mycc");

  // The envelope's SignedChaincodeDeploymentSpec on its own is not a package (Fabric agrees).
  protoutil::SignedCCDepSpec inner = protoutil::ExtractSignedCCDepSpec(*env).value();
  EXPECT_FALSE(ParsePackage(inner.signed_cds.SerializeAsString()).ok());
  // Nor is an envelope of another type.
  common::Payload payload;
  ASSERT_TRUE(payload.ParseFromString(env->payload()));
  common::ChannelHeader ch;
  ASSERT_TRUE(ch.ParseFromString(payload.header().channel_header()));
  ch.set_type(common::ENDORSER_TRANSACTION);
  payload.mutable_header()->set_channel_header(ch.SerializeAsString());
  common::Envelope other;
  other.set_payload(payload.SerializeAsString());
  auto refused = ParsePackage(other.SerializeAsString());
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "could not unmarshal chaincode package to CDS or SignedCDS");
}

}  // namespace
}  // namespace fabric::scc
