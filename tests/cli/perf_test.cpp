// lsock perf / perf-server over loopback: TCP, UDP, -R, -P; the JSON shapes and that intervals
// add up; busy servers, vanishing clients and servers, garbage on the control port, Ctrl-C, and
// a soak of consecutive tests that must not grow the server's descriptors or memory.

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <lsock/poll.hpp>
#include <lsock/socket.hpp>
#include <thread>

#include "cli_support.hpp"
#include "perf_report.hpp"

namespace lsock::test {
namespace {

/// A perf-server on 127.0.0.1 with a free port.
struct server {
  background bg;
  int port = 0;
  explicit server(const std::vector<std::string>& extra = {})
      : bg(lsock(with(extra, {"--json", "perf-server", "127.0.0.1", "0"}))) {
    json first;
    port = first_event_port(bg, &first);
    EXPECT_EQ(first["event"], "listening");
  }
  static std::vector<std::string> with(const std::vector<std::string>& extra,
                                       std::vector<std::string> base) {
    base.insert(base.end(), extra.begin(), extra.end());
    return base;
  }
  /// The server's events up to and including the next one named `name` (bounded).
  std::vector<json> until(const std::string& name, int timeout_ms = 8000) {
    std::vector<json> evs;
    const auto stop = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < stop) {
      const std::string line = bg.next_line(timeout_ms);
      if (line.empty()) break;
      evs.push_back(parse(line));
      if (evs.back()["event"] == name) break;
    }
    return evs;
  }
};

run_result perf(int port, std::vector<std::string> extra) {
  std::vector<std::string> args{"--json", "perf", "127.0.0.1", std::to_string(port)};
  args.insert(args.end(), extra.begin(), extra.end());
  return run(lsock(args), {}, 20000);
}

void expect_ts(const json& ev) {
  ASSERT_TRUE(ev.contains("ts") && ev["ts"].is_string()) << ev;
  EXPECT_GT(rfc3339_seconds(ev["ts"].get<std::string>()), 0) << ev["ts"];
}

struct test_events {
  json start, end;
  std::vector<json> intervals;
};

/// Times in seconds are given to the microsecond, and printed so: no 1.0400049999999998.
void expect_microsecond_times(const std::string& out) {
  for (const std::string key : {"\"seconds\":", "\"start_s\":", "\"end_s\":"}) {
    for (auto at = out.find(key); at != std::string::npos; at = out.find(key, at + 1)) {
      const auto start = at + key.size();
      const auto end = out.find_first_not_of("-0123456789.", start);
      const std::string number = out.substr(start, end - start);
      const auto dot = number.find('.');
      EXPECT_TRUE(dot == std::string::npos || number.size() - dot - 1 <= 6)
          << key << number << " in " << out;
    }
  }
}

/// start, interval..., end, with every shape checked.
test_events split(const std::string& out, bool udp, int streams) {
  expect_microsecond_times(out);
  test_events t;
  for (const json& ev : parse_lines(out)) {
    expect_ts(ev);
    if (ev["event"] == "start") t.start = ev;
    if (ev["event"] == "interval") t.intervals.push_back(ev);
    if (ev["event"] == "end") t.end = ev;
  }
  EXPECT_EQ(t.start["protocol"], udp ? "udp" : "tcp") << out;
  EXPECT_EQ(t.start["parallel"], streams);
  EXPECT_EQ(t.start["streams"].size(), static_cast<std::size_t>(streams));
  for (const json& s : t.start["streams"]) {
    EXPECT_EQ(s["local"]["addr"], "127.0.0.1");
    EXPECT_EQ(s["remote"]["addr"], "127.0.0.1");
  }
  EXPECT_FALSE(t.intervals.empty()) << out;
  for (const json& iv : t.intervals) {
    EXPECT_TRUE(iv["start_s"].is_number() && iv["end_s"].is_number());
    EXPECT_LE(iv["start_s"].get<double>(), iv["end_s"].get<double>());
    EXPECT_TRUE(iv["bytes"].is_number_unsigned());
    EXPECT_TRUE(iv["bits_per_second"].is_number());
    EXPECT_EQ(iv["streams"].size(), static_cast<std::size_t>(streams));
    for (const json& s : iv["streams"]) {
      for (const char* k : udp ? std::vector<const char*>{"packets"}
                               : std::vector<const char*>{"retransmits", "rtt_us", "snd_cwnd"}) {
        EXPECT_TRUE(s[k].is_number_unsigned()) << k << " in " << s;
      }
    }
  }
  for (const char* part : {"sent", "received"}) {
    for (const char* k : {"bytes", "seconds", "bits_per_second"}) {
      EXPECT_TRUE(t.end[part][k].is_number()) << part << "." << k << " in " << t.end;
    }
  }
  EXPECT_TRUE(t.end["retransmits"].is_number_unsigned());
  EXPECT_TRUE(t.end["cpu_percent"]["local"].is_number());
  EXPECT_TRUE(t.end["cpu_percent"]["remote"].is_number());
  return t;
}

std::uint64_t interval_sum(const test_events& t) {
  std::uint64_t sum = 0;
  for (const json& iv : t.intervals) sum += iv["bytes"].get<std::uint64_t>();
  return sum;
}

TEST(Perf, TcpOneStream) {
  server s({"-c", "1", "-i", "0.1"});
  auto r = perf(s.port, {"-t", "0.5", "-i", "0.1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const test_events t = split(r.out, false, 1);
  EXPECT_GE(t.intervals.size(), 4u);
  EXPECT_GT(t.end["sent"]["bytes"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(interval_sum(t), t.end["sent"]["bytes"].get<std::uint64_t>());
  EXPECT_EQ(t.end["received"]["bytes"], t.end["sent"]["bytes"]);
  EXPECT_EQ(t.end["interrupted"], false);
  const auto evs = s.until("end");
  ASSERT_FALSE(evs.empty());
  EXPECT_EQ(evs.back()["event"], "end");
  EXPECT_EQ(evs.back()["received"]["bytes"], t.end["sent"]["bytes"]);
  EXPECT_EQ(s.bg.finish().exit_code, 0);
}

TEST(Perf, TcpReverse) {
  server s({"-c", "1"});
  auto r = perf(s.port, {"-t", "0.5", "-i", "0.1", "-R"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const test_events t = split(r.out, false, 1);
  EXPECT_EQ(t.start["reverse"], true);
  EXPECT_GT(t.end["received"]["bytes"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(interval_sum(t), t.end["received"]["bytes"].get<std::uint64_t>());
  EXPECT_EQ(t.end["received"]["bytes"], t.end["sent"]["bytes"]);
}

TEST(Perf, TcpFourStreams) {
  server s({"-c", "1"});
  auto r = perf(s.port, {"-t", "0.5", "-i", "0.1", "-P", "4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const test_events t = split(r.out, false, 4);
  EXPECT_EQ(interval_sum(t), t.end["sent"]["bytes"].get<std::uint64_t>());
  EXPECT_EQ(t.end["received"]["bytes"], t.end["sent"]["bytes"]);
  for (const json& st : t.intervals.front()["streams"]) EXPECT_GT(st["bytes"], 0u);
}

TEST(Perf, UdpAtLowBitrateLosesNothing) {
  server s({"-c", "1"});
  auto r = perf(s.port, {"-u", "-b", "10M", "-t", "0.5", "-i", "0.1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const test_events t = split(r.out, true, 1);
  const json& rx = t.end["received"];
  EXPECT_EQ(rx["lost"], 0) << t.end;
  EXPECT_EQ(rx["lost_percent"], 0.0);
  EXPECT_EQ(rx["packets"], t.end["sent"]["packets"]);
  EXPECT_TRUE(rx["jitter_ms"].is_number());
  EXPECT_EQ(interval_sum(t), t.end["sent"]["bytes"].get<std::uint64_t>());
  // 10 Mbit/s for 0.5 s is about 625 KB; pacing keeps it near that.
  const double bytes = t.end["sent"]["bytes"].get<double>();
  EXPECT_GT(bytes, 400e3);
  EXPECT_LT(bytes, 800e3);
}

TEST(Perf, UdpReverseReportsLossAndJitterPerInterval) {
  server s({"-c", "1"});
  auto r = perf(s.port, {"-u", "-b", "10M", "-t", "0.5", "-i", "0.1", "-R"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const test_events t = split(r.out, true, 1);
  for (const json& iv : t.intervals) {
    EXPECT_EQ(iv["streams"][0]["lost"], 0) << iv;
    EXPECT_TRUE(iv["streams"][0]["jitter_ms"].is_number());
  }
  EXPECT_EQ(interval_sum(t), t.end["received"]["bytes"].get<std::uint64_t>());
  EXPECT_EQ(t.end["received"]["lost"], 0);
}

TEST(Perf, TextOutputIsAnIperf3Table) {
  server s({"-c", "1"});
  auto r = run(lsock({"perf", "127.0.0.1", std::to_string(s.port), "-t", "0.3", "-i", "0.1"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("[ ID] Interval           Transfer     Bitrate"), std::string::npos);
  EXPECT_NE(r.out.find("sec"), std::string::npos);
  EXPECT_NE(r.out.find("bits/sec"), std::string::npos);
  EXPECT_NE(r.out.find("sender"), std::string::npos);
  EXPECT_NE(r.out.find("receiver"), std::string::npos);
  EXPECT_NE(r.out.find("CPU Utilization"), std::string::npos);
}

/// A raw connection to the control port, driven by libcore.
struct raw_client {
  lsock::socket s;
  selector sel;
  explicit raw_client(int port) {
    s = lsock::socket::connect(socket_type::tcp, "127.0.0.1", port).value();
    const int fd = s.fd();
    EXPECT_TRUE(sel.wait({}, std::span<const int>(&fd, 1), 2000).value());
    EXPECT_TRUE(s.status());
  }
  void send(const std::string& data) { ASSERT_EQ(s.send(data).value().bytes, data.size()); }
  /// Everything the server sends until it closes (bounded).
  std::string read_all() {
    std::string got;
    char buf[4096];
    const int fd = s.fd();
    for (int i = 0; i < 50; ++i) {
      if (!sel.wait(std::span<const int>(&fd, 1), {}, 100).value()) continue;
      auto r = s.recv(buf);
      if (!r || r->status == io_status::closed) break;
      got.append(buf, r->bytes);
    }
    return got;
  }
};

/// The next `error` or `rejected` event of the server, each line awaited up to `timeout_ms`.
json next_problem(server& s, int timeout_ms = 5000) {
  for (int i = 0; i < 20; ++i) {
    const std::string line = s.bg.next_line(timeout_ms);
    if (line.empty()) break;
    json ev = parse(line);
    if (ev["event"] == "error" || ev["event"] == "rejected") return ev;
  }
  ADD_FAILURE() << "the server reported no problem";
  return {};
}

TEST(PerfRobust, GarbageOnTheControlPortIsRejectedAndTheServerServesOn) {
  server s({"-c", "1"});
  {
    raw_client c(s.port);
    c.send("GET / HTTP/1.0\r\n\r\n");
    (void)c.read_all();
  }
  json ev = next_problem(s);
  EXPECT_EQ(ev["event"], "rejected") << ev;
  EXPECT_EQ(ev["reason"], "EPROTO") << ev;
  EXPECT_NE(ev["message"].get<std::string>().find("garbage"), std::string::npos) << ev;
  EXPECT_EQ(ev["client"]["addr"], "127.0.0.1");
  auto r = perf(s.port, {"-t", "0.2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(PerfRobust, GarbageGetsAnErrorMessageBack) {
  server s;
  raw_client c(s.port);
  c.send("not json\n");
  const std::string reply = c.read_all();
  const json msg = parse(reply.substr(0, reply.find('\n')));
  EXPECT_EQ(msg["type"], "error");
  EXPECT_EQ(msg["version"], 1);
  EXPECT_EQ(msg["name"], "EPROTO");
}

TEST(PerfRobust, WrongTypesInAMessageAreGarbageToo) {
  server s;
  for (const std::string bad : {R"({"type": 5})", R"({"type": "stream", "index": "x"})",
                                R"({"type": "hello", "version": "1"})", "[1, 2]"}) {
    raw_client c(s.port);
    c.send(bad + "\n");
    const std::string reply = c.read_all();
    const json msg = parse(reply.substr(0, reply.find('\n')));
    EXPECT_EQ(msg["type"], "error") << bad;
  }
  auto r = perf(s.port, {"-t", "0.2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(PerfReport, RoundedTimesPrintAsTheirDecimals) {
  EXPECT_EQ(cli::json(cli::round_to(1.0400049999, 1e-6)).dump(), "1.040005");
  EXPECT_EQ(cli::json(cli::round_to(0.30000004, 1e-6)).dump(), "0.3");
  EXPECT_EQ(cli::json(cli::round_to(12.3456, 0.001)).dump(), "12.346");
  EXPECT_EQ(cli::round_to(941234567.6, 1), 941234568.0);
}

// iperf3's "%6.2f-%-6.2f sec", with as many more decimals (up to 6) as it takes for a short
// interval's ends to differ: a last interval of 3 ms reads 1.000-1.003, not 1.00-1.00.
TEST(PerfReport, IntervalEndsAlwaysDiffer) {
  EXPECT_EQ(cli::span_text(0, 1), "  0.00-1.00   sec");
  EXPECT_EQ(cli::span_text(9.5, 10.25), "  9.50-10.25  sec");
  EXPECT_EQ(cli::span_text(1.0, 1.003), " 1.000-1.003  sec");
  EXPECT_EQ(cli::span_text(1.0, 1.0004), "1.0000-1.0004 sec");
  EXPECT_EQ(cli::span_text(2.0, 2.0000001), "2.000000-2.000000 sec");
}

TEST(PerfReport, EndEventKeepsCountsBeyond32Bits) {
  cli::perf_params p;
  const cli::json big{{"bytes", 5'000'000'000ULL},
                      {"seconds", 1.0},
                      {"bits_per_second", 4e10},
                      {"retransmits", 3'000'000'000ULL},
                      {"cpu_percent", 50.0}};
  const cli::json end = cli::end_event(p, true, big, big, false);
  EXPECT_EQ(end["sent"]["bytes"].get<std::uint64_t>(), 5'000'000'000ULL);
  EXPECT_EQ(end["received"]["bytes"].get<std::uint64_t>(), 5'000'000'000ULL);
  EXPECT_EQ(end["retransmits"].get<std::uint64_t>(), 3'000'000'000ULL);
}

TEST(PerfRobust, HalfAMessageThenCloseIsReported) {
  server s({"-c", "1"});
  {
    raw_client c(s.port);
    c.send(R"({"type": "hello", "vers)");
  }
  const json ev = next_problem(s);
  EXPECT_NE(ev["message"].get<std::string>().find("closed mid-message"), std::string::npos) << ev;
  auto r = perf(s.port, {"-t", "0.2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// A connection the server turns away is one `rejected` event (reason, message, client), not an
// `error` event beside it: garbage at once, and an iperf3 client's 37-byte cookie (no complete
// message) after the 5 s the server waits for one. Neither is a failure of the server: stderr
// stays quiet.
TEST(PerfRobust, ABadClientIsOneRejectedEvent) {
  server s({"-c", "1"});
  raw_client silent(s.port);
  silent.send(std::string(36, 'a') + '\0');  // what iperf3 -c sends first
  raw_client garbage(s.port);
  garbage.send("GET / HTTP/1.0\r\n\r\n");
  std::vector<json> problems{next_problem(s), next_problem(s, 8000)};
  for (const json& ev : problems) {
    EXPECT_EQ(ev["event"], "rejected") << ev;
    EXPECT_EQ(ev["reason"], "EPROTO") << ev;
    EXPECT_EQ(ev["client"]["addr"], "127.0.0.1") << ev;
  }
  EXPECT_NE(problems[0].value("message", "").find("garbage"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].value("message", "").find("no complete message in time"), std::string::npos)
      << problems[1];
  auto r = perf(s.port, {"-t", "0.2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const run_result rest = s.bg.finish();
  for (const json& ev : parse_lines(rest.out)) {
    EXPECT_NE(ev["event"], "error") << ev;
    EXPECT_NE(ev["event"], "rejected") << ev;
  }
  EXPECT_EQ(rest.err, "");
}

TEST(PerfRobust, AnotherVersionIsToldSo) {
  server s;
  raw_client c(s.port);
  c.send(R"({"type": "hello", "version": 99, "cookie": "x"})"
         "\n");
  const std::string reply = c.read_all();
  const json msg = parse(reply.substr(0, reply.find('\n')));
  EXPECT_EQ(msg["type"], "error");
  EXPECT_NE(msg["message"].get<std::string>().find("version mismatch"), std::string::npos) << msg;
}

TEST(PerfRobust, SecondClientIsBusy) {
  server s({"-c", "1"});
  background first(lsock({"--json", "perf", "127.0.0.1", std::to_string(s.port), "-t", "1"}));
  EXPECT_EQ(parse(first.next_line())["event"], "start");
  auto second = perf(s.port, {"-t", "0.2"});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("busy"), std::string::npos) << second.err;
  // A failure of perf's control protocol has op "protocol": the line does not say perf twice.
  EXPECT_EQ(second.err.rfind("lsock: perf: protocol: ", 0), 0u) << second.err;
  const auto errs = parse_lines(second.out);
  ASSERT_EQ(errs.size(), 1u) << second.out;
  EXPECT_EQ(errs[0]["event"], "error");
  EXPECT_EQ(errs[0]["op"], "protocol");
  EXPECT_EQ(errs[0]["name"], "EBUSY");
  EXPECT_EQ(next_problem(s)["reason"], "busy");
  EXPECT_EQ(first.finish().exit_code, 0);
}

TEST(PerfRobust, ClientVanishingMidTestIsReportedAndTheNextIsServed) {
  server s({"-c", "2"});
  {
    background doomed(lsock({"--json", "perf", "127.0.0.1", std::to_string(s.port), "-t", "5"}));
    EXPECT_EQ(parse(doomed.next_line())["event"], "start");
    doomed.signal(SIGKILL);
    (void)doomed.finish();
  }
  const json ev = next_problem(s);
  EXPECT_NE(ev["message"].get<std::string>().find("vanished"), std::string::npos) << ev;
  auto r = perf(s.port, {"-t", "0.2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(s.bg.finish().exit_code, 0);
}

TEST(PerfRobust, ServerDyingMidTestFailsTheClient) {
  for (const char* mode : {"", "-R"}) {
    server s;
    std::vector<std::string> args{"--json", "perf", "127.0.0.1", std::to_string(s.port), "-t", "5"};
    if (*mode) args.emplace_back(mode);
    background client(lsock(args));
    EXPECT_EQ(parse(client.next_line())["event"], "start");
    s.bg.signal(SIGKILL);
    const auto t0 = std::chrono::steady_clock::now();
    const run_result r = client.finish(4000);
    EXPECT_EQ(r.exit_code, 1) << mode << r.err;
    EXPECT_NE(r.err.find("lsock: perf: "), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("perf: perf:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("vanished"), std::string::npos) << r.err;
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  }
}

TEST(PerfRobust, CtrlCEndsTheTestWithItsEndEvent) {
  server s({"-c", "1"});
  background client(
      lsock({"--json", "perf", "127.0.0.1", std::to_string(s.port), "-t", "10", "-i", "0.1"}));
  EXPECT_EQ(parse(client.next_line())["event"], "start");
  EXPECT_EQ(parse(client.next_line())["event"], "interval");
  client.signal(SIGINT);
  const run_result r = client.finish(5000);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto evs = parse_lines(r.out);
  ASSERT_FALSE(evs.empty());
  EXPECT_EQ(evs.back()["event"], "end");
  EXPECT_EQ(evs.back()["interrupted"], true);
  EXPECT_LT(evs.back()["sent"]["seconds"].get<double>(), 5.0);
}

TEST(PerfRobust, RefusedIsAnOperationalFailure) {
  int port = 0;
  {
    server s;
    port = s.port;
  }
  auto r = perf(port, {"-t", "0.2"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("refused"), std::string::npos) << r.err;
  const auto evs = parse_lines(r.out);
  ASSERT_EQ(evs.size(), 1u) << r.out;
  EXPECT_EQ(evs[0]["event"], "error");
  EXPECT_EQ(evs[0]["name"], "ECONNREFUSED");
}

TEST(PerfUsage, BadOptionsAreUsageErrors) {
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"-P", "0"},
                                              {"-P", "129"},
                                              {"-b", "fast"},
                                              {"-l", "8"},
                                              {"-t", "0"},
                                              {"-u", "-l", "70000"},
                                              {"-b", "-1M"}}) {
    std::vector<std::string> args{"perf", "127.0.0.1", "9"};
    args.insert(args.end(), bad.begin(), bad.end());
    const auto r = run(lsock(args));
    EXPECT_EQ(r.exit_code, 2) << bad[0] << " " << bad[1] << ": " << r.err;
  }
  EXPECT_EQ(run(lsock({"perf-server", "127.0.0.1", "70000"})).exit_code, 2);
}

TEST(PerfUsage, UnixAddressesAreRefusedAsSuch) {
  // "takes no PORT" would send the user to `perf /run/x.sock`, which then lacks a PORT.
  for (const char* where : {"/tmp/lsock-x.sock", "@lsock-x"}) {
    const auto r = run(lsock({"perf", where, "9"}));
    EXPECT_EQ(r.exit_code, 2) << where << ": " << r.err;
    EXPECT_EQ(r.err, "lsock: perf: perf needs HOST PORT, not a unix path\n");
  }
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"perf-server", "/tmp/lsock-x.sock", "9"},
        std::vector<std::string>{"perf-server", "/tmp/lsock-x.sock"},
        std::vector<std::string>{"perf-server", "@lsock-x"}}) {
    const auto r = run(lsock(args));
    EXPECT_EQ(r.exit_code, 2) << args[1] << ": " << r.err;
    EXPECT_EQ(r.err, "lsock: perf-server: perf-server needs [ADDR] PORT, not a unix path\n");
  }
}

TEST(PerfUsage, ServerBindFailureNamesTheAddress) {
  auto taken = lsock::socket::bind(socket_type::tcp, "127.0.0.1", 0).value();
  const std::string port = std::to_string(taken.local_endpoint().value().port());
  const auto r = run(lsock({"perf-server", "127.0.0.1", port}));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("bind: Address already in use (127.0.0.1:" + port + ")"), std::string::npos)
      << r.err;
}

/// The server's open descriptors and resident memory (KiB), from /proc.
std::pair<int, long> usage_of(int pid) {
  int fds = 0;
  for (const auto& e :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    (void)e;
    ++fds;
  }
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  long rss = 0;
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) rss = std::stol(line.substr(6));
  }
  return {fds, rss};
}

/// LSOCK_PERF_SOAK tests (default 20) back to back, TCP and UDP mixed: after a warm-up the
/// server holds no more descriptors and no more than 2 MiB more memory.
TEST(PerfSoak, ConsecutiveTestsDoNotGrowTheServer) {
  const char* env = std::getenv("LSOCK_PERF_SOAK");
  const int n = env ? std::atoi(env) : 20;
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer keeps freed memory in a quarantine (256 MiB by default) instead of reusing
  // it, so each test's stream buffers would show as growth. A small quarantine lets the server's
  // RSS say what it holds.
  const std::string asan = std::getenv("ASAN_OPTIONS") ? std::getenv("ASAN_OPTIONS") : "";
  (void)::setenv("ASAN_OPTIONS", (asan + ":quarantine_size_mb=1").c_str(), 1);
#endif
  server s;
  std::pair<int, long> warm{};
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> args{"-t", "0.02", "-i", "0"};
    if (i % 3 == 1) args.insert(args.end(), {"-u", "-b", "100M"});
    if (i % 3 == 2) args.insert(args.end(), {"-R", "-P", "2"});
    const auto r = perf(s.port, args);
    ASSERT_EQ(r.exit_code, 0) << "test " << i << ": " << r.err;
    // The client is gone once it sent its results; wait for the server to be done too.
    const auto evs = s.until("end");
    ASSERT_FALSE(evs.empty()) << "test " << i;
    ASSERT_EQ(evs.back()["event"], "end") << evs.back();
    if (i == 9) warm = usage_of(s.bg.pid());
  }
  const auto last = usage_of(s.bg.pid());
  EXPECT_LE(last.first, warm.first) << "descriptors";
  EXPECT_LT(last.second - warm.second, 2048) << "RSS KiB grew from " << warm.second;
}

}  // namespace
}  // namespace lsock::test
