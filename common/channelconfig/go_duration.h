// SPDX-License-Identifier: Apache-2.0
//
// Go's time.Duration text form, as Fabric stores it in channel config (orderer.BatchTimeout is
// the string of a Go duration: "2s", "500ms", "1m30s").
//
// ParseGoDuration accepts what Go's time.ParseDuration accepts: an optional sign, then one or
// more decimal numbers with a unit suffix ("ns", "us", "µs", "μs", "ms", "s", "m", "h"), e.g.
// "1h2m0.5s"; "0" alone is allowed. FormatGoDuration prints what Go's Duration.String prints.
//
// Thread-safety: free functions without shared state.

#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "fabric/base/status.h"

namespace fabric::channelconfig {

// Parses a Go duration string. Returns InvalidArgument ("invalid duration \"2x\"") for text Go
// rejects, including durations that overflow int64 nanoseconds.
StatusOr<std::chrono::nanoseconds> ParseGoDuration(std::string_view text);

// Go's Duration.String(): "0s", "1.5ms", "2s", "1h0m0s", "-3µs".
std::string FormatGoDuration(std::chrono::nanoseconds duration);

}  // namespace fabric::channelconfig
