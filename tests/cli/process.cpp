#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>

namespace lsock::test {
namespace {

using clock_type = std::chrono::steady_clock;

int spawn(const std::vector<std::string>& args, int* in_fd, int* out_fd, int* err_fd) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (in_fd) {
    *in_fd = in[1];
  } else {
    close(in[1]);
  }
  *out_fd = out[0];
  *err_fd = err[0];
  return pid;
}

int remaining(clock_type::time_point deadline) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()).count();
  return ms < 0 ? 0 : static_cast<int>(ms);
}

/// Reads both pipes until they close or the deadline passes, meanwhile feeding `input` to
/// `in_fd` (then closing it) so a child that answers while it reads never deadlocks on a full
/// pipe.
void drain(int out_fd, int err_fd, std::string& out, std::string& err,
           clock_type::time_point deadline, int in_fd = -1, std::string_view input = {}) {
  if (in_fd >= 0 && input.empty()) {
    close(in_fd);
    in_fd = -1;
  }
  if (in_fd >= 0) fcntl(in_fd, F_SETFL, fcntl(in_fd, F_GETFL) | O_NONBLOCK);
  pollfd fds[3] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {in_fd, POLLOUT, 0}};
  char buf[65536];
  while ((fds[0].fd >= 0 || fds[1].fd >= 0) && remaining(deadline) > 0) {
    if (poll(fds, 3, remaining(deadline)) <= 0) break;
    if (fds[2].fd >= 0 && fds[2].revents != 0) {
      const ssize_t n = write(fds[2].fd, input.data(), input.size());
      if (n > 0) input.remove_prefix(static_cast<std::size_t>(n));
      if (input.empty() || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        close(fds[2].fd);
        fds[2].fd = -1;
      }
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        fds[i].fd = -1;
      } else {
        (i == 0 ? out : err).append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  if (fds[2].fd >= 0) close(fds[2].fd);
}

int reap(int pid, clock_type::time_point deadline) {
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (remaining(deadline) == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    usleep(2000);
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);  // as a shell reports it
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

run_result run(const std::vector<std::string>& args, const std::string& input, int timeout_ms) {
  run_result r;
  int in_fd = -1, out_fd = -1, err_fd = -1;
  const int pid = spawn(args, &in_fd, &out_fd, &err_fd);
  if (pid < 0) return r;
  signal(SIGPIPE, SIG_IGN);
  const auto deadline = clock_type::now() + std::chrono::milliseconds(timeout_ms);
  drain(out_fd, err_fd, r.out, r.err, deadline, in_fd, input);
  close(out_fd);
  close(err_fd);
  r.exit_code = reap(pid, deadline);
  return r;
}

background::background(const std::vector<std::string>& args) {
  pid_ = spawn(args, nullptr, &out_fd_, &err_fd_);
}

background::~background() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
}

std::string background::next_line(int timeout_ms) {
  const auto deadline = clock_type::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (const auto nl = buffered_.find('\n'); nl != std::string::npos) {
      std::string line = buffered_.substr(0, nl);
      buffered_.erase(0, nl + 1);
      return line;
    }
    pollfd p{out_fd_, POLLIN, 0};
    if (remaining(deadline) == 0 || poll(&p, 1, remaining(deadline)) <= 0) return {};
    char buf[4096];
    const ssize_t n = read(out_fd_, buf, sizeof buf);
    if (n <= 0) return {};
    buffered_.append(buf, static_cast<std::size_t>(n));
  }
}

void background::pump() {
  char buf[65536];
  for (;;) {
    pollfd p{out_fd_, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0) return;
    const ssize_t n = read(out_fd_, buf, sizeof buf);
    if (n <= 0) return;
    buffered_.append(buf, static_cast<std::size_t>(n));
  }
}

void background::signal(int sig) { kill(pid_, sig); }

run_result background::finish(int timeout_ms) {
  run_result r;
  const auto deadline = clock_type::now() + std::chrono::milliseconds(timeout_ms);
  r.out = std::move(buffered_);
  drain(out_fd_, err_fd_, r.out, r.err, deadline);
  r.exit_code = reap(pid_, deadline);
  pid_ = -1;
  return r;
}

}  // namespace lsock::test
