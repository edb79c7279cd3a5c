#pragma once
// Runs the lsock binary as a child process: arguments in, stdout / stderr / exit code out,
// every wait bounded.

#include <string>
#include <vector>

namespace lsock::test {

struct run_result {
  int exit_code = -1;  ///< -1: killed after the timeout; 128 + N: ended by signal N
  std::string out;
  std::string err;
};

/// Runs `args` (args[0] is the program) to completion, feeding `input` on stdin.
run_result run(const std::vector<std::string>& args, const std::string& input = {},
               int timeout_ms = 10000);

/// A child that keeps running (a listener): read its stdout line by line while it works.
class background {
 public:
  explicit background(const std::vector<std::string>& args);
  ~background();
  background(const background&) = delete;
  background& operator=(const background&) = delete;

  /// The next stdout line, or "" after `timeout_ms` / end of output.
  std::string next_line(int timeout_ms = 5000);
  /// Reads whatever stdout has ready (without waiting) into the buffer, so a chatty child
  /// never blocks on a full pipe.
  void pump();
  /// The child's process id (to look at it in /proc).
  [[nodiscard]] int pid() const noexcept { return pid_; }
  /// Sends a signal (SIGINT for Ctrl-C).
  void signal(int sig);
  /// Waits for the exit; the rest of stdout and all stderr are collected.
  run_result finish(int timeout_ms = 10000);

 private:
  int pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string buffered_;
  std::string err_;
};

}  // namespace lsock::test
