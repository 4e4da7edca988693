// SPDX-License-Identifier: Apache-2.0
//
// Small file helpers for key and certificate files. They live here until a common/util part
// exists.
//
// Thread-safety: safe to call concurrently (on different paths; concurrent writers of the same
// path leave one complete version).

#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "fabric/base/status.h"

namespace fabric::crypto {

// Writes `data` to `path` atomically: a temporary file in the same directory is written,
// fsync'ed, given permissions `mode` (e.g. 0600 for private keys, 0644 for certificates) and
// renamed over `path`. Readers see the old content or the new one, never a mix. NotFound when
// the directory does not exist, PermissionDenied when it is not writable, Internal for other I/O
// errors; the message names the path.
Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode);

// Returns the whole content of `path`. NotFound when it does not exist, PermissionDenied when it
// is not readable, Internal for other I/O errors.
StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace fabric::crypto
