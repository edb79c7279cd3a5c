// tcp-connect --expect REGEX: a banner, an HTTP status after a request, a pattern split across
// writes, the failures (peer closes, timeout, bad pattern), --expect-bytes alone and with a
// pattern; and the search's bounds, on the matcher itself, for a peer that streams megabytes.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>

#include "cli_support.hpp"
#include "expect_pattern.hpp"
#include "peer_support.hpp"

namespace lsock::test {
namespace {

using lsock::cli::expect_pattern;
using std::chrono::steady_clock;

long long ms_since(steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - t0).count();
}

/// A peer that sends `parts` in turn, pausing `pause_ms` between them, then keeps the
/// connection open (or closes it when `close_after`) until the test ends.
tcp_peer talker(std::vector<std::string> parts, int pause_ms = 0, bool close_after = false) {
  return tcp_peer([parts = std::move(parts), pause_ms, close_after](tcp_peer& p, lsock::socket& s) {
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) usleep(static_cast<useconds_t>(pause_ms) * 1000);
      if (!p.send_all(s, parts[i])) return;
    }
    if (close_after) return;
    while (!p.stopping()) tcp_peer::ready(-1, true);
  });
}

std::vector<std::string> connect_to(const tcp_peer& peer, std::vector<std::string> rest,
                                    bool json_mode = true) {
  std::vector<std::string> args;
  if (json_mode) args.emplace_back("--json");
  for (const char* a : {"tcp-connect", "127.0.0.1"}) args.emplace_back(a);
  args.push_back(std::to_string(peer.port));
  args.insert(args.end(), rest.begin(), rest.end());
  return lsock(args);
}

