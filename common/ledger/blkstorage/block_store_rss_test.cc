// SPDX-License-Identifier: Apache-2.0
//
// Opening a block store must not leave the current block file in the process's memory. Linked
// with tcmalloc, as the peer and the orderer are: that allocator keeps large freed blocks, so a
// file read into the heap at open would stay resident long after the scan.

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "common/ledger/blkstorage/block_store.h"
#include "common/ledger/blkstorage/testing/chain_builder.h"
#include "fabric/base/sanitizers.h"

namespace fabric::ledger::blkstorage {
namespace {

long ResidentKib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::atol(line.c_str() + 6);
    }
  }
  return 0;
}

TEST(BlockStoreRssTest, OpeningLeavesTheBlockFileOutOfMemory) {
  if (FABRIC_ASAN || FABRIC_TSAN) {
    GTEST_SKIP() << "a sanitizer's allocator replaces tcmalloc and keeps freed blocks resident "
                    "(quarantine): resident memory says nothing about what opening left";
  }
  testing::TempDir dir;
  BlockStoreOptions options;
  options.block_dir = dir.path() + "/chains/mychannel";
  options.sync = false;
  options.recent_blocks = 0;
  constexpr int kBlocks = 48;  // of 1 MiB each, all in the current file
  // Written by a child: the blocks it allocates must not be in this process's free lists, where
  // opening could reuse them.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = BlockStore::Open(options);
    if (!store.ok()) {
      _exit(2);
    }
    testing::ChainBuilder chain;
    for (int i = 0; i < kBlocks; ++i) {
      common::Envelope big;
      big.set_payload(std::string(1 << 20, static_cast<char>('a' + i % 26)));
      if (!(*store)->AddBlock(chain.NextBlock({big})).ok()) {
        _exit(3);
      }
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

  const long before = ResidentKib();
  auto store = BlockStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->Height(), static_cast<uint64_t>(kBlocks));
  const long grown_mib = (ResidentKib() - before) / 1024;
  EXPECT_LT(grown_mib, 16) << "opening a store with a " << kBlocks
                           << " MiB block file left it resident";
}

}  // namespace
}  // namespace fabric::ledger::blkstorage
