// SPDX-License-Identifier: Apache-2.0
//
// SkipMutexDeadlockChecks: turns off Abseil's run-time lock-order (deadlock) detection for the
// whole process. gRPC guards its internals with absl::Mutex, and Debian builds Abseil without
// NDEBUG, where that detection is on by default: every Lock and Unlock of every gRPC mutex then
// records the lock in a process-wide graph under one global spin lock (GraphCycles::GetId,
// UpdateStackTrace, InsertEdge ...), about 2% of the CPU of a network under load and a point where
// all threads of a process meet (e2e_tps 1,913-2,048 with it off against 1,662-1,680 with it on,
// in alternating runs of bench/commit). Release builds of Abseil, which gRPC is normally built
// with, have it off; this restores that. Our own code uses std::mutex and is checked by the
// sanitizer builds instead. Call it first thing in main, before threads exist.
// Header-only, part of fabric_base (`peer`, `orderer`, the shim's Start and the benchmarks).

#pragma once

#include <absl/synchronization/mutex.h>

namespace fabric {

inline void SkipMutexDeadlockChecks() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace fabric
