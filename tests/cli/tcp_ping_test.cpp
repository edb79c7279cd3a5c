// lsock tcp-ping: probes against a loopback listener, a closed port, a silent address (in a
// private namespace), Ctrl-C, usage errors; and the statistics it reports.

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <lsock/socket.hpp>
#include <thread>

#include "cli_support.hpp"
#include "latency_stats.hpp"

namespace lsock::test {
namespace {

/// A listener that never accepts: the kernel completes connects into its backlog.
struct listener {
  lsock::socket s;
  int port = 0;
  listener() {
    socket_options so;
    so.backlog = 4096;
    auto b = lsock::socket::bind(socket_type::tcp, "127.0.0.1", 0, so);
    EXPECT_TRUE(b.has_value());
    if (b) s = std::move(*b);
    port = s.local_endpoint().value().port();
  }
};

int closed_port() {
  listener l;
  return l.port;  // closed again when `l` goes
}

/// min <= p50 <= p90 <= p99 <= max, avg within [min, max], mdev >= 0, all JSON numbers.
void expect_consistent(const json& rtt) {
  for (const char* k : {"min", "avg", "max", "mdev", "p50", "p90", "p99"}) {
    ASSERT_TRUE(rtt[k].is_number()) << k << " in " << rtt;
  }
  const auto v = [&](const char* k) { return rtt[k].get<double>(); };
  EXPECT_LE(v("min"), v("p50"));
  EXPECT_LE(v("p50"), v("p90"));
  EXPECT_LE(v("p90"), v("p99"));
  EXPECT_LE(v("p99"), v("max"));
  EXPECT_LE(v("min"), v("avg"));
  EXPECT_LE(v("avg"), v("max"));
  EXPECT_GE(v("mdev"), 0.0);
  EXPECT_GT(v("min"), 0.0);
}

TEST(TcpPing, OpenPortConnectsEveryProbeWithConsistentStatistics) {
  listener l;
  auto r = run(
      lsock({"--json", "tcp-ping", "127.0.0.1", std::to_string(l.port), "-c", "20", "-i", "0"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto events = parse_lines(r.out);
  ASSERT_EQ(events.size(), 21u) << r.out;
  for (int i = 0; i < 20; ++i) {
    const json& p = events[static_cast<std::size_t>(i)];
    EXPECT_EQ(p["event"], "probe");
    EXPECT_EQ(p["seq"], i + 1);
    EXPECT_EQ(p["addr"], "127.0.0.1");
    EXPECT_EQ(p["port"], l.port);
    EXPECT_EQ(p["ok"], true);
    ASSERT_TRUE(p["rtt_ms"].is_number());
    EXPECT_GT(p["rtt_ms"].get<double>(), 0.0);
  }
  const json& s = events.back();
  EXPECT_EQ(s["event"], "summary");
  EXPECT_EQ(s["sent"], 20);
  EXPECT_EQ(s["ok"], 20);
  EXPECT_EQ(s["failed"], 0);
  EXPECT_EQ(s["loss_percent"], 0.0);
  expect_consistent(s["rtt_ms"]);
}

TEST(TcpPing, TextOutputIsPingLike) {
  listener l;
  auto r = run(lsock({"tcp-ping", "127.0.0.1", std::to_string(l.port), "-c", "3", "-i", "0"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string where = "127.0.0.1:" + std::to_string(l.port);
  EXPECT_NE(r.out.find(where + " seq=1 connected time="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(where + " seq=3 connected time="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 probes sent, 3 ok, 0 failed, 0.0% loss"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rtt min/avg/max/mdev = "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rtt p50/p90/p99 = "), std::string::npos) << r.out;
}

TEST(TcpPing, ClosedPortIsRefusedAndExitsOne) {
  const int port = closed_port();
  auto r =
      run(lsock({"--json", "tcp-ping", "127.0.0.1", std::to_string(port), "-c", "2", "-i", "0"}));
  EXPECT_EQ(r.exit_code, 1);
  auto events = parse_lines(r.out);
  ASSERT_EQ(events.size(), 3u) << r.out;
  EXPECT_EQ(events[0]["ok"], false);
  EXPECT_EQ(events[0]["state"], "refused");
  EXPECT_EQ(events[0]["error"]["name"], "ECONNREFUSED");
  EXPECT_EQ(events[0]["error"]["op"], "connect");
  EXPECT_EQ(events[2]["failed"], 2);
  EXPECT_EQ(events[2]["loss_percent"], 100.0);
  EXPECT_TRUE(events[2]["rtt_ms"].is_null());
  auto text = run(lsock({"tcp-ping", "127.0.0.1", std::to_string(port), "-c", "1"}));
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_NE(text.out.find("seq=1 refused"), std::string::npos) << text.out;
}

TEST(TcpPing, CtrlCPrintsTheSummaryAndExitsZeroAfterAConnect) {
  listener l;
  background bg(lsock({"--json", "tcp-ping", "127.0.0.1", std::to_string(l.port), "-i", "0.1"}));
  ASSERT_FALSE(bg.next_line().empty());
  ASSERT_FALSE(bg.next_line().empty());
  bg.signal(SIGINT);
  auto r = bg.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto events = parse_lines(r.out);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["event"], "summary");
  EXPECT_GE(events.back()["sent"].get<int>(), 1);
  EXPECT_EQ(events.back()["sent"], events.back()["ok"]);
}

TEST(TcpPing, BadInputIsAUsageError) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"tcp-ping", "127.0.0.1"},
           {"tcp-ping", "127.0.0.1", "0"},
           {"tcp-ping", "127.0.0.1", "80", "--timeout", "0"},
           {"tcp-ping", "127.0.0.1", "80", "-c", "0"},
           {"tcp-ping", "127.0.0.1", "80", "-i", "-1"},
           {"tcp-ping", "127.0.0.1", "80", "--source", "not-an-ip"},
           {"tcp-ping", "127.0.0.1", "80", "--source", "::1"},
           {"tcp-ping", "/tmp/x.sock"},
           {"tcp-ping", "::1", "80", "-4"},
           {"tcp-ping", "224.0.0.1", "80"},
           {"tcp-ping", "255.255.255.255", "80"},
           {"probe", "ff02::1", "80"},
           {"probe", "127.0.0.1", "224.0.0.1", "80"}}) {
    auto r = run(lsock(args));
    EXPECT_EQ(r.exit_code, 2) << args[1] << " " << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  // A unix path is refused for what it is, not for the port given with it.
  auto r = run(lsock({"tcp-ping", "/tmp/x.sock", "80"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not a unix path"), std::string::npos) << r.err;
}

TEST(TcpPing, SourceAddressIsUsed) {
  listener l;
  auto r = run(lsock({"--json", "tcp-ping", "127.0.0.1", std::to_string(l.port), "-c", "1",
                      "--source", "127.0.0.2"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  accepted a;
  ASSERT_EQ(l.s.accept(a).value(), io_status::ready);
  EXPECT_EQ(a.peer.addr(), "127.0.0.2");
}

// In a private namespace (tests/netns/run-in-netns.sh with the veth pair): 10.77.0.99 is on
// v0's subnet and nobody answers for it, so a connect there gets no answer at all.
TEST(TcpPingSilent, ASilentAddressTimesOutWithinItsTimeout) {
  if (std::getenv("LSOCK_IN_NETNS") == nullptr) GTEST_SKIP() << "needs the private namespace";
  const auto start = std::chrono::steady_clock::now();
  auto r = run(
      lsock({"--json", "tcp-ping", "10.77.0.99", "80", "-c", "2", "-i", "0", "--timeout", "0.3"}));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_GE(s, 0.6);
  EXPECT_LT(s, 1.5);
  auto events = parse_lines(r.out);
  ASSERT_EQ(events.size(), 3u) << r.out;
  EXPECT_EQ(events[0]["state"], "timeout");
  EXPECT_EQ(events[0]["error"]["name"], "ETIMEDOUT");
  EXPECT_EQ(events[1]["state"], "timeout");
}

TEST(LatencyStats, PercentilesInterpolateAndMdevIsThePopulationDeviation) {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);
  const auto s = cli::summarize(v);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 100);
  EXPECT_DOUBLE_EQ(s.avg, 50.5);
  EXPECT_NEAR(s.p50, 50.5, 1e-9);
  EXPECT_NEAR(s.p90, 90.1, 1e-9);
  EXPECT_NEAR(s.p99, 99.01, 1e-9);
  EXPECT_NEAR(s.mdev, 28.866070, 1e-5);  // sqrt((100^2 - 1) / 12)
  const auto one = cli::summarize({0.25});
  EXPECT_DOUBLE_EQ(one.p99, 0.25);
  EXPECT_DOUBLE_EQ(one.mdev, 0);
}

TEST(LatencyStats, HistogramHasLogBucketsFromTheSmallestToTheLargestSample) {
  const auto lines = cli::histogram_lines({0.010, 0.011, 0.030, 0.500});
  // 8-16 µs, 16-32, ..., 256-512 µs: six buckets.
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_NE(lines.front().find("0.008-0.016 ms"), std::string::npos) << lines.front();
  EXPECT_TRUE(lines.front().ends_with(" 2")) << lines.front();
  EXPECT_TRUE(lines[3].ends_with(" 0")) << lines[3];
  EXPECT_TRUE(cli::histogram_lines({}).empty());
}

}  // namespace
}  // namespace lsock::test
