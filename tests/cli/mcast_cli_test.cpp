// mcast-join ⇄ mcast-send. ctest runs this binary inside a private network namespace; the
// McastCliVeth tests run in a second one that also has the veth pair v0/v1 (LSOCK_NETNS_VETH=1).
#include <net/if.h>

#include <cstdlib>

#include "cli_support.hpp"

namespace lsock::test {
namespace {

struct group_case {
  const char* group;
  const char* iface;
};

class McastCli : public ::testing::TestWithParam<group_case> {};

TEST_P(McastCli, JoinReceivesWhatSendSends) {
  const auto& c = GetParam();
  std::vector<std::string> join{"--json",  "mcast-join", c.group,     "0",
                                "--count", "2",          "--timeout", "10"};
  if (*c.iface) {
    join.push_back("--iface");
    join.push_back(c.iface);
  }
  background joiner(lsock(join));
  json joined;
  const int port = first_event_port(joiner, &joined);
  ASSERT_GT(port, 0);
  EXPECT_EQ(joined["event"], "joined");
  EXPECT_EQ(joined["group"], c.group);
  std::vector<std::string> send{"--json", "mcast-send", c.group, std::to_string(port),
                                "hi",     "--count",    "2",     "--interval",
                                "10"};
  if (*c.iface) {
    send.push_back("--iface");
    send.push_back(c.iface);
  }
  auto s = run(lsock(send));
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(parse(s.out)["datagrams"], 2);
  auto done = joiner.finish();
  EXPECT_EQ(done.exit_code, 0) << done.err;
  const auto events = parse_lines(done.out);
  ASSERT_EQ(events.size(), 3u);
  const bool v6 = std::string(c.group).find(':') != std::string::npos;
  EXPECT_EQ(joined["family"], v6 ? "inet6" : "inet");
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(events[i]["event"], "datagram");
    EXPECT_EQ(events[i]["payload"], "hi");
    EXPECT_EQ(events[i]["encoding"], "utf8");
    EXPECT_EQ(events[i]["bytes"], 2);
    EXPECT_EQ(events[i]["from"]["family"], v6 ? "inet6" : "inet");
    EXPECT_TRUE(events[i]["from"]["port"].is_number());
  }
  EXPECT_EQ(events[2]["event"], "summary");
  EXPECT_EQ(events[2]["datagrams"], 2);
  EXPECT_EQ(events[2]["bytes"], 4);
  EXPECT_EQ(events[2]["reason"], "count");
}

TEST(McastCliText, JoinAndSendSpeakText) {
  background joiner(lsock({"mcast-join", "239.1.2.9", "0", "--count", "1", "--timeout", "10"}));
  const std::string first = joiner.next_line();
  ASSERT_EQ(first.rfind("joined 239.1.2.9 port ", 0), 0u) << first;
  const std::string port = first.substr(std::string("joined 239.1.2.9 port ").size());
  auto s = run(lsock({"mcast-send", "239.1.2.9", port, "text", "--ttl", "0"}));
  // TTL 0 keeps the datagram on this host: it still reaches the local member.
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(s.out, "sent 4 bytes to 239.1.2.9:" + port + "\n");
  auto done = joiner.finish();
  EXPECT_EQ(done.exit_code, 0) << done.err;
  EXPECT_NE(done.out.find(": text\n"), std::string::npos) << done.out;
  EXPECT_NE(done.out.find("summary: 1 datagrams, 4 bytes"), std::string::npos) << done.out;
}

TEST(McastCliErrors, UnknownInterfaceIsExitOne) {
  auto r = run(
      lsock({"--json", "mcast-join", "239.1.2.3", "0", "--iface", "nosuchif0", "--timeout", "1"}));
  EXPECT_EQ(r.exit_code, 1);
  const auto events = parse_lines(r.out);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["event"], "error");
  EXPECT_TRUE(events[0]["name"].is_string());
  EXPECT_EQ(count_lines(r.err), 1);
}

// Inside the namespace (root there): an interface with no address is still an interface.
TEST(IfacesInNamespace, AddresslessInterfacesAreListed) {
  ASSERT_EQ(std::system("env -u LD_PRELOAD ip link add lsk0 type veth peer name lsk1"), 0);
  auto all = run(lsock({"--json", "ifaces"}));
  ASSERT_EQ(all.exit_code, 0) << all.err;
  bool found = false;
  for (const auto& i : parse(all.out)) {
    if (i["name"] != "lsk0") continue;
    found = true;
    EXPECT_GT(i["index"], 0);
    EXPECT_TRUE(i["addresses"].empty());
    EXPECT_TRUE(i["flags"].is_array());
  }
  EXPECT_TRUE(found) << all.out;
  auto one = run(lsock({"--json", "ifaces", "lsk0"}));
  ASSERT_EQ(one.exit_code, 0) << one.err;
  ASSERT_EQ(parse(one.out).size(), 1u);
  // Like `ip -4 addr`: with -4 only interfaces with an IPv4 address are shown.
  auto v4 = run(lsock({"--json", "ifaces", "-4"}));
  for (const auto& i : parse(v4.out)) EXPECT_NE(i["name"], "lsk0");
  EXPECT_EQ(std::system("env -u LD_PRELOAD ip link del lsk0"), 0) << "cleanup failed";
}

