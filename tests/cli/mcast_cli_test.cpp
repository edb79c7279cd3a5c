// mcast-join ⇄ mcast-send. ctest runs this binary inside a private network namespace.
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
  EXPECT_EQ(events[0]["event"], "datagram");
  EXPECT_EQ(events[0]["payload"], "hi");
  EXPECT_EQ(events[2]["event"], "summary");
  EXPECT_EQ(events[2]["datagrams"], 2);
}

INSTANTIATE_TEST_SUITE_P(Groups, McastCli,
                         ::testing::Values(group_case{"239.1.2.3", ""},
                                           group_case{"239.1.2.4", "lo"},
                                           group_case{"255.255.255.255", ""},
                                           group_case{"ff15::1:3", ""}));

}  // namespace
}  // namespace lsock::test
