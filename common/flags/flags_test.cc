// SPDX-License-Identifier: Apache-2.0

#include "common/flags/flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fabric::flags {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The shape of `peer chaincode ...`'s flags.
FlagSet PeerFlags() {
  FlagSet f;
  f.String("orderer", 'o', "", "orderer");
  f.String("channelID", 'C', "", "channel");
  f.String("ctor", 'c', "{}", "ctor");
  f.Bool("tls", 0, "tls");
  f.Bool("raw", 'r', "raw");
  f.Bool("hex", 'x', "hex");
  f.StringList("peerAddresses", 0, "peers");
  return f;
}

// The shape of configtxgen's flags.
FlagSet GoFlags() {
  FlagSet f(Syntax::kGo);
  f.String("profile", 0, "", "the profile");
  f.String("channelID", 0, "", "the channel");
  f.Bool("printDefaultConfig", 0, "print it");
  f.StringList("genesisBlock", 0, "a block");
  return f;
}

TEST(FlagSetTest, ParsesLongShortInlineAndPositionals) {
  FlagSet f = PeerFlags();
  ASSERT_TRUE(f.Parse({"-o", "127.0.0.1:7050", "--channelID=mych", "newest", "-c",
                       R"({"Args":["a"]})", "--tls", "-r", "out.block"})
                  .ok());
  EXPECT_EQ(f.GetString("orderer"), "127.0.0.1:7050");
  EXPECT_EQ(f.GetString("channelID"), "mych");
  EXPECT_EQ(f.GetString("ctor"), R"({"Args":["a"]})");
  EXPECT_TRUE(f.GetBool("tls"));
  EXPECT_TRUE(f.GetBool("raw"));
  EXPECT_EQ(f.positionals(), (std::vector<std::string>{"newest", "out.block"}));
  EXPECT_TRUE(f.Changed("orderer"));
  EXPECT_FALSE(f.help_requested());
}

TEST(FlagSetTest, DefaultsAndRepeatedLists) {
  FlagSet f = PeerFlags();
  ASSERT_TRUE(f.Parse({"--peerAddresses", "a:1", "--peerAddresses", "b:2", "-Cch"}).ok());
  EXPECT_EQ(f.GetString("ctor"), "{}");
  EXPECT_FALSE(f.Changed("ctor"));
  EXPECT_FALSE(f.GetBool("tls"));
  EXPECT_EQ(f.GetList("peerAddresses"), (std::vector<std::string>{"a:1", "b:2"}));
  EXPECT_EQ(f.GetString("channelID"), "ch");
}

TEST(FlagSetTest, ReportsUnknownAndMissingValues) {
  FlagSet f = PeerFlags();
  Status s = f.Parse({"--nope"});
  EXPECT_EQ(s.message(), "unknown flag: --nope");
  FlagSet g = PeerFlags();
  s = g.Parse({"-z"});
  EXPECT_EQ(s.message(), "unknown shorthand flag: 'z' in -z");
  FlagSet h = PeerFlags();
  s = h.Parse({"--orderer"});
  EXPECT_EQ(s.message(), "flag needs an argument: --orderer");
  FlagSet i = PeerFlags();
  s = i.Parse({"--tls=maybe"});
  EXPECT_TRUE(s.IsInvalidArgument());
}

TEST(FlagSetTest, PflagShorthandForms) {
  FlagSet f = PeerFlags();
  ASSERT_TRUE(f.Parse({"-o=h:1", "-rx", "-Cch", "-c", "-dash-value"}).ok());
  EXPECT_EQ(f.GetString("orderer"), "h:1");
  EXPECT_TRUE(f.GetBool("raw"));
  EXPECT_TRUE(f.GetBool("hex"));
  EXPECT_EQ(f.GetString("channelID"), "ch");
  EXPECT_EQ(f.GetString("ctor"), "-dash-value");  // a value may start with "-"

  FlagSet g = PeerFlags();
  Status s = g.Parse({"-rz"});
  EXPECT_EQ(s.message(), "unknown shorthand flag: 'z' in -z");
  ASSERT_TRUE(g.error().has_value());
  EXPECT_EQ(g.error()->kind, ParseError::Kind::kUnknownFlag);
  EXPECT_EQ(g.error()->flag, "-z");

  FlagSet h = PeerFlags();
  EXPECT_EQ(h.Parse({"-C"}).message(), "flag needs an argument: 'C' in -C");
  EXPECT_EQ(h.error()->kind, ParseError::Kind::kMissingValue);
}

