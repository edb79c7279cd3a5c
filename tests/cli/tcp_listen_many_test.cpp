// tcp-listen with many clients: 2,000 idle ones beside one busy echoing client, while idle ones
// close and new ones arrive in their place (the listener reuses the freed positions of its
// tables). Every echo is checked byte for byte, and the events are checked per client: each
// client's data, its closed event's byte counts, and the summary's totals.
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <lsock/lsock.hpp>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "peer_support.hpp"

namespace lsock::test {
namespace {

constexpr int idle_clients = 2000;
constexpr int churn_rounds = 5;
constexpr int churn_per_round = 100;  // idle clients closed, and new ones opened, per round
constexpr int busy_messages = 40;     // per churn round, and once before the first

/// Raises the soft descriptor limit to `want` (or the hard limit); false when that is too low.
bool raise_fd_limit(rlim_t want) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return false;
  if (lim.rlim_cur >= want) return true;
  lim.rlim_cur = std::min(want, lim.rlim_max);
  return setrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur >= want;
}

/// The test's side: its waits pump the listener's stdout, so a listener with thousands of
/// events to print never blocks on a full pipe while the test waits for it.
class driver {
 public:
  driver(background& listener, int port) : listener_(listener), port_(port) {}

  /// A connected client (invalid socket on failure).
  lsock::socket open() {
    auto c = lsock::socket::connect(socket_type::tcp, "127.0.0.1", port_);
    EXPECT_TRUE(c) << c.error().describe();
    if (!c) return {};
    const int fd = c->fd();
    for (int i = 0; i < 200 && !ready({}, std::span<const int>(&fd, 1)); ++i) {
    }
    EXPECT_TRUE(c->status());
    return std::move(*c);
  }

  void pump() { listener_.pump(); }
  /// Lets the listener work a little (5 ms), pumping its output.
  void settle() {
    listener_.pump();
    sleep_ms(5);
    listener_.pump();
  }

  /// Sends `msg` and reads back as many bytes: true when they are the same.
  bool echo(lsock::socket& s, const std::string& msg) {
    std::string_view left = msg;
    const int fd = s.fd();
    for (int i = 0; i < 200 && !left.empty(); ++i) {
      auto r = s.send(left);
      if (!r) return false;
      if (r->status == io_status::ready) left.remove_prefix(r->bytes);
      if (!left.empty()) (void)ready({}, std::span<const int>(&fd, 1));
    }
    std::string got;
    char buf[65536];
    for (int i = 0; i < 200 && got.size() < msg.size(); ++i) {
      if (!ready(std::span<const int>(&fd, 1), {})) continue;
      auto r = s.recv(buf);
      if (!r || r->status == io_status::closed) return false;
      if (r->status == io_status::ready) got.append(buf, r->bytes);
    }
    return got == msg;
  }

 private:
  /// Waits up to 50 ms for `fds`, pumping the listener's output first.
  bool ready(std::span<const int> reads, std::span<const int> writes) {
    listener_.pump();
    auto r = sel_.wait(reads, writes, 50);
    return r && *r;
  }

