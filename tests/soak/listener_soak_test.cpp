// `lsock tcp-listen` serving 500 clients that connect, send and drop at random, many at once:
// every byte a client sent must show up in the listener's accounting, and the listener's own
// descriptors and RSS (read from /proc) are where they started once every client is gone.
#include <dirent.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <random>

#include "../cli/cli_support.hpp"
#include "lsock/lsock.hpp"

namespace lsock::test {
namespace {

/// The pid of our child process running `comm` (the listener), or -1.
int child_pid(const std::string& comm) {
  DIR* d = opendir("/proc");
  int found = -1;
  while (dirent* e = readdir(d)) {
    const int pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    if (close == std::string::npos || line.find("(" + comm + ")") == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    if (std::sscanf(line.c_str() + close + 1, " %c %d", &state, &ppid) != 2) continue;
    if (ppid == getpid()) found = pid;
  }
  closedir(d);
  return found;
}

struct proc_figures {
  int fds = -1;
  long rss_kib = -1;
};

proc_figures figures_of(int pid) {
  proc_figures f;
  const std::string base = "/proc/" + std::to_string(pid);
  if (DIR* d = opendir((base + "/fd").c_str())) {
    f.fds = 0;
    while (readdir(d) != nullptr) ++f.fds;
    f.fds -= 2;
    closedir(d);
  }
  std::ifstream statm(base + "/statm");
  long pages = 0;
  long resident = 0;
  if (statm >> pages >> resident) f.rss_kib = resident * (sysconf(_SC_PAGESIZE) / 1024);
  return f;
}

TEST(ListenerSoak, FiveHundredClientsEveryByteAccounted) {
  constexpr int clients = 500;
  // No --count: the listener stays up after the last client so its figures can be read,
  // then Ctrl-C ends it.
  background listener(lsock({"--json", "tcp-listen", "127.0.0.1", "0", "--timeout", "100"}));
  const int port = first_event_port(listener);
  ASSERT_GT(port, 0);
  const int pid = child_pid("lsock");
  ASSERT_GT(pid, 0) << "cannot find the listener process";
  const proc_figures start = figures_of(pid);

  std::mt19937 rng(7);
  std::size_t sent_total = 0;
  std::vector<lsock::socket> open;
  selector sel;
  // Waits for writability while draining the listener's output, which must never fill its pipe.
  auto writable = [&](int fd) {
    for (int slice = 0; slice < 200; ++slice) {
      listener.pump();
      auto r = sel.wait({}, std::span<const int>(&fd, 1), 50);
      if (r && *r) return true;
    }
    return false;
  };
  for (int i = 0; i < clients; ++i) {
    listener.pump();
    auto c = lsock::socket::connect(socket_type::tcp, "127.0.0.1", port);
    ASSERT_TRUE(c) << c.error().describe();
    const int fd = c->fd();
    ASSERT_TRUE(writable(fd)) << "client " << i;
    ASSERT_TRUE(c->status()) << "client " << i;
    // Each client sends 0..3 chunks of 1..4096 bytes, then stays open or drops at random.
    const int chunks = static_cast<int>(rng() % 4);
    for (int k = 0; k < chunks; ++k) {
      std::string data(1 + rng() % 4096, static_cast<char>('a' + rng() % 26));
      std::string_view rest = data;
      while (!rest.empty()) {
        auto r = c->send(rest);
        ASSERT_TRUE(r) << r.error().describe();
        if (r->status == io_status::ready) {
          rest.remove_prefix(r->bytes);
          sent_total += r->bytes;
        } else {
          ASSERT_TRUE(writable(fd));
        }
      }
    }
    open.push_back(std::move(*c));
    // Drop a random number of the open clients, keeping up to ~50 connected at once.
    while (open.size() > 50 || (!open.empty() && rng() % 3 == 0)) {
      const std::size_t victim = rng() % open.size();
      open.erase(open.begin() + static_cast<std::ptrdiff_t>(victim));
    }
  }
  open.clear();

  // Wait until the listener has seen every client close, then read its figures.
  std::string seen_out;
  int closed_seen = 0;
  while (closed_seen < clients) {
    const std::string line = listener.next_line(10000);
    ASSERT_FALSE(line.empty()) << "listener went quiet after " << closed_seen << " closes";
    seen_out += line + "\n";
    if (line.find("\"closed\"") != std::string::npos) ++closed_seen;
  }
  // Each "closed" event is printed just before its socket is closed: give the listener a
  // moment (bounded) to finish the round it is in.
  proc_figures end = figures_of(pid);
  for (int i = 0; i < 200 && end.fds > start.fds; ++i) {
    usleep(10000);
    end = figures_of(pid);
  }
  listener.signal(SIGINT);
  auto done = listener.finish(120000);
  ASSERT_EQ(done.exit_code, 0) << done.err;
  std::printf("[soak] tcp-listen process: fds %d -> %d; rss %ld KiB -> %ld KiB\n", start.fds,
              end.fds, start.rss_kib, end.rss_kib);
  EXPECT_EQ(end.fds, start.fds) << "the listener kept descriptors of closed clients";
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_LT(end.rss_kib - start.rss_kib, 8192) << "the listener's RSS grew";
#endif
  const auto events = parse_lines(seen_out + done.out);
  ASSERT_FALSE(events.empty());
  std::size_t accepted = 0, closed = 0, data_bytes = 0, closed_bytes = 0;
  for (const auto& ev : events) {
    if (ev["event"] == "accepted") ++accepted;
    if (ev["event"] == "data") data_bytes += ev["bytes"].get<std::size_t>();
    if (ev["event"] == "closed") {
      ++closed;
      closed_bytes += ev["bytes_in"].get<std::size_t>();
    }
  }
  const json& summary = events.back();
  ASSERT_EQ(summary["event"], "summary");
  std::printf("[soak] tcp-listen: %d clients, %zu bytes sent; summary %s\n", clients, sent_total,
              summary.dump().c_str());
  EXPECT_EQ(accepted, static_cast<std::size_t>(clients));
  EXPECT_EQ(closed, static_cast<std::size_t>(clients));
  EXPECT_EQ(summary["connections"], clients);
  EXPECT_EQ(summary["reason"], "signal");
  EXPECT_EQ(summary["bytes_in"], sent_total);
  EXPECT_EQ(data_bytes, sent_total);
  EXPECT_EQ(closed_bytes, sent_total);
}

}  // namespace
}  // namespace lsock::test
