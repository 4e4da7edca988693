// SPDX-License-Identifier: Apache-2.0

#include "fabric/shim/composite_key.h"

#include <gtest/gtest.h>

#include "src/base64.h"
#include "src/sha256.h"
#include "src/testing/test_chaincode.h"

namespace fabric::shim {
namespace {

TEST(CompositeKeyTest, UsesFabricsFormat) {
  auto key = CreateCompositeKey("owner~id", {"alice", "asset1"});
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, std::string("\0owner~id\0alice\0asset1\0", 23));
  auto parts = SplitCompositeKey(*key);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->object_type, "owner~id");
  EXPECT_EQ(parts->attributes, (std::vector<std::string>{"alice", "asset1"}));
}

TEST(CompositeKeyTest, NoAttributesAndEmptyAttributes) {
  auto key = CreateCompositeKey("t", {});
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, std::string("\0t\0", 3));
  auto parts = SplitCompositeKey(std::string("\0t\0\0", 4));
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->attributes, std::vector<std::string>{""});
}

TEST(CompositeKeyTest, RejectsForbiddenCodePointsAndBadUtf8) {
  EXPECT_TRUE(CreateCompositeKey(std::string("a\0b", 3), {}).status().IsInvalidArgument());
  EXPECT_TRUE(CreateCompositeKey("t", {"x\xF4\x8F\xBF\xBF"}).status().IsInvalidArgument());
  EXPECT_TRUE(CreateCompositeKey("t", {"\xC0\xAF"}).status().IsInvalidArgument());  // Overlong.
  EXPECT_TRUE(
      CreateCompositeKey("t", {"\xED\xA0\x80"}).status().IsInvalidArgument());      // Surrogate.
  EXPECT_TRUE(CreateCompositeKey("t", {"\xE2\x82"}).status().IsInvalidArgument());  // Truncated.
  EXPECT_TRUE(CreateCompositeKey("t", {"\xF4\x8F\xBF\xBE", "\xE2\x82\xAC"}).ok());
}

TEST(CompositeKeyTest, SplitRejectsSimpleKeys) {
  EXPECT_TRUE(SplitCompositeKey("plain").status().IsInvalidArgument());
  EXPECT_TRUE(SplitCompositeKey("").status().IsInvalidArgument());
  EXPECT_TRUE(SplitCompositeKey(std::string("\0abc", 4)).status().IsInvalidArgument());
}

TEST(CompositeKeyTest, SimpleKeysMustNotStartWithNull) {
  EXPECT_TRUE(ValidateSimpleKeys("a", "").ok());
  EXPECT_TRUE(ValidateSimpleKeys("a", std::string("\0", 1)).IsInvalidArgument());
}

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(testing::Hex(internal::Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(testing::Hex(internal::Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(
      testing::Hex(internal::Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Base64Test, RoundTripsAndRejectsGarbage) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto back = internal::Base64Decode(internal::Base64Encode(s));
    ASSERT_TRUE(back.has_value()) << s;
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(*internal::Base64Decode("Zm9v\nYmFy\n"), "foobar");
  EXPECT_FALSE(internal::Base64Decode("Zm9").has_value());
  EXPECT_FALSE(internal::Base64Decode("Zm=v").has_value());
  EXPECT_FALSE(internal::Base64Decode("-----BEGIN").has_value());
}

}  // namespace
}  // namespace fabric::shim
