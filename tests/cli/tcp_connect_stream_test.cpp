// tcp-connect --stdin moves data both ways at once, as nc does: a peer that talks before it
// listens cannot deadlock it, a slow stdout cannot make it block past --timeout, and --timeout
// bounds the whole run.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>

#include "cli_support.hpp"
#include "peer_support.hpp"

namespace lsock::test {
namespace {

using std::chrono::steady_clock;

long long ms_since(steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - t0).count();
}

TEST(TcpConnectStream, PeerThatSendsBeforeReadingGetsEverythingBothWays) {
  const std::string to_client = pattern(20u << 20, 1);
  const std::string from_client = pattern(5u << 20, 2);
  std::string peer_got;
  tcp_peer peer([&](tcp_peer& p, lsock::socket& s) {
    // All 20 MB first, reading nothing: lsock must read while it still has stdin to send.
    if (!p.send_all(s, to_client)) return;
    peer_got = p.read_to_end(s);
  });
  const auto t0 = steady_clock::now();
  auto r = run(
      lsock({"tcp-connect", "127.0.0.1", std::to_string(peer.port), "--stdin", "--timeout", "20"}),
      from_client, 30000);
  const long long ms = ms_since(t0);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.size(), to_client.size());
  EXPECT_TRUE(r.out == to_client) << "stdout differs from what the peer sent";
  EXPECT_NE(r.err.find("closed (peer)"), std::string::npos) << r.err;
  std::printf("20 MB in, 5 MB out through tcp-connect --stdin: %lld ms\n", ms);
  EXPECT_TRUE(peer.finish(5000)) << "the peer never saw the end of stdin";
  EXPECT_EQ(peer_got.size(), from_client.size());
  EXPECT_TRUE(peer_got == from_client) << "the peer got other bytes than stdin held";
}

TEST(TcpConnectStream, TimeoutBoundsTheWholeRunWhilePeerNeitherReadsNorCloses) {
  tcp_peer peer([](tcp_peer& p, lsock::socket& s) {
    (void)p.send_all(s, pattern(1u << 20, 3));
    while (!p.stopping()) tcp_peer::ready(-1, true);
  });
  const auto t0 = steady_clock::now();
  auto r = run(lsock({"--json", "tcp-connect", "127.0.0.1", std::to_string(peer.port), "--stdin",
                      "--timeout", "1"}),
               pattern(16u << 20, 4), 15000);
  const long long ms = ms_since(t0);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_LT(ms, 4000) << "--timeout 1 must end the run";
  const json doc = parse(r.out);
  EXPECT_EQ(doc["error"]["name"], "ETIMEDOUT") << r.out.substr(0, 300);
  EXPECT_EQ(doc["error"]["op"], "send");
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
}

/// Runs lsock with stdout on a pipe nobody reads; the exit code (-1 if it had to be killed
/// after `limit_ms`) and how long it ran.
std::pair<int, long long> run_with_stalled_stdout(const std::vector<std::string>& args,
                                                  int limit_ms) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return {-2, 0};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const auto t0 = steady_clock::now();
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  if (rc != 0) return {-2, 0};
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (ms_since(t0) > limit_ms) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      close(out[0]);
      return {-1, ms_since(t0)};
    }
    usleep(5000);
  }
  close(out[0]);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ms_since(t0)};
}

TEST(TcpConnectStream, StalledStdoutDoesNotOutlastTheTimeout) {
  tcp_peer peer([](tcp_peer& p, lsock::socket& s) { (void)p.send_all(s, pattern(8u << 20, 5)); });
  const auto [code, ms] = run_with_stalled_stdout(
      lsock({"tcp-connect", "127.0.0.1", std::to_string(peer.port), "--stdin", "--timeout", "1"}),
      10000);
  EXPECT_EQ(code, 1) << "stdout never drained: the run fails (exit 1) at the deadline";
  EXPECT_LT(ms, 4000);
}

}  // namespace
}  // namespace lsock::test
