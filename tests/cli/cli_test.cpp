// tcp-listen and tcp-connect end to end (every JSON output parsed and its fields checked), and
// the usage errors of every command. resolve, ifaces, udp-*, and lsock's own options have files
// of their own.
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <lsock/lsock.hpp>
#include <map>
#include <random>
#include <thread>

#include "cli_support.hpp"
#include "peer_support.hpp"

namespace lsock::test {
namespace {

/// Waits until `fd` is writable (a non-blocking connect finished) or 5 s pass.
bool wait_writable(int fd) {
  selector sel;
  auto r = sel.wait({}, std::span<const int>(&fd, 1), 5000);
  return r && *r;
}

lsock::socket connect_tcp(int port) {
  auto c = lsock::socket::connect(socket_type::tcp, "127.0.0.1", port);
  EXPECT_TRUE(c) << c.error().describe();
  if (!c) return {};
  EXPECT_TRUE(wait_writable(c->fd()));
  EXPECT_TRUE(c->status());
  return std::move(*c);
}

bool send_all(lsock::socket& s, std::string_view data) {
  while (!data.empty()) {
    auto r = s.send(data);
    if (!r) return false;
    if (r->status == io_status::ready) {
      data.remove_prefix(r->bytes);
    } else if (!wait_writable(s.fd())) {
      return false;
    }
  }
  return true;
}

class TcpEcho : public ::testing::TestWithParam<std::string> {};

TEST_P(TcpEcho, ListenAndConnectRoundTrip) {
  std::string addr = GetParam();
  std::string dir;
  if (addr == "path") {
    char tmpl[] = "/tmp/lsock-cli-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir = tmpl;
    addr = dir + "/echo.sock";
  } else if (addr == "abstract") {
    addr = unique_abstract("echo");
  }
  const bool unix_addr = addr[0] == '/' || addr[0] == '@';
  std::vector<std::string> listen_args{"--json", "tcp-listen", addr};
  if (!unix_addr) listen_args.push_back("0");
  for (const char* a : {"--echo", "--count", "1", "--timeout", "10"}) listen_args.push_back(a);
  background listener(lsock(listen_args));
  json listening;
  const int port = first_event_port(listener, &listening);
  EXPECT_EQ(listening["event"], "listening");
  std::vector<std::string> connect_args{"--json", "tcp-connect", addr};
  if (!unix_addr) {
    ASSERT_GT(port, 0);
    connect_args.push_back(std::to_string(port));
  }
  for (const char* a : {"--send", "hello lsock", "--expect-bytes", "11"}) connect_args.push_back(a);
  auto c = run(lsock(connect_args));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const json doc = parse(c.out);
  EXPECT_TRUE(doc["connect_ms"].is_number());
  EXPECT_TRUE(doc.contains("local"));
  EXPECT_TRUE(doc.contains("peer"));
  ASSERT_FALSE(doc["data"].empty());
  std::string echoed;
  for (const auto& d : doc["data"]) echoed += d["payload"].get<std::string>();
  EXPECT_EQ(echoed, "hello lsock");
  EXPECT_EQ(doc["bytes_in"], 11);
  EXPECT_EQ(doc["bytes_out"], 11);
  EXPECT_EQ(doc["closed_by"], "expect");

  auto done = listener.finish();
  EXPECT_EQ(done.exit_code, 0) << done.err;
  const auto events = parse_lines(done.out);
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events[0]["event"], "accepted");
  EXPECT_EQ(events[0]["client"], 1);
  EXPECT_EQ(events[0]["peer"]["family"], listening["family"]);
  EXPECT_EQ(events[1]["event"], "data");
  EXPECT_EQ(events[1]["client"], 1);
  EXPECT_EQ(events[1]["encoding"], "utf8");
  EXPECT_EQ(events.back()["event"], "summary");
  EXPECT_EQ(events.back()["connections"], 1);
  EXPECT_EQ(events.back()["bytes_in"], 11);
  EXPECT_EQ(events.back()["bytes_out"], 11);
  if (!dir.empty()) {
    struct stat st {};
    EXPECT_NE(stat(addr.c_str(), &st), 0) << "tcp-listen removes its socket path on exit";
    unlink(addr.c_str());
    rmdir(dir.c_str());
  }
}

INSTANTIATE_TEST_SUITE_P(Addresses, TcpEcho,
                         ::testing::Values("127.0.0.1", "::1", "path", "abstract"));

TEST(Cli, BinaryDataIsBase64) {
  background listener(
      lsock({"--json", "tcp-listen", "127.0.0.1", "0", "--count", "1", "--timeout", "10"}));
  const int port = first_event_port(listener);
  auto c = run(lsock({"tcp-connect", "127.0.0.1", std::to_string(port), "--stdin"}),
               std::string("\xff\xfe\x00\x01", 4));
  EXPECT_EQ(c.exit_code, 0) << c.err;
  const auto events = parse_lines(listener.finish().out);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[1]["event"], "data");
  EXPECT_EQ(events[1]["encoding"], "base64");
  EXPECT_EQ(events[1]["payload"], "//4AAQ==");
  EXPECT_EQ(events[1]["bytes"], 4);
}

