// SPDX-License-Identifier: Apache-2.0
#include "launcher/docker/http_transport.h"

#include <errno.h>
#include <string.h>

#include <mutex>

#include <absl/strings/str_format.h>
#include <curl/curl.h>

namespace fabric::launcher::docker {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  const BodyCallback* on_data = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  CURL* curl = nullptr;
  HttpResponse response;
  bool aborted = false;
};

// libcurl calls it about once a second, also while no data moves.
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->cancel != nullptr && t->cancel->load()) {
    t->aborted = true;
    return 1;  // CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

size_t OnWrite(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  long code = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
  if (t->on_data != nullptr && *t->on_data && code >= 200 && code < 300) {
    if (!(*t->on_data)(std::string_view(data, len))) {
      t->aborted = true;
      return 0;  // makes curl stop with CURLE_WRITE_ERROR
    }
    return len;
  }
  t->response.body.append(data, len);
  return len;
}

class CurlTransport : public HttpTransport {
 public:
  CurlTransport(std::string endpoint, std::string socket_path, std::string base_url)
      : endpoint_(std::move(endpoint)),
        socket_path_(std::move(socket_path)),
        base_url_(std::move(base_url)) {}

  std::string Endpoint() const override { return endpoint_; }

  StatusOr<HttpResponse> Do(const HttpRequest& request, const BodyCallback& on_data) override {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) {
      return InternalError("curl_easy_init failed");
    }
    Transfer t;
    t.on_data = &on_data;
    t.cancel = request.cancel;
    t.curl = curl;
    std::string url = base_url_ + request.target;
    char error[CURL_ERROR_SIZE] = {0};
    curl_slist* headers = nullptr;
    for (const auto& [k, v] : request.headers) {
      headers = curl_slist_append(headers, (k + ": " + v).c_str());
    }
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    if (!socket_path_.empty()) {
      curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, socket_path_.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "HEAD") {
      curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    }
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnWrite);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    if (request.timeout.count() > 0) {
      curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    }
    if (request.cancel != nullptr) {
      if (request.cancel->load()) {
        curl_slist_free_all(headers);
        curl_easy_cleanup(curl);
        return Status(StatusCode::kCancelled, "cancelled: the launcher is shutting down");
      }
      curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, OnProgress);
      curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
      curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    }
    CURLcode rc = curl_easy_perform(curl);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    long os_errno = 0;
    curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (rc == CURLE_OK) {
      t.response.status = static_cast<int>(code);
      return std::move(t.response);
    }
    if (t.aborted) {
      const bool shut_down = request.cancel != nullptr && request.cancel->load();
      return Status(StatusCode::kCancelled,
                    absl::StrFormat("%s %s: %s", request.method, StripQuery(request.target),
                                    shut_down ? "cancelled: the launcher is shutting down"
                                              : "stopped by the reader"));
    }
    return MapError(rc, code, os_errno, error, request);
  }

 private:
  static std::string StripQuery(const std::string& target) {
    return target.substr(0, target.find('?'));
  }

  Status MapError(CURLcode rc, long code, long os_errno, const char* error,
                  const HttpRequest& request) const {
    std::string what = absl::StrFormat("%s %s", request.method, StripQuery(request.target));
    std::string detail = error[0] != '\0' ? error : curl_easy_strerror(rc);
    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST) {
      if (os_errno == EACCES || os_errno == EPERM) {
        return PermissionDeniedError(absl::StrFormat(
            "permission denied connecting to the Docker engine at %s (%s): run the peer as a "
            "user that may use the socket (root, or a member of the docker group)",
            endpoint_, detail));
      }
      return UnavailableError(absl::StrFormat(
          "cannot connect to the Docker engine at %s (%s): is dockerd running, and is the "
          "socket mounted into the peer's container? (set CORE_VM_ENDPOINT to change it)",
          endpoint_, detail));
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      return DeadlineExceededError(
          absl::StrFormat("%s: the Docker engine at %s did not answer "
                          "in time (%s)",
                          what, endpoint_, detail));
    }
    if (code != 0) {  // the exchange started: the engine went away mid-response
      return UnavailableError(absl::StrFormat(
          "%s: connection to the Docker engine at %s lost mid-response (HTTP %d, %s): did "
          "dockerd stop or restart?",
          what, endpoint_, code, detail));
    }
    return UnavailableError(
        absl::StrFormat("%s: Docker engine at %s: %s", what, endpoint_, detail));
  }

  const std::string endpoint_;
  const std::string socket_path_;
  const std::string base_url_;
};

}  // namespace

StatusOr<std::unique_ptr<HttpTransport>> NewCurlTransport(const std::string& endpoint) {
  GlobalInit();
  constexpr std::string_view kUnix = "unix://";
  constexpr std::string_view kTcp = "tcp://";
  constexpr std::string_view kHttp = "http://";
  std::string_view e = endpoint;
  if (e.substr(0, kUnix.size()) == kUnix && e.size() > kUnix.size()) {
    return std::unique_ptr<HttpTransport>(std::make_unique<CurlTransport>(
        endpoint, std::string(e.substr(kUnix.size())), "http://docker"));
  }
  if (e.substr(0, kTcp.size()) == kTcp && e.size() > kTcp.size()) {
    return std::unique_ptr<HttpTransport>(std::make_unique<CurlTransport>(
        endpoint, "", "http://" + std::string(e.substr(kTcp.size()))));
  }
  if (e.substr(0, kHttp.size()) == kHttp && e.size() > kHttp.size()) {
    std::string base(e);
    while (!base.empty() && base.back() == '/') {
      base.pop_back();
    }
    return std::unique_ptr<HttpTransport>(std::make_unique<CurlTransport>(endpoint, "", base));
  }
  return InvalidArgumentError("unsupported Docker endpoint \"" + endpoint +
                              "\": use unix:///var/run/docker.sock or tcp://host:port");
}

}  // namespace fabric::launcher::docker
