// Fault injection seen from the CLI: lsock's code runs in-process (run_lsock) with libcore's
// seam programmed to fail. An operational failure is exit 1, one line on stderr and, under
// --json, a JSON error object naming the operation and the errno / EAI_* name; EINTR and
// short writes are invisible; no descriptor is left behind.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "lsock/lsock.hpp"
#include "lsock_in_process.hpp"
#include "seam.hpp"
#include "seam_test.hpp"
#include "test_support.hpp"

namespace lsock {
namespace {

using json = nlohmann::json;
using seam::call;

using test::in_process_result;

/// `lsock args...` in this process (a short name for the many runs below).
in_process_result lsock_run(std::vector<std::string> args) {
  return test::run_in_process(std::move(args));
}

/// Every JSON value printed: one document, or JSON Lines (a line that is not JSON fails).
std::vector<json> parse_all(const std::string& text) {
  auto docs = test::printed_json(text);
  if (!docs) throw std::runtime_error("not JSON: " + text);
  return std::move(*docs);
}

/// True if some object in `j` (at any depth) has "name" == name and, if given, "op" == op.
bool names_error(const json& j, const std::string& name, const std::string& op) {
  return test::any_object(j, [&](const json& o) {
    return o.value("name", "") == name && (op.empty() || o.value("op", "") == op) &&
           o.contains("code") && o.contains("message");
  });
}

/// Exit 1, one line on stderr naming the failure, and (JSON mode) an error object.
::testing::AssertionResult fails_cleanly(const in_process_result& r, const std::string& name,
                                         const std::string& op = "") {
  auto fail = [&](const std::string& why) {
    return ::testing::AssertionFailure()
           << why << "\nexit " << r.code << "\nstdout: " << r.out << "\nstderr: " << r.err;
  };
  if (r.code != 1) return fail("exit code is not 1");
  if (r.err.empty() || r.err.back() != '\n') return fail("no stderr line");
  if (r.err.find('\n') != r.err.size() - 1) return fail("more than one stderr line");
  std::vector<json> docs;
  try {
    docs = parse_all(r.out);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  for (const auto& d : docs) {
    if (names_error(d, name, op)) return ::testing::AssertionSuccess();
  }
  return fail("no JSON error object with name " + name + (op.empty() ? "" : " and op " + op));
}

class CliFault : public seam::seam_test {};

// resolve looks its hosts up side by side on libcore's resolver threads: every answer is the
// seam's, in the order given, and every list the resolver made is freed (TearDown).
TEST_F(CliFault, ResolveManyHostsSideBySide) {
  seam::fake_dns("two.test", {"::1", "127.0.0.1", "::1"});
  seam::fake_dns("one.test", {"127.0.0.2"});
  seam::fake_dns("gone.test", seam::dns_answer{{}, EAI_NONAME, 0, false, false});
  auto r = lsock_run({"--json", "resolve", "two.test", "one.test", "gone.test", "::1", "two.test"});
  EXPECT_EQ(r.code, 1);
  const json doc = json::parse(r.out);
  ASSERT_EQ(doc.size(), 5u);
  EXPECT_EQ(doc[0]["addresses"].size(), 2u);
  EXPECT_EQ(doc[1]["addresses"][0]["addr"], "127.0.0.2");
  EXPECT_EQ(doc[2]["error"]["name"], "EAI_NONAME");
  EXPECT_EQ(doc[3]["addresses"][0]["addr"], "::1");
  EXPECT_EQ(doc[4], json({{"host", "two.test"},
                          {"addresses", doc[0]["addresses"]},
                          {"elapsed_ms", doc[4]["elapsed_ms"]}}));
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
}

TEST_F(CliFault, ResolverAndInterfaceFailures) {
  seam::fail_resolver(EAI_AGAIN);
  EXPECT_TRUE(fails_cleanly(lsock_run({"--json", "resolve", "name.test"}), "EAI_AGAIN"));
  seam::fail_resolver(EAI_SYSTEM, EMFILE);
  EXPECT_TRUE(fails_cleanly(lsock_run({"--json", "resolve", "name.test"}), "EMFILE"));
  seam::fail_resolver(EAI_AGAIN);
  EXPECT_TRUE(fails_cleanly(lsock_run({"--json", "tcp-connect", "name.test", "9"}), "EAI_AGAIN"));
  seam::fail_resolver(EAI_AGAIN);
  EXPECT_TRUE(fails_cleanly(lsock_run({"--json", "udp-send", "name.test", "9", "x"}), "EAI_AGAIN"));
  // The failure names the host it could not look up.
  for (const char* cmd : {"tcp-connect", "tcp-ping"}) {
    seam::fail_resolver(EAI_AGAIN);
    auto named = lsock_run({cmd, "name.test", "9"});
    EXPECT_EQ(named.code, 1) << cmd;
    EXPECT_NE(named.err.find("resolve: name.test: "), std::string::npos)
        << cmd << ": " << named.err;
  }
  // ifaces reads the kernel's routing socket.
  seam::fail(call::recvfrom, ENOMEM);
  EXPECT_TRUE(fails_cleanly(lsock_run({"--json", "ifaces"}), "ENOMEM", "netlink"));
  // Text mode: the same exit code and stderr line, nothing on stdout.
  seam::fail(call::socket, ENOMEM);
  auto t = lsock_run({"ifaces"});
  EXPECT_EQ(t.code, 1);
  EXPECT_EQ(t.out, "");
  EXPECT_NE(t.err.find("Cannot allocate memory"), std::string::npos) << t.err;
}

TEST_F(CliFault, CreationFailures) {
  seam::fail(call::socket, EMFILE);
  EXPECT_TRUE(
      fails_cleanly(lsock_run({"--json", "tcp-listen", "127.0.0.1", "0", "--timeout", "0.1"}),
                    "EMFILE", "socket"));
  seam::fail(call::listen, EADDRINUSE);
  EXPECT_TRUE(
      fails_cleanly(lsock_run({"--json", "tcp-listen", "127.0.0.1", "0", "--timeout", "0.1"}),
                    "EADDRINUSE", "listen"));
  seam::fail(call::bind, EACCES);
  EXPECT_TRUE(fails_cleanly(
      lsock_run({"--json", "udp-listen", "127.0.0.1", "0", "--timeout", "0.1"}), "EACCES", "bind"));
  seam::fail_option(IPPROTO_IP, IP_ADD_MEMBERSHIP, ENODEV);
  EXPECT_TRUE(
      fails_cleanly(lsock_run({"--json", "mcast-join", "239.255.0.1", "0", "--timeout", "0.1"}),
                    "ENODEV", "join"));
  EXPECT_EQ(seam::calls(call::bind), 2) << "the group was bound after a failed join";
  seam::fail(call::connect, ECONNREFUSED);
  EXPECT_TRUE(
      fails_cleanly(lsock_run({"--json", "tcp-connect", "127.0.0.1", "9"}), "ECONNREFUSED"));
  seam::fail(call::socket, ENFILE);
  EXPECT_TRUE(fails_cleanly(lsock_run({"--json", "udp-send", "::1", "9", "x"}), "ENFILE"));
  seam::fail_option(IPPROTO_IP, IP_MULTICAST_TTL, EPERM);
  EXPECT_TRUE(fails_cleanly(lsock_run({"--json", "mcast-send", "239.255.0.1", "9", "x"}), "EPERM",
                            "setsockopt"));
}

TEST_F(CliFault, IoFailures) {
  auto sink = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(sink);
  const std::string uport = std::to_string(sink->local_endpoint()->port());
  seam::fail(call::send, ENOBUFS);
  seam::fail(call::sendto, ENOBUFS);
  EXPECT_TRUE(fails_cleanly(lsock_run({"--json", "udp-send", "127.0.0.1", uport, "x"}), "ENOBUFS"));

  auto l = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  ASSERT_TRUE(l);
  const std::string tport = std::to_string(l->local_endpoint()->port());
  seam::fail(call::send, EPIPE);
  EXPECT_TRUE(fails_cleanly(
      lsock_run({"--json", "tcp-connect", "127.0.0.1", tport, "--send", "x", "--timeout", "2"}),
      "EPIPE", "send"));
  // A server that answers one byte: the client's recv() is then told the connection reset.
  // It uses the kernel directly, not the seam (which is not thread-safe).
  auto l2 = socket::bind(socket_type::tcp, "127.0.0.1", 0);  // nothing queued from before
  ASSERT_TRUE(l2);
  const std::string tport2 = std::to_string(l2->local_endpoint()->port());
  std::thread server([fd = l2->fd()] {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) return;
    const int c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return;
    (void)::send(c, "y", 1, MSG_NOSIGNAL);
    pollfd q{c, POLLIN, 0};
    char buf[16];
    while (::poll(&q, 1, 5000) == 1 && ::recv(c, buf, sizeof buf, 0) > 0) {
    }
    ::close(c);
  });
  seam::fail(call::recv, ECONNRESET);
  EXPECT_TRUE(fails_cleanly(lsock_run({"--json", "tcp-connect", "127.0.0.1", tport2, "--send", "x",
                                       "--expect-bytes", "1", "--timeout", "5"}),
                            "ECONNRESET"));
  server.join();
  seam::fail(call::poll, ENOMEM);
  EXPECT_TRUE(fails_cleanly(lsock_run({"--json", "udp-listen", "127.0.0.1", "0", "--timeout", "1"}),
                            "ENOMEM", "select"));
}

TEST_F(CliFault, InterruptionsAndShortWritesAreInvisible) {
  auto l = socket::bind(socket_type::tcp, "127.0.0.1", 0);
  ASSERT_TRUE(l);
  const std::string tport = std::to_string(l->local_endpoint()->port());
  const std::string msg(1000, 'z');
  std::string got;
  std::thread server([fd = l->fd(), &got] {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) return;
    const int c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return;
    pollfd q{c, POLLIN, 0};
    char buf[4096];
    ssize_t n = 0;
    while (::poll(&q, 1, 5000) == 1 && (n = ::recv(c, buf, sizeof buf, 0)) > 0) {
      got.append(buf, static_cast<std::size_t>(n));
      if (got.size() == 1000) (void)::send(c, "ok", 2, MSG_NOSIGNAL);
    }
    ::close(c);
  });
  seam::short_writes(7, 20);
  seam::fail(call::send, EINTR, 10);
  auto r = lsock_run({"--json", "tcp-connect", "127.0.0.1", tport, "--send", msg, "--expect-bytes",
                      "2", "--timeout", "5"});
  server.join();
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(got, msg);
  auto docs = parse_all(r.out);
  ASSERT_EQ(docs.size(), 1u) << r.out;
  EXPECT_EQ(docs[0].value("bytes_out", 0), 1000) << r.out;
  EXPECT_GT(seam::calls(call::send), 20);

  auto sink = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(sink);
  seam::fail(call::sendto, EINTR, 3);
  seam::fail(call::send, EINTR, 3);
  auto u = lsock_run(
      {"--json", "udp-send", "127.0.0.1", std::to_string(sink->local_endpoint()->port()), "hello"});
  EXPECT_EQ(u.code, 0) << u.out << u.err;
  ASSERT_TRUE(test::wait_readable(*sink));
  char buf[16];
  auto d = sink->recv(buf);
  ASSERT_TRUE(d);
  EXPECT_EQ(std::string(buf, d->bytes), "hello");
}

}  // namespace
}  // namespace lsock
