// SPDX-License-Identifier: Apache-2.0
#include "launcher/docker/docker_streams.h"

namespace fabric::launcher::docker {

void LineSplitter::Feed(std::string_view chunk,
                        const std::function<void(std::string_view)>& on_line) {
  size_t start = 0;
  for (size_t nl; (nl = chunk.find('\n', start)) != std::string_view::npos; start = nl + 1) {
    std::string_view piece = chunk.substr(start, nl - start);
    if (!partial_.empty()) {
      partial_.append(piece);
      std::string line = std::move(partial_);
      partial_.clear();
      if (!line.empty() && line.back() == '\r') {
        line.pop_back();
      }
      on_line(line);
    } else {
      if (!piece.empty() && piece.back() == '\r') {
        piece.remove_suffix(1);
      }
      on_line(piece);
    }
  }
  partial_.append(chunk.substr(start));
}

void LineSplitter::Flush(const std::function<void(std::string_view)>& on_line) {
  if (!partial_.empty()) {
    std::string line = std::move(partial_);
    partial_.clear();
    on_line(line);
  }
}

void MuxDecoder::Emit(LogStream stream, std::string_view payload, const LineFn& on_line) {
  LineSplitter& s = stream == LogStream::kStderr ? err_ : out_;
  s.Feed(payload, [&](std::string_view line) { on_line(stream, line); });
}

void MuxDecoder::Feed(std::string_view chunk, const LineFn& on_line) {
  while (!chunk.empty()) {
    if (remaining_ > 0) {
      size_t n = std::min<size_t>(remaining_, chunk.size());
      Emit(current_, chunk.substr(0, n), on_line);
      remaining_ -= static_cast<uint32_t>(n);
      chunk.remove_prefix(n);
      continue;
    }
    size_t need = 8 - header_.size();
    size_t n = std::min(need, chunk.size());
    header_.append(chunk.substr(0, n));
    chunk.remove_prefix(n);
    if (header_.size() < 8) {
      return;
    }
    auto b = [&](int i) { return static_cast<uint32_t>(static_cast<unsigned char>(header_[i])); };
    int stream = static_cast<int>(b(0));
    current_ = stream == 2 ? LogStream::kStderr : LogStream::kStdout;
    remaining_ = (b(4) << 24) | (b(5) << 16) | (b(6) << 8) | b(7);
    header_.clear();
  }
}

bool MuxDecoder::Finish(const LineFn& on_line) {
  bool complete = remaining_ == 0 && header_.empty();
  out_.Flush([&](std::string_view line) { on_line(LogStream::kStdout, line); });
  err_.Flush([&](std::string_view line) { on_line(LogStream::kStderr, line); });
  remaining_ = 0;
  header_.clear();
  return complete;
}

}  // namespace fabric::launcher::docker
