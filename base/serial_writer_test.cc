// SPDX-License-Identifier: Apache-2.0
#include "fabric/base/serial_writer.h"

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "fabric/base/testing/wait_until.h"

namespace fabric {
namespace {

using Writer = SerialWriter<std::string>;

TEST(SerialWriterTest, EveryMessageIsWrittenOnceByOneWriterAtATime) {
  std::atomic<int> inside{0};
  std::atomic<bool> overlap{false};
  std::mutex mu;
  std::vector<std::string> written;
  std::vector<bool> more_flags;
  Writer writer([&](const std::string& m, bool more) {
    {
      std::lock_guard<std::mutex> lock(mu);
      more_flags.push_back(more);
    }
    if (inside.fetch_add(1) != 0) {
      overlap = true;
    }
    // A slow write, on purpose: the other threads' writes arrive while it is in progress.
    std::this_thread::sleep_for(std::chrono::microseconds(20));
    {
      std::lock_guard<std::mutex> lock(mu);
      written.push_back(m);
    }
    inside.fetch_sub(1);
    return true;
  });
  std::vector<std::jthread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&writer, t] {
      for (int i = 0; i < 200; ++i) {
        // Per thread, messages must come out in the order written.
        EXPECT_EQ(writer.Write(std::to_string(t) + ":" + std::to_string(i)), Writer::Result::kSent);
      }
    });
  }
  threads.clear();
  writer.Close();  // waits for the last drain
  EXPECT_FALSE(overlap.load());
  ASSERT_EQ(written.size(), 1600u);
  // A held-back message is always followed by another write; the last one is never held back.
  ASSERT_EQ(more_flags.size(), 1600u);
  EXPECT_FALSE(more_flags.back());
  std::map<int, int> next;
  for (const std::string& m : written) {
    int t = std::stoi(m.substr(0, m.find(':')));
    int i = std::stoi(m.substr(m.find(':') + 1));
    EXPECT_EQ(i, next[t]++) << m;
  }
}

TEST(SerialWriterTest, AFailedWriteClosesTheWriterAndDropsTheQueue) {
  std::atomic<int> calls{0};
  Writer writer([&](const std::string& m, bool) {
    ++calls;
    return m != "bad";
  });
  EXPECT_EQ(writer.Write("ok"), Writer::Result::kSent);
  EXPECT_EQ(writer.Write("bad"), Writer::Result::kFailed);
  EXPECT_TRUE(writer.closed());
  EXPECT_EQ(writer.Write("after"), Writer::Result::kClosed);
  EXPECT_EQ(calls.load(), 2);
}

TEST(SerialWriterTest, CloseWaitsForTheWriteInProgressAndLaterWritesAreRefused) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<bool> returned{false};
  std::atomic<bool> once{false};
  Writer writer([&](const std::string&, bool) {
    if (!once.exchange(true)) {
      entered.set_value();
    }
    gate.wait();
    returned = true;
    return true;
  });
  std::jthread w([&] { EXPECT_EQ(writer.Write("slow"), Writer::Result::kSent); });
  entered.get_future().wait();
  EXPECT_EQ(writer.Write("queued"), Writer::Result::kSent);  // queued behind "slow"
  std::jthread releaser([&] {
    // The writer reads closed once Close holds it and waits for the write in progress.
    EXPECT_TRUE(WaitUntil([&] { return writer.closed(); }));
    release.set_value();
  });
  writer.Close();
  EXPECT_TRUE(returned.load());  // Close returned only after the write did
  EXPECT_EQ(writer.Write("late"), Writer::Result::kClosed);
}

// A stream the other end does not read holds at most max_queued messages: the next writer waits
// for room, and goes on once the queue drains.
TEST(SerialWriterTest, AFullQueueMakesWritersWaitForRoom) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<bool> once{false};
  std::mutex mu;
  std::vector<std::string> written;
  Writer writer(
      [&](const std::string& m, bool) {
        if (!once.exchange(true)) {
          entered.set_value();
        }
        gate.wait();
        std::lock_guard<std::mutex> lock(mu);
        written.push_back(m);
        return true;
      },
      /*max_queued=*/2);
  std::jthread first([&] { EXPECT_EQ(writer.Write("m0"), Writer::Result::kSent); });
  entered.get_future().wait();
  EXPECT_EQ(writer.Write("m1"), Writer::Result::kSent);
  EXPECT_EQ(writer.Write("m2"), Writer::Result::kSent);
  std::atomic<bool> third_returned{false};
  std::jthread third([&] {
    EXPECT_EQ(writer.Write("m3"), Writer::Result::kSent);
    third_returned = true;
  });
  EXPECT_TRUE(WaitUntil([&] { return writer.waiting_writers() == 1; }));
  EXPECT_FALSE(third_returned.load());  // the queue is full
  release.set_value();
  third.join();
  first.join();
  EXPECT_TRUE(third_returned.load());
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(written, (std::vector<std::string>{"m0", "m1", "m2", "m3"}));
}

// Close wakes writers waiting for room: they get kClosed.
TEST(SerialWriterTest, CloseWakesWritersWaitingForRoom) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<bool> once{false};
  Writer writer(
      [&](const std::string&, bool) {
        if (!once.exchange(true)) {
          entered.set_value();
        }
        gate.wait();
        return true;
      },
      /*max_queued=*/1);
  std::jthread first([&] { writer.Write("m0"); });
  entered.get_future().wait();
  EXPECT_EQ(writer.Write("m1"), Writer::Result::kSent);
  std::promise<Writer::Result> waiting;
  std::jthread blocked([&] { waiting.set_value(writer.Write("m2")); });
  EXPECT_TRUE(WaitUntil([&] { return writer.waiting_writers() == 1; }));
  std::jthread releaser([&] {
    EXPECT_TRUE(WaitUntil([&] { return writer.closed(); }));
    release.set_value();
  });
  writer.Close();
  EXPECT_EQ(waiting.get_future().get(), Writer::Result::kClosed);
}

}  // namespace
}  // namespace fabric
