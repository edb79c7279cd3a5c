// The CLI's name lookups against a DNS server that never answers. ctest runs this binary inside
// tests/netns/run-with-dns.sh: names under lsock.test come from the namespace's /etc/hosts,
// every other name goes to the silent server (resolver timeout 10 s), so only --timeout or
// Ctrl-C can end such a lookup early.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <lsock/socket.hpp>
#include <thread>

#include "cli_support.hpp"

namespace lsock::test {
namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

class DnsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    // Never ask the machine's real resolver.
    const char* in_ns = std::getenv("LSOCK_SILENT_DNS");
    if (in_ns == nullptr || std::string(in_ns) != "1") {
      GTEST_FAIL() << "run inside tests/netns/run-with-dns.sh";
    }
  }
};

/// One line on stderr naming the lookup that timed out.
void expect_timeout_line(const run_result& r, const std::string& host) {
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  EXPECT_NE(r.err.find("lookup of " + host + " timed out"), std::string::npos) << r.err;
}

// both.lsock.test is 127.0.0.1 and ::1: the core races them (RFC 8305), so a server on either
// address alone is reached, whichever the resolver lists first.
TEST_F(DnsCli, TcpConnectToANameReachesAServerOnEitherOfItsAddresses) {
  for (const char* where : {"127.0.0.1", "::1"}) {
    auto server = lsock::socket::bind(lsock::socket_type::tcp, where, 0);
    if (!server) GTEST_SKIP() << "cannot listen on " << where << ": " << server.error().describe();
    const std::string port = std::to_string(server->local_endpoint()->port());
    const auto t0 = clock_type::now();
    auto r = run(lsock({"--json", "tcp-connect", "both.lsock.test", port, "--timeout", "2"}));
    EXPECT_EQ(r.exit_code, 0) << where << ": " << r.err;
    EXPECT_LT(seconds_since(t0), 1.0) << "a refusal moves the race on at once";
    const json doc = parse(r.out);
    EXPECT_EQ(doc["peer"]["addr"], where);
  }
}

TEST_F(DnsCli, TcpConnectToANameEveryAddressRefusedIsOneConnectError) {
  auto server = lsock::socket::bind(lsock::socket_type::tcp, "127.0.0.1", 0);
  ASSERT_TRUE(server);
  const std::string port = std::to_string(server->local_endpoint()->port());
  (void)server->close();
  auto r = run(lsock({"--json", "tcp-connect", "both.lsock.test", port, "--timeout", "2"}));
  EXPECT_EQ(r.exit_code, 1);
  const json doc = parse(r.out);
  EXPECT_EQ(doc["error"]["op"], "connect");
  EXPECT_EQ(doc["error"]["name"], "ECONNREFUSED");
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
}

TEST_F(DnsCli, TcpConnectTimeoutBoundsTheLookup) {
  const auto t0 = clock_type::now();
  auto r = run(lsock({"tcp-connect", "slow.example", "80", "--timeout", "1"}));
  const double took = seconds_since(t0);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_GE(took, 0.9);
  EXPECT_LT(took, 1.5);
  expect_timeout_line(r, "slow.example");
}

TEST_F(DnsCli, TcpConnectTimeoutUnderJsonIsAResolveError) {
  auto r = run(lsock({"--json", "tcp-connect", "slow.example", "80", "--timeout", "0.5"}));
  EXPECT_EQ(r.exit_code, 1);
  const json doc = parse(r.out);
  EXPECT_EQ(doc["host"], "slow.example");
  EXPECT_EQ(doc["error"]["op"], "resolve");
  EXPECT_EQ(doc["error"]["name"], "ETIMEDOUT");
  expect_timeout_line(r, "slow.example");
}

TEST_F(DnsCli, ResolveTimeoutBoundsTheWholeCommandAndKeepsTheAnswers) {
  const auto t0 = clock_type::now();
  auto r = run(lsock({"--json", "resolve", "slow.example", "both.lsock.test", "twice.lsock.test",
                      "--timeout", "1"}));
  const double took = seconds_since(t0);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_LT(took, 1.5);
  const json doc = parse(r.out);
  ASSERT_EQ(doc.size(), 3u);
  EXPECT_EQ(doc[0]["error"]["op"], "resolve");
  EXPECT_EQ(doc[0]["error"]["name"], "ETIMEDOUT");
  EXPECT_GE(doc[0]["elapsed_ms"].get<double>(), 900);
  // The /etc/hosts names answered at once, while the silent lookup ran beside them.
  EXPECT_EQ(doc[1]["addresses"].size(), 2u);
  EXPECT_LT(doc[1]["elapsed_ms"].get<double>(), 900);
  ASSERT_EQ(doc[2]["addresses"].size(), 2u);  // 127.0.0.2 twice in /etc/hosts, listed once
  EXPECT_EQ(doc[2]["addresses"][0]["addr"], "127.0.0.2");
  EXPECT_EQ(doc[2]["addresses"][1]["addr"], "127.0.0.3");
  expect_timeout_line(r, "slow.example");
}

