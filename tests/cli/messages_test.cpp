// Messages people can act on: what timed out and after how long, which option was repeated or
// lacks its value, which address is in use, and bytes that are not UTF-8 shown escaped.
#include <cerrno>
#include <lsock/lsock.hpp>

#include "cli_support.hpp"

namespace lsock::test {
namespace {

TEST(Messages, ConnectTimeoutSaysAfterHowLong) {
  // A listener whose accept queue is full drops new SYNs: the connect never completes.
  socket_options so;
  so.backlog = 0;
  auto full = lsock::socket::bind(socket_type::tcp, "127.0.0.1", 0, so);
  ASSERT_TRUE(full);
  const int port = full->local_endpoint()->port();
  std::vector<lsock::socket> queued;
  for (int i = 0; i < 4; ++i) {
    auto c = lsock::socket::connect(socket_type::tcp, "127.0.0.1", port);
    ASSERT_TRUE(c);
    queued.push_back(std::move(*c));
  }
  sleep_ms(100);
  auto r =
      run(lsock({"--json", "tcp-connect", "127.0.0.1", std::to_string(port), "--timeout", "0.5"}));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const json doc = parse(r.out);
  EXPECT_EQ(doc["error"]["name"], "ETIMEDOUT") << r.out;
  EXPECT_EQ(doc["error"]["op"], "connect");
  EXPECT_EQ(r.err, "lsock: tcp-connect: connect: timed out after 0.5 s\n");
}

TEST(Messages, RepeatedOptionAndMissingValue) {
  auto twice = run(lsock({"tcp-connect", "127.0.0.1", "9", "--timeout", "1", "--timeout", "2"}));
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_EQ(twice.err, "lsock: tcp-connect: --timeout given more than once\n");
  auto bare = run(lsock({"tcp-listen", "0", "--count"}));
  EXPECT_EQ(bare.exit_code, 2);
  EXPECT_EQ(bare.err, "lsock: tcp-listen: --count needs a value (N)\n");
  auto extra = run(lsock({"tcp-listen", "1", "2", "3"}));
  EXPECT_EQ(extra.exit_code, 2);
  EXPECT_EQ(extra.err, "lsock: tcp-listen: too many arguments (expected [ADDR] PORT)\n");
  auto unknown = run(lsock({"resolve", "--nope", "x"}));
  EXPECT_EQ(unknown.err, "lsock: resolve: unexpected argument: --nope\n");
}

TEST(Messages, AddressInUseNamesTheAddress) {
  auto taken = lsock::socket::bind(socket_type::tcp, "127.0.0.1", 0);
  ASSERT_TRUE(taken);
  const std::string port = std::to_string(taken->local_endpoint()->port());
  auto r = run(lsock({"tcp-listen", "127.0.0.1", port}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("(127.0.0.1:" + port + ")"), std::string::npos) << r.err;
  auto u = lsock::socket::bind(socket_type::udp, "::1", 0);
  ASSERT_TRUE(u);
  const std::string uport = std::to_string(u->local_endpoint()->port());
  auto j = run(lsock({"--json", "udp-listen", "::1", uport}));
  EXPECT_EQ(j.exit_code, 1);
  const auto events = parse_lines(j.out);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["name"], "EADDRINUSE");
  EXPECT_NE(events[0]["message"].get<std::string>().find("([::1]:" + uport + ")"),
            std::string::npos)
      << j.out;
}

TEST(Messages, BytesThatAreNotUtf8AreEscapedOnStderr) {
  for (bool json_mode : {false, true}) {
    std::vector<std::string> args{"tcp-connect", "bad\xff\xfehost\x1b", "80"};
    if (json_mode) args.insert(args.begin(), "--json");
    auto r = run(lsock(args));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("bad\\xff\\xfehost\\x1b"), std::string::npos) << r.err;
    for (const char c : r.err) {
      EXPECT_LT(static_cast<unsigned char>(c), 0x80) << "raw byte on stderr: " << r.err;
    }
  }
  // Valid UTF-8 is kept as it is.
  auto ok = run(lsock({"tcp-connect", "h\xc3\xa9llo", "80"}));
  EXPECT_NE(ok.err.find("h\xc3\xa9llo"), std::string::npos) << ok.err;
}

TEST(Messages, AnOptionValueWithALineBreakIsQuotedAsItIs) {
  // A value CLI11 checks (seconds, a pattern) is quoted like any other argument: its line
  // break escaped on stderr, kept in the JSON message; not turned into a space.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"resolve", "localhost", "--timeout", "1\n2"},
        {"tcp-connect", "127.0.0.1", "9", "--expect", "(\n"}}) {
    auto r = run(lsock(args));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    const std::string quoted = args.back() == "(\n" ? "'(\\n'" : "'1\\n2'";
    EXPECT_NE(r.err.find(quoted), std::string::npos) << r.err;
    std::vector<std::string> with_json{"--json"};
    with_json.insert(with_json.end(), args.begin(), args.end());
    auto j = run(lsock(with_json));
    EXPECT_NE(parse(j.out)["error"]["message"].get<std::string>().find("'" + args.back() + "'"),
              std::string::npos)
        << j.out;
  }
}

}  // namespace
}  // namespace lsock::test