  background& listener_;
  int port_;
  selector sel_;
};

TEST(TcpListenMany, TwoThousandIdleOneBusyAndClientsReplacingClosedOnes) {
  if (!raise_fd_limit(idle_clients + churn_rounds * churn_per_round + 200)) {
    GTEST_SKIP() << "the descriptor limit is too low for " << idle_clients << " clients";
  }
  const int total = idle_clients + 1 + churn_rounds * churn_per_round;
  background listener(lsock({"--json", "tcp-listen", "127.0.0.1", "0", "--echo", "--backlog",
                             "1024", "--count", std::to_string(total), "--timeout", "50"}));
  const int port = first_event_port(listener);
  ASSERT_GT(port, 0);
  driver d(listener, port);

  std::vector<lsock::socket> idle;
  for (int i = 0; i < idle_clients; ++i) {
    idle.push_back(d.open());
    ASSERT_TRUE(idle.back().is_open()) << "idle client " << i;
  }
  lsock::socket busy = d.open();
  const auto busy_round = [&](int round) {
    for (int i = 0; i < busy_messages; ++i) {
      ASSERT_TRUE(d.echo(busy, pattern(64, static_cast<unsigned>(round * 1000 + i))))
          << "busy echo " << i << " of round " << round;
    }
  };
  busy_round(0);
  // Each round closes every 20th remaining idle client from a different offset and opens as
  // many new ones, each of which gets its own echo: freed positions now serve other clients.
  std::size_t new_bytes = 0;
  for (int round = 1; round <= churn_rounds; ++round) {
    for (int i = 0; i < churn_per_round; ++i) {
      const std::size_t at =
          (static_cast<std::size_t>(i) * 19 + static_cast<std::size_t>(round)) % idle.size();
      idle.erase(idle.begin() + static_cast<std::ptrdiff_t>(at));
    }
    std::vector<lsock::socket> fresh;
    for (int i = 0; i < churn_per_round; ++i) fresh.push_back(d.open());
    busy_round(round);
    for (int i = 0; i < churn_per_round; ++i) {
      const std::string msg = "new " + std::to_string(round) + "." + std::to_string(i);
      ASSERT_TRUE(d.echo(fresh[static_cast<std::size_t>(i)], msg)) << msg;
      new_bytes += msg.size();
    }
  }
  (void)busy.close();
  idle.clear();
  auto done = listener.finish(40000);
  ASSERT_EQ(done.exit_code, 0) << done.err;

  const auto events = parse_lines(done.out);
  std::map<long long, std::size_t> data_bytes;  // client id -> bytes in its data events
  std::map<long long, int> accepted, closed;
  for (const auto& ev : events) {
    if (ev["event"] == "accepted") ++accepted[ev["client"].get<long long>()];
    if (ev["event"] == "data") {
      const long long id = ev["client"];
      EXPECT_EQ(accepted.count(id), 1u) << "data before accepted, client " << id;
      EXPECT_EQ(closed.count(id), 0u) << "data after closed, client " << id;
      data_bytes[id] += ev["encoding"] == "utf8" ? ev["payload"].get<std::string>().size() : 0;
    }
    if (ev["event"] == "closed") {
      const long long id = ev["client"];
      ++closed[id];
      EXPECT_EQ(ev["reason"], "peer") << "client " << id;
      EXPECT_EQ(ev["bytes_in"], ev["bytes_out"]) << "client " << id;
    }
  }
  EXPECT_EQ(accepted.size(), static_cast<std::size_t>(total));
  EXPECT_EQ(closed.size(), static_cast<std::size_t>(total));
  for (const auto& [id, n] : closed) EXPECT_EQ(n, 1) << "client " << id;
  // The busy client was accepted right after the idle ones; the new ones after it.
  const std::size_t busy_bytes = 64u * busy_messages * (churn_rounds + 1);
  std::size_t new_seen = 0;
  for (const auto& [id, n] : data_bytes) {
    if (id > idle_clients + 1) new_seen += n;
  }
  EXPECT_EQ(new_seen, new_bytes);
  const json& summary = events.back();
  EXPECT_EQ(summary["event"], "summary");
  EXPECT_EQ(summary["reason"], "count");
  EXPECT_EQ(summary["connections"], total);
  EXPECT_EQ(summary["bytes_in"], busy_bytes + new_bytes);
  EXPECT_EQ(summary["bytes_out"], busy_bytes + new_bytes);
}

TEST(TcpListenMany, EchoesBackedUpForSeveralClientsAtOnce) {
  // Each client sends much more than the kernel buffers hold before reading anything: the
  // listener's echo backs up for all of them at once (its write table holds several clients),
  // then they read in an order unlike the one they wrote in, so entries leave that table from
  // its middle. Every client must get back exactly its own bytes.
  constexpr std::size_t clients = 3;
  constexpr std::size_t size = std::size_t{6} << 20;
  background listener(lsock({"--json", "tcp-listen", "127.0.0.1", "0", "--echo", "--count",
                             std::to_string(clients), "--timeout", "50"}));
  const int port = first_event_port(listener);
  ASSERT_GT(port, 0);
  driver d(listener, port);
  std::vector<lsock::socket> socks;
  std::vector<std::string> sent, got(clients);
  std::vector<std::size_t> offset(clients, 0);
  for (std::size_t i = 0; i < clients; ++i) {
    socks.push_back(d.open());
    ASSERT_TRUE(socks.back().is_open());
    // A fixed receive buffer (no autotuning to megabytes, still above loopback's 64 KiB MSS so
    // the window reopens): the listener's sends stop early, and its echo backs up.
    const int small = 256 * 1024;
    setsockopt(socks.back().fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sent.push_back(pattern(size, static_cast<unsigned>(i + 7)));
  }
  const auto send_some = [&](std::size_t i) {
    while (offset[i] < size) {
      auto r = socks[i].send(std::string_view(sent[i]).substr(offset[i]));
      if (!r || r->status != io_status::ready) return;
      offset[i] += r->bytes;
    }
  };
  const auto read_some = [&](std::size_t i) {
    char buf[65536];
    for (;;) {
      auto r = socks[i].recv(buf);
      if (!r || r->status != io_status::ready) return;
      got[i].append(buf, r->bytes);
    }
  };
  // Phase 1: everyone writes until the kernel takes no more; nobody reads.
  // (until nothing moved for 100 ms, at most 10 s).
  for (int still = 0, n = 0; still < 20 && n < 2000; ++n) {
    std::size_t before = 0, after = 0;
    for (const std::size_t o : offset) before += o;
    for (std::size_t i = 0; i < clients; ++i) send_some(i);
    for (const std::size_t o : offset) after += o;
    still = after == before ? still + 1 : 0;
    d.settle();
  }
  // Phase 2: read in the order 1, 0, 2, each one to the end, sending the rest meanwhile.
  for (const std::size_t i : {1u, 0u, 2u}) {
    // Up to 5 s without progress.
    for (int idle = 0; idle < 1000 && got[i].size() < size;) {
      const std::size_t before = got[i].size() + offset[i];
      send_some(i);
      read_some(i);
      if (got[i].size() + offset[i] == before) {
        ++idle;
        d.settle();
      } else {
        idle = 0;
        d.pump();
      }
    }
    EXPECT_EQ(got[i].size(), size) << "client " << i;
    EXPECT_TRUE(got[i] == sent[i]) << "client " << i << " got other bytes back";
  }
  socks.clear();
  auto done = listener.finish(40000);
  ASSERT_EQ(done.exit_code, 0) << done.err;
  const auto events = parse_lines(done.out);
  const json& summary = events.back();
  EXPECT_EQ(summary["connections"], clients);
  EXPECT_EQ(summary["bytes_in"], clients * size);
  EXPECT_EQ(summary["bytes_out"], clients * size);
}

}  // namespace
}  // namespace lsock::test