TEST(Cli, StdinWorksLikeNcWithHalfClose) {
  // 1 MiB of binary data through an echoing listener: partial sends on both sides, stdin's
  // end becomes a half-close, and every byte comes back in order.
  background listener(lsock(
      {"--json", "tcp-listen", "127.0.0.1", "0", "--echo", "--count", "1", "--timeout", "20"}));
  const int port = first_event_port(listener);
  ASSERT_GT(port, 0);
  std::string input(1 << 20, '\0');
  std::mt19937 rng(42);
  for (char& c : input) c = static_cast<char>(rng());
  // The listener reports every chunk: keep reading its output while the client runs, or its
  // stdout pipe fills and it stops serving (as any program whose reader stalls).
  std::atomic<bool> finished{false};
  run_result c;
  std::thread client([&] {
    c = run(lsock({"tcp-connect", "127.0.0.1", std::to_string(port), "--stdin", "--idle", "0"}),
            input, 20000);
    finished = true;
  });
  while (!finished) {
    listener.pump();
    usleep(1000);
  }
  client.join();
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_TRUE(c.out == input) << "echoed " << c.out.size() << " of " << input.size() << " bytes";
  EXPECT_NE(c.err.find("closed (peer)"), std::string::npos) << c.err;
  auto done = listener.finish(20000);
  EXPECT_EQ(done.exit_code, 0) << done.err;
  const auto events = parse_lines(done.out);
  ASSERT_GE(events.size(), 3u);
  const json& closed = events[events.size() - 2];
  EXPECT_EQ(closed["event"], "closed");
  EXPECT_EQ(closed["reason"], "peer");
  EXPECT_EQ(closed["bytes_in"], input.size());
  EXPECT_EQ(closed["bytes_out"], input.size());
  EXPECT_EQ(events.back()["bytes_out"], input.size());
}

/// A peer on libcore for the --stdin tests: accepts one client, reads until its half-close,
/// then waits `answer_after_ms` and sends "late" and closes — or, with `answer_after_ms` < 0,
/// stays silent and open until the test ends.
class slow_peer {
 public:
  explicit slow_peer(int answer_after_ms) {
    auto l = socket::bind(socket_type::tcp, "127.0.0.1", 0);
    EXPECT_TRUE(l.has_value());
    listener_ = std::move(*l);
    port = listener_.local_endpoint()->port();
    worker_ = std::thread([this, answer_after_ms] { serve(answer_after_ms); });
  }
  ~slow_peer() {
    done_ = true;
    worker_.join();
  }
  int port = 0;

 private:
  void serve(int answer_after_ms) {
    selector sel;
    accepted conn;
    const int lfd = listener_.fd();
    auto ready = [&sel](const int& fd) {
      auto r = sel.wait({&fd, 1}, {}, 100);
      return r && *r;
    };
    for (;;) {
      if (done_) return;
      if (!ready(lfd)) continue;
      auto r = listener_.accept(conn);
      if (r && *r == io_status::ready) break;
    }
    const int fd = conn.socket.fd();
    char buf[4096];
    for (bool eof = false; !eof && !done_;) {
      if (!ready(fd)) continue;
      auto r = conn.socket.recv(buf);
      eof = !r || r->status == io_status::closed;
    }
    if (answer_after_ms < 0) {
      while (!done_) usleep(10000);
      return;
    }
    usleep(static_cast<useconds_t>(answer_after_ms) * 1000);
    (void)conn.socket.send("late");
  }
  socket listener_;
  std::atomic<bool> done_{false};
  std::thread worker_;
};

TEST(Cli, StdinWaitsForTheAnswerAfterEndOfInput) {
  // nc's client: after the half-close it reads until the peer closes, however long it is
  // silent first (the default --idle does not cut it off).
  slow_peer peer(1500);
  auto c = run(lsock({"--json", "tcp-connect", "127.0.0.1", std::to_string(peer.port), "--stdin"}),
               "question", 10000);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const json doc = parse(c.out);
  EXPECT_EQ(doc["closed_by"], "peer");
  EXPECT_EQ(doc["bytes_out"], 8);
  ASSERT_EQ(doc["data"].size(), 1u);
  EXPECT_EQ(doc["data"][0]["payload"], "late");
}

