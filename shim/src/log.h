// SPDX-License-Identifier: Apache-2.0
//
// The shim's log: one line per event on stderr, "<time> shim <LEVEL> <message>". The threshold
// comes from CORE_CHAINCODE_LOGGING_SHIM (debug, info, warning, error; default info), read once.
// The shim cannot use common/logging (it ships alone inside chaincode images).
// Thread-safety: safe to call from any thread (one fprintf per line).

#pragma once

#include <string_view>

namespace fabric::shim::internal {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// True if messages at `level` are printed.
bool LogEnabled(LogLevel level);
void Log(LogLevel level, std::string_view message);

}  // namespace fabric::shim::internal
