// SPDX-License-Identifier: Apache-2.0
//
// Reading the recorded verdicts of testdata/ (see README.md there) in the parity tests.

#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <absl/strings/escaping.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace fabric::parity {

// testdata/<file>, parsed (a test failure when it cannot be read).
inline nlohmann::json LoadTestdata(const std::string& file) {
  std::ifstream in(std::string(FABRIC_PARITY_TESTDATA) + "/" + file);
  EXPECT_TRUE(in.good()) << file;
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

// The bytes of a recorded base64 string (a test failure when it does not decode).
inline std::string Unbase64(const nlohmann::json& value) {
  std::string out;
  EXPECT_TRUE(absl::Base64Unescape(value.get<std::string>(), &out));
  return out;
}

}  // namespace fabric::parity
