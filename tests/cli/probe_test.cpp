// lsock probe: open and closed ports on loopback, filtered ports at a silent address (in a
// private namespace, where the time also shows how many attempts were in flight), the
// descriptor limit, PORTS parsing and usage errors.

#include <gtest/gtest.h>

#include <chrono>
#include <lsock/socket.hpp>

#include "cli_support.hpp"
#include "port_list.hpp"
#include "usage_error.hpp"

namespace lsock::test {
namespace {

lsock::socket listen_any() {
  socket_options so;
  so.backlog = 64;
  return lsock::socket::bind(socket_type::tcp, "127.0.0.1", 0, so).value();
}

int port_of(const lsock::socket& s) { return s.local_endpoint().value().port(); }

const json& port_entry(const json& host, int port) {
  for (const json& p : host["ports"]) {
    if (p["port"] == port) return p;
  }
  static const json none;
  ADD_FAILURE() << "port " << port << " missing from " << host;
  return none;
}

TEST(Probe, ReportsOpenAndClosedPortsSortedWithCounts) {
  auto a = listen_any();
  auto b = listen_any();
  int closed = 0;
  {
    auto c = listen_any();
    closed = port_of(c);
  }
  const std::string spec =
      std::to_string(port_of(b)) + "," + std::to_string(closed) + "," + std::to_string(port_of(a));
  auto r = run(lsock({"--json", "probe", "127.0.0.1", spec}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json doc = parse(r.out);
  ASSERT_TRUE(doc.is_array());
  ASSERT_EQ(doc.size(), 1u);
  const json& h = doc[0];
  EXPECT_EQ(h["host"], "127.0.0.1");
  EXPECT_EQ(h["addr"], "127.0.0.1");
  ASSERT_EQ(h["ports"].size(), 3u);
  for (std::size_t i = 1; i < h["ports"].size(); ++i) {
    EXPECT_LT(h["ports"][i - 1]["port"].get<int>(), h["ports"][i]["port"].get<int>());
  }
  EXPECT_EQ(port_entry(h, port_of(a))["state"], "open");
  EXPECT_EQ(port_entry(h, port_of(b))["state"], "open");
  EXPECT_EQ(port_entry(h, closed)["state"], "closed");
  EXPECT_TRUE(port_entry(h, closed)["rtt_ms"].is_number());
  EXPECT_EQ(h["counts"], (json{{"open", 2}, {"closed", 1}, {"filtered", 0}, {"error", 0}}));
  EXPECT_TRUE(h["elapsed_ms"].is_number());
}

TEST(Probe, OpenOnlyListsOpenPortsAndTextShowsThem) {
  auto a = listen_any();
  const std::string spec = "1-3," + std::to_string(port_of(a));
  auto r = run(lsock({"--json", "probe", "127.0.0.1", spec, "--open"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json h = parse(r.out)[0];
  ASSERT_EQ(h["ports"].size(), 1u);
  EXPECT_EQ(h["ports"][0]["port"], port_of(a));
  EXPECT_EQ(h["counts"]["closed"], 3);
  auto text = run(lsock({"probe", "127.0.0.1", spec}));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("1 open, 3 closed, 0 filtered, 0 error"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  " + std::to_string(port_of(a))), std::string::npos) << text.out;
  EXPECT_TRUE(text.err.empty()) << text.err;  // no progress line when not on a terminal
}

TEST(Probe, SeveralHostsGetAnEntryEach) {
  auto a = listen_any();
  auto r = run(lsock({"--json", "probe", "127.0.0.1", "localhost", std::to_string(port_of(a))}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json doc = parse(r.out);
  ASSERT_EQ(doc.size(), 2u);
  EXPECT_EQ(doc[1]["host"], "localhost");
  EXPECT_EQ(doc[1]["counts"]["open"], 1);
}

TEST(Probe, AScopedAddressOnAnInterfaceThatDoesNotExistIsExit1NotAScan) {
  // Not a name lookup failure, and not one "error" per port either: the host cannot be used.
  auto r = run(lsock({"probe", "fe80::1%nosuchif0", "1-3"}));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("no such interface: nosuchif0"), std::string::npos) << r.err;
  for (const char* cmd : {"tcp-connect", "tcp-ping"}) {
    auto c = run(lsock({cmd, "fe80::1%nosuchif0", "80", "--timeout", "2"}));
    EXPECT_EQ(c.exit_code, 1) << cmd << ": " << c.err;
    EXPECT_NE(c.err.find("no such interface: nosuchif0"), std::string::npos)
        << cmd << ": " << c.err;
  }
}

TEST(Probe, ALowDescriptorLimitLowersTheConcurrencyWithOneWarning) {
  auto r =
      run({"/bin/sh", "-c", "ulimit -n 48 && exec \"$0\" --json probe 127.0.0.1 1-300", LSOCK_BIN});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("RLIMIT_NOFILE"), std::string::npos) << r.err;
  json h = parse(r.out)[0];
  EXPECT_EQ(h["ports"].size(), 300u);
  EXPECT_EQ(h["counts"]["closed"].get<int>() + h["counts"]["open"].get<int>(), 300);
}

TEST(Probe, BadInputIsAUsageError) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"probe", "127.0.0.1"},
                                             {"probe", "127.0.0.1", "0"},
                                             {"probe", "127.0.0.1", "70000"},
                                             {"probe", "127.0.0.1", "10-5"},
                                             {"probe", "127.0.0.1", "1,,2"},
                                             {"probe", "127.0.0.1", "http"},
                                             {"probe", "127.0.0.1", "80", "--timeout", "0"},
                                             {"probe", "127.0.0.1", "80", "--concurrency", "0"},
                                             {"probe", "/tmp/x.sock", "80"},
                                             {"probe", "999.1.1.1", "80"},
                                             {"probe", "::1", "80", "-4"}}) {
    auto r = run(lsock(args));
    EXPECT_EQ(r.exit_code, 2) << args[2] << ": " << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(PortList, RangesListsAndMixesComeOutSortedWithoutRepeats) {
  EXPECT_EQ(cli::parse_port_list("22"), (std::vector<int>{22}));
  EXPECT_EQ(cli::parse_port_list("443,22,80,22"), (std::vector<int>{22, 80, 443}));
  EXPECT_EQ(cli::parse_port_list("8000-8003,1"), (std::vector<int>{1, 8000, 8001, 8002, 8003}));
  EXPECT_EQ(cli::parse_port_list("1-65535").size(), 65535u);
  for (const char* bad : {"", "0", "65536", "5-3", "1-", "-5", "1,", "a", "1 2", "1-2-3"}) {
    EXPECT_THROW((void)cli::parse_port_list(bad), cli::usage_error) << bad;
  }
}

// In a private namespace with the veth pair (tests/netns/run-in-netns.sh): 10.77.0.99 is on
// v0's subnet and nobody answers for it. 8 ports, 4 in flight, 0.3 s each: two rounds, so
// about 0.6 s — had more than 4 been in flight, it would take 0.3 s.
TEST(ProbeSilent, FilteredPortsTakeRoundsOfTheTimeout) {
  if (std::getenv("LSOCK_IN_NETNS") == nullptr) GTEST_SKIP() << "needs the private namespace";
  const auto start = std::chrono::steady_clock::now();
  auto r = run(
      lsock({"--json", "probe", "10.77.0.99", "1-8", "--concurrency", "4", "--timeout", "0.3"}));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json h = parse(r.out)[0];
  EXPECT_EQ(h["counts"]["filtered"], 8);
  for (const json& p : h["ports"]) EXPECT_FALSE(p.contains("rtt_ms"));
  EXPECT_GE(s, 0.55);
  EXPECT_LT(s, 1.2);
}

}  // namespace
}  // namespace lsock::test
