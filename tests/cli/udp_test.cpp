// udp-send and udp-listen end to end: datagrams over 127.0.0.1 and abstract unix names, echo,
// empty datagrams, a refused destination, a listener's timeout.
#include <csignal>
#include <lsock/lsock.hpp>

#include "cli_support.hpp"
#include "peer_support.hpp"

namespace lsock::test {
namespace {

TEST(Udp, RoundTrip) {
  background listener(
      lsock({"--json", "udp-listen", "127.0.0.1", "0", "--count", "2", "--timeout", "10"}));
  const int port = first_event_port(listener);
  ASSERT_GT(port, 0);
  auto s =
      run(lsock({"udp-send", "127.0.0.1", std::to_string(port), "ping", "--count", "2", "--json"}));
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const json sent = parse(s.out);
  EXPECT_EQ(sent["datagrams"], 2);
  EXPECT_EQ(sent["bytes"], 8);
  EXPECT_EQ(sent["to"]["port"], port);
  auto done = listener.finish();
  EXPECT_EQ(done.exit_code, 0);
  const auto events = parse_lines(done.out);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0]["event"], "datagram");
  EXPECT_EQ(events[0]["payload"], "ping");
  EXPECT_EQ(events[0]["from"]["addr"], "127.0.0.1");
  EXPECT_EQ(events[2]["event"], "summary");
  EXPECT_EQ(events[2]["datagrams"], 2);
}

TEST(Udp, EchoAnswersThePeer) {
  background listener(lsock(
      {"--json", "udp-listen", "127.0.0.1", "0", "--echo", "--count", "1", "--timeout", "10"}));
  const int port = first_event_port(listener);
  ASSERT_GT(port, 0);
  auto peer = lsock::socket::connect(socket_type::udp, "127.0.0.1", port);
  ASSERT_TRUE(peer) << peer.error().describe();
  auto sent = peer->send("ping?");
  ASSERT_TRUE(sent && sent->status == io_status::ready);
  EXPECT_EQ(read_bytes(*peer, 5), "ping?");
  auto done = listener.finish();
  EXPECT_EQ(done.exit_code, 0);
  const auto events = parse_lines(done.out);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["from"]["port"], peer->local_endpoint()->port());
}

TEST(Udp, EmptyDatagramIsData) {
  background listener(
      lsock({"--json", "udp-listen", "127.0.0.1", "0", "--count", "1", "--timeout", "10"}));
  const int port = first_event_port(listener);
  ASSERT_GT(port, 0);
  auto s = run(lsock({"--json", "udp-send", "127.0.0.1", std::to_string(port)}));
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(parse(s.out)["bytes"], 0);
  const auto events = parse_lines(listener.finish().out);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["event"], "datagram");
  EXPECT_EQ(events[0]["bytes"], 0);
  EXPECT_EQ(events[0]["payload"], "");
  EXPECT_EQ(events[1]["datagrams"], 1);
}

TEST(Udp, UnixDatagramFromAnUnnamedSender) {
  const std::string name = unique_abstract("dgram");
  background listener(lsock({"--json", "udp-listen", name, "--count", "1", "--timeout", "10"}));
  json listening;
  first_event_port(listener, &listening);
  EXPECT_EQ(listening["family"], "unix");
  EXPECT_EQ(listening["addr"], name);
  auto s = run(lsock({"--json", "udp-send", name, "hi"}));
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(parse(s.out)["to"]["addr"], name);
  const auto events = parse_lines(listener.finish().out);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["payload"], "hi");
  EXPECT_EQ(events[0]["from"]["family"], "unix");
  EXPECT_EQ(events[0]["from"]["addr"], "");
}

TEST(Udp, ListenerTimeoutWithoutCountExitsZero) {
  auto r = run(lsock({"--json", "udp-listen", "127.0.0.1", "0", "--timeout", "0.2"}));
  EXPECT_EQ(r.exit_code, 0);
  const auto events = parse_lines(r.out);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1]["reason"], "timeout");
  auto counted = run(lsock({"udp-listen", "127.0.0.1", "0", "--timeout", "0.2", "--count", "1"}));
  EXPECT_EQ(counted.exit_code, 1);  // something was required and did not come
}

TEST(Udp, SendToNobodyReportsTheRefusal) {
  // The kernel reports the first datagram's ICMP "port unreachable" on the next send.
  int port = 0;
  {
    background l(lsock({"--json", "udp-listen", "127.0.0.1", "0"}));
    port = first_event_port(l);
    l.signal(SIGINT);
    l.finish();
  }
  auto r = run(lsock({"--json", "udp-send", "127.0.0.1", std::to_string(port), "x", "--count", "3",
                      "--interval", "20"}));
  EXPECT_EQ(r.exit_code, 1);
  const json doc = parse(r.out);
  EXPECT_EQ(doc["error"]["name"], "ECONNREFUSED");
  EXPECT_GE(doc["datagrams"], 1);
  EXPECT_EQ(r.err.rfind("lsock: udp-send: ", 0), 0u) << r.err;
}

TEST(Udp, CtrlCBetweenDatagramsSendsNoMore) {
  // Ctrl-C ends the wait between datagrams; it must not send the next one on its way out.
  auto peer = lsock::socket::bind(socket_type::udp, "127.0.0.1", 0).value();
  const int port = peer.local_endpoint().value().port();
  background sender(lsock({"--json", "udp-send", "127.0.0.1", std::to_string(port), "x", "--count",
                           "5", "--interval", "2000"}));
  selector sel;
  const int fd = peer.fd();
  ASSERT_TRUE(sel.wait(std::span<const int>(&fd, 1), {}, 5000).value()) << "no first datagram";
  usleep(300000);  // well inside the 2 s wait for the second
  sender.signal(SIGINT);
  auto r = sender.finish(5000);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse(r.out)["datagrams"], 1) << r.out;
  int got = 0;
  char buf[8];
  endpoint from;
  while (peer.recvfrom(buf, from).value().status == io_status::ready) ++got;
  EXPECT_EQ(got, 1);
}

}  // namespace
}  // namespace lsock::test