// A subnet's broadcast address is a broadcast address too (v0's 10.77.0.255 needs the veth).
TEST(McastCliBroadcast, SubnetBroadcastIsAccepted) {
  ASSERT_EQ(std::system(
                "env -u LD_PRELOAD ip link add lsk2 type veth peer name lsk3 && env -u LD_PRELOAD "
                "ip addr add 10.78.0.1/24 brd + dev lsk2 && env -u LD_PRELOAD ip link set lsk2 up"),
            0);
  auto r = run(lsock({"--json", "mcast-send", "10.78.0.255", "9", "x"}));
  EXPECT_NE(r.exit_code, 2) << r.err;
  auto bad = run(lsock({"--json", "mcast-send", "10.78.0.1", "9", "x"}));
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_EQ(std::system("env -u LD_PRELOAD ip link del lsk2"), 0) << "cleanup failed";
}

// Link-local and interface-local groups without --iface: lo is the only interface here.
INSTANTIATE_TEST_SUITE_P(
    Groups, McastCli,
    ::testing::Values(group_case{"239.1.2.3", ""}, group_case{"239.1.2.4", "lo"},
                      group_case{"255.255.255.255", ""}, group_case{"ff15::1:3", ""},
                      group_case{"ff15::1:4", "lo"}, group_case{"ff02::1:5", ""},
                      group_case{"ff01::1:5", ""}, group_case{"ff02::1:6%lo", ""}));

// --- With the veth pair: routes send IPv4 multicast to lo, addresses are on v0/v1 -------------

class McastCliVeth : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* v = std::getenv("LSOCK_NETNS_VETH");
    if (v == nullptr || std::string(v) != "1" || if_nametoindex("v0") == 0) {
      GTEST_SKIP() << "no veth pair v0/v1 here (ctest runs these with LSOCK_NETNS_VETH=1)";
    }
  }
};

TEST_F(McastCliVeth, SendWithoutIfaceGoesWhereTheRouteSends) {
  // "ip route add 224.0.0.0/4 dev lo": a member on lo hears a sender that names no interface.
  background joiner(lsock({"--json", "mcast-join", "239.1.2.30", "0", "--iface", "lo", "--count",
                           "1", "--timeout", "10"}));
  const int port = first_event_port(joiner);
  ASSERT_GT(port, 0);
  auto s = run(lsock({"mcast-send", "239.1.2.30", std::to_string(port), "hello"}));
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto done = joiner.finish();
  EXPECT_EQ(done.exit_code, 0) << "nothing arrived on lo: " << done.err;
  const auto events = parse_lines(done.out);
  ASSERT_FALSE(events.empty());
  ASSERT_EQ(events[0]["event"], "datagram") << done.out;
  EXPECT_EQ(events[0]["payload"], "hello");
}

TEST_F(McastCliVeth, LinkLocalGroupWithoutIfaceIsAUsageError) {
  // Routes for ff02::/16 lead to lo, v0 and v1: the kernel cannot choose, the user must.
  auto send = run(lsock({"mcast-send", "ff02::1234", "9", "x"}));
  EXPECT_EQ(send.exit_code, 2) << send.err;
  EXPECT_EQ(count_lines(send.err), 1) << send.err;
  EXPECT_NE(send.err.find("--iface"), std::string::npos) << send.err;
  EXPECT_EQ(send.out, "");
  auto join = run(lsock({"--json", "mcast-join", "ff02::1234", "0", "--timeout", "1"}));
  EXPECT_EQ(join.exit_code, 2) << join.err;
  EXPECT_EQ(count_lines(join.err), 1) << join.err;
  EXPECT_NE(join.err.find("--iface"), std::string::npos) << join.err;
  const auto events = parse_lines(join.out);
  ASSERT_EQ(events.size(), 1u) << join.out;
  EXPECT_EQ(events[0]["event"], "error");
  EXPECT_NE(events[0].value("message", "").find("--iface"), std::string::npos) << join.out;
  // Named, or as a zone, it works.
  auto named = run(lsock({"mcast-send", "ff02::1234", "9", "x", "--iface", "v0"}));
  EXPECT_EQ(named.exit_code, 0) << named.err;
  auto zoned = run(lsock({"mcast-send", "ff02::1234%v0", "9", "x"}));
  EXPECT_EQ(zoned.exit_code, 0) << zoned.err;
}

// --iface wins over a group's zone (README's interface table): the group is shown without the
// zone it did not use, the interface it did use after "on"; a zone alone is used and shown.
TEST_F(McastCliVeth, AZoneThatIfaceOverridesIsNotShown) {
  auto text = run(lsock({"mcast-join", "ff02::1234%v0", "0", "--iface", "v1", "--timeout", "0.1"}));
  EXPECT_EQ(text.exit_code, 0) << text.err;
  const std::string first = text.out.substr(0, text.out.find('\n'));
  EXPECT_EQ(first.rfind("joined ff02::1234 port ", 0), 0u) << first;
  EXPECT_EQ(first.substr(first.size() - 6), " on v1") << first;
  EXPECT_EQ(text.out.find("%v0"), std::string::npos) << text.out;
  auto doc = run(
      lsock({"--json", "mcast-join", "ff02::1234%v0", "0", "--iface", "v1", "--timeout", "0.1"}));
  EXPECT_EQ(doc.exit_code, 0) << doc.err;
  const auto events = parse_lines(doc.out);
  ASSERT_FALSE(events.empty()) << doc.out;
  EXPECT_EQ(events[0]["group"], "ff02::1234") << doc.out;
  EXPECT_EQ(events[0]["iface"], "v1") << doc.out;
  auto zoned = run(lsock({"mcast-join", "ff02::1234%v0", "0", "--timeout", "0.1"}));
  EXPECT_EQ(zoned.exit_code, 0) << zoned.err;
  EXPECT_EQ(zoned.out.rfind("joined ff02::1234%v0 port ", 0), 0u) << zoned.out;
}

}  // namespace
}  // namespace lsock::test
