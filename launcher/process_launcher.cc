// SPDX-License-Identifier: Apache-2.0
#include "launcher/process_launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "common/logging/logging.h"
#include "launcher/log_tail.h"

extern char** environ;

namespace fabric::launcher {
namespace {

logging::Logger& Log() {
  static logging::Logger logger("chaincode.process");
  return logger;
}

// Whether a variable of the peer's environment is handed to chaincode processes: what any
// program needs to run (PATH, HOME, locale, time zone, temporary directory, library path) and
// the chaincode settings (CORE_CHAINCODE_*). Nothing else: the peer's environment names its
// key files and configuration (CORE_PEER_MSPCONFIGPATH, CORE_PEER_TLS_KEY_FILE, ...).
bool PassedToChaincode(std::string_view name) {
  static const std::set<std::string_view> kNames = {
      "PATH", "HOME", "USER", "LANG", "LANGUAGE", "TZ", "TMPDIR", "LD_LIBRARY_PATH"};
  return kNames.count(name) > 0 || name.starts_with("LC_") || name.starts_with("CORE_CHAINCODE_");
}

// The chaincode's environment: the passed part of the peer's, with `overrides` ("K=V")
// replacing entries of the same name.
std::vector<std::string> BuildEnv(const std::vector<std::string>& overrides) {
  std::set<std::string> names;
  for (const auto& kv : overrides) {
    names.insert(kv.substr(0, kv.find('=')));
  }
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string kv(*e);
    const std::string name = kv.substr(0, kv.find('='));
    if (names.count(name) == 0 && PassedToChaincode(name)) {
      env.push_back(std::move(kv));
    }
  }
  env.insert(env.end(), overrides.begin(), overrides.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

void ForwardLine(const std::string& ccid, std::string_view line, LogTail& tail) {
  FLOG_INFO(Log(), "[%s] %s", ccid, line);
  tail.Add(line);
}

// Splits buffered output into lines and logs (and remembers) complete ones.
void ForwardLines(const std::string& ccid, std::string& buffer, bool flush, LogTail& tail) {
  size_t start = 0;
  for (size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
    ForwardLine(ccid, std::string_view(buffer).substr(start, nl - start), tail);
  }
  buffer.erase(0, start);
  if (flush && !buffer.empty()) {
    ForwardLine(ccid, buffer, tail);
    buffer.clear();
  }
}

// Writes `content` to `target` (parents created), readable only by the owner.
Status WritePrivateFile(const std::string& target, const std::string& content) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(target).parent_path(), ec);
  if (ec) {
    return InternalError("create directory for " + target + ": " + ec.message());
  }
  int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return InternalError("open " + target + ": " + strerror(errno));
  }
  for (size_t off = 0; off < content.size();) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno != EINTR) {
      int e = errno;
      ::close(fd);
      return InternalError("write " + target + ": " + strerror(e));
    }
    off += n > 0 ? static_cast<size_t>(n) : 0;
  }
  ::close(fd);
  return Status::OK();
}

// Writes the request's files under a fresh private directory and rewrites `env` values naming
// them. Returns the directory ("" when there are no files).
StatusOr<std::string> WriteFiles(const StartRequest& request, std::vector<std::string>& env) {
  if (request.files.empty()) {
    return std::string();
  }
  const char* tmp = ::getenv("TMPDIR");
  std::string dir =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/fabric-cc-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    return InternalError("mkdtemp " + dir + ": " + strerror(errno));
  }
  std::map<std::string, std::string> written;
  for (const auto& [path, content] : request.files) {
    Status s = path.empty() || path[0] != '/' || path.find("..") != std::string::npos
                   ? InvalidArgumentError("chaincode " + request.ccid + ": bad file path " + path)
                   : WritePrivateFile(dir + path, content);
    if (!s.ok()) {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
      return s;
    }
    written[path] = dir + path;
  }
  for (std::string& kv : env) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos) {
      continue;
    }
    if (auto it = written.find(kv.substr(eq + 1)); it != written.end()) {
      kv = kv.substr(0, eq + 1) + it->second;
    }
  }
  return dir;
}

}  // namespace

