// lsock resolve end to end: several hosts in one document, text and JSON, a failing name.
#include "cli_support.hpp"

namespace lsock::test {
namespace {

TEST(Resolve, LocalhostAndIpv6Loopback) {
  auto r = run(lsock({"resolve", "localhost", "::1", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = parse(r.out);
  ASSERT_TRUE(doc.is_array());
  ASSERT_EQ(doc.size(), 2u);
  EXPECT_EQ(doc[0]["host"], "localhost");
  ASSERT_FALSE(doc[0]["addresses"].empty());
  bool loopback = false;
  for (const auto& a : doc[0]["addresses"]) {
    loopback = loopback || a["addr"] == "127.0.0.1" || a["addr"] == "::1";
  }
  EXPECT_TRUE(loopback);
  EXPECT_TRUE(doc[0]["elapsed_ms"].is_number());
  EXPECT_EQ(doc[1]["host"], "::1");
  ASSERT_EQ(doc[1]["addresses"].size(), 1u);
  EXPECT_EQ(doc[1]["addresses"][0]["family"], "inet6");
  EXPECT_EQ(doc[1]["addresses"][0]["addr"], "::1");
  EXPECT_TRUE(doc[1]["elapsed_ms"].is_number());
  EXPECT_FALSE(doc[1].contains("error"));
  auto text = run(lsock({"resolve", "localhost"}));
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_EQ(text.out.rfind("localhost ", 0), 0u) << text.out;
  EXPECT_NE(text.out.find(" ms\n"), std::string::npos) << text.out;
  auto v4 = run(lsock({"resolve", "::1", "-4", "--json"}));  // -4 contradicts the literal
  EXPECT_EQ(v4.exit_code, 2);
  EXPECT_EQ(parse(v4.out)["error"]["op"], "usage");
}

TEST(Resolve, FailureKeepsTheOthersAndExitsOne) {
  auto r = run(lsock({"--json", "resolve", "no-such-host.invalid", "127.0.0.1"}));
  EXPECT_EQ(r.exit_code, 1);
  const json doc = parse(r.out);
  ASSERT_EQ(doc.size(), 2u);
  EXPECT_EQ(doc[0]["error"]["op"], "resolve");
  EXPECT_EQ(doc[0]["error"]["name"].get<std::string>().rfind("EAI_", 0), 0u);
  EXPECT_TRUE(doc[0]["error"]["message"].is_string());
  EXPECT_EQ(doc[1]["addresses"][0]["addr"], "127.0.0.1");
  EXPECT_EQ(count_lines(r.err), 1);
  EXPECT_EQ(r.err.rfind("lsock: resolve: no-such-host.invalid: ", 0), 0u) << r.err;
}

}  // namespace
}  // namespace lsock::test
