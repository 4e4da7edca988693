// SPDX-License-Identifier: Apache-2.0

#include "common/channelconfig/go_duration.h"

#include <gtest/gtest.h>

namespace fabric::channelconfig {
namespace {

using std::chrono::nanoseconds;

TEST(GoDurationTest, ParsesWhatGoParses) {
  struct Case {
    const char* text;
    int64_t nanos;
  };
  const Case cases[] = {
      {"0", 0},
      {"2s", 2'000'000'000},
      {"500ms", 500'000'000},
      {"1.5s", 1'500'000'000},
      {"1m30s", 90'000'000'000},
      {"1h", 3'600'000'000'000},
      {"-1.5h", -5'400'000'000'000},
      {"+10us", 10'000},
      {"10\xC2\xB5s", 10'000},
      {"3ns", 3},
      {".5s", 500'000'000},
      {"0.29s", 290'000'000},
      {"2h45m", 9'900'000'000'000},
  };
  for (const Case& c : cases) {
    StatusOr<nanoseconds> parsed = ParseGoDuration(c.text);
    ASSERT_TRUE(parsed.ok()) << c.text << ": " << parsed.status();
    EXPECT_EQ(parsed->count(), c.nanos) << c.text;
  }
}

TEST(GoDurationTest, RejectsWhatGoRejects) {
  for (const char* text : {"", "2", "s", "2x", "1.s.", "-", "2 s", "1e3s", "9999999999999h"}) {
    StatusOr<nanoseconds> parsed = ParseGoDuration(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_TRUE(parsed.status().IsInvalidArgument());
    EXPECT_NE(parsed.status().message().find("invalid duration"), std::string_view::npos);
  }
}

TEST(GoDurationTest, FormatsLikeGoDurationString) {
  EXPECT_EQ(FormatGoDuration(nanoseconds(0)), "0s");
  EXPECT_EQ(FormatGoDuration(nanoseconds(2'000'000'000)), "2s");
  EXPECT_EQ(FormatGoDuration(nanoseconds(1'500'000)), "1.5ms");
  EXPECT_EQ(FormatGoDuration(nanoseconds(500'000'000)), "500ms");
  EXPECT_EQ(FormatGoDuration(nanoseconds(90'000'000'000)), "1m30s");
  EXPECT_EQ(FormatGoDuration(nanoseconds(3'600'000'000'000)), "1h0m0s");
  EXPECT_EQ(FormatGoDuration(nanoseconds(-3'000)), "-3\xC2\xB5s");
  EXPECT_EQ(FormatGoDuration(nanoseconds(7)), "7ns");
  EXPECT_EQ(FormatGoDuration(nanoseconds(2'500'000'001)), "2.500000001s");
}

}  // namespace
}  // namespace fabric::channelconfig
