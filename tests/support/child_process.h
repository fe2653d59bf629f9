#pragma once
// Runs the real `ticketly` binary as a child process with a controlled
// environment, capturing its output: for CLI, signal and shutdown tests.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ticketly::testing {

class ChildProcess {
 public:
  // argv[0] is the program path; `env` replaces the environment entirely
  // (PATH and HOME are added).
  ChildProcess(std::vector<std::string> argv, std::vector<std::string> env);
  ~ChildProcess();  // kills the child if it still runs
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Reads output (stdout and stderr merged) until a line contains `needle`;
  // returns that line, or nullopt on timeout or exit.
  std::optional<std::string> wait_for_line(const std::string& needle, std::chrono::milliseconds timeout);
  void signal(int sig);
  // Exit code (128+signal when killed), or nullopt if still running after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  const std::string& output() const { return output_; }

 private:
  bool read_some(std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string output_;
  std::size_t scanned_ = 0;
  std::optional<int> exit_code_;
};

// Runs to completion (with a timeout) and returns {exit code, output}.
std::pair<int, std::string> run_command(std::vector<std::string> argv, std::vector<std::string> env,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace ticketly::testing
