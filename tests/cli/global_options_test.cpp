// lsock itself, before any command: --version, --help on every command, --json anywhere.
#include <algorithm>

#include "cli_support.hpp"

namespace lsock::test {
namespace {

TEST(GlobalOptions, VersionAndHelp) {
  auto v = run(lsock({"--version"}));
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("lsock "), std::string::npos);
  auto vj = run(lsock({"--json", "--version"}));
  EXPECT_EQ(vj.exit_code, 0);
  EXPECT_EQ(parse(vj.out)["name"], "lsock");
  EXPECT_TRUE(parse(vj.out)["version"].is_string()) << vj.out;
  auto top = run(lsock({"--help"}));
  EXPECT_EQ(top.exit_code, 0);
  for (const char* cmd : {"resolve", "ifaces", "tcp-listen", "tcp-connect", "udp-send",
                          "udp-listen", "mcast-join", "mcast-send"}) {
    EXPECT_NE(top.out.find(cmd), std::string::npos) << "lsock --help lists " << cmd;
    for (const char* flag : {"--help", "-h"}) {
      auto h = run(lsock({cmd, flag}));
      EXPECT_EQ(h.exit_code, 0) << cmd;
      EXPECT_NE(h.out.find(std::string("Example: lsock ") + cmd), std::string::npos) << cmd;
      EXPECT_EQ(h.out.find("x)"), std::string::npos) << "no CLI11 '(2x)' markers: " << h.out;
      EXPECT_EQ(h.err, "");
    }
  }
}

TEST(GlobalOptions, HelpOfEveryCommandShowsPositionalsByTheirNames) {
  // "HOST PORT REQUIRED", not CLI11's count marker "HOST PORT x 2 REQUIRED".
  for (const char* cmd :
       {"resolve", "ifaces", "tcp-listen", "tcp-connect", "udp-send", "udp-listen", "mcast-join",
        "mcast-send", "tcp-ping", "probe", "perf", "perf-server"}) {
    auto h = run(lsock({cmd, "--help"}));
    EXPECT_EQ(h.exit_code, 0) << cmd;
    EXPECT_EQ(h.out.find(" x 2"), std::string::npos) << cmd << ": " << h.out;
  }
}

TEST(GlobalOptions, SendersHelpNamesEveryKeyOfTheirDocument) {
  // udp-send and mcast-send print {to, sent, datagrams, bytes, elapsed_ms}.
  for (const char* cmd : {"udp-send", "mcast-send"}) {
    auto h = run(lsock({cmd, "--help"}));
    EXPECT_EQ(h.exit_code, 0) << cmd;
    std::replace(h.out.begin(), h.out.end(), '\n', ' ');
    EXPECT_NE(h.out.find("datagrams, bytes, elapsed_ms"), std::string::npos) << cmd << h.out;
  }
}

TEST(GlobalOptions, JsonFlagWorksAfterTheCommand) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"ifaces", "--json"}, {"resolve", "127.0.0.1", "--json"}, {"--json", "ifaces"}}) {
    auto r = run(lsock(args));
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(parse(r.out).is_array()) << r.out;
  }
}

}  // namespace
}  // namespace lsock::test
