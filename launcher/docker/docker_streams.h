// SPDX-License-Identifier: Apache-2.0
//
// Decoders for the streams the Docker engine sends back:
// - MuxDecoder: the multiplexed stdout/stderr stream of logs/attach for containers created
//   without a TTY (8-byte frame header: stream, 3 zero bytes, big-endian payload length).
// - LineSplitter: chunked bytes -> complete lines.
//
// Thread-safety: value types, one thread at a time.

#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace fabric::launcher::docker {

enum class LogStream { kStdin = 0, kStdout = 1, kStderr = 2 };

class LineSplitter {
 public:
  // Calls `on_line` for each complete line in `chunk` (without the newline).
  void Feed(std::string_view chunk, const std::function<void(std::string_view)>& on_line);
  // Emits a last unterminated line, if any.
  void Flush(const std::function<void(std::string_view)>& on_line);

 private:
  std::string partial_;
};

class MuxDecoder {
 public:
  using LineFn = std::function<void(LogStream, std::string_view line)>;
  // Decodes `chunk`, calling `on_line` for each complete line of each stream.
  void Feed(std::string_view chunk, const LineFn& on_line);
  // At end of stream: emits unterminated lines and returns false when the stream stopped in
  // the middle of a frame (what was received of it is still emitted).
  bool Finish(const LineFn& on_line);

 private:
  void Emit(LogStream stream, std::string_view payload, const LineFn& on_line);

  std::string header_;      // partial frame header
  uint32_t remaining_ = 0;  // payload bytes still expected for the current frame
  LogStream current_ = LogStream::kStdout;
  LineSplitter out_;
  LineSplitter err_;
};

}  // namespace fabric::launcher::docker