TEST(Cli, StdinWithoutIdleLimitIsStillBoundedByTimeout) {
  slow_peer peer(-1);
  const auto t0 = std::chrono::steady_clock::now();
  auto c = run(lsock({"--json", "tcp-connect", "127.0.0.1", std::to_string(peer.port), "--stdin",
                      "--idle", "0", "--timeout", "0.5"}),
               "x", 8000);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(parse(c.out)["closed_by"], "timeout");
  EXPECT_LT(ms, 5000);
}

TEST(Cli, SendWithoutIdleLimitIsStillBoundedByTimeout) {
  slow_peer peer(-1);
  auto c = run(lsock({"--json", "tcp-connect", "127.0.0.1", std::to_string(peer.port), "--send",
                      "x", "--idle", "0", "--timeout", "0.5"}),
               "", 8000);
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(parse(c.out)["closed_by"], "timeout");
}

TEST(Cli, ServesManyClientsAtOnce) {
  background listener(lsock(
      {"--json", "tcp-listen", "127.0.0.1", "0", "--echo", "--count", "3", "--timeout", "10"}));
  const int port = first_event_port(listener);
  ASSERT_GT(port, 0);
  std::vector<lsock::socket> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(connect_tcp(port));
  // All three are connected at once; each talks in turn, last first, and gets its own echo.
  for (int i = 2; i >= 0; --i) {
    const std::string msg = "client " + std::to_string(i);
    ASSERT_TRUE(send_all(clients[i], msg));
    EXPECT_EQ(read_bytes(clients[i], msg.size()), msg);
  }
  clients.clear();
  auto done = listener.finish();
  EXPECT_EQ(done.exit_code, 0) << done.err;
  const auto events = parse_lines(done.out);
  int accepted = 0, data = 0, closed = 0;
  for (const auto& ev : events) {
    accepted += ev["event"] == "accepted";
    data += ev["event"] == "data";
    closed += ev["event"] == "closed";
  }
  EXPECT_EQ(accepted, 3);
  EXPECT_EQ(data, 3);
  EXPECT_EQ(closed, 3);
  // Each data event names its client by the id its accepted event gave it.
  std::map<int, int> port_of;  // client id → peer port
  for (const auto& ev : events) {
    if (ev["event"] == "accepted") port_of[ev["client"].get<int>()] = ev["peer"]["port"];
  }
  EXPECT_EQ(port_of.size(), 3u);
  for (const auto& ev : events) {
    if (ev["event"] != "data") continue;
    const int id = ev["client"];
    EXPECT_EQ(ev["peer"]["port"], port_of[id]);
    EXPECT_EQ(ev["payload"], "client " + std::to_string(id - 1));
  }
  EXPECT_EQ(events.back()["connections"], 3);
  EXPECT_EQ(events.back()["reason"], "count");
}

TEST(Cli, SigtermClosesClientsAndPrintsSummary) {
  background listener(lsock({"--json", "tcp-listen", "127.0.0.1", "0"}));
  const int port = first_event_port(listener);
  ASSERT_GT(port, 0);
  lsock::socket client = connect_tcp(port);
  EXPECT_EQ(parse(listener.next_line())["event"], "accepted");
  listener.signal(SIGTERM);
  auto done = listener.finish();
  EXPECT_EQ(done.exit_code, 0);
  const auto events = parse_lines(done.out);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["event"], "closed");
  EXPECT_EQ(events[0]["reason"], "signal");
  EXPECT_EQ(events[1]["event"], "summary");
  EXPECT_EQ(events[1]["reason"], "signal");
  EXPECT_EQ(events[1]["connections"], 1);
}

TEST(Cli, CtrlCPrintsSummaryAndExitsZero) {
  background listener(lsock({"--json", "tcp-listen", "127.0.0.1", "0"}));
  ASSERT_GT(first_event_port(listener), 0);
  listener.signal(SIGINT);
  auto done = listener.finish();
  EXPECT_EQ(done.exit_code, 0);
  const auto events = parse_lines(done.out);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["event"], "summary");
  EXPECT_EQ(events[0]["reason"], "signal");
}

