// lsock's standard descriptors: closed ones are opened on /dev/null at start, so no socket
// takes fd 0-2; a failed write to stdout is exit 1 with one stderr line, never silence, and a
// reader of stdout that goes away ends even a listener that has nothing to say.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>

#include "cli_support.hpp"
#include "peer_support.hpp"

namespace lsock::test {
namespace {

using std::chrono::steady_clock;

/// `script` run by bash, with $LSOCK set to the binary.
run_result shell(const std::string& script, int timeout_ms = 10000) {
  return run({"/bin/bash", "-c", "LSOCK='" LSOCK_BIN "'; " + script}, {}, timeout_ms);
}

TEST(StandardStreams, ClosedStdoutDoesNotSendTheStatusLineIntoTheConnection) {
  std::string got;
  tcp_peer peer([&](tcp_peer& p, lsock::socket& s) { got = p.read_to_end(s); });
  auto r = shell("\"$LSOCK\" tcp-connect 127.0.0.1 " + std::to_string(peer.port) +
                 " --send hello --idle 0.2 >&-");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(peer.finish(5000));
  EXPECT_EQ(got, "hello") << "the peer must get --send's bytes only, not lsock's output";
}

/// `script` run by bash with SIGPIPE at its default action (the test process ignores it, and
/// an ignored signal stays ignored across exec), stdin/stdout/stderr on /dev/null. The exit
/// status as a shell shows it: 128 + N for death by signal N, -1 if killed after 10 s.
int shell_with_default_sigpipe(const std::string& script) {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t dfl;
  sigemptyset(&dfl);
  sigaddset(&dfl, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &dfl);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  for (int fd = 0; fd <= 2; ++fd) {
    posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  }
  const std::string full = "LSOCK='" LSOCK_BIN "'; " + script;
  const char* argv[] = {"/bin/bash", "-c", full.c_str(), nullptr};
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, &attr, const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return -2;
  int status = 0;
  for (int waited = 0; waitpid(pid, &status, WNOHANG) == 0; waited += 5) {
    if (waited > 10000) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    usleep(5000);
  }
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

TEST(StandardStreams, ListenerWithClosedStdoutRunsToItsEnd) {
  // Its listening socket used to be fd 1: writing "listening on" to it raised SIGPIPE.
  EXPECT_EQ(shell_with_default_sigpipe("exec \"$LSOCK\" tcp-listen 127.0.0.1 0 --timeout 0.3 >&-"),
            0);
  EXPECT_EQ(shell_with_default_sigpipe("exec \"$LSOCK\" udp-listen 127.0.0.1 0 --timeout 0.3 >&-"),
            0);
}

TEST(StandardStreams, ClosedStdinIsAnEmptyInputNotTheSocket) {
  std::string got;
  tcp_peer peer([&](tcp_peer& p, lsock::socket& s) {
    // lsock's stdin is empty: it half-closes at once. Had the socket become fd 0, lsock
    // would wait on its own socket as "stdin" and never end its input.
    got = p.read_to_end(s);
    (void)p.send_all(s, "pong");
  });
  auto r =
      shell("\"$LSOCK\" tcp-connect 127.0.0.1 " + std::to_string(peer.port) + " --stdin <&-", 8000);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(peer.finish(5000));
  EXPECT_EQ(got, "");
  EXPECT_EQ(r.out, "pong");
}

TEST(StandardStreams, ClosedStderrStillLetsTheCommandRun) {
  auto r = shell("\"$LSOCK\" --json resolve 127.0.0.1 2>&-");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(parse(r.out)[0]["addresses"][0]["addr"], "127.0.0.1");
}

TEST(StandardStreams, WriteErrorsAreExitOneWithOneLine) {
  for (const std::string args :
       {"ifaces", "--json ifaces", "resolve 127.0.0.1", "--json resolve 127.0.0.1", "--help",
        "--json --version", "udp-listen 127.0.0.1 0 --timeout 0.1"}) {
    auto r = shell("\"$LSOCK\" " + args + " > /dev/full");
    EXPECT_EQ(r.exit_code, 1) << args;
    EXPECT_EQ(count_lines(r.err), 1) << args << ": " << r.err;
    EXPECT_NE(r.err.find("write to stdout failed"), std::string::npos) << args << ": " << r.err;
    EXPECT_NE(r.err.find("ENOSPC"), std::string::npos) << args << ": " << r.err;
  }
}

TEST(StandardStreams, TcpConnectTextOutputToAFullDeviceFails) {
  tcp_peer peer([](tcp_peer& p, lsock::socket& s) { (void)p.send_all(s, "answer"); });
  auto r = shell("\"$LSOCK\" tcp-connect 127.0.0.1 " + std::to_string(peer.port) +
                 " --stdin --timeout 5 < /dev/null > /dev/full");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("write to stdout failed"), std::string::npos) << r.err;
}

TEST(StandardStreams, ListenerEndsSoonAfterItsReaderWithSigpipeIgnored) {
  // As under supervisors that ignore SIGPIPE: `head -1` takes the first event and exits; the
  // listener must notice and stop (exit 1) without waiting for --timeout.
  for (const char* cmd : {"udp-listen", "tcp-listen", "perf-server"}) {
    const auto t0 = steady_clock::now();
    auto r = shell(std::string("trap '' PIPE; set -o pipefail; \"$LSOCK\" --json ") + cmd +
                   " 127.0.0.1 0 --timeout 8 | head -1");
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - t0).count();
    EXPECT_EQ(r.exit_code, 1) << cmd << ": " << r.err;
    EXPECT_LT(ms, 3000) << cmd << " kept running after head exited";
    EXPECT_EQ(parse(r.out)["event"], "listening") << cmd;
    EXPECT_NE(r.err.find("EPIPE"), std::string::npos) << cmd << ": " << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << cmd << ": " << r.err;
  }
}

TEST(StandardStreams, NonBlockingStdoutIsWaitedForNotAnError) {
  // A supervisor may hand over a pipe whose description is non-blocking: a document larger
  // than the pipe must still arrive whole, however late the reader starts.
  const std::string big = pattern(1u << 20, 7);
  tcp_peer peer([&](tcp_peer& p, lsock::socket& s) { (void)p.send_all(s, big); });
  int out[2];
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  fcntl(out[1], F_SETFL, fcntl(out[1], F_GETFL) | O_NONBLOCK);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  const auto args = lsock({"--json", "tcp-connect", "127.0.0.1", std::to_string(peer.port),
                           "--expect-bytes", std::to_string(big.size()), "--timeout", "10"});
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  usleep(300000);  // the pipe fills and stays full for a while
  std::string doc_text;
  char buf[65536];
  for (;;) {
    const ssize_t n = read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    doc_text.append(buf, static_cast<std::size_t>(n));
  }
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  const json doc = json::parse(doc_text, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << "not one JSON document: " << doc_text.size() << " bytes";
  EXPECT_EQ(doc.value("bytes_in", 0u), big.size());
}

}  // namespace
}  // namespace lsock::test
