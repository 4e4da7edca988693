// SPDX-License-Identifier: Apache-2.0
//
// What the benchmarks read from /proc to put figures in context: the load average (a shared
// 2-core box swings), CPU time per process (steadier than wall-clock rates), the children a
// peer launched (its chaincodes) and peak RSS. Linux only; each returns a neutral value (empty,
// 0) when the process or file is gone.

#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace fabric::bench {

// "1.07 2.43 4.41": the 1, 5 and 15 minute load averages.
inline std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// CPU seconds (user + system) used so far by process `pid`; 0 if it is gone.
inline double CpuSeconds(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t p = stat.rfind(')');  // the command name may contain spaces and parentheses
  if (p == std::string::npos) {
    return 0;
  }
  std::istringstream fields(stat.substr(p + 2));
  std::string f;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14 || i == 15) {  // utime, stime
      ticks += std::atof(f.c_str());
    }
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The children of `pid` (e.g. the chaincode processes a peer launched).
inline std::vector<long> Children(long pid) {
  // Each thread lists the children it started; the peer starts chaincodes from worker threads.
  std::vector<long> out;
  std::error_code ec;
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
    std::ifstream in(task.path() / "children");
    long c;
    while (in >> c) {
      out.push_back(c);
    }
  }
  return out;
}

// Processes named `comm` (as /proc/<pid>/comm shows it), e.g. "chaincode": the executable name
// chaincode containers run, which are not children of the peer.
inline std::vector<long> ProcessesNamed(const std::string& comm) {
  std::vector<long> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::ifstream in(entry.path() / "comm");
    std::string c;
    if (std::getline(in, c) && c == comm) {
      out.push_back(std::atol(name.c_str()));
    }
  }
  return out;
}

// A number field of /proc/<pid>/status ("self" for this process), e.g. "VmRSS" (KiB),
// "VmHWM" (peak RSS, KiB), "Threads"; 0 if unknown.
inline long ProcStatus(const std::string& pid, const std::string& field) {
  std::ifstream in("/proc/" + pid + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::atol(line.c_str() + field.size() + 1);
    }
  }
  return 0;
}

// Peak resident set size (VmHWM) of `pid` ("self" for this process) in KiB; 0 if unknown.
inline long PeakRssKib(const std::string& pid) { return ProcStatus(pid, "VmHWM"); }

}  // namespace fabric::bench