TEST(FlagSetTest, BooleansTakeGoValuesOnlyAfterEquals) {
  FlagSet f = PeerFlags();
  ASSERT_TRUE(f.Parse({"--tls=false", "-r=1", "--hex", "false"}).ok());
  EXPECT_FALSE(f.GetBool("tls"));
  EXPECT_TRUE(f.Changed("tls"));
  EXPECT_TRUE(f.GetBool("raw"));
  EXPECT_TRUE(f.GetBool("hex"));
  EXPECT_THAT(f.positionals(), ElementsAre("false"));

  FlagSet g = PeerFlags();
  Status s = g.Parse({"--tls=maybe"});
  EXPECT_EQ(s.message(), "invalid argument \"maybe\" for \"--tls\" flag: expected true or false");
  EXPECT_EQ(g.error()->kind, ParseError::Kind::kInvalidValue);
  FlagSet h = PeerFlags();
  EXPECT_EQ(h.Parse({"-r=yes"}).message(),
            "invalid argument \"yes\" for \"-r, --raw\" flag: expected true or false");
}

TEST(FlagSetTest, DoubleDashEndsFlags) {
  FlagSet f = PeerFlags();
  ASSERT_TRUE(f.Parse({"a", "--tls", "--", "--orderer", "-"}).ok());
  EXPECT_TRUE(f.GetBool("tls"));
  EXPECT_FALSE(f.Changed("orderer"));
  EXPECT_THAT(f.positionals(), ElementsAre("a", "--orderer", "-"));
}

TEST(FlagSetTest, BadSyntax) {
  FlagSet f = PeerFlags();
  EXPECT_EQ(f.Parse({"---tls"}).message(), "bad flag syntax: ---tls");
  EXPECT_EQ(f.error()->kind, ParseError::Kind::kBadSyntax);
  FlagSet g = GoFlags();
  EXPECT_EQ(g.Parse({"-=x"}).message(), "bad flag syntax: -=x");
}

TEST(FlagSetTest, HelpStopsParsing) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"-h", "--bogus"}, {"-rh"}, {"--tls", "--help=x"}}) {
    FlagSet f = PeerFlags();
    EXPECT_TRUE(f.Parse(args).ok()) << ::testing::PrintToString(args);
    EXPECT_TRUE(f.help_requested()) << ::testing::PrintToString(args);
  }
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"-h"}, {"-help"}, {"--help"}, {"--h"}, {"-help=true"}}) {
    FlagSet f = GoFlags();
    EXPECT_TRUE(f.Parse(args).ok()) << ::testing::PrintToString(args);
    EXPECT_TRUE(f.help_requested()) << ::testing::PrintToString(args);
  }
  // A defined "help" flag is an ordinary flag; pflag knows no "--h".
  FlagSet g(Syntax::kGo);
  g.Bool("help", 0, "help");
  ASSERT_TRUE(g.Parse({"-help"}).ok());
  EXPECT_FALSE(g.help_requested());
  EXPECT_TRUE(g.GetBool("help"));
  FlagSet p = PeerFlags();
  EXPECT_EQ(p.Parse({"--h"}).message(), "unknown flag: --h");
}

TEST(FlagSetTest, GoSingleAndDoubleDashWithSeparateOrInlineValues) {
  FlagSet f = GoFlags();
  ASSERT_TRUE(f.Parse({"-profile", "P", "--channelID=ch", "-printDefaultConfig", "--genesisBlock",
                       "a.block", "-genesisBlock=b.block"})
                  .ok());
  EXPECT_EQ(f.GetString("profile"), "P");
  EXPECT_EQ(f.GetString("channelID"), "ch");
  EXPECT_TRUE(f.GetBool("printDefaultConfig"));
  EXPECT_THAT(f.GetList("genesisBlock"), ElementsAre("a.block", "b.block"));
  EXPECT_THAT(f.positionals(), IsEmpty());

  FlagSet g = GoFlags();
  ASSERT_TRUE(g.Parse({"--profile", "A", "-profile=B", "-printDefaultConfig=false"}).ok());
  EXPECT_EQ(g.GetString("profile"), "B");  // the last one wins
  EXPECT_FALSE(g.GetBool("printDefaultConfig"));
  EXPECT_TRUE(g.Changed("printDefaultConfig"));
}

