// Fault injection seen from Lua: a host that links the lsocket module with libcore's seam,
// programs failures and checks what a Lua program gets back — the lsocket contract:
// would-block → false, orderly close → nil, error → nil, message, name; EINTR invisible;
// EMFILE → one garbage collection and a retry; no descriptor left behind.
#include <gtest/gtest.h>

#include <lua.hpp>
#include <string>

#include "detail/resolver_error.hpp"
#include "lsock/lsock.hpp"
#include "seam.hpp"
#include "test_support.hpp"

extern "C" int luaopen_lsocket(lua_State* L);

namespace lsock {
namespace {

using detail::resolver_error;
using seam::call;

/// A Lua state with lsocket loaded as the global `lsocket`.
class lua_host {
 public:
  lua_host() : L_(luaL_newstate()) {
    luaL_openlibs(L_);
    luaL_requiref(L_, "lsocket", luaopen_lsocket, 1);
    lua_pop(L_, 1);
  }
  ~lua_host() { lua_close(L_); }
  lua_host(const lua_host&) = delete;
  lua_host& operator=(const lua_host&) = delete;

  /// Runs a chunk; its results joined with "|" (nil, true/false, numbers, strings, "socket"
  /// for socket userdata), or "error: <message>" when it raised.
  std::string run(const std::string& code) {
    const int top = lua_gettop(L_);
    if (luaL_loadstring(L_, code.c_str()) != LUA_OK || lua_pcall(L_, 0, LUA_MULTRET, 0) != LUA_OK) {
      std::string msg = std::string("error: ") + lua_tostring(L_, -1);
      lua_settop(L_, top);
      return msg;
    }
    std::string out;
    for (int i = top + 1; i <= lua_gettop(L_); ++i) {
      if (i > top + 1) out += '|';
      switch (lua_type(L_, i)) {
        case LUA_TNIL:
          out += "nil";
          break;
        case LUA_TBOOLEAN:
          out += lua_toboolean(L_, i) ? "true" : "false";
          break;
        case LUA_TUSERDATA:
          out += "socket";
          break;
        case LUA_TTABLE:
          out += "table";
          break;
        default:
          out += lua_tostring(L_, i);
      }
    }
    lua_settop(L_, top);
    return out;
  }
  void collect() { lua_gc(L_, LUA_GCCOLLECT); }

