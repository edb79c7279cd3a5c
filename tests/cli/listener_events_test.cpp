// Listener events: a client's error is an event about that client (with "client"), ends that
// client only and is no stderr line; a listener whose --timeout comes before --count says so
// in one stderr line and an error event, and exits 1.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "cli_support.hpp"
#include "peer_support.hpp"

namespace lsock::test {
namespace {

/// Connects to 127.0.0.1:port and waits for the connect to finish.
lsock::socket connect_local(int port) {
  auto c = lsock::socket::connect(socket_type::tcp, "127.0.0.1", port);
  if (!c) return {};
  for (int i = 0; i < 50 && !tcp_peer::ready(c->fd(), false); ++i) {  // up to 5 s
  }
  return std::move(*c);
}

TEST(ListenerEvents, ClientResetIsAnEventOfThatClientOnly) {
  background listener(lsock(
      {"--json", "tcp-listen", "127.0.0.1", "0", "--echo", "--count", "2", "--timeout", "10"}));
  const int port = first_event_port(listener);
  ASSERT_GT(port, 0);
  {
    // Closing with the echo unread makes the kernel send a reset instead of a FIN.
    lsock::socket rude = connect_local(port);
    ASSERT_TRUE(rude.is_open());
    ASSERT_TRUE(rude.send("hello").has_value());
    bool echoed = false;
    for (int i = 0; i < 50 && !echoed; ++i) echoed = tcp_peer::ready(rude.fd(), true);
    ASSERT_TRUE(echoed);
  }
  lsock::socket polite = connect_local(port);
  ASSERT_TRUE(polite.send("second").has_value());
  std::string back;
  char buf[64];
  for (int i = 0; i < 50 && back.size() < 6; ++i) {
    if (!tcp_peer::ready(polite.fd(), true)) continue;
    auto r = polite.recv(buf);
    if (r && r->status == io_status::ready) back.append(buf, r->bytes);
  }
  EXPECT_EQ(back, "second") << "the second client is served after the first one's reset";
  polite = lsock::socket{};
  auto done = listener.finish();
  EXPECT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(done.err, "") << "a client's error is an event, not a stderr line";
  const auto events = parse_lines(done.out);
  int errors = 0;
  for (const auto& ev : events) {
    if (ev["event"] == "summary") {
      EXPECT_EQ(ev["connections"], 2);
      continue;
    }
    EXPECT_TRUE(ev.contains("client")) << "per-client event without client: " << ev.dump();
    if (ev["event"] != "error") continue;
    ++errors;
    EXPECT_EQ(ev.value("client", 0), 1) << ev.dump();
    EXPECT_EQ(ev["name"], "ECONNRESET") << ev.dump();
    EXPECT_TRUE(ev["op"].is_string() && ev["message"].is_string()) << ev.dump();
    EXPECT_TRUE(ev.contains("peer") && ev["peer"].is_object()) << ev.dump();
  }
  EXPECT_EQ(errors, 1) << done.out;
  bool first_closed_by_error = false;
  for (const auto& ev : events) {
    if (ev["event"] == "closed" && ev.value("client", 0) == 1) {
      first_closed_by_error = ev["reason"] == "error";
    }
  }
  EXPECT_TRUE(first_closed_by_error) << done.out;
}

TEST(ListenerEvents, ClientErrorInTextModeGoesToStdout) {
  background listener(
      lsock({"tcp-listen", "127.0.0.1", "0", "--echo", "--count", "1", "--timeout", "10"}));
  const std::string first = listener.next_line();
  const auto colon = first.rfind(':');
  ASSERT_NE(colon, std::string::npos) << first;
  const int port = std::stoi(first.substr(colon + 1));
  {
    lsock::socket rude = connect_local(port);
    ASSERT_TRUE(rude.send("hello").has_value());
    for (int i = 0; i < 50 && !tcp_peer::ready(rude.fd(), true); ++i) {
    }
  }
  auto done = listener.finish();
  EXPECT_EQ(done.exit_code, 0);
  EXPECT_EQ(done.err, "");
  EXPECT_NE(done.out.find("error    127.0.0.1:"), std::string::npos) << done.out;
}

class TimeoutBeforeCount : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(TimeoutBeforeCount, IsOneStderrLineAndAnErrorEvent) {
  auto args = GetParam();
  auto text = run(lsock(args));
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_EQ(count_lines(text.err), 1) << text.err;
  EXPECT_NE(text.err.find("timed out after 0.3 s"), std::string::npos) << text.err;
  args.insert(args.begin(), "--json");
  auto js = run(lsock(args));
  EXPECT_EQ(js.exit_code, 1);
  EXPECT_EQ(count_lines(js.err), 1) << js.err;
  const auto events = parse_lines(js.out);
  ASSERT_GE(events.size(), 3u) << js.out;
  EXPECT_EQ(events[events.size() - 2]["event"], "summary");
  const json& err = events.back();
  EXPECT_EQ(err["event"], "error");
  EXPECT_EQ(err["name"], "ETIMEDOUT");
  EXPECT_EQ(err["code"], ETIMEDOUT);
  EXPECT_NE(err["message"].get<std::string>().find("0 of 1"), std::string::npos) << err.dump();
}

INSTANTIATE_TEST_SUITE_P(
    Listeners, TimeoutBeforeCount,
    ::testing::Values(std::vector<std::string>{"udp-listen", "127.0.0.1", "0", "--count", "1",
                                               "--timeout", "0.3"},
                      std::vector<std::string>{"tcp-listen", "127.0.0.1", "0", "--count", "1",
                                               "--timeout", "0.3"}));

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

class UnixPathOnExit : public ::testing::TestWithParam<std::string> {};

TEST_P(UnixPathOnExit, TheBoundPathIsRemovedAndAPathInUseIsLeftAlone) {
  // Paths of this process only (the pid), removed before and after.
  const std::string base = "/tmp/lsock-cli-" + GetParam() + "-" + std::to_string(getpid());
  const std::string mine = base + "-mine.sock";
  const std::string theirs = base + "-theirs.sock";
  ::unlink(mine.c_str());
  ::unlink(theirs.c_str());
  auto r = run(lsock({"--json", GetParam(), mine, "--count", "1", "--timeout", "0.2"}));
  EXPECT_EQ(r.exit_code, 1) << r.err;  // --timeout before --count
  EXPECT_FALSE(exists(mine)) << GetParam() << " left " << mine << " behind";

  // A path another socket holds: the bind fails and the other socket's file stays.
  auto holder = lsock::socket::bind(socket_type::udp, theirs, 0);
  ASSERT_TRUE(holder.has_value());
  r = run(lsock({"--json", GetParam(), theirs, "--count", "1", "--timeout", "0.2"}));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("in use"), std::string::npos) << r.err;
  EXPECT_TRUE(exists(theirs)) << "a failed bind removed another socket's file";
  ::unlink(mine.c_str());
  ::unlink(theirs.c_str());
}

INSTANTIATE_TEST_SUITE_P(Listeners, UnixPathOnExit, ::testing::Values("udp-listen", "tcp-listen"),
                         [](const auto& tp) { return tp.param == "udp-listen" ? "udp" : "tcp"; });

}  // namespace
}  // namespace lsock::test
