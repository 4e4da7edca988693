// SPDX-License-Identifier: Apache-2.0
//
// StorePuller: a BlockPuller for the cluster chain's tests that serves other nodes' blocks
// straight from their stores instead of through Deliver. Source "<node>-tampered" serves that
// node's blocks with a wrong previous hash, to test that pulled blocks are verified.
//
// Header-only; Pull runs on one chain's consumer thread, results() on any.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "fabric/base/status_macros.h"
#include "orderer/chain.h"
#include "orderer/cluster/block_puller.h"

namespace fabric::orderer::cluster::testing {

class StorePuller final : public BlockPuller {
 public:
  using Lookup = std::function<ChainSupport*(const std::string& source)>;
  StorePuller(std::vector<std::string> sources, Lookup lookup)
      : sources_(std::move(sources)), lookup_(std::move(lookup)) {}

  std::vector<std::string> Sources(const channelconfig::Bundle&) override { return sources_; }
  Status Pull(const std::string& source, const channelconfig::Bundle&, uint64_t start,
              const BlockHandler& on_block) override {
    const bool tampered = source.ends_with("-tampered");
    ChainSupport* from = lookup_(tampered ? source.substr(0, source.find('-')) : source);
    if (from == nullptr) {
      return UnavailableError(source + " is down");
    }
    const uint64_t height = from->store().Height();
    for (uint64_t n = start; n < height; ++n) {
      ASSIGN_OR_RETURN(common::Block block, from->store().RetrieveBlockByNumber(n));
      if (tampered) {
        block.mutable_header()->set_previous_hash("not the previous hash");
      }
      Status s = on_block(std::move(block));
      {
        std::lock_guard<std::mutex> lock(mu_);
        results_.push_back(source + ": " + (s.ok() ? "OK" : s.ToString()));
      }
      RETURN_IF_ERROR(s);
    }
    return Status::OK();
  }
  void Cancel() override {}

  // Each block's outcome so far, per source ("node0: OK").
  std::vector<std::string> results() const {
    std::lock_guard<std::mutex> lock(mu_);
    return results_;
  }

 private:
  const std::vector<std::string> sources_;
  const Lookup lookup_;
  mutable std::mutex mu_;
  std::vector<std::string> results_;  // Guarded by mu_.
};

}  // namespace fabric::orderer::cluster::testing