TEST_F(DnsCli, HostsNamesConnect) {
  background listener(lsock({"--json", "tcp-listen", "v4.lsock.test", "0", "--count", "1"}));
  const int port = first_event_port(listener);
  ASSERT_GT(port, 0);
  auto r = run(
      lsock({"--json", "tcp-connect", "v4.lsock.test", std::to_string(port), "--timeout", "5"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse(r.out)["peer"]["addr"], "127.0.0.1");
  auto sent = run(lsock({"udp-send", "v6.lsock.test", "9", "x"}));
  EXPECT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_NE(sent.out.find("[::1]:9"), std::string::npos) << sent.out;
}

/// What stderr's one line says after "HOST: ", or "" when it does not name the host.
std::string after_host(const run_result& r, const std::string& host) {
  const auto at = r.err.find(host + ": ");
  return at == std::string::npos ? std::string() : r.err.substr(at + host.size() + 2);
}

// A lookup the resolver fails (here: the silent server's query times out after 1 s, RES_OPTIONS
// overriding resolv.conf's 10 s) reads the same in every command, resolver code name included.
TEST_F(DnsCli, AFailedLookupIsWordedAlikeByEveryCommand) {
  const std::string host = "nowhere.example";
  auto with_short_dns = [](std::vector<std::string> args) {
    args = lsock(std::move(args));
    args.insert(args.begin(), {"/usr/bin/env", "RES_OPTIONS=timeout:1 attempts:1"});
    return args;
  };
  const auto resolve = run(with_short_dns({"resolve", host, "--timeout", "5"}));
  EXPECT_EQ(resolve.exit_code, 1);
  const std::string wording = after_host(resolve, host);
  EXPECT_NE(wording.find(" (EAI_"), std::string::npos) << resolve.err;
  for (const auto& args :
       {std::vector<std::string>{"tcp-ping", host, "9", "-c", "1", "--timeout", "5"},
        std::vector<std::string>{"tcp-connect", host, "9", "--timeout", "5"},
        std::vector<std::string>{"udp-send", host, "9", "x"}}) {
    const auto r = run(with_short_dns(args));
    EXPECT_EQ(r.exit_code, 1) << args[0];
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
    EXPECT_EQ(after_host(r, host), wording) << r.err;
  }
}

struct interrupt_case {
  const char* label;
  std::vector<std::string> args;
  int exit_code;  ///< what Ctrl-C gives for this command at any other moment
};

class DnsCliInterrupt : public ::testing::TestWithParam<interrupt_case> {};

TEST_P(DnsCliInterrupt, CtrlCEndsAHangingLookupAtOnce) {
  ASSERT_STREQ(std::getenv("LSOCK_SILENT_DNS"), "1") << "run inside tests/netns/run-with-dns.sh";
  const auto& c = GetParam();
  background cmd(lsock(c.args));
  // Long enough for the command to be inside the lookup.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  const auto t0 = clock_type::now();
  cmd.signal(SIGINT);
  auto done = cmd.finish(5000);
  EXPECT_LT(seconds_since(t0), 0.3);
  EXPECT_EQ(done.exit_code, c.exit_code) << done.err;
  if (c.exit_code == 1) {
    EXPECT_NE(done.err.find("resolve: interrupted"), std::string::npos) << done.err;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Commands, DnsCliInterrupt,
    ::testing::Values(
        // tcp-connect reports an interrupted connect as a failure; the others end by the
        // signal, as they do when Ctrl-C comes before they print anything.
        interrupt_case{"tcp_connect", {"tcp-connect", "slow.example", "80"}, 1},
        interrupt_case{"resolve", {"resolve", "slow.example"}, 128 + SIGINT},
        interrupt_case{"udp_send", {"udp-send", "slow.example", "9", "x"}, 128 + SIGINT},
        interrupt_case{"tcp_listen", {"tcp-listen", "slow.example", "0"}, 128 + SIGINT},
        interrupt_case{"udp_listen", {"udp-listen", "slow.example", "0"}, 128 + SIGINT}),
    [](const auto& p) { return std::string(p.param.label); });

}  // namespace
}  // namespace lsock::test
