// SPDX-License-Identifier: Apache-2.0
//
// Helpers for the tests of EtcdChannelLog on real etcd members (common/etcd/testing): the log
// options for a node of a test cluster, and reading a number of entries.
//
// Header-only; included by tests only.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/etcd/testing/etcd_cluster.h"
#include "orderer/cluster/etcd_channel_log.h"

namespace fabric::orderer::cluster::testing {

// Node `node`'s log options on `cluster`, cleaning up at every MarkWritten.
inline EtcdChannelLogOptions OptionsFor(const etcd::testing::EtcdCluster& cluster,
                                        const std::string& node) {
  EtcdChannelLogOptions o;
  const etcd::ClientOptions c = cluster.ClientOptions();
  o.endpoints = c.endpoints;
  o.use_tls = c.use_tls;
  o.tls = c.tls;
  o.node_id = node;
  o.cleanup_interval = std::chrono::milliseconds(0);
  return o;
}

// Reads until `count` entries after `after` arrived (or 10 s passed).
inline std::vector<ChannelLog::Entry> ReadAll(ChannelLog& log, int64_t after, size_t count) {
  std::vector<ChannelLog::Entry> out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    StatusOr<std::vector<ChannelLog::Entry>> got =
        log.Read(after, count - out.size(), std::chrono::milliseconds(500));
    if (!got.ok()) {
      ADD_FAILURE() << got.status();
      break;
    }
    for (ChannelLog::Entry& e : *got) {
      after = e.revision;
      out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace fabric::orderer::cluster::testing