 private:
  lua_State* L_;
};

/// lsocket's error triple for errno `e`: nil, message, name.
std::string lua_error(int e) {
  const error err = system_error("x", e);
  return "nil|" + err.message + "|" + err.name;
}
std::string lua_resolver_error(int eai) {
  const error err = resolver_error("x", eai);
  return "nil|" + err.message + "|" + err.name;
}

/// Globals L (listener), C (client), S (server side), PORT: a connected loopback pair.
constexpr const char* make_pair = R"(
  L = assert(lsocket.bind("tcp", "127.0.0.1", 0))
  PORT = L:info("socket").port
  C = assert(lsocket.connect("tcp", "127.0.0.1", PORT))
  assert(lsocket.select(nil, {C}, 2))
  assert(C:status())
  assert(lsocket.select({L}, 2))
  S = assert(L:accept())
  return true
)";

class LuaFault : public ::testing::Test {
 protected:
  seam::guard guard_;
  lua_host lua_;
};

TEST_F(LuaFault, CreationFailuresAreNilMessageName) {
  const int before = test::fd_count();
  seam::fail(call::socket, EMFILE, -1);
  EXPECT_EQ(lua_.run("return lsocket.bind('tcp', '127.0.0.1', 0)"), lua_error(EMFILE));
  EXPECT_EQ(lua_.run("return lsocket.connect('udp', '::1', 9)"), lua_error(EMFILE));
  seam::fail(call::socket, 0, 0);
  seam::fail(call::listen, EADDRINUSE);
  EXPECT_EQ(lua_.run("return lsocket.bind('tcp', '127.0.0.1', 0)"), lua_error(EADDRINUSE));
  seam::fail(call::bind, EACCES);
  EXPECT_EQ(lua_.run("return lsocket.bind('udp', '127.0.0.1', 0)"), lua_error(EACCES));
  seam::fail_option(SOL_SOCKET, SO_REUSEADDR, ENOBUFS);
  EXPECT_EQ(lua_.run("return lsocket.bind('127.0.0.1', 0)"), lua_error(ENOBUFS));
  seam::fail(call::connect, ECONNREFUSED);
  EXPECT_EQ(lua_.run("return lsocket.connect('127.0.0.1', 9)"), lua_error(ECONNREFUSED));
  lua_.collect();
  EXPECT_EQ(seam::still_open(), 0);
  EXPECT_EQ(test::fd_count(), before);
}

TEST_F(LuaFault, OutOfDescriptorsCollectsGarbageAndRetries) {
  // Three sockets nobody refers to any more: only the collector can close them.
  ASSERT_EQ(lua_.run("for i = 1, 3 do lsocket.bind('udp', '127.0.0.1', 0) end return true"),
            "true");
  const std::size_t closed_before = seam::st().closed.size();
  for (int e : {EMFILE, ENFILE}) {
    seam::fail(call::socket, e);
    EXPECT_EQ(lua_.run("return lsocket.bind('udp', '127.0.0.1', 0)"), "socket") << errno_name(e);
  }
  EXPECT_GE(seam::st().closed.size(), closed_before + 3) << "the collector did not run";
  EXPECT_EQ(seam::calls(call::socket), 3 + 4);
  // accept too.
  ASSERT_EQ(lua_.run(make_pair), "true");
  ASSERT_EQ(lua_.run("C2 = assert(lsocket.connect('127.0.0.1', PORT)) "
                     "return lsocket.select({L}, 2) and true"),
            "true");
  seam::fail(call::accept, EMFILE);
  EXPECT_EQ(lua_.run("local s, a, p = L:accept() return s, a"), "socket|127.0.0.1");
  // A second EMFILE after the collection is reported.
  seam::fail(call::socket, EMFILE, 2);
  EXPECT_EQ(lua_.run("return lsocket.bind('udp', '127.0.0.1', 0)"), lua_error(EMFILE));
}

TEST_F(LuaFault, StreamOutcomes) {
  ASSERT_EQ(lua_.run(make_pair), "true");
  seam::fail(call::send, EINTR, 5);
  EXPECT_EQ(lua_.run("return C:send('hello')"), "5");
  seam::fail(call::recv, EINTR, 5);
  EXPECT_EQ(lua_.run("assert(lsocket.select({S}, 2)) return S:recv()"), "hello");
  seam::fail(call::send, EAGAIN);
  EXPECT_EQ(lua_.run("return C:send('x')"), "false");
  seam::fail(call::recv, EAGAIN);
  EXPECT_EQ(lua_.run("return S:recv()"), "false");
  seam::short_writes(2);
  EXPECT_EQ(lua_.run("return C:send('abcdef')"), "2");
  EXPECT_EQ(lua_.run("assert(lsocket.select({S}, 2)) return S:recv()"), "ab");
  seam::fail(call::send, EPIPE);
  EXPECT_EQ(lua_.run("return C:send('x')"), lua_error(EPIPE));
  seam::fail(call::recv, ECONNRESET);
  EXPECT_EQ(lua_.run("return S:recv()"), lua_error(ECONNRESET));
  seam::fail(call::recv, ECONNRESET);
  EXPECT_EQ(lua_.run("return S:recvfrom()"), lua_error(ECONNRESET));
  seam::fail(call::getsockopt, ENOBUFS);
  EXPECT_EQ(lua_.run("return C:status()"), lua_error(ENOBUFS));
  EXPECT_EQ(lua_.run("return C:status()"), "true");
  seam::fail(call::getsockname, ENOBUFS);
  EXPECT_EQ(lua_.run("return C:info('socket')"), lua_error(ENOBUFS));
  seam::fail(call::getpeername, ENOTCONN);
  EXPECT_EQ(lua_.run("return C:info('peer')"), lua_error(ENOTCONN));
  seam::fail(call::accept, EAGAIN);
  EXPECT_EQ(lua_.run("return L:accept()"), "false");
  seam::fail(call::accept, EPERM);
  EXPECT_EQ(lua_.run("return L:accept()"), lua_error(EPERM));
  // An orderly close is a single nil, never an error.
  EXPECT_EQ(lua_.run("assert(C:close()) assert(lsocket.select({S}, 2)) return S:recv()"), "nil");
  seam::fail(call::close, EIO);
  EXPECT_EQ(lua_.run("return S:close()"), lua_error(EIO));
  EXPECT_EQ(lua_.run("return S:getfd(), S:close()"), "-1|true");
}

TEST_F(LuaFault, DatagramOutcomes) {
  ASSERT_EQ(lua_.run("U = assert(lsocket.bind('udp', '127.0.0.1', 0)) "
                     "UP = U:info('socket').port return true"),
            "true");
  seam::fail(call::sendto, EINTR, 3);
  EXPECT_EQ(lua_.run("return U:sendto('dgram', '127.0.0.1', UP)"), "5");
  seam::fail(call::recvfrom, EINTR, 3);
  EXPECT_EQ(lua_.run("assert(lsocket.select({U}, 2)) local d, a, p = U:recvfrom() "
                     "return d, a, p == UP"),
            "dgram|127.0.0.1|true");
  seam::fail(call::sendto, ENOBUFS);
  EXPECT_EQ(lua_.run("return U:sendto('x', '127.0.0.1', UP)"), lua_error(ENOBUFS));
  seam::fail(call::sendto, EAGAIN);
  EXPECT_EQ(lua_.run("return U:sendto('x', '127.0.0.1', UP)"), "false");
  seam::fail(call::recvfrom, EAGAIN);
  EXPECT_EQ(lua_.run("return U:recvfrom()"), "false");
  seam::fail(call::recv, EAGAIN);
  EXPECT_EQ(lua_.run("return U:recv()"), "false");
  seam::fail(call::recvfrom, ECONNREFUSED);
  EXPECT_EQ(lua_.run("return U:recvfrom()"), lua_error(ECONNREFUSED));
}

TEST_F(LuaFault, SelectResolveAndInterfaces) {
  ASSERT_EQ(lua_.run(make_pair), "true");
  seam::fail(call::poll, ENOMEM);
  EXPECT_EQ(lua_.run("return lsocket.select({S}, 0.01)"), lua_error(ENOMEM));
  seam::fail(call::poll, EINTR, 5);
  EXPECT_EQ(lua_.run("return lsocket.select({S}, 0.01)"), "false");
  seam::fail(call::poll, EINTR, 5);
  EXPECT_EQ(lua_.run("C:send('x') local r = lsocket.select({S}) return #r"), "1");

  seam::fail_resolver(EAI_AGAIN);
  EXPECT_EQ(lua_.run("return lsocket.resolve('name.test')"), lua_resolver_error(EAI_AGAIN));
  seam::fail_resolver(EAI_AGAIN);
  EXPECT_EQ(lua_.run("return lsocket.connect('name.test', 9)"), lua_resolver_error(EAI_AGAIN));
  seam::fail_resolver(EAI_SYSTEM, EMFILE);
  EXPECT_EQ(lua_.run("return lsocket.resolve('name.test')"), lua_error(EMFILE));
  seam::fake_dns("two.test", {"127.0.0.1", "::1"});
  EXPECT_EQ(lua_.run("local r = lsocket.resolve('two.test') return #r, r[1].addr, r[2].family"),
            "2|127.0.0.1|inet6");
  seam::fail(call::getifaddrs, ENOMEM);
  EXPECT_EQ(lua_.run("return lsocket.getinterfaces()"), lua_error(ENOMEM));
  seam::st().fake_interfaces = true;
  EXPECT_EQ(lua_.run("local r = lsocket.getinterfaces() return #r, r[1].name, r[2].broadcast"),
            "3|lo|127.0.0.255");
  EXPECT_EQ(seam::st().gai_freed, seam::st().gai_ok);
  EXPECT_EQ(seam::st().ifa_freed, seam::st().ifa_ok);
}

}  // namespace
}  // namespace lsock
