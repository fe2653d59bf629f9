#include "support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

namespace ticketly::testing {

ChildProcess::ChildProcess(std::vector<std::string> argv, std::vector<std::string> env) {
  env.push_back("PATH=/usr/local/bin:/usr/bin:/bin");
  if (const char* home = std::getenv("HOME")) env.push_back(std::string("HOME=") + home);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  // Build argv/envp before fork: only async-signal-safe calls after it.
  std::vector<char*> args, envp;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  out_fd_ = fds[0];
}

ChildProcess::~ChildProcess() {
  if (!exit_code_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (out_fd_ >= 0) ::close(out_fd_);
}

bool ChildProcess::read_some(std::chrono::milliseconds timeout) {
  pollfd p{out_fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char buf[4096];
  auto n = ::read(out_fd_, buf, sizeof buf);
  if (n <= 0) return false;
  output_.append(buf, static_cast<std::size_t>(n));
  return true;
}

std::optional<std::string> ChildProcess::wait_for_line(const std::string& needle, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto pos = output_.find(needle, scanned_ > needle.size() ? scanned_ - needle.size() : 0);
    if (pos != std::string::npos) {
      auto start = output_.rfind('\n', pos);
      start = start == std::string::npos ? 0 : start + 1;
      auto end = output_.find('\n', pos);
      scanned_ = end == std::string::npos ? output_.size() : end;
      return output_.substr(start, (end == std::string::npos ? output_.size() : end) - start);
    }
    scanned_ = output_.size();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    if (!read_some(left)) {
      if (wait(std::chrono::milliseconds(0))) return std::nullopt;  // exited
    }
  }
}

void ChildProcess::signal(int sig) {
  if (!exit_code_) ::kill(pid_, sig);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      while (read_some(std::chrono::milliseconds(10))) {
      }
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    read_some(std::chrono::milliseconds(10));  // keeps the pipe drained
  }
}

std::pair<int, std::string> run_command(std::vector<std::string> argv, std::vector<std::string> env,
                                        std::chrono::milliseconds timeout) {
  ChildProcess p(std::move(argv), std::move(env));
  auto code = p.wait(timeout);
  if (!code) {
    p.signal(SIGKILL);
    code = p.wait(std::chrono::seconds(5));
  }
  return {code.value_or(-1), p.output()};
}

}  // namespace ticketly::testing
