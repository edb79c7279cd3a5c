// One address rule for every command (libcore's classify_address): the same argument gets the
// same verdict and the same message from resolve, tcp-connect, udp-send, tcp-listen,
// udp-listen, mcast-send and mcast-join; -4/-6 that contradict an address are usage errors
// everywhere; and the messages say what to do.
#include "cli_support.hpp"

namespace lsock::test {
namespace {

/// The command lines that take `addr` as their address.
std::vector<std::vector<std::string>> every_command(const std::string& addr) {
  return {{"resolve", addr},         {"tcp-connect", addr, "9"}, {"udp-send", addr, "9", "x"},
          {"tcp-listen", addr, "0"}, {"udp-listen", addr, "0"},  {"mcast-send", addr, "9"},
          {"mcast-join", addr, "0"}};
}

/// stderr without the "lsock: COMMAND: " prefix.
std::string message_of(const std::string& err) {
  const auto second = err.find(": ", err.find(": ") + 2);
  return second == std::string::npos ? err : err.substr(second + 2);
}

class MalformedEverywhere : public ::testing::TestWithParam<std::string> {};

TEST_P(MalformedEverywhere, IsTheSameUsageErrorForEveryCommand) {
  std::string first_message;
  for (const auto& args : every_command(GetParam())) {
    auto r = run(lsock(args));
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << args[1] << ": " << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_EQ(r.out, "");
    if (first_message.empty()) first_message = message_of(r.err);
    EXPECT_EQ(message_of(r.err), first_message) << args[0] << " judges it differently";
  }
}

INSTANTIATE_TEST_SUITE_P(Addresses, MalformedEverywhere,
                         ::testing::Values("999.1.1.1", "1.2.3", "0177.0.0.1", "127.1", "0x7f.1",
                                           "1.2.3.4.5", "0x7f000001", std::string(300, 'a'),
                                           std::string(64, 'a') + ".example", "a..b",
                                           "127.0.0.1:80", "[::1]:80", "::1::2", "fe80::1%"));

TEST(AddressRule, MessagesSayWhatIsWrong) {
  auto quad = run(lsock({"resolve", "127.1"}));
  EXPECT_NE(quad.err.find("malformed IPv4 address '127.1'"), std::string::npos) << quad.err;
  auto hostport = run(lsock({"tcp-connect", "127.0.0.1:80", "80"}));
  EXPECT_NE(hostport.err.find("HOST and PORT as two arguments ('127.0.0.1 80')"), std::string::npos)
      << hostport.err;
  EXPECT_EQ(hostport.err.find("IPv6"), std::string::npos) << hostport.err;
  auto v6port = run(lsock({"tcp-connect", "[::1]:8080"}));
  EXPECT_NE(v6port.err.find("('::1 8080')"), std::string::npos) << v6port.err;
  auto longname = run(lsock({"resolve", std::string(300, 'a')}));
  EXPECT_NE(longname.err.find("the limit is 253"), std::string::npos) << longname.err;
  auto label = run(lsock({"resolve", std::string(64, 'b') + ".example"}));
  EXPECT_NE(label.err.find("the limit is 63"), std::string::npos) << label.err;
  auto path = run(lsock({"tcp-connect", "/" + std::string(120, 'p')}));
  EXPECT_EQ(path.exit_code, 2);
  EXPECT_NE(path.err.find("121 bytes (the limit is 107 bytes; sun_path holds 108"),
            std::string::npos)
      << path.err;
  auto abstract = run(lsock({"udp-listen", "@" + std::string(108, 'n')}));
  EXPECT_EQ(abstract.exit_code, 2);
  EXPECT_NE(abstract.err.find("the limit is 107"), std::string::npos) << abstract.err;
}

TEST(AddressRule, ValidAddressesPassEverywhere) {
  auto r = run(lsock({"--json", "resolve", "127.0.0.1", "::1", "fe80::1%1", "localhost"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const json doc = parse(r.out);
  ASSERT_EQ(doc.size(), 4u);
  EXPECT_EQ(doc[0]["addresses"][0]["addr"], "127.0.0.1");
  EXPECT_EQ(doc[1]["addresses"][0]["addr"], "::1");
  // A name of exactly 253 characters in labels of 63 (and a root dot) is a name: the port
  // check after the address check is what stops it, before any lookup.
  const std::string label(63, 'a');
  const std::string name = label + "." + label + "." + label + "." + std::string(61, 'a');
  ASSERT_EQ(name.size(), 253u);
  auto ok = run(lsock({"udp-send", name + ".", "0", "x"}));
  EXPECT_EQ(ok.exit_code, 2);
  EXPECT_NE(ok.err.find("port 0 is not a destination"), std::string::npos) << ok.err;
}

class FamilyConflict : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(FamilyConflict, IsAUsageErrorEverywhere) {
  auto r = run(lsock(GetParam()));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Commands, FamilyConflict,
    ::testing::Values(std::vector<std::string>{"resolve", "-4", "::1"},
                      std::vector<std::string>{"resolve", "-6", "127.0.0.1"},
                      std::vector<std::string>{"tcp-connect", "-4", "::1", "9"},
                      std::vector<std::string>{"tcp-connect", "-6", "127.0.0.1", "9"},
                      std::vector<std::string>{"udp-send", "-4", "::1", "9", "x"},
                      std::vector<std::string>{"tcp-listen", "-6", "127.0.0.1", "0"},
                      std::vector<std::string>{"udp-listen", "-4", "::1", "0"},
                      // Unix addresses have no IP family.
                      std::vector<std::string>{"tcp-connect", "-4", "/tmp/lsock-none.sock"},
                      std::vector<std::string>{"tcp-listen", "-6", "@lsock-none"},
                      std::vector<std::string>{"udp-send", "-4", "@lsock-none", "x"},
                      std::vector<std::string>{"udp-listen", "-6", "/tmp/lsock-none.sock"},
                      std::vector<std::string>{"resolve", "/tmp/lsock-none.sock"}));

TEST(AddressRule, TcpTakesNoGroupAddresses) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"tcp-listen", "224.1.2.3", "0"},
                                             {"tcp-listen", "ff02::1", "0"},
                                             {"tcp-listen", "255.255.255.255", "0"},
                                             {"tcp-connect", "239.1.2.3", "80"}}) {
    auto r = run(lsock(args));
    EXPECT_EQ(r.exit_code, 2) << args[1] << ": " << r.err;
    EXPECT_NE(r.err.find("unicast"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace lsock::test
