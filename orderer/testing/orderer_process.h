// SPDX-License-Identifier: Apache-2.0
//
// OrdererProcess (tests only): the real `orderer` binary as a child process (ChildProcess), with
// the port it reports listening on.
#pragma once

#include <regex>
#include <string>
#include <vector>

#include "fabric/base/testing/child_process.h"

namespace fabric::orderer::testing {

class OrdererProcess : public fabric::testing::ChildProcess {
 public:
  OrdererProcess(const std::string& binary, const std::vector<std::string>& args,
                 const std::vector<std::string>& env, std::string log_path)
      : ChildProcess(binary, args, env, std::move(log_path)) {}

  // The port from the "listening on" line, or 0 if the process exits or `timeout` passes.
  int WaitForPort(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    static const std::regex kListening("listening on [^:]+:([0-9]+)");
    int port = 0;
    (void)WaitUntil(
        [&] {
          std::smatch m;
          std::string text = log();
          if (std::regex_search(text, m, kListening)) {
            port = std::stoi(m[1]);
            return true;
          }
          return Exited();
        },
        timeout);
    return port;
  }
};

}  // namespace fabric::orderer::testing