// One running child: its pid, output pipes and the thread that forwards and reaps.
class ProcessLauncher::Child {
 public:
  Child(std::string ccid, pid_t pid, bool group, int out_fd, int err_fd,
        std::function<void(int)> on_exit, std::shared_ptr<LogTail> tail, std::string files_dir)
      : ccid_(std::move(ccid)),
        pid_(pid),
        group_(group),
        on_exit_(std::move(on_exit)),
        tail_(std::move(tail)),
        files_dir_(std::move(files_dir)) {
    thread_ = std::jthread([this, out_fd, err_fd] { Run(out_fd, err_fd); });
  }
  ~Child() = default;  // jthread joins

  pid_t pid() const { return pid_; }

  bool Exited() const {
    std::lock_guard<std::mutex> lock(mu_);
    return exited_;
  }

  // Sends `sig` unless the child has exited. The child is reaped only after exited_ is set
  // under mu_, so the pid cannot have been reused while we hold mu_.
  void Signal(int sig) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!exited_) {
      ::kill(group_ ? -pid_ : pid_, sig);
    }
  }

  // Waits for the exit; returns the exit code or nullopt on timeout.
  std::optional<int> WaitFor(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, timeout, [this] { return exited_; })) {
      return std::nullopt;
    }
    return exit_code_;
  }

  void Join() {
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) {
      thread_.join();
    }
  }

 private:
  void Run(int out_fd, int err_fd) {
    PumpOutput(out_fd, err_fd);
    // Wait without reaping, publish the exit, then reap (see Signal).
    siginfo_t info{};
    while (::waitid(P_PID, pid_, &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
    }
    int code = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
    {
      std::lock_guard<std::mutex> lock(mu_);
      exited_ = true;
      exit_code_ = code;
    }
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    FLOG_INFO(Log(), "chaincode process exited ccid=%s pid=%d code=%d", ccid_, pid_, code);
    if (!files_dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(files_dir_, ec);
    }
    cv_.notify_all();
    if (on_exit_) {
      on_exit_(code);
    }
  }

  void PumpOutput(int out_fd, int err_fd) {
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    std::string buffers[2];
    int open = 2;
    char chunk[4096];
    while (open > 0) {
      int n = ::poll(fds, 2, -1);
      if (n < 0) {
        if (errno == EINTR) {
          continue;
        }
        break;
      }
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || fds[i].revents == 0) {
          continue;
        }
        ssize_t r = ::read(fds[i].fd, chunk, sizeof(chunk));
        if (r > 0) {
          buffers[i].append(chunk, static_cast<size_t>(r));
          ForwardLines(ccid_, buffers[i], false, *tail_);
        } else if (r == 0 || errno != EINTR) {
          ForwardLines(ccid_, buffers[i], true, *tail_);
          ::close(fds[i].fd);
          fds[i].fd = -1;
          --open;
        }
      }
    }
    for (auto& fd : fds) {
      if (fd.fd >= 0) {
        ::close(fd.fd);
      }
    }
  }

  const std::string ccid_;
  const pid_t pid_;
  const bool group_;  // signal the process group -pid_
  const std::function<void(int)> on_exit_;
  const std::shared_ptr<LogTail> tail_;
  const std::string files_dir_;  // StartRequest.files; removed after the exit
  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  bool exited_ = false;
  int exit_code_ = -1;
  std::jthread thread_;  // last: started after the other members
};

ProcessLauncher::ProcessLauncher() : ProcessLauncher(Options{}) {}
ProcessLauncher::ProcessLauncher(Options options) : options_(options) {}

ProcessLauncher::~ProcessLauncher() {
  std::vector<std::string> ccids;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [ccid, child] : children_) {
      ccids.push_back(ccid);
    }
  }
  for (const auto& ccid : ccids) {
    (void)Stop(ccid);
  }
}