TEST(FlagSetTest, GoStopsAtTheFirstPositional) {
  FlagSet f = GoFlags();
  ASSERT_TRUE(f.Parse({"-profile", "P", "start", "-channelID", "x"}).ok());
  EXPECT_EQ(f.GetString("profile"), "P");
  EXPECT_FALSE(f.Changed("channelID"));
  EXPECT_THAT(f.positionals(), ElementsAre("start", "-channelID", "x"));

  FlagSet g = GoFlags();
  ASSERT_TRUE(g.Parse({"-printDefaultConfig", "false"}).ok());
  EXPECT_TRUE(g.GetBool("printDefaultConfig"));
  EXPECT_THAT(g.positionals(), ElementsAre("false"));
}

TEST(FlagSetTest, GoErrors) {
  FlagSet f = GoFlags();
  EXPECT_EQ(f.Parse({"--bogus=1"}).message(), "flag provided but not defined: -bogus");
  EXPECT_EQ(f.error()->kind, ParseError::Kind::kUnknownFlag);
  EXPECT_EQ(f.error()->flag, "--bogus");
  FlagSet g = GoFlags();
  EXPECT_EQ(g.Parse({"-channelID", "c", "-profile"}).message(), "flag needs an argument: -profile");
  EXPECT_EQ(g.error()->kind, ParseError::Kind::kMissingValue);
  EXPECT_EQ(g.error()->flag, "-profile");
  FlagSet h = GoFlags();
  EXPECT_EQ(h.Parse({"--printDefaultConfig=maybe"}).message(),
            "invalid boolean value \"maybe\" for -printDefaultConfig: parse error");
}

TEST(FlagSetTest, GoShorthandIsAnotherName) {
  FlagSet f(Syntax::kGo);
  f.String("output", 'o', "out", "the `DIR`");
  ASSERT_TRUE(f.Parse({"-o", "x"}).ok());
  EXPECT_EQ(f.GetString("output"), "x");
}

TEST(FlagSetTest, UsageInEachSyntaxsLayout) {
  FlagSet p;
  p.String("orderer", 'o', "", "Ordering service endpoint");
  p.String("connTimeout", 0, "3s", "Timeout for client to connect");
  p.Bool("tls", 0, "Use TLS");
  p.StringList("peerAddresses", 0, "The addresses of the peers");
  EXPECT_EQ(p.Usage(),
            "      --connTimeout string               Timeout for client to connect "
            "(default \"3s\")\n"
            "  -o, --orderer string                   Ordering service endpoint\n"
            "      --peerAddresses stringArray        The addresses of the peers\n"
            "      --tls                              Use TLS\n");

  FlagSet g(Syntax::kGo);
  g.String("outputBlock", 0, "", "write the genesis block to `FILE`");
  g.String("output", 0, "crypto-config", "the output directory");
  g.Bool("version", 0, "print the version");
  g.Bool("v", 0, "verbose");
  EXPECT_EQ(g.Usage(),
            "  -output string\n    \tthe output directory (default \"crypto-config\")\n"
            "  -outputBlock FILE\n    \twrite the genesis block to FILE\n"
            "  -v\tverbose\n"
            "  -version\n    \tprint the version\n");
}

TEST(FlagSetTest, UndefinedFlagsReadAsEmpty) {
  FlagSet f = PeerFlags();
  ASSERT_TRUE(f.Parse({}).ok());
  EXPECT_EQ(f.GetString("nope"), "");
  EXPECT_FALSE(f.GetBool("nope"));
  EXPECT_THAT(f.GetList("nope"), IsEmpty());
  EXPECT_FALSE(f.Changed("nope"));
  EXPECT_FALSE(f.error().has_value());
  EXPECT_THAT(f.Usage(), HasSubstr("--peerAddresses"));
}

}  // namespace
}  // namespace fabric::flags
