// SPDX-License-Identifier: Apache-2.0
#include "common/logging/logging.h"

#include <stdlib.h>

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/logging/rate_limit.h"

namespace fabric::logging {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetSink([this](std::string_view line) { lines_.emplace_back(line); });
  }
  void TearDown() override {
    SetSink(nullptr);
    ASSERT_TRUE(SetSpec("info").ok());
    unsetenv("FABRIC_LOGGING_SPEC");
  }
  std::vector<std::string> lines_;
};

TEST_F(LoggingTest, DefaultLevelIsInfo) {
  ASSERT_TRUE(SetSpec("").ok());
  Logger logger("endorser");
  EXPECT_FALSE(logger.Enabled(Level::kDebug));
  EXPECT_TRUE(logger.Enabled(Level::kInfo));
}

TEST_F(LoggingTest, ModuleTermsOverrideDefault) {
  ASSERT_TRUE(SetSpec("warning:chaincode,endorser=debug:ledger=error").ok());
  EXPECT_EQ(LevelFor("chaincode"), Level::kDebug);
  EXPECT_EQ(LevelFor("endorser"), Level::kDebug);
  EXPECT_EQ(LevelFor("ledger"), Level::kError);
  EXPECT_EQ(LevelFor("gossip"), Level::kWarning);
}

TEST_F(LoggingTest, DottedModulesInheritFromParent) {
  ASSERT_TRUE(SetSpec("info:ledger=debug:ledger.statedb=error").ok());
  EXPECT_EQ(LevelFor("ledger.blockstore"), Level::kDebug);
  EXPECT_EQ(LevelFor("ledger.statedb"), Level::kError);
  EXPECT_EQ(LevelFor("ledger.statedb.leveldb"), Level::kError);
  EXPECT_EQ(LevelFor("ledgerx"), Level::kInfo);
}

TEST_F(LoggingTest, MalformedSpecIsRejectedAndOldSpecKept) {
  ASSERT_TRUE(SetSpec("error").ok());
  Status s = SetSpec("info:chaincode=verbose");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_THAT(std::string(s.message()), HasSubstr("unknown log level \"verbose\""));
  EXPECT_TRUE(SetSpec("a=b=debug").IsInvalidArgument());
  EXPECT_TRUE(SetSpec(",=debug").IsInvalidArgument());
  EXPECT_EQ(LevelFor("anything"), Level::kError);
}

TEST_F(LoggingTest, GetSpecIsCanonical) {
  ASSERT_TRUE(SetSpec("WARN:endorser,chaincode=DEBUG").ok());
  EXPECT_EQ(GetSpec(), "chaincode=debug:endorser=debug:warn");
  // Sorted as whole terms, as Fabric's flogging does: "a.b=..." before "a=...".
  ASSERT_TRUE(SetSpec("a=warn:a.b=debug").ok());
  EXPECT_EQ(GetSpec(), "a.b=debug:a=warn:info");
}

TEST_F(LoggingTest, CachedLevelFollowsSpecChanges) {
  Logger logger("committer");
  ASSERT_TRUE(SetSpec("info").ok());
  EXPECT_FALSE(logger.Enabled(Level::kDebug));
  ASSERT_TRUE(SetSpec("committer=debug").ok());
  EXPECT_TRUE(logger.Enabled(Level::kDebug));
}

TEST_F(LoggingTest, WritesOneFormattedLinePerEvent) {
  ASSERT_TRUE(SetSpec("info").ok());
  Logger logger("chaincode");
  FLOG_INFO(logger, "launched ccid=%s in %d ms", "mycc:1.0", 42);
  FLOG_DEBUG(logger, "hidden %d", 1);
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_THAT(lines_[0], MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\\.[0-9]{3} UTC "
                                      "\\[chaincode\\] INFO launched ccid=mycc:1.0 in 42 ms"));
}

TEST_F(LoggingTest, DisabledLevelDoesNotEvaluateArguments) {
  ASSERT_TRUE(SetSpec("error").ok());
  Logger logger("x");
  int calls = 0;
  auto count = [&calls] { return ++calls; };
  FLOG_INFO(logger, "%d", count());
  EXPECT_EQ(calls, 0);
}

TEST_F(LoggingTest, InitFromEnvKeepsDefaultOnTypo) {
  setenv("FABRIC_LOGGING_SPEC", "chaincode=loud", 1);
  InitFromEnv();
  EXPECT_EQ(LevelFor("chaincode"), Level::kInfo);
  setenv("FABRIC_LOGGING_SPEC", "debug", 1);
  InitFromEnv();
  EXPECT_EQ(LevelFor("chaincode"), Level::kDebug);
}

// A flood logs once per interval, and the next line logged counts what was left out.
TEST(RateLimitTest, OneLinePerIntervalCountingTheRest) {
  auto now = std::chrono::steady_clock::time_point(std::chrono::seconds(100));
  RateLimit limit(std::chrono::seconds(1), [&] { return now; });
  uint64_t suppressed = 99;
  EXPECT_TRUE(limit.Allow(&suppressed));
  EXPECT_EQ(suppressed, 0u);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(limit.Allow(&suppressed));
  }
  now += std::chrono::milliseconds(999);
  EXPECT_FALSE(limit.Allow(&suppressed));
  now += std::chrono::milliseconds(1);
  EXPECT_TRUE(limit.Allow(&suppressed));
  EXPECT_EQ(suppressed, 1001u);
  now += std::chrono::seconds(5);
  EXPECT_TRUE(limit.Allow(&suppressed));
  EXPECT_EQ(suppressed, 0u);
}

}  // namespace
}  // namespace fabric::logging
