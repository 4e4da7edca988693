// SPDX-License-Identifier: Apache-2.0
//
// UseBatchScheduling: puts the calling thread, and every thread it creates from then on (they
// inherit the policy), under Linux's SCHED_BATCH: the same fair share of CPU as SCHED_OTHER, but a
// thread woken up does not preempt the one running. For the chaincode stream this is measured,
// not guessed: every message wakes a thread in the other process, and when the chaincode runs in
// its container (its own cpu cgroup) under SCHED_OTHER each of those wake-ups preempts the
// sender, twice as many context switches per transaction. On the 2-core build machine, with both
// ends on SCHED_BATCH against both on SCHED_OTHER: the container's chaincode 86-107 against
// 136-181 us of CPU per transaction, endorsements with it 4,500-5,900 against 3,800-4,900/s at
// 64 in flight, and p50/p99 at 3,000/s 1.5-2.6/3.1-9.3 against 2.7-3.1/6.7-14 ms
// (bench/endorse); cc_invoke_ops_16 ~18,300 against ~14,200 (bench/chaincode).
//
// Unprivileged (any process may switch itself from SCHED_OTHER to SCHED_BATCH) and allowed by
// Docker's default seccomp profile. Call it first thing in main, before threads exist.
// Header-only, part of fabric_base (the shim's Start, `peer node start` and `orderer start` call
// it; the orderer measured in bench/commit: e2e_tps 2,753/2,741/2,736/2,991 against
// 2,621/2,821/2,650/2,578 with the orderer and the load generator on SCHED_OTHER).

#pragma once

#include <sched.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "fabric/base/status.h"

namespace fabric {

// Unavailable with the OS's reason when the policy cannot be set (the caller keeps running with
// the default policy).
inline Status UseBatchScheduling() {
  sched_param param{};
  param.sched_priority = 0;
  if (sched_setscheduler(0, SCHED_BATCH, &param) != 0) {
    return UnavailableError(std::string("sched_setscheduler(SCHED_BATCH): ") +
                            std::strerror(errno));
  }
  return Status::OK();
}

// True when the calling thread runs under SCHED_BATCH.
inline bool UsesBatchScheduling() { return sched_getscheduler(0) == SCHED_BATCH; }

}  // namespace fabric
