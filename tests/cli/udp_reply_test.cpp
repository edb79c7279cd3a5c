// lsock udp-send --reply: UDP request/response against lsock udp-listen --echo, a peer that
// answers twice, a silent peer (retries), a closed port (refused at once) and usage errors.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <lsock/poll.hpp>
#include <lsock/socket.hpp>

#include "cli_support.hpp"

namespace lsock::test {
namespace {

lsock::socket udp_peer() { return lsock::socket::bind(socket_type::udp, "127.0.0.1", 0).value(); }

int port_of(const lsock::socket& s) { return s.local_endpoint().value().port(); }

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

TEST(UdpReply, EchoServerAnswerIsReportedWithItsRtt) {
  background server(lsock({"--json", "udp-listen", "127.0.0.1", "0", "--echo"}));
  const int port = first_event_port(server);
  ASSERT_GT(port, 0);
  auto r = run(lsock({"--json", "udp-send", "127.0.0.1", std::to_string(port), "ping", "--reply"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json doc = parse(r.out);
  EXPECT_EQ(doc["state"], "replied");
  EXPECT_EQ(doc["attempts"], 1);
  ASSERT_EQ(doc["replies"].size(), 1u);
  const json& rep = doc["replies"][0];
  EXPECT_EQ(rep["payload"], "ping");
  EXPECT_EQ(rep["from"]["port"], port);
  ASSERT_TRUE(rep["rtt_ms"].is_number());
  EXPECT_GT(rep["rtt_ms"].get<double>(), 0.0);
  auto text = run(lsock({"udp-send", "127.0.0.1", std::to_string(port), "hi", "--reply"}));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("reply from 127.0.0.1:" + std::to_string(port) + " in "),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find(": hi"), std::string::npos) << text.out;
}

TEST(UdpReply, CountWaitsForThatManyReplies) {
  auto peer = udp_peer();
  background client(lsock({"--json", "udp-send", "127.0.0.1", std::to_string(port_of(peer)), "q",
                           "--reply", "--count", "2", "--timeout", "5"}));
  selector sel;
  const int fd = peer.fd();
  ASSERT_TRUE(sel.wait(std::span<const int>(&fd, 1), {}, 5000).value());
  char buf[64];
  endpoint from;
  ASSERT_EQ(peer.recvfrom(buf, from).value().status, io_status::ready);
  ASSERT_TRUE(peer.sendto("one", from).has_value());
  ASSERT_TRUE(peer.sendto("two", from).has_value());
  auto r = client.finish();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json doc = parse(r.out);
  ASSERT_EQ(doc["replies"].size(), 2u);
  EXPECT_EQ(doc["replies"][0]["payload"], "one");
  EXPECT_EQ(doc["replies"][1]["payload"], "two");
  EXPECT_EQ(doc["state"], "replied");
}

/// Runs udp-send --reply --count 2 (with `extra` arguments) against a peer that answers once.
run_result one_reply_of_two(const std::vector<std::string>& extra) {
  auto peer = udp_peer();
  std::vector<std::string> args{"udp-send", "127.0.0.1", std::to_string(port_of(peer)),
                                "q",        "--reply",   "--count",
                                "2",        "--timeout", "0.3"};
  args.insert(args.begin(), extra.begin(), extra.end());
  background client(lsock(args));
  selector sel;
  const int fd = peer.fd();
  EXPECT_TRUE(sel.wait(std::span<const int>(&fd, 1), {}, 5000).value());
  char buf[64];
  endpoint from;
  EXPECT_EQ(peer.recvfrom(buf, from).value().status, io_status::ready);
  EXPECT_TRUE(peer.sendto("one", from).has_value());
  return client.finish();
}

TEST(UdpReply, FewerRepliesThanCountArePartialInTextAndJson) {
  // README: exit 0 when a reply came; the shortfall is said, in JSON as in text.
  auto j = one_reply_of_two({"--json"});
  EXPECT_EQ(j.exit_code, 0) << j.err;
  json doc = parse(j.out);
  EXPECT_EQ(doc["state"], "partial");
  EXPECT_EQ(doc["replies"].size(), 1u);
  EXPECT_TRUE(j.err.empty()) << j.err;
  auto t = one_reply_of_two({});
  EXPECT_EQ(t.exit_code, 0) << t.err;
  EXPECT_TRUE(t.err.empty()) << t.err;
  ASSERT_EQ(count_lines(t.out), 3) << t.out;
  EXPECT_NE(t.out.find(": one\n"), std::string::npos) << t.out;
  EXPECT_EQ(t.out.substr(t.out.rfind('\n', t.out.size() - 2) + 1),
            "partial: 1 of 2 replies (no more within 0.3 s)\n")
      << t.out;
}

TEST(UdpReply, ASilentPeerGetsTheRetriesThenExitOne) {
  auto peer = udp_peer();
  const auto start = std::chrono::steady_clock::now();
  auto r = run(lsock({"--json", "udp-send", "127.0.0.1", std::to_string(port_of(peer)), "x",
                      "--reply", "--retries", "2", "--timeout", "0.2"}));
  const double s = seconds_since(start);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  json doc = parse(r.out);
  EXPECT_EQ(doc["state"], "timeout");
  EXPECT_EQ(doc["attempts"], 3);
  EXPECT_TRUE(doc["replies"].empty());
  EXPECT_GE(s, 0.55);
  EXPECT_LT(s, 2.0);
  int got = 0;
  char buf[8];
  endpoint from;
  while (peer.recvfrom(buf, from).value().status == io_status::ready) ++got;
  EXPECT_EQ(got, 3);
}

TEST(UdpReply, AClosedPortIsRefusedAtOnce) {
  int port = 0;
  {
    auto gone = udp_peer();
    port = port_of(gone);
  }
  const auto start = std::chrono::steady_clock::now();
  auto r = run(lsock({"--json", "udp-send", "127.0.0.1", std::to_string(port), "x", "--reply",
                      "--retries", "3", "--timeout", "5"}));
  EXPECT_LT(seconds_since(start), 2.0);
  EXPECT_EQ(r.exit_code, 1);
  json doc = parse(r.out);
  EXPECT_EQ(doc["state"], "refused");
  EXPECT_EQ(doc["error"]["name"], "ECONNREFUSED");
  EXPECT_EQ(doc["attempts"], 1);
}

TEST(UdpReply, HelpNamesTheReplyDocumentsKeys) {
  // The --json line of --help must not describe only the plain send's document.
  auto r = run(lsock({"udp-send", "--help"}));
  ASSERT_EQ(r.exit_code, 0);
  std::replace(r.out.begin(), r.out.end(), '\n', ' ');  // the footer wraps its lines
  EXPECT_NE(r.out.find("with --reply: to, attempts, replies [{from, bytes, payload, encoding, "
                       "rtt_ms}], state"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("partial"), std::string::npos) << r.out;
}

TEST(UdpReply, OptionsThatMakeNoSenseAreUsageErrors) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"udp-send", "127.0.0.1", "9", "x", "--retries", "1"},
           {"udp-send", "127.0.0.1", "9", "x", "--timeout", "1"},
           {"udp-send", "127.0.0.1", "9", "x", "--reply", "--interval", "5"},
           {"udp-send", "127.0.0.1", "9", "x", "--reply", "--timeout", "0"},
           {"udp-send", "@lsock-reply-test", "x", "--reply"}}) {
    auto r = run(lsock(args));
    EXPECT_EQ(r.exit_code, 2) << args.back() << ": " << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
  }
}

}  // namespace
}  // namespace lsock::test
