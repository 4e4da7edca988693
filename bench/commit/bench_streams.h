// SPDX-License-Identifier: Apache-2.0
//
// peer_threads_1000_streams and peer_rss_mib_1000_streams for bench_commit: the threads and
// resident memory of a running peer (peer0.org1 of e2e_network.sh, after the e2e run) while
// 1,000 DeliverFiltered streams from one client are open, each having received the newest block
// and waiting for the next. Printed with the same peer's figures before the streams opened.

#pragma once

#include <string>

namespace fabric::bench {

// Returns the process exit code.
int MeasureIdleStreams(const std::string& work, int peer_port, long peer_pid);

}  // namespace fabric::bench