Status ProcessLauncher::Start(const StartRequest& request) {
  if (request.package.executable.empty()) {
    return InvalidArgumentError("chaincode " + request.ccid + ": package has no executable");
  }
  if (Status s = Stop(request.ccid); !s.ok()) {
    return s;
  }
  std::vector<std::string> env = request.env;
  StatusOr<std::string> files_dir = WriteFiles(request, env);
  if (!files_dir.ok()) {
    return files_dir.status();
  }
  auto remove_files = [&files_dir] {
    if (!files_dir->empty()) {
      std::error_code ec;
      std::filesystem::remove_all(*files_dir, ec);
    }
  };
  int out[2];
  int err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    remove_files();
    return InternalError(std::string("pipe: ") + strerror(errno));
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    remove_files();
    return InternalError(std::string("pipe: ") + strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  if (!request.package.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, request.package.working_dir.c_str());
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (options_.process_group) {
    posix_spawnattr_setpgroup(&attr, 0);
    flags |= POSIX_SPAWN_SETPGROUP;
  }
  posix_spawnattr_setflags(&attr, flags);

  std::vector<std::string> argv_strings{request.package.executable};
  argv_strings.insert(argv_strings.end(), request.package.args.begin(), request.package.args.end());
  std::vector<std::string> env_strings = BuildEnv(env);
  std::vector<char*> argv = CStrings(argv_strings);
  std::vector<char*> envp = CStrings(env_strings);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, request.package.executable.c_str(), &actions, &attr, argv.data(),
                         envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]);
    ::close(err[0]);
    remove_files();
    return InternalError("spawn " + request.package.executable + ": " + strerror(rc));
  }
  FLOG_INFO(Log(), "started chaincode process ccid=%s pid=%d path=%s", request.ccid, pid,
            request.package.executable);
  auto tail = std::make_shared<LogTail>();
  auto child = std::make_shared<Child>(request.ccid, pid, options_.process_group, out[0], err[0],
                                       request.on_exit, tail, std::move(*files_dir));
  std::lock_guard<std::mutex> lock(mu_);
  children_[request.ccid] = std::move(child);
  tails_[request.ccid] = std::move(tail);
  return Status::OK();
}

std::vector<std::string> ProcessLauncher::LastLogLines(const std::string& ccid) const {
  std::shared_ptr<LogTail> tail;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tails_.find(ccid);
    if (it == tails_.end()) {
      return {};
    }
    tail = it->second;
  }
  return tail->Lines();
}

std::shared_ptr<ProcessLauncher::Child> ProcessLauncher::Find(const std::string& ccid) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = children_.find(ccid);
  return it == children_.end() ? nullptr : it->second;
}

Status ProcessLauncher::Stop(const std::string& ccid) {
  std::shared_ptr<Child> child;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = children_.find(ccid);
    if (it == children_.end()) {
      return Status::OK();
    }
    child = std::move(it->second);
    children_.erase(it);
  }
  if (!child->Exited()) {
    FLOG_INFO(Log(), "stopping chaincode process ccid=%s pid=%d", ccid, child->pid());
    child->Signal(SIGTERM);
    if (!child->WaitFor(options_.grace_period).has_value()) {
      FLOG_WARN(Log(), "chaincode process ccid=%s pid=%d ignored SIGTERM, sending SIGKILL", ccid,
                child->pid());
      child->Signal(SIGKILL);
      (void)child->WaitFor(std::chrono::hours(1));
    }
  }
  child->Join();
  return Status::OK();
}

StatusOr<int> ProcessLauncher::Wait(const std::string& ccid, std::chrono::milliseconds timeout) {
  std::shared_ptr<Child> child = Find(ccid);
  if (child == nullptr) {
    return NotFoundError("no chaincode process " + ccid);
  }
  std::optional<int> code = child->WaitFor(timeout);
  if (!code.has_value()) {
    return DeadlineExceededError("chaincode process " + ccid + " still running");
  }
  return *code;
}

bool ProcessLauncher::IsRunning(const std::string& ccid) const {
  std::shared_ptr<Child> child = Find(ccid);
  return child != nullptr && !child->Exited();
}

int ProcessLauncher::Pid(const std::string& ccid) const {
  std::shared_ptr<Child> child = Find(ccid);
  return child == nullptr || child->Exited() ? -1 : child->pid();
}

}  // namespace fabric::launcher
