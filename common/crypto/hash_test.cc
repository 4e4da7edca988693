// SPDX-License-Identifier: Apache-2.0
#include "common/crypto/hash.h"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace fabric::crypto {
namespace {

TEST(Sha256Test, MatchesKnownVectors) {
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256("abc").size(), kSha256Size);
}

TEST(Sha256Test, HasherMatchesOneShotAndResetsAfterFinish) {
  Sha256Hasher h;
  h.Update("ab");
  h.Update("");
  h.Update("c");
  EXPECT_EQ(h.Finish(), Sha256("abc"));
  h.Update(std::string(1000, 'x'));
  EXPECT_EQ(h.Finish(), Sha256(std::string(1000, 'x')));
  Sha256Hasher moved = std::move(h);
  moved.Update("abc");
  EXPECT_EQ(moved.Finish(), Sha256("abc"));
}

// Each thread reuses its own digest context across one-shot hashes: threads hashing different
// data at once, interleaved with hashers, each get their own correct digests.
TEST(Sha256Test, ConcurrentThreadsEachGetTheirOwnDigests) {
  const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  const std::string empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  std::vector<int> wrong(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const bool odd = (i + t) % 2 == 1;
        std::string digest = HexEncode(Sha256(odd ? "abc" : ""));
        Sha256Hasher h;
        h.Update(odd ? "a" : "");
        h.Update(odd ? "bc" : "");
        wrong[t] += digest != (odd ? abc : empty) || HexEncode(h.Finish()) != digest;
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

TEST(HexTest, RoundTripsAllByteValues) {
  std::string all;
  for (int i = 0; i < 256; ++i) {
    all.push_back(static_cast<char>(i));
  }
  std::string hex = HexEncode(all);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(hex.size() - 4), "feff");
  StatusOr<std::string> back = HexDecode(hex);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, all);
}

TEST(HexTest, DecodesUpperCaseAndEmpty) {
  EXPECT_EQ(*HexDecode("DEADbeef"), std::string("\xde\xad\xbe\xef"));
  EXPECT_EQ(*HexDecode(""), "");
}

TEST(HexTest, RejectsOddLengthAndNonHexCharacters) {
  StatusOr<std::string> odd = HexDecode("abc");
  ASSERT_FALSE(odd.ok());
  EXPECT_TRUE(odd.status().IsInvalidArgument());
  EXPECT_EQ(odd.status().message(), "hex decode: odd length 3");

  StatusOr<std::string> bad = HexDecode("00zz");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "hex decode: invalid character at offset 2");
  EXPECT_FALSE(HexDecode("0g").ok());
  EXPECT_FALSE(HexDecode(std::string("0\0", 2)).ok());
}

}  // namespace
}  // namespace fabric::crypto
