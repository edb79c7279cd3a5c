// lsock ifaces end to end on this machine's loopback: JSON, text, one interface, a missing one.
#include "cli_support.hpp"

namespace lsock::test {
namespace {

TEST(Ifaces, ShowsLoopback) {
  auto r = run(lsock({"ifaces", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = parse(r.out);
  bool found = false;
  for (const auto& i : doc) {
    EXPECT_TRUE(i["index"].is_number());
    EXPECT_TRUE(i["flags"].is_array());
    if (i["name"] != "lo") continue;
    for (const auto& a : i["addresses"]) {
      if (a["addr"] == "127.0.0.1") {
        found = true;
        EXPECT_EQ(a["prefixlen"], 8);
        EXPECT_EQ(a["mask"], "255.0.0.0");
        EXPECT_EQ(a["family"], "inet");
      }
    }
  }
  EXPECT_TRUE(found);
  auto lo = run(lsock({"ifaces", "lo", "-4"}));
  EXPECT_EQ(lo.exit_code, 0);
  EXPECT_NE(lo.out.find("127.0.0.1/8"), std::string::npos);
  auto lo4 = run(lsock({"ifaces", "lo", "-4", "--json"}));
  const json only = parse(lo4.out);
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0]["name"], "lo");
  for (const auto& a : only[0]["addresses"]) EXPECT_EQ(a["family"], "inet");
  auto none = run(lsock({"--json", "ifaces", "nosuchif0"}));
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_EQ(parse(none.out)["error"]["name"], "ENODEV");
  // The op libcore gives the same failure of --iface NAME in the other commands.
  EXPECT_EQ(parse(none.out)["error"]["op"], "interface");
  EXPECT_EQ(none.err, "lsock: ifaces: interface: no such interface: nosuchif0\n");
  EXPECT_EQ(count_lines(none.err), 1);
}

}  // namespace
}  // namespace lsock::test
