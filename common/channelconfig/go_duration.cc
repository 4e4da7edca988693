// SPDX-License-Identifier: Apache-2.0

#include "common/channelconfig/go_duration.h"

#include <cstdint>
#include <limits>
#include <optional>

namespace fabric::channelconfig {
namespace {

constexpr uint64_t kNanosecond = 1;
constexpr uint64_t kMicrosecond = 1000 * kNanosecond;
constexpr uint64_t kMillisecond = 1000 * kMicrosecond;
constexpr uint64_t kSecond = 1000 * kMillisecond;
constexpr uint64_t kMinute = 60 * kSecond;
constexpr uint64_t kHour = 60 * kMinute;

// The unit at the start of `text` (longest match), or nullopt.
std::optional<uint64_t> TakeUnit(std::string_view& text) {
  struct Unit {
    std::string_view name;
    uint64_t nanos;
  };
  static constexpr Unit kUnits[] = {
      {"ns", kNanosecond},
      {"us", kMicrosecond},
      {"\xC2\xB5s", kMicrosecond},
      {"\xCE\xBCs", kMicrosecond},
      {"ms", kMillisecond},
      {"s", kSecond},
      {"m", kMinute},
      {"h", kHour},
  };
  size_t end = 0;
  while (end < text.size() && text[end] != '.' && (text[end] < '0' || text[end] > '9')) {
    ++end;
  }
  std::string_view name = text.substr(0, end);
  for (const Unit& unit : kUnits) {
    if (unit.name == name) {
      text.remove_prefix(end);
      return unit.nanos;
    }
  }
  return std::nullopt;
}

// Leading decimal digits of `text` as an integer; `digits` gets their count. False on overflow.
bool TakeInt(std::string_view& text, uint64_t* value, size_t* digits) {
  *value = 0;
  *digits = 0;
  while (!text.empty() && text[0] >= '0' && text[0] <= '9') {
    uint64_t d = static_cast<uint64_t>(text[0] - '0');
    if (*value > (std::numeric_limits<uint64_t>::max() - d) / 10) {
      return false;
    }
    *value = *value * 10 + d;
    ++*digits;
    text.remove_prefix(1);
  }
  return true;
}

// One "<number><unit>" component, in nanoseconds; nullopt when malformed or overflowing.
std::optional<uint64_t> TakeComponent(std::string_view& text) {
  uint64_t whole = 0;
  size_t whole_digits = 0;
  if (!TakeInt(text, &whole, &whole_digits)) {
    return std::nullopt;
  }
  // As Go's leadingFraction: digits past int64 precision are dropped.
  uint64_t fraction = 0;
  double scale = 1;
  size_t fraction_digits = 0;
  bool overflow = false;
  if (!text.empty() && text[0] == '.') {
    text.remove_prefix(1);
    while (!text.empty() && text[0] >= '0' && text[0] <= '9') {
      uint64_t d = static_cast<uint64_t>(text[0] - '0');
      overflow = overflow || fraction > (uint64_t{1} << 62) / 10;
      if (!overflow) {
        fraction = fraction * 10 + d;
        scale *= 10;
      }
      ++fraction_digits;
      text.remove_prefix(1);
    }
  }
  if (whole_digits == 0 && fraction_digits == 0) {
    return std::nullopt;
  }
  std::optional<uint64_t> unit = TakeUnit(text);
  if (!unit.has_value()) {
    return std::nullopt;
  }
  if (whole > (uint64_t{1} << 63) / *unit) {
    return std::nullopt;
  }
  return whole * *unit + static_cast<uint64_t>(static_cast<double>(fraction) *
                                               (static_cast<double>(*unit) / scale));
}

// Go's fmtFrac: the fraction of v below 10^precision, without trailing zeros; also divides v.
std::string FormatFraction(uint64_t* v, int precision) {
  std::string digits;
  bool printing = false;
  for (int i = 0; i < precision; ++i) {
    uint64_t digit = *v % 10;
    printing = printing || digit != 0;
    if (printing) {
      digits.insert(digits.begin(), static_cast<char>('0' + digit));
    }
    *v /= 10;
  }
  return digits.empty() ? "" : "." + digits;
}

}  // namespace

StatusOr<std::chrono::nanoseconds> ParseGoDuration(std::string_view text) {
  const std::string original(text);
  auto invalid = [&original] {
    return InvalidArgumentError("invalid duration \"" + original + "\"");
  };
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text == "0") {
    return std::chrono::nanoseconds(0);
  }
  if (text.empty()) {
    return invalid();
  }
  uint64_t total = 0;
  while (!text.empty()) {
    std::optional<uint64_t> component = TakeComponent(text);
    if (!component.has_value() || total + *component < total) {
      return invalid();
    }
    total += *component;
  }
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (total > kMax + (negative ? 1 : 0)) {
    return invalid();
  }
  int64_t nanos = negative ? static_cast<int64_t>(0 - total) : static_cast<int64_t>(total);
  return std::chrono::nanoseconds(nanos);
}

std::string FormatGoDuration(std::chrono::nanoseconds duration) {
  int64_t d = duration.count();
  if (d == 0) {
    return "0s";
  }
  bool negative = d < 0;
  uint64_t u = negative ? 0 - static_cast<uint64_t>(d) : static_cast<uint64_t>(d);
  std::string out;
  if (u < kSecond) {
    if (u < kMicrosecond) {
      out = std::to_string(u) + "ns";
    } else if (u < kMillisecond) {
      std::string frac = FormatFraction(&u, 3);
      out = std::to_string(u) + frac + "\xC2\xB5s";
    } else {
      std::string frac = FormatFraction(&u, 6);
      out = std::to_string(u) + frac + "ms";
    }
  } else {
    std::string frac = FormatFraction(&u, 9);
    out = std::to_string(u % 60) + frac + "s";
    u /= 60;
    if (u > 0) {
      out = std::to_string(u % 60) + "m" + out;
      u /= 60;
      if (u > 0) {
        out = std::to_string(u) + "h" + out;
      }
    }
  }
  return negative ? "-" + out : out;
}

}  // namespace fabric::channelconfig
