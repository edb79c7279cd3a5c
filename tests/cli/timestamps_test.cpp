// Every JSON Lines event of every streaming command carries `ts`, RFC 3339 UTC with
// microseconds, right after `event`, close to the wall clock; --timestamps puts the same time in
// front of each text event line.

#include <gtest/gtest.h>

#include <ctime>
#include <lsock/lsock.hpp>

#include "cli_support.hpp"

namespace lsock::test {
namespace {

double parse_ts(const std::string& ts) { return rfc3339_seconds(ts); }

/// Every line starts {"event":"...","ts":" — ts right after event.
std::size_t lines_with_ts_second(const std::string& out) {
  std::size_t n = 0;
  std::size_t start = 0;
  while (start < out.size()) {
    const auto nl = out.find('\n', start);
    const std::string line = out.substr(start, nl == std::string::npos ? nl : nl - start);
    start = nl == std::string::npos ? out.size() : nl + 1;
    const auto comma = line.find("\",");
    if (line.rfind("{\"event\":\"", 0) == 0 && comma != std::string::npos &&
        line.compare(comma, 8, "\",\"ts\":\"") == 0) {
      ++n;
    }
  }
  return n;
}

void expect_timestamped(const std::string& out, std::size_t at_least) {
  const auto events = parse_lines(out);
  EXPECT_GE(events.size(), at_least) << out;
  EXPECT_EQ(lines_with_ts_second(out), events.size()) << "ts should follow event: " << out;
  const double now = static_cast<double>(std::time(nullptr));
  double last = 0;
  for (const json& ev : events) {
    ASSERT_TRUE(ev.contains("ts") && ev["ts"].is_string()) << ev;
    const double t = parse_ts(ev["ts"]);
    ASSERT_GT(t, 0) << "not RFC 3339 UTC with microseconds: " << ev["ts"];
    EXPECT_LT(std::abs(t - now), 60) << ev;
    EXPECT_GE(t, last) << "events out of time order: " << out;
    last = t;
  }
}

TEST(Timestamps, EveryEventOfEveryStreamingCommandHasTs) {
  // udp-listen (listening, summary, and the error event of a timeout before --count).
  expect_timestamped(
      run(lsock({"--json", "udp-listen", "127.0.0.1", "0", "--count", "1", "--timeout", "0.2"}))
          .out,
      2);
  // tcp-ping (probe, summary).
  expect_timestamped(run(lsock({"--json", "tcp-ping", "127.0.0.1", "1", "-c", "2", "-i", "0"})).out,
                     3);
  // tcp-listen with a client (listening, accepted, data, closed, summary).
  background server(lsock({"--json", "tcp-listen", "127.0.0.1", "0", "--count", "1"}));
  json first;
  const int port = first_event_port(server, &first);
  ASSERT_GT(port, 0);
  EXPECT_GT(parse_ts(first.value("ts", "")), 0) << first;
  auto client = run(lsock({"tcp-connect", "127.0.0.1", std::to_string(port), "--send", "hi"}));
  EXPECT_EQ(client.exit_code, 0) << client.err;
  auto rest = server.finish();
  expect_timestamped(rest.out, 3);
}

TEST(Timestamps, TimestampsFlagPrefixesTextEvents) {
  auto r = run(lsock({"--timestamps", "udp-listen", "127.0.0.1", "0", "--timeout", "0.1"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::size_t lines = 0;
  std::size_t start = 0;
  while (start < r.out.size()) {
    const auto nl = r.out.find('\n', start);
    const std::string line = r.out.substr(start, nl - start);
    start = nl + 1;
    ++lines;
    EXPECT_GT(parse_ts(line.substr(0, line.find(' '))), 0) << line;
  }
  EXPECT_EQ(lines, 2u) << r.out;
  auto plain = run(lsock({"udp-listen", "127.0.0.1", "0", "--timeout", "0.1"}));
  EXPECT_EQ(plain.out.rfind("listening", 0), 0u) << plain.out;
}

/// Every line of `out` that is not blank starts with an RFC 3339 time and a space; the count of
/// such lines.
std::size_t expect_every_line_stamped(const std::string& out) {
  std::size_t stamped = 0;
  std::size_t start = 0;
  while (start < out.size()) {
    const auto nl = out.find('\n', start);
    const std::string line = out.substr(start, nl - start);
    start = nl == std::string::npos ? out.size() : nl + 1;
    if (line.empty()) continue;
    EXPECT_GT(parse_ts(line.substr(0, line.find(' '))), 0) << "not stamped: " << line;
    ++stamped;
  }
  return stamped;
}

/// A TCP listener on 127.0.0.1 that never accepts: connects complete in its backlog.
struct backlog_listener {
  lsock::socket s;
  int port = 0;
  backlog_listener() {
    auto b = lsock::socket::bind(socket_type::tcp, "127.0.0.1", 0);
    EXPECT_TRUE(b.has_value());
    if (b) s = std::move(*b);
    port = s.local_endpoint().value().port();
  }
};

// The statistics block of tcp-ping and the lines of probe are stamped like the events before
// them (udp-listen's and tcp-listen's summary lines are events already).
TEST(Timestamps, TimestampsFlagStampsSummaryLinesToo) {
  backlog_listener l;
  const std::string port = std::to_string(l.port);
  auto ping = run(lsock({"--timestamps", "tcp-ping", "127.0.0.1", port, "-c", "1"}));
  ASSERT_EQ(ping.exit_code, 0) << ping.err;
  EXPECT_GE(expect_every_line_stamped(ping.out), 5u) << ping.out;  // header, probe, 3 stats
  auto probe = run(lsock({"--timestamps", "probe", "127.0.0.1", port}));
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  EXPECT_GE(expect_every_line_stamped(probe.out), 2u) << probe.out;
}

TEST(Timestamps, TimestampsFlagStampsPerfReport) {
  background server(lsock({"--json", "perf-server", "127.0.0.1", "0"}));
  const int port = first_event_port(server);
  ASSERT_GT(port, 0);
  auto r = run(
      lsock({"--timestamps", "perf", "127.0.0.1", std::to_string(port), "-t", "0.3", "-i", "0.1"}),
      {}, 20000);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(expect_every_line_stamped(r.out), 8u) << r.out;
}

}  // namespace
}  // namespace lsock::test