TEST(TcpConnectExpect, BannerMatchesAtOnceWhileThePeerStaysOpen) {
  auto peer = talker({"SSH-2.0-OpenSSH_9.2\r\n"});
  const auto t0 = steady_clock::now();
  auto r = run(connect_to(peer, {"--expect", "^SSH-2\\.0-[^\\r\\n]+", "--timeout", "5"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(ms_since(t0), 3000) << "the match must end the exchange, not the timeout";
  const json doc = parse(r.out);
  EXPECT_EQ(doc["closed_by"], "expect");
  EXPECT_EQ(doc["matched"], true);
  EXPECT_EQ(doc["match"]["payload"], "SSH-2.0-OpenSSH_9.2");
  EXPECT_EQ(doc["match"]["encoding"], "utf8");
  EXPECT_EQ(doc["match"]["bytes"], 19);
  EXPECT_EQ(doc["bytes_in"], 21);
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(TcpConnectExpect, CaretMatchesAtALineStartAfterAFirstLine) {
  auto peer = talker({"hello there\r\nSSH-2.0-x\r\n"});
  auto r = run(connect_to(peer, {"--expect", "^SSH-2\\.0", "--timeout", "5"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse(r.out)["match"]["payload"], "SSH-2.0");
  // Not at a line start: no match, and the peer's close ends it.
  auto closing = talker({"xSSH-2.0-x\r\n"}, 0, true);
  auto no = run(connect_to(closing, {"--expect", "^SSH-2\\.0", "--timeout", "5"}));
  EXPECT_EQ(no.exit_code, 1) << no.out;
}

TEST(TcpConnectExpect, HttpStatusLineAfterARequest) {
  std::string request;
  tcp_peer peer([&](tcp_peer& p, lsock::socket& s) {
    char buf[4096];
    while (!p.stopping() && request.find("\r\n\r\n") == std::string::npos) {
      if (!tcp_peer::ready(s.fd(), true)) continue;
      auto got = s.recv(buf);
      if (!got || got->status == io_status::closed) return;
      if (got->status == io_status::ready) request.append(buf, got->bytes);
    }
    (void)p.send_all(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    while (!p.stopping()) tcp_peer::ready(-1, true);
  });
  const std::string get = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
  auto r =
      run(connect_to(peer, {"--send", get, "--expect", "^HTTP/1\\.[01] 200", "--timeout", "5"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = parse(r.out);
  EXPECT_EQ(doc["matched"], true);
  EXPECT_EQ(doc["match"]["payload"], "HTTP/1.1 200");
  EXPECT_EQ(doc["bytes_out"], get.size());
  (void)peer.finish(0);  // stops and joins the peer before its request is read here
  EXPECT_EQ(request, get);
}

TEST(TcpConnectExpect, PatternSplitAcrossTwoWritesMatchesWhenTheSecondArrives) {
  auto peer = talker({"banner: SS", "H-2.0-split\r\n"}, 400);
  const auto t0 = steady_clock::now();
  auto r = run(connect_to(peer, {"--expect", "SSH-2\\.0-\\w+\\r?$", "--timeout", "5"}));
  const long long ms = ms_since(t0);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = parse(r.out);
  EXPECT_EQ(doc["matched"], true);
  EXPECT_EQ(doc["match"]["payload"], "SSH-2.0-split\r");
  ASSERT_EQ(doc["data"].size(), 2u) << "the two writes should arrive as two reads";
  EXPECT_EQ(doc["data"][0]["payload"], "banner: SS");
  EXPECT_GE(ms, 350) << "matched before the second half came";
  EXPECT_LT(ms, 3000);
}

TEST(TcpConnectExpect, EndOfLineWaitsForWhatFollows) {
  // "OK" then "AY": `OK$` must not match the first read's end.
  auto peer = talker({"OK", "AY\r\n"}, 300, true);
  auto r = run(connect_to(peer, {"--expect", "OK$", "--timeout", "5"}));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(parse(r.out)["matched"], false);
  // At the end of the stream `$` holds.
  auto ending = talker({"status OK"}, 0, true);
  auto e = run(connect_to(ending, {"--expect", "OK$", "--timeout", "5"}));
  EXPECT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(parse(e.out)["match"]["payload"], "OK");
}

TEST(TcpConnectExpect, PeerClosingWithoutAMatchIsExitOne) {
  auto peer = talker({"220 smtp ready\r\n"}, 0, true);
  auto r = run(connect_to(peer, {"--expect", "^SSH-", "--timeout", "5"}));
  EXPECT_EQ(r.exit_code, 1);
  const json doc = parse(r.out);
  EXPECT_EQ(doc["matched"], false);
  EXPECT_TRUE(doc["match"].is_null());
  EXPECT_EQ(doc["error"]["op"], "receive");
  EXPECT_EQ(doc["error"]["name"], "ECONNRESET");
  EXPECT_EQ(doc["data"][0]["payload"], "220 smtp ready\r\n");
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("none matching '^SSH-'"), std::string::npos) << r.err;
}

TEST(TcpConnectExpect, PeerResettingWithoutAMatchIsAReceiveError) {
  // The peer closes with our request unread, so its kernel answers with a reset: the error
  // is README's op `receive`, as for an orderly close, not the syscall's name.
  tcp_peer peer([](tcp_peer&, lsock::socket& s) {
    while (!tcp_peer::ready(s.fd(), true)) {
    }
  });
  auto r = run(connect_to(peer, {"--send", "hello", "--expect", "^SSH-", "--timeout", "5"}));
  EXPECT_EQ(r.exit_code, 1);
  const json doc = parse(r.out);
  EXPECT_EQ(doc["matched"], false);
  EXPECT_EQ(doc["error"]["op"], "receive");
  EXPECT_EQ(doc["error"]["name"], "ECONNRESET");
  EXPECT_EQ(r.err, "lsock: tcp-connect: receive: Connection reset by peer\n");
}

TEST(TcpConnectExpect, TimeoutWithoutAMatchIsExitOneWithinTheTimeout) {
  auto peer = talker({"220 smtp ready\r\n"});
  const auto t0 = steady_clock::now();
  auto r = run(connect_to(peer, {"--expect", "^SSH-", "--timeout", "1"}));
  const long long ms = ms_since(t0);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_GE(ms, 900);
  EXPECT_LT(ms, 2500) << "--timeout 1 must end the wait";
  const json doc = parse(r.out);
  EXPECT_EQ(doc["error"]["op"], "receive");
  EXPECT_EQ(doc["error"]["name"], "ETIMEDOUT");
  EXPECT_EQ(doc["matched"], false);
  EXPECT_EQ(r.err, "lsock: tcp-connect: receive: timed out after 1 s waiting for '^SSH-'\n");
}

TEST(TcpConnectExpect, InvalidPatternsAreUsageErrors) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"(ab", "mismatched ( and )"},
      {"[b-a]", "invalid range in bracket expression"},
      {"a{2,1}", "invalid range in '{}'"},
      {"*a", "nothing before *, + or ?"},
      {"(?<=a)b", "invalid '(?...)' zero-width assertion"},
      {"a{99999}", "too large"},
      {"(a)\\1", "back-references are not supported"},
      {"x*", "matches empty text"},
      {std::string(1025, 'a'), "longer than 1024 bytes"},
  };
  for (const auto& [pattern, why] : cases) {
    auto r = run(lsock({"tcp-connect", "127.0.0.1", "9", "--expect", pattern}));
    EXPECT_EQ(r.exit_code, 2) << pattern;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_EQ(r.err.rfind("lsock: tcp-connect: --expect: invalid pattern '", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  auto j = run(lsock({"--json", "tcp-connect", "127.0.0.1", "9", "--expect", "(ab"}));
  EXPECT_EQ(j.exit_code, 2);
  EXPECT_EQ(parse(j.out)["error"]["op"], "usage");
}

TEST(TcpConnectExpect, ExpectBytesAloneKeepsTheByteCount) {
  auto peer = talker({"hello", " world"}, 300);
  auto r = run(connect_to(peer, {"--expect-bytes", "5", "--timeout", "5"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = parse(r.out);
  EXPECT_EQ(doc["closed_by"], "expect");
  EXPECT_EQ(doc["bytes_in"], 5);
  EXPECT_FALSE(doc.contains("matched")) << "matched and match come with --expect only";
  EXPECT_FALSE(doc.contains("match"));
  auto closing = talker({"abc"}, 0, true);
  auto short_of = run(connect_to(closing, {"--expect-bytes", "10", "--timeout", "5"}));
  EXPECT_EQ(short_of.exit_code, 1);
  EXPECT_EQ(parse(short_of.out)["error"]["name"], "ECONNRESET");
  EXPECT_NE(short_of.err.find("3 of 10 expected bytes"), std::string::npos) << short_of.err;
}

TEST(TcpConnectExpect, PatternAndByteCountMustBothHold) {
  auto peer = talker({"abc", std::string(30, 'x')}, 400);
  const auto t0 = steady_clock::now();
  auto r = run(connect_to(peer, {"--expect", "b", "--expect-bytes", "20", "--timeout", "5"}));
  const long long ms = ms_since(t0);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(ms, 350) << "the pattern alone matched the first write; 20 bytes came later";
  const json doc = parse(r.out);
  EXPECT_EQ(doc["bytes_in"], 33);
  EXPECT_EQ(doc["matched"], true);
  EXPECT_EQ(doc["match"]["payload"], "b");
  // Enough bytes but no match: the pattern still decides.
  auto other = talker({std::string(30, 'x')});
  auto no = run(connect_to(other, {"--expect", "b", "--expect-bytes", "20", "--timeout", "1"}));
  EXPECT_EQ(no.exit_code, 1);
  EXPECT_EQ(parse(no.out)["error"]["name"], "ETIMEDOUT");
}

TEST(TcpConnectExpect, MatchThatIsNotUtf8IsBase64) {
  auto peer = talker({std::string("\x01\x02\xff\xfe tail", 9)});
  auto r = run(connect_to(peer, {"--expect", "\\x02..", "--timeout", "5"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = parse(r.out);
  EXPECT_EQ(doc["match"]["encoding"], "base64");
  EXPECT_EQ(doc["match"]["payload"], "Av/+");  // 02 ff fe
  EXPECT_EQ(doc["match"]["bytes"], 3);
}

TEST(TcpConnectExpect, TextStatusLineSaysWhatMatched) {
  auto peer = talker({"SSH-2.0-text\r\n"});
  auto r = run(connect_to(peer, {"--expect", "SSH-[^\\r\\n]+", "--timeout", "5"}, false));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("SSH-2.0-text\r\n"), std::string::npos) << "the data is shown as it came";
  EXPECT_NE(r.out.find("closed (expect), matched \"SSH-2.0-text\": 0 bytes out, 14 in"),
            std::string::npos)
      << r.out;
}

TEST(TcpConnectExpect, PeerStreamingMegabytesIsSearchedInBoundedTime) {
  // 1 MiB on one line of 'a', then the end: `a.*END` over all of it would be quadratic.
  const std::size_t n = 1u << 20;
  auto peer = talker({std::string(n, 'a'), "END\n"});
  const auto t0 = steady_clock::now();
  auto r = run(connect_to(peer, {"--expect", "a.*END", "--timeout", "30"}), {}, 40000);
  const long long ms = ms_since(t0);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = parse(r.out);
  EXPECT_EQ(doc["bytes_in"], n + 4);
  const auto match_bytes = doc["match"]["bytes"].get<std::size_t>();
  EXPECT_GE(match_bytes, expect_pattern::history) << "a match up to `history` bytes is found";
  EXPECT_LE(match_bytes, expect_pattern::history + expect_pattern::slice + 3);
  std::printf("1 MiB line searched for a.*END by tcp-connect --expect: %lld ms\n", ms);
}

TEST(TcpConnectExpect, TimeoutEndsASearchWhileThePeerFloods) {
  tcp_peer peer([](tcp_peer& p, lsock::socket& s) {
    const std::string block = pattern(65536, 7);
    while (!p.stopping() && p.send_all(s, block)) {
    }
  });
  const auto t0 = steady_clock::now();
  auto r = run(connect_to(peer, {"--expect", "NEVER\\d{9}", "--timeout", "1"}, false), {}, 15000);
  const long long ms = ms_since(t0);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_LT(ms, 3000) << "data always ready must not keep the run past --timeout";
  EXPECT_GT(r.out.size(), 0u) << "the flood was read and shown";
  EXPECT_NE(r.err.find("timed out after 1 s waiting for"), std::string::npos) << r.err;
  std::printf("searched %zu flooded bytes in 1 s\n", r.out.size());
}

TEST(TcpConnectExpect, CtrlCBeforeAMatchIsAnInterruption) {
  auto peer = talker({"220 smtp ready\r\n"});
  background bg(connect_to(peer, {"--expect", "^SSH-", "--timeout", "20"}));
  usleep(500000);
  bg.signal(SIGINT);
  auto r = bg.finish(5000);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const json doc = parse(r.out);
  EXPECT_EQ(doc["error"]["name"], "EINTR") << r.out;
  EXPECT_EQ(doc["matched"], false);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
}

// The matcher itself: what each read costs and holds.

TEST(ExpectPattern, HoldsAtMostHistoryPlusASliceAndScansInProportion) {
  // A full history first, then reads of 1 byte (each costs a search of the history), of
  // 1000 and of 64 KiB (searched in `slice` pieces).
  for (const std::size_t read : {std::size_t{1}, std::size_t{1000}, std::size_t{65536}}) {
    expect_pattern p("a.*z");
    ASSERT_FALSE(p.feed(std::string(2 * expect_pattern::history, 'a')));
    const std::size_t scanned_before = p.scanned_bytes();
    const std::string piece(read, 'a');
    std::size_t fed = 0;
    const auto t0 = steady_clock::now();
    while (fed < (read == 1 ? 500 : std::size_t{256} << 10)) {
      ASSERT_FALSE(p.feed(piece));
      fed += read;
      ASSERT_LE(p.held_bytes(), expect_pattern::history + expect_pattern::slice + 1);
    }
    // Each piece of at most `slice` bytes is searched with at most `history` bytes before it.
    const std::size_t scanned = p.scanned_bytes() - scanned_before;
    const std::size_t pieces =
        fed / read * ((read + expect_pattern::slice - 1) / expect_pattern::slice);
    EXPECT_LE(scanned, pieces * (expect_pattern::history + expect_pattern::slice)) << read;
    EXPECT_LE(scanned, fed + pieces * expect_pattern::history) << read;
    std::printf("%zu-byte reads, %zu bytes: %zu scanned, %lld ms\n", read, fed, scanned,
                ms_since(t0));
    EXPECT_TRUE(p.feed("z"));
    EXPECT_EQ(p.text().size(), expect_pattern::history + 1);  // the history and "z"
  }
}

TEST(ExpectPattern, MatchAcrossPiecesAndTheEndOfTheStream) {
  expect_pattern p("needle\\b");
  EXPECT_FALSE(p.feed(std::string(5000, 'x') + "nee"));
  EXPECT_FALSE(p.feed("dle"));  // `\b` waits: "needles" may follow
  EXPECT_FALSE(p.matched());
  EXPECT_TRUE(p.finish());
  EXPECT_EQ(p.text(), "needle");
  // `^` after a dropped history looks at the byte before the window.
  expect_pattern caret("^go");
  EXPECT_FALSE(caret.feed(std::string(10000, 'x') + "go"));
  EXPECT_TRUE(caret.feed("\ngo"));
  EXPECT_EQ(caret.text(), "go");
}

}  // namespace
}  // namespace lsock::test