TEST(Cli, RefusedConnectIsExitOneWithJsonError) {
  int port = 0;
  {
    background l(lsock({"--json", "tcp-listen", "127.0.0.1", "0"}));
    port = first_event_port(l);
    l.signal(SIGINT);
    l.finish();
  }
  auto r = run(lsock({"--json", "tcp-connect", "127.0.0.1", std::to_string(port)}));
  EXPECT_EQ(r.exit_code, 1);
  const json doc = parse(r.out);
  EXPECT_EQ(doc["error"]["op"], "connect");
  EXPECT_EQ(doc["error"]["name"], "ECONNREFUSED");
  EXPECT_EQ(doc["error"]["code"], ECONNREFUSED);
  EXPECT_TRUE(doc["error"]["op"].is_string());
  EXPECT_TRUE(doc["error"]["message"].is_string());
  EXPECT_EQ(count_lines(r.err), 1);
  auto text = run(lsock({"tcp-connect", "127.0.0.1", std::to_string(port)}));
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_EQ(text.out, "");
  EXPECT_EQ(text.err.rfind("lsock: tcp-connect: ", 0), 0u) << text.err;
  EXPECT_EQ(count_lines(text.err), 1);
}

TEST(Cli, ConnectProbeSucceeds) {
  background listener(
      lsock({"--json", "tcp-listen", "127.0.0.1", "0", "--count", "1", "--timeout", "10"}));
  const int port = first_event_port(listener);
  auto r = run(lsock({"tcp-connect", "127.0.0.1", std::to_string(port), "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = parse(r.out);
  EXPECT_EQ(doc["peer"]["port"], port);
  EXPECT_EQ(doc["local"]["addr"], "127.0.0.1");
  EXPECT_EQ(doc["closed_by"], "local");
  EXPECT_EQ(doc["bytes_in"], 0);
  EXPECT_EQ(listener.finish().exit_code, 0);
}

TEST(Cli, ExpectingMoreThanArrivesIsExitOne) {
  background listener(lsock(
      {"--json", "tcp-listen", "127.0.0.1", "0", "--echo", "--count", "1", "--timeout", "10"}));
  const int port = first_event_port(listener);
  auto r = run(lsock({"--json", "tcp-connect", "127.0.0.1", std::to_string(port), "--send", "ab",
                      "--expect-bytes", "10", "--timeout", "0.5"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(parse(r.out).contains("error"));
}

TEST(Cli, PortInUseIsAnErrorEvent) {
  background first(lsock({"--json", "tcp-listen", "127.0.0.1", "0", "--timeout", "5"}));
  const int port = first_event_port(first);
  auto r = run(lsock({"--json", "tcp-listen", "127.0.0.1", std::to_string(port)}));
  EXPECT_EQ(r.exit_code, 1);
  const auto events = parse_lines(r.out);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["event"], "error");
  EXPECT_EQ(events[0]["name"], "EADDRINUSE");
  first.signal(SIGINT);
}

class UsageError : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(UsageError, ExitsTwoWithOneLine) {
  for (bool json_mode : {false, true}) {
    auto args = GetParam();
    if (json_mode) args.insert(args.begin(), "--json");
    auto r = run(lsock(args));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_EQ(r.err.rfind("lsock: ", 0), 0u) << r.err;
    if (!json_mode) {
      EXPECT_EQ(r.out, "");
      continue;
    }
    // Under --json the same error is on stdout: a document, or an event line for listeners.
    const json doc = parse(r.out);
    const json err = doc.contains("event") ? doc : doc.value("error", json());
    EXPECT_EQ(doc.contains("event"), doc.value("event", "") == "error") << r.out;
    EXPECT_EQ(err.value("op", ""), "usage") << r.out;
    EXPECT_EQ(err.value("name", ""), "EINVAL") << r.out;
    EXPECT_EQ(err.value("code", 0), EINVAL) << r.out;
    // stderr shows control bytes escaped, so the message stays one line.
    std::string shown;
    for (char c : err.value("message", std::string("?")))
      shown += c == '\n' ? "\\n" : std::string(1, c);
    EXPECT_TRUE(r.err.find(shown) != std::string::npos) << r.out << r.err;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Matrix, UsageError,
    ::testing::Values(
        std::vector<std::string>{}, std::vector<std::string>{"bogus"},
        std::vector<std::string>{"resolve"}, std::vector<std::string>{"resolve", "x", "-4", "-6"},
        std::vector<std::string>{"resolve", "--nope", "x"},
        std::vector<std::string>{"ifaces", "a", "b"}, std::vector<std::string>{"tcp-listen"},
        std::vector<std::string>{"tcp-listen", "65536"},
        std::vector<std::string>{"tcp-listen", "127.0.0.1", "-1"},
        std::vector<std::string>{"tcp-listen", "127.0.0.1", "80x"},
        std::vector<std::string>{"tcp-listen", "0", "--count", "0"},
        std::vector<std::string>{"tcp-listen", "0", "--backlog", "x"},
        std::vector<std::string>{"tcp-connect"},
        std::vector<std::string>{"tcp-connect", "127.0.0.1"},
        std::vector<std::string>{"tcp-connect", "127.0.0.1", "99999"},
        std::vector<std::string>{"tcp-connect", "bad host", "80"},
        std::vector<std::string>{"tcp-connect", "127.0.0.1", "1", "--send", "x", "--stdin"},
        std::vector<std::string>{"tcp-connect", "127.0.0.1", "1", "--timeout", "-1"},
        std::vector<std::string>{"udp-send", "127.0.0.1"},
        std::vector<std::string>{"udp-send", "127.0.0.1", "70000", "x"},
        std::vector<std::string>{"udp-send", "127.0.0.1", "9", "x", "--count", "0"},
        std::vector<std::string>{"udp-listen", "x", "y", "z"},
        std::vector<std::string>{"mcast-join", "239.1.2.3"},
        std::vector<std::string>{"mcast-join", "239.1.2.3", "port"},
        std::vector<std::string>{"mcast-join", "/tmp/x", "5000"},
        std::vector<std::string>{"mcast-send", "239.1.2.3", "5000", "x", "--ttl", "300"},
        std::vector<std::string>{"tcp-connect", "/" + std::string(200, 'p')},
        std::vector<std::string>{"tcp-connect", "127.0.0.1:80", "80"},
        std::vector<std::string>{"tcp-connect", "::1::2", "80"},
        std::vector<std::string>{"tcp-connect", "127.0.0.1", "1", "--expect-bytes", "-1"},
        std::vector<std::string>{"tcp-connect", "127.0.0.1", "1", "--expect-bytes", "0"},
        std::vector<std::string>{"tcp-connect", "127.0.0.1", "1", "--expect", "(ab"},
        std::vector<std::string>{"tcp-connect", "127.0.0.1", "1", "--idle", "x"},
        std::vector<std::string>{"tcp-listen", "1", "2", "3"},
        std::vector<std::string>{"tcp-listen", "0", "--timeout", "nan"},
        std::vector<std::string>{"udp-send", "127.0.0.1", "9", "x", "y"},
        std::vector<std::string>{"udp-send", "127.0.0.1", "9", "x", "--interval", "-1"},
        std::vector<std::string>{"udp-send", "127.0.0.1", "9", "x", "--stdin"},
        std::vector<std::string>{"udp-listen", "0", "--count", "x"},
        std::vector<std::string>{"mcast-join", "239.1.2.3", "5000", "--timeout", "-2"},
        std::vector<std::string>{"mcast-send", "239.1.2.3", "99999"},
        // Not a group or broadcast address; no destination port; -4/-6 against a literal;
        // a malformed IPv4 address; a PORT after a unix address; control bytes in an argument.
        std::vector<std::string>{"mcast-join", "127.0.0.1", "5000"},
        std::vector<std::string>{"mcast-join", "::1", "5000"},
        std::vector<std::string>{"mcast-join", "notanaddr", "5000"},
        std::vector<std::string>{"mcast-send", "10.0.0.1", "5000"},
        std::vector<std::string>{"mcast-send", "239.1.2.3", "0"},
        std::vector<std::string>{"udp-send", "127.0.0.1", "0", "x"},
        std::vector<std::string>{"tcp-connect", "127.0.0.1", "0"},
        std::vector<std::string>{"tcp-connect", "127.0.0.1", "80", "-6"},
        std::vector<std::string>{"tcp-listen", "::1", "0", "-4"},
        std::vector<std::string>{"udp-send", "::1", "9", "x", "-4"},
        std::vector<std::string>{"tcp-connect", "999.1.1.1", "80"},
        std::vector<std::string>{"tcp-connect", "1.2.3.4.5", "80"},
        std::vector<std::string>{"udp-send", "999.1.1.1", "9", "x"},
        std::vector<std::string>{"tcp-listen", "/tmp/lsock-no-port-please", "0"},
        std::vector<std::string>{"tcp-connect", "@lsock-x", "80"},
        std::vector<std::string>{"tcp-connect", "bad\nhost", "80"},
        std::vector<std::string>{"bogus\ncommand"}, std::vector<std::string>{"--nope"},
        std::vector<std::string>{"--nope", "ifaces"},
        std::vector<std::string>{"ifaces", "--nope"}));

}  // namespace
}  // namespace lsock::test
