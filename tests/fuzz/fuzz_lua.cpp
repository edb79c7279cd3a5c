// libFuzzer target: a Lua 5.4 host that reads fuzzer bytes as a sequence of lsocket calls with
// arbitrary argument types and values. Loopback and unix sockets only; every wait is 0 ms.
#include <cstdint>
#include <lua.hpp>
#include <string>

#include "no_dns.hpp"

extern "C" int luaopen_lsocket(lua_State* L);

namespace {

struct reader {
  const std::uint8_t* p;
  std::size_t n;
  std::uint8_t byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  bool done() const { return n == 0; }
};

const char* const addresses[] = {
    "127.0.0.1", "::1", "localhost",  "@lsock-fuzz", "/tmp/lsock-fuzz.sock", "0.0.0.0", "::",
    "239.1.2.3", "",    "not a host", "@",           "127.0.0.1\0x"};

/// Pushes one argument of a type chosen by the input; sockets come from the `socks` table.
void push_arg(lua_State* L, reader& in) {
  switch (in.byte() % 11) {
    case 0:
      lua_pushnil(L);
      break;
    case 1:
      lua_pushinteger(
          L, static_cast<lua_Integer>(static_cast<std::int8_t>(in.byte())) * 1000 + in.byte());
      break;
    case 2:
      lua_pushnumber(L, static_cast<double>(in.byte()) / 7.0);
      break;
    case 3:
      lua_pushnumber(L, in.byte() % 2 ? 0.0 / 0.0 : 1e300);
      break;
    case 4:
      lua_pushstring(L, addresses[in.byte() % (sizeof addresses / sizeof *addresses)]);
      break;
    case 5: {
      static const char* const words[] = {"tcp", "udp", "mcast", "peer", "socket", "bogus", "UDP"};
      lua_pushstring(L, words[in.byte() % 7]);
      break;
    }
    case 6:
      lua_pushboolean(L, in.byte() & 1);
      break;
    case 7:
      lua_newtable(L);
      break;
    case 8: {  // a table of existing sockets (or junk)
      lua_getglobal(L, "socks");
      lua_createtable(L, 4, 0);
      for (int i = 1; i <= (in.byte() % 4); ++i) {
        lua_rawgeti(L, -2, (in.byte() % 8) + 1);
        lua_rawseti(L, -2, i);
      }
      lua_remove(L, -2);
      break;
    }
    case 9:
      lua_pushinteger(L, static_cast<lua_Integer>(in.byte()) << (in.byte() % 60));
      break;
    default: {
      lua_getglobal(L, "socks");
      lua_rawgeti(L, -1, (in.byte() % 8) + 1);
      lua_remove(L, -2);
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool once = (lsock::fuzz::forbid_dns(), true);
  (void)once;
  reader in{data, size};
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  luaL_requiref(L, "lsocket", luaopen_lsocket, 1);
  lua_pop(L, 1);
  lua_newtable(L);
  lua_setglobal(L, "socks");
  static const char* const functions[] = {"bind", "connect", "select", "resolve", "getinterfaces"};
  static const char* const methods[] = {"info", "status",   "getfd", "setfd",  "accept",
                                        "recv", "recvfrom", "send",  "sendto", "close"};
  for (int step = 0; step < 32 && !in.done(); ++step) {
    const std::uint8_t op = in.byte();
    const int nargs = in.byte() % 5;
    const int top = lua_gettop(L);
    if (op % 2 == 0) {
      const char* f = functions[(op / 2) % 5];
      if (f[0] == 's') {
        // select: never wait — always give a 0 timeout as the last argument.
        lua_getglobal(L, "lsocket");
        lua_getfield(L, -1, "select");
        for (int i = 0; i < nargs % 3; ++i) push_arg(L, in);
        lua_pushinteger(L, 0);
        lua_pcall(L, nargs % 3 + 1, LUA_MULTRET, 0);
      } else {
        lua_getglobal(L, "lsocket");
        lua_getfield(L, -1, f);
        for (int i = 0; i < nargs; ++i) push_arg(L, in);
        if (lua_pcall(L, nargs, 1, 0) == LUA_OK && lua_isuserdata(L, -1)) {
          lua_getglobal(L, "socks");
          lua_pushvalue(L, -2);
          lua_rawseti(L, -2, (op / 10) % 8 + 1);
        }
      }
    } else {
      lua_getglobal(L, "socks");
      lua_rawgeti(L, -1, (op / 2) % 8 + 1);
      if (lua_isuserdata(L, -1)) {
        lua_getfield(L, -1, methods[in.byte() % 10]);
        lua_pushvalue(L, -2);
        for (int i = 0; i < nargs; ++i) push_arg(L, in);
        lua_pcall(L, nargs + 1, LUA_MULTRET, 0);
      }
    }
    lua_settop(L, top);
  }
  lua_close(L);  // collects every socket: closes their descriptors
  return 0;
}
