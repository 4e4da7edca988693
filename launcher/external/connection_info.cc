// SPDX-License-Identifier: Apache-2.0
#include "launcher/external/connection_info.h"

#include <fstream>
#include <limits>
#include <sstream>

#include <absl/strings/numbers.h>
#include <absl/strings/str_format.h>
#include <nlohmann/json.hpp>

#include "common/channelconfig/go_duration.h"
#include "fabric/base/status_macros.h"

namespace fabric::launcher::external {
namespace {

using nlohmann::json;

Status FieldError(std::string_view origin, std::string_view field, std::string_view what) {
  return InvalidArgumentError(absl::StrFormat("%s: %s %s", origin, field, what));
}

// A string field; empty when absent or null.
StatusOr<std::string> StringField(const json& doc, std::string_view origin, const char* field) {
  auto it = doc.find(field);
  if (it == doc.end() || it->is_null()) {
    return std::string();
  }
  if (!it->is_string()) {
    return FieldError(origin, field, "must be a string");
  }
  return it->get<std::string>();
}

StatusOr<bool> BoolField(const json& doc, std::string_view origin, const char* field) {
  auto it = doc.find(field);
  if (it == doc.end() || it->is_null()) {
    return false;
  }
  if (!it->is_boolean()) {
    return FieldError(origin, field, "must be true or false");
  }
  return it->get<bool>();
}

// Go's Duration JSON as Fabric reads it: a duration string or a number of nanoseconds.
StatusOr<std::chrono::milliseconds> DialTimeout(const json& doc, std::string_view origin) {
  constexpr std::chrono::milliseconds kDefault{3000};
  auto it = doc.find("dial_timeout");
  if (it == doc.end() || it->is_null()) {
    return kDefault;
  }
  std::chrono::nanoseconds ns;
  if (it->is_number()) {
    const double v = it->get<double>();
    if (v > static_cast<double>(std::numeric_limits<int64_t>::max())) {
      return FieldError(origin, "dial_timeout", "is too large");
    }
    ns = std::chrono::nanoseconds(static_cast<int64_t>(v));
  } else if (it->is_string()) {
    auto parsed = channelconfig::ParseGoDuration(it->get<std::string>());
    if (!parsed.ok()) {
      return FieldError(
          origin, "dial_timeout",
          absl::StrFormat("\"%s\" is not a duration: write it as \"10s\" or \"500ms\"",
                          it->get<std::string>()));
    }
    ns = *parsed;
  } else {
    return FieldError(origin, "dial_timeout", "must be a duration string such as \"10s\"");
  }
  if (ns.count() < 0) {
    return FieldError(origin, "dial_timeout", "must not be negative");
  }
  if (ns.count() == 0) {
    return kDefault;
  }
  // Round up: a sub-millisecond timeout still gets one attempt.
  return std::chrono::ceil<std::chrono::milliseconds>(ns);
}

Status CheckAddress(const std::string& address, std::string_view origin) {
  if (address.empty()) {
    return FieldError(origin, "address", "is missing: set it to the chaincode server's host:port");
  }
  const size_t colon = address.rfind(':');
  uint32_t port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(absl::string_view(address).substr(colon + 1), &port) || port == 0 ||
      port > 65535) {
    return FieldError(
        origin, "address",
        absl::StrFormat("\"%s\" is not host:port (e.g. \"mycc.example.com:9999\")", address));
  }
  return Status::OK();
}

Status CheckPem(const std::string& pem, std::string_view origin, const char* field,
                std::string_view kind, std::string_view when) {
  if (pem.empty()) {
    return FieldError(origin, field,
                      absl::StrFormat("is missing: %s needs the PEM %s", when, kind));
  }
  if (pem.find("-----BEGIN ") == std::string::npos) {
    return FieldError(origin, field,
                      absl::StrFormat("is not PEM: put the %s's PEM text in it, with \\n for "
                                      "line breaks",
                                      kind));
  }
  return Status::OK();
}

}  // namespace

StatusOr<ChaincodeServerInfo> ParseConnectionInfo(std::string_view text, std::string_view origin) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return InvalidArgumentError(absl::StrFormat("%s: not valid JSON", origin));
  }
  if (!doc.is_object()) {
    return InvalidArgumentError(absl::StrFormat("%s: must be a JSON object", origin));
  }
  ChaincodeServerInfo info;
  ASSIGN_OR_RETURN(info.address, StringField(doc, origin, "address"));
  RETURN_IF_ERROR(CheckAddress(info.address, origin));
  ASSIGN_OR_RETURN(info.dial_timeout, DialTimeout(doc, origin));
  ASSIGN_OR_RETURN(info.tls_required, BoolField(doc, origin, "tls_required"));
  ASSIGN_OR_RETURN(info.client_auth_required, BoolField(doc, origin, "client_auth_required"));
  ASSIGN_OR_RETURN(info.root_cert, StringField(doc, origin, "root_cert"));
  ASSIGN_OR_RETURN(info.client_key, StringField(doc, origin, "client_key"));
  ASSIGN_OR_RETURN(info.client_cert, StringField(doc, origin, "client_cert"));
  if (!info.tls_required) {
    // Fabric ignores TLS material without tls_required; so does the dialer.
    return info;
  }
  if (info.client_auth_required) {
    RETURN_IF_ERROR(
        CheckPem(info.client_key, origin, "client_key", "private key", "client_auth_required"));
    RETURN_IF_ERROR(
        CheckPem(info.client_cert, origin, "client_cert", "certificate", "client_auth_required"));
  }
  RETURN_IF_ERROR(CheckPem(info.root_cert, origin, "root_cert", "CA certificate", "tls_required"));
  return info;
}

StatusOr<ChaincodeServerInfo> ReadConnectionInfo(const std::string& path, std::string_view origin) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFoundError(absl::StrFormat("%s: cannot read %s", origin, path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConnectionInfo(text.str(), origin);
}

}  // namespace fabric::launcher::external
