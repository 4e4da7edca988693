// SPDX-License-Identifier: Apache-2.0
//
// The operations routes and their answers (Fabric's core/operations, fabric-lib-go's healthz,
// common/flogging/httpadmin). The HTTP server around them is in operations_http.cc.

#include "peer/node/operations.h"

#include <ctime>

#include <nlohmann/json.hpp>

#include "common/logging/logging.h"

namespace fabric::node {
namespace {

constexpr char kJson[] = "application/json";

std::string NowRfc3339() {
  time_t t = time(nullptr);
  tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// A JSON answer as Go's json.Encoder writes it: one line.
OperationsServer::Response JsonResponse(int code, const nlohmann::json& body) {
  return {code, kJson, body.dump() + "\n"};
}

OperationsServer::Response BadMethod(std::string_view method, const char* error_key) {
  std::string error = "invalid request method: " + std::string(method);
  return JsonResponse(400, {{error_key, error}});
}

}  // namespace

void OperationsServer::AddHealthCheck(std::string component, HealthCheck check) {
  checks_.emplace_back(std::move(component), std::move(check));
}

OperationsServer::Response OperationsServer::Handle(std::string_view method, std::string_view path,
                                                    std::string_view body) const {
  if (path == "/logspec") {
    return Logspec(method, body);
  }
  if (path == "/version") {
    return Version(method);
  }
  if (path != "/healthz" && path != "/metrics") {
    return {404, "text/plain", "404 page not found\n"};
  }
  if (method != "GET") {
    return {405, "text/plain", "method not allowed\n"};
  }
  if (path == "/metrics") {
    return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_.Render()};
  }
  return Healthz();
}

OperationsServer::Response OperationsServer::Healthz() const {
  nlohmann::json failed = nlohmann::json::array();
  for (const auto& [component, check] : checks_) {
    Status s = check();
    if (!s.ok()) {
      failed.push_back({{"component", component}, {"reason", std::string(s.message())}});
    }
  }
  if (failed.empty()) {
    return JsonResponse(200, {{"status", "OK"}, {"time", NowRfc3339()}});
  }
  return JsonResponse(
      503, {{"status", "Service Unavailable"}, {"time", NowRfc3339()}, {"failed_checks", failed}});
}

// Fabric's SpecHandler: GET answers the active spec; PUT {"spec":"..."} activates one (a
// missing "spec" is the empty spec, which is "info"); errors are 400 {"error":"..."}.
OperationsServer::Response OperationsServer::Logspec(std::string_view method,
                                                     std::string_view body) const {
  if (method == "GET") {
    return JsonResponse(200, {{"spec", logging::GetSpec()}});
  }
  if (method != "PUT") {
    return BadMethod(method, "error");
  }
  nlohmann::json request = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded() || !request.is_object()) {
    return JsonResponse(400, {{"error", "request body is not a JSON object"}});
  }
  std::string spec;
  if (auto it = request.find("spec"); it != request.end()) {
    if (!it->is_string()) {
      return JsonResponse(400, {{"error", "\"spec\" is not a string"}});
    }
    spec = it->get<std::string>();
  }
  if (Status s = logging::SetSpec(spec); !s.ok()) {
    return JsonResponse(400, {{"error", std::string(s.message())}});
  }
  return {204, "", ""};
}

// Fabric's VersionInfoHandler; its error key is capitalised, unlike the SpecHandler's.
OperationsServer::Response OperationsServer::Version(std::string_view method) const {
  if (method != "GET") {
    return BadMethod(method, "Error");
  }
  nlohmann::json info = nlohmann::json::object();
  if (!options_.version.empty()) {
    info["Version"] = options_.version;
  }
  return JsonResponse(200, info);
}

}  // namespace fabric::node
