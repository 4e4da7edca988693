// SPDX-License-Identifier: Apache-2.0
//
// The operations endpoint's HTTP server: libmicrohttpd with its own epoll thread, a connection
// limit, bounded request bodies, and a reaper that ends every connection a fixed time after it
// was accepted (libmicrohttpd's own timeout counts idle time only, which a client sending a byte
// now and then never reaches).

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>

#include <absl/strings/str_format.h>

#include "common/logging/logging.h"
#include "fabric/base/status_macros.h"
#include "fabric/base/thread_name.h"
#include "peer/node/operations.h"

namespace fabric::node {
namespace {

using Clock = std::chrono::steady_clock;

logging::Logger logger("operations");

// A request's body so far. Bytes past the cap are dropped and the request answered 413.
struct Upload {
  std::string body;
  bool too_large = false;
};

// Binds and listens on `listen_address` (IPv4 "host:port"); returns the socket.
StatusOr<int> Listen(const std::string& listen_address) {
  size_t colon = listen_address.rfind(':');
  if (colon == std::string::npos) {
    return InvalidArgumentError("operations listener: bad address " + listen_address +
                                " (want host:port)");
  }
  std::string host = listen_address.substr(0, colon);
  std::string port = listen_address.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &res) != 0 ||
      res == nullptr) {
    return InvalidArgumentError("operations listener: cannot resolve " + listen_address);
  }
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int one = 1;
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
      ::bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, 64) != 0) {
    std::string err = strerror(errno);
    freeaddrinfo(res);
    if (fd >= 0) {
      ::close(fd);
    }
    return UnavailableError(
        absl::StrFormat("operations listener: cannot bind %s: %s", listen_address, err));
  }
  freeaddrinfo(res);
  return fd;
}

int BoundPort(int fd) {
  sockaddr_in bound{};
  socklen_t len = sizeof(bound);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) != 0) {
    return 0;
  }
  return ntohs(bound.sin_port);
}

MHD_Result Queue(MHD_Connection* connection, const OperationsServer::Response& r) {
  MHD_Response* response = MHD_create_response_from_buffer(
      r.body.size(), const_cast<char*>(r.body.data()), MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) {
    return MHD_NO;
  }
  if (!r.content_type.empty()) {
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, r.content_type.c_str());
  }
  // One request per connection: probes read to the end of the stream.
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION, "close");
  MHD_Result queued = MHD_queue_response(connection, static_cast<unsigned>(r.code), response);
  MHD_destroy_response(response);
  return queued;
}

OperationsServer::Response TooLarge(size_t max_body) {
  return {413, "text/plain", absl::StrFormat("request body over %d bytes\n", max_body)};
}

// The declared Content-Length, when there is one and it parses.
std::optional<uint64_t> DeclaredLength(MHD_Connection* connection) {
  const char* value =
      MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  if (value == nullptr) {
    return std::nullopt;
  }
  uint64_t n = 0;
  const char* end = value + strlen(value);
  auto [ptr, ec] = std::from_chars(value, end, n);
  if (ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return n;
}

void LogFromLibrary(void* /*cls*/, const char* format, va_list args) {
  if (!logger.Enabled(logging::Level::kDebug)) {
    return;
  }
  char line[512];
  vsnprintf(line, sizeof(line), format, args);
  std::string_view text(line);
  while (!text.empty() && text.back() == '\n') {
    text.remove_suffix(1);
  }
  FLOG_DEBUG(logger, "libmicrohttpd: %s", text);
}

}  // namespace

struct OperationsServer::Http {
  explicit Http(const OperationsServer& s) : server(s) {}
  ~Http() {
    if (daemon != nullptr) {
      MHD_stop_daemon(daemon);  // closes the listener and every connection, joins its thread
    }
  }

  static MHD_Result OnRequest(void* cls, MHD_Connection* connection, const char* url,
                              const char* method, const char* version, const char* upload_data,
                              size_t* upload_data_size, void** request_context);
  static void OnRequestDone(void* cls, MHD_Connection* connection, void** request_context,
                            MHD_RequestTerminationCode code);
  static void OnConnection(void* cls, MHD_Connection* connection, void** socket_context,
                           MHD_ConnectionNotificationCode code);
  MHD_Daemon* StartDaemon(int fd);
  void Reap(std::stop_token stop);

  const OperationsServer& server;
  MHD_Daemon* daemon = nullptr;

  std::mutex mu;
  std::condition_variable_any wake;
  // Guarded by mu: the open connections' sockets and when each must end. An entry leaves before
  // libmicrohttpd closes its socket, so a socket found here is still the connection's.
  std::map<const MHD_Connection*, std::pair<int, Clock::time_point>> open;

  std::jthread reaper;  // last: stopped and joined before the members it reads go
};

