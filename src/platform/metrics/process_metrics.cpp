#include "platform/metrics/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace ticketly::metrics {

namespace {

std::string read_file(const char* path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(std::string("cannot read ") + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The fields of /proc/self/stat we need (proc(5) numbering in comments).
struct ProcStat {
  double utime_ticks = 0;     // 14
  double stime_ticks = 0;     // 15
  double threads = 0;         // 20
  double start_ticks = 0;     // 22, clock ticks after boot
  double virtual_bytes = 0;   // 23
  double resident_pages = 0;  // 24
};

ProcStat read_proc_stat() {
  const std::string text = read_file("/proc/self/stat");
  // Field 2 is the command name in parentheses and may itself contain spaces or ')':
  // the fields we want start after the LAST ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos) throw std::runtime_error("unexpected /proc/self/stat format");
  std::istringstream rest(text.substr(close + 1));
  std::vector<std::string> fields;  // fields[0] is field 3 (state)
  for (std::string f; rest >> f;) fields.push_back(f);
  if (fields.size() < 22) throw std::runtime_error("unexpected /proc/self/stat format");
  auto field = [&](int number) { return std::stod(fields[static_cast<std::size_t>(number - 3)]); };
  return {field(14), field(15), field(20), field(22), field(23), field(24)};
}

double clock_ticks_per_second() { return static_cast<double>(sysconf(_SC_CLK_TCK)); }

double boot_time_seconds() {
  std::istringstream in(read_file("/proc/stat"));
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("btime ")) return std::stod(line.substr(6));
  }
  throw std::runtime_error("no btime in /proc/stat");
}

// Includes the descriptor the listing itself holds open, as client_golang's does.
double open_fds() {
  double n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

double max_fds() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) throw std::runtime_error("getrlimit failed");
  return static_cast<double>(limit.rlim_cur);
}

}  // namespace

void register_process_metrics(Registry& r) {
  r.counter_callback("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", {}, [] {
    const ProcStat s = read_proc_stat();
    return (s.utime_ticks + s.stime_ticks) / clock_ticks_per_second();
  });
  r.gauge_callback("process_resident_memory_bytes", "Resident memory size in bytes.", {},
                   [] { return read_proc_stat().resident_pages * static_cast<double>(sysconf(_SC_PAGESIZE)); });
  r.gauge_callback("process_virtual_memory_bytes", "Virtual memory size in bytes.", {},
                   [] { return read_proc_stat().virtual_bytes; });
  r.gauge_callback("process_open_fds", "Number of open file descriptors.", {}, open_fds);
  r.gauge_callback("process_max_fds", "Maximum number of open file descriptors.", {}, max_fds);
  r.gauge_callback("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", {},
                   [] { return boot_time_seconds() + read_proc_stat().start_ticks / clock_ticks_per_second(); });
  r.gauge_callback("process_threads", "Number of OS threads in the process.", {},
                   [] { return read_proc_stat().threads; });
}

}  // namespace ticketly::metrics