// Called when the headers are in (request_context still null), once per piece of body, and
// once more when the request is complete.
MHD_Result OperationsServer::Http::OnRequest(void* cls, MHD_Connection* connection, const char* url,
                                             const char* method, const char* /*version*/,
                                             const char* upload_data, size_t* upload_data_size,
                                             void** request_context) {
  const OperationsServer& server = static_cast<Http*>(cls)->server;
  const size_t max_body = server.options_.max_body;
  auto* upload = static_cast<Upload*>(*request_context);
  if (upload == nullptr) {
    std::optional<uint64_t> declared = DeclaredLength(connection);
    if (declared.has_value() && *declared > max_body) {
      return Queue(connection, TooLarge(max_body));  // before the body, and any 100 Continue
    }
    *request_context = new Upload;
    return MHD_YES;
  }
  if (*upload_data_size != 0) {
    if (!upload->too_large && upload->body.size() + *upload_data_size <= max_body) {
      upload->body.append(upload_data, *upload_data_size);
    } else {
      upload->too_large = true;
      upload->body.clear();
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (upload->too_large) {
    return Queue(connection, TooLarge(max_body));
  }
  return Queue(connection, server.Handle(method, url, upload->body));
}

void OperationsServer::Http::OnRequestDone(void* /*cls*/, MHD_Connection* /*connection*/,
                                           void** request_context,
                                           MHD_RequestTerminationCode /*code*/) {
  delete static_cast<Upload*>(*request_context);
  *request_context = nullptr;
}

void OperationsServer::Http::OnConnection(void* cls, MHD_Connection* connection,
                                          void** /*socket_context*/,
                                          MHD_ConnectionNotificationCode code) {
  auto* http = static_cast<Http*>(cls);
  std::lock_guard<std::mutex> lock(http->mu);
  if (code != MHD_CONNECTION_NOTIFY_STARTED) {
    http->open.erase(connection);
    return;
  }
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
  if (info != nullptr) {
    http->open[connection] = {info->connect_fd,
                              Clock::now() + http->server.options_.connection_lifetime};
  }
}

// Shuts down the socket of each connection past its end; libmicrohttpd then sees the
// connection closed and frees it. A connection accepted later ends later than anything already
// waited for, so new entries need no wake-up.
void OperationsServer::Http::Reap(std::stop_token stop) {
  SetThreadName("ops-reaper");
  const auto lifetime = server.options_.connection_lifetime;
  std::unique_lock<std::mutex> lock(mu);
  while (!stop.stop_requested()) {
    const Clock::time_point now = Clock::now();
    Clock::time_point next = now + lifetime;
    for (auto it = open.begin(); it != open.end();) {
      if (it->second.second <= now) {
        ::shutdown(it->second.first, SHUT_RDWR);
        it = open.erase(it);
      } else {
        next = std::min(next, it->second.second);
        ++it;
      }
    }
    wake.wait_until(lock, stop, next, [] { return false; });
  }
}

// One epoll thread of libmicrohttpd's own serving the listener `fd`, which it then owns.
MHD_Daemon* OperationsServer::Http::StartDaemon(int fd) {
  const Options& options = server.options_;
  // libmicrohttpd's idle timeout, in whole seconds, backs up the reaper.
  const auto idle_timeout = std::max<int64_t>(
      1, std::chrono::ceil<std::chrono::seconds>(options.connection_lifetime).count());
  // clang-format off
  return MHD_start_daemon(
      MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, nullptr, nullptr,
      static_cast<MHD_AccessHandlerCallback>(&OnRequest), this,
      MHD_OPTION_EXTERNAL_LOGGER, static_cast<MHD_LogCallback>(&LogFromLibrary), nullptr,
      MHD_OPTION_LISTEN_SOCKET, static_cast<MHD_socket>(fd),
      MHD_OPTION_CONNECTION_LIMIT, static_cast<unsigned int>(options.max_connections),
      MHD_OPTION_CONNECTION_TIMEOUT, static_cast<unsigned int>(idle_timeout),
      MHD_OPTION_NOTIFY_COMPLETED, static_cast<MHD_RequestCompletedCallback>(&OnRequestDone), this,
      MHD_OPTION_NOTIFY_CONNECTION, static_cast<MHD_NotifyConnectionCallback>(&OnConnection), this,
      MHD_OPTION_STRICT_FOR_CLIENT, 0,  // probes often send HTTP/1.1 without a Host header
      MHD_OPTION_END);
  // clang-format on
}

OperationsServer::OperationsServer(const MetricsRegistry& metrics)
    : OperationsServer(metrics, Options()) {}

OperationsServer::OperationsServer(const MetricsRegistry& metrics, Options options)
    : metrics_(metrics), options_(std::move(options)) {}

OperationsServer::~OperationsServer() { Stop(); }

Status OperationsServer::Start(const std::string& listen_address) {
  if (http_ != nullptr) {
    return FailedPreconditionError("operations listener: already started");
  }
  ASSIGN_OR_RETURN(int fd, Listen(listen_address));
  const int port = BoundPort(fd);
  auto http = std::make_unique<Http>(*this);
  http->daemon = http->StartDaemon(fd);
  if (http->daemon == nullptr) {
    // The socket is not closed here: libmicrohttpd closes it on some of its failure paths and
    // not on others. Leaking it costs one descriptor in a process already short of resources;
    // closing it could close one that another thread has since been given.
    return UnavailableError("operations listener: cannot start the HTTP server on " +
                            listen_address);
  }
  Http* h = http.get();
  http->reaper = std::jthread([h](std::stop_token stop) { h->Reap(stop); });
  http_ = std::move(http);
  port_ = port;
  return Status::OK();
}

void OperationsServer::Stop() { http_.reset(); }

}  // namespace fabric::node
