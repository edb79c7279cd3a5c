// libFuzzer target: a Lua 5.4 host that reads fuzzer bytes as a sequence of lsocket calls —
// every module function and every socket method, found by walking the module at start-up —
// with arbitrary argument types and values. The sandbox keeps it on loopback: 127.0.0.1, ::1,
// unix paths in the sandbox directory, "@lsock-fuzz..." names; every select waits 0 s.
//
// Invariants: no crash, no sanitizer report, no descriptor left open after lua_close, and
// every call either returns or raises a Lua error (a string), never anything else.
#include <dirent.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <lua.hpp>
#include <string>
#include <vector>

#include "sandbox.hpp"

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
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | byte();
    return v;
  }
  [[nodiscard]] bool done() const { return n == 0; }
};

// Addresses: loopback, names from the sandbox's table, unix and abstract names the sandbox
// allows, and malformed forms. Anything else the sandbox refuses as the kernel would.
const char* const addresses[] = {"127.0.0.1",
                                 "::1",
                                 "localhost",
                                 "two.test",
                                 "odd.test",
                                 "again.test",
                                 "system.test",
                                 "cafe",
                                 "@lsock-fuzz",
                                 "@lsock-fuzz-2",
                                 "./s1",
                                 "./s2",
                                 "d/none",
                                 "0.0.0.0",
                                 "::",
                                 "239.255.0.1",
                                 "ff15::1",
                                 "fe80::1%lo",
                                 "::ffff:127.0.0.1",
                                 "127.1",
                                 "",
                                 "not a host",
                                 "@",
                                 "/",
                                 "[::1]",
                                 "256.0.0.1",
                                 "::1%",
                                 "127.0.0.1:80",
                                 "@other-abstract",
                                 "/etc/x"};

const char* const words[] = {"tcp", "udp",  "mcast", "peer",  "socket", "bogus",
                             "UDP", "inet", "inet6", "iface", "family", "backlog",
                             "ttl", "lo",   "TCP",   "Mcast"};

std::vector<std::string> functions;  // module functions, sorted
std::vector<std::string> methods;    // socket methods, sorted

constexpr int max_socks = 8;

/// Pushes one argument whose type and value the input chooses.
void push_arg(lua_State* L, reader& in, int depth = 0) {
  // The C API does not grow the stack by itself: pushing past its free slots writes past
  // the end of Lua's (uninstrumented) stack array.
  if (!lua_checkstack(L, 8)) std::abort();
  switch (in.byte() % 16) {
    case 0:
      lua_pushnil(L);
      break;
    case 1:
      lua_pushinteger(L, static_cast<std::int8_t>(in.byte()));
      break;
    case 2:
      lua_pushinteger(L, static_cast<lua_Integer>(static_cast<std::int32_t>(in.u32())));
      break;
    case 3: {
      static const double specials[] = {
          0.0 / 0.0, 1.0 / 0.0, -1.0 / 0.0, 1e300, -0.0,
          0.5,       65535.5,   65536.0,    -1.0,  9.2233720368547758e18,
          1e-300,    0.001};
      lua_pushnumber(L, specials[in.byte() % 12]);
      break;
    }
    case 4:
      lua_pushinteger(
          L, static_cast<lua_Integer>((static_cast<std::uint64_t>(in.u32()) << 32 | in.u32())));
      break;
    case 5:
      lua_pushstring(L, addresses[in.byte() % std::size(addresses)]);
      break;
    case 6:
      lua_pushstring(L, words[in.byte() % std::size(words)]);
      break;
    case 7:
      lua_pushboolean(L, in.byte() & 1);
      break;
    case 8: {  // a string of raw bytes, NULs included
      const std::size_t len = in.byte() % 24;
      std::string s;
      for (std::size_t i = 0; i < len && !in.done(); ++i) s += static_cast<char>(in.byte());
      lua_pushlstring(L, s.data(), s.size());
      break;
    }
    case 9: {  // a table of existing sockets (or holes and junk)
      lua_getglobal(L, "socks");
      const int n = in.byte() % 5;
      lua_createtable(L, n, 0);
      for (int i = 1; i <= n; ++i) {
        lua_rawgeti(L, -2, (in.byte() % (max_socks + 1)) + 1);  // slot 9 is always nil
        lua_rawseti(L, -2, i);
      }
      if (in.byte() % 4 == 0) {
        lua_pushinteger(L, 7);
        lua_rawseti(L, -2, n + 1);  // not a socket
      }
      lua_remove(L, -2);
      break;
    }
    case 10: {  // the port of a socket we have: lets connect/sendto reach our own sockets
      lua_getglobal(L, "port_of");
      lua_getglobal(L, "socks");
      lua_rawgeti(L, -1, (in.byte() % max_socks) + 1);
      lua_remove(L, -2);
      if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        lua_pop(L, 1);
        lua_pushinteger(L, 0);
      }
      break;
    }
    case 11: {  // an options table
      lua_createtable(L, 0, 2);
      static const char* const keys[] = {"iface", "family", "backlog", "ttl", "bogus"};
      const int n = in.byte() % 3;
      for (int i = 0; i < n; ++i) {
        if (depth < 3) {
          push_arg(L, in, depth + 1);
        } else {
          lua_pushinteger(L, in.byte());
        }
        lua_setfield(L, -2, keys[in.byte() % 5]);
      }
      break;
    }
    case 12:
      lua_newtable(L);
      break;
    case 13:
      lua_pushcfunction(L, [](lua_State*) { return 0; });
      break;
    case 14: {  // a long string: sizes, over-long paths
      const std::size_t len = static_cast<std::size_t>(in.byte()) * 8;
      const std::string s(len, static_cast<char>('a' + in.byte() % 26));
      lua_pushlstring(L, s.data(), s.size());
      break;
    }
    default: {
      lua_getglobal(L, "socks");
      lua_rawgeti(L, -1, (in.byte() % max_socks) + 1);
      lua_remove(L, -2);
      break;
    }
  }
}

std::vector<std::string> sorted_keys(lua_State* L, int idx) {
  std::vector<std::string> out;
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_isfunction(L, -1))
      out.emplace_back(lua_tostring(L, -2));
    lua_pop(L, 1);
  }
  std::sort(out.begin(), out.end());
  return out;
}

int open_fds() {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  while (readdir(d) != nullptr) ++n;
  closedir(d);
  return n;
}

/// The descriptor of the socket at `idx` (its getfd()), or -1.
int lsocket_fd(lua_State* L, int idx) {
  idx = lua_absindex(L, idx);
  if (!lua_isuserdata(L, idx) || luaL_getmetafield(L, idx, "__index") == LUA_TNIL) return -1;
  lua_getfield(L, -1, "getfd");
  lua_remove(L, -2);
  lua_pushvalue(L, idx);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    lua_pop(L, 1);
    return -1;
  }
  const int fd = static_cast<int>(lua_tointeger(L, -1));
  lua_pop(L, 1);
  return fd;
}

std::vector<int> released;

/// LSOCK_FUZZ_TRACE=1 prints every call and its results (for triaging a saved input).
bool tracing = false;

/// Prints "what(args) -> results" for the values in [first, last] and [rfirst, top].
void trace(lua_State* L, const char* what, int first, int last, int rc, int rfirst) {
  if (!tracing) return;
  std::string line = what;
  line += '(';
  for (int i = first; i <= last; ++i) {
    line += luaL_tolstring(L, i, nullptr);
    lua_pop(L, 1);
    if (i < last) line += ", ";
  }
  line += rc == LUA_OK ? ") -> " : ") raised ";
  for (int i = rfirst; i <= lua_gettop(L); ++i) {
    line += luaL_tolstring(L, i, nullptr);
    lua_pop(L, 1);
    if (i < lua_gettop(L)) line += ", ";
  }
  (void)std::fprintf(stderr, "  %s\n", line.c_str());
}  // descriptors given up by setfd(-1) during this input

constexpr const char* prelude = R"(
  socks = {}
  port_of = function(s)
    local t = s:info("socket")
    return t and t.port or 0
  end
)";

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  lsock::fuzz::install_sandbox();
  tracing = std::getenv("LSOCK_FUZZ_TRACE") != nullptr;
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  luaL_requiref(L, "lsocket", luaopen_lsocket, 1);
  functions = sorted_keys(L, lua_gettop(L));
  lua_getfield(L, -1, "bind");
  lua_pushstring(L, "udp");
  lua_pushstring(L, "127.0.0.1");
  lua_pushinteger(L, 0);
  lua_call(L, 3, 1);
  lua_getmetatable(L, -1);
  lua_getfield(L, -1, "__index");
  methods = sorted_keys(L, lua_gettop(L));
  lua_close(L);
  (void)std::fprintf(stderr, "fuzz_lua: %zu functions, %zu methods\n", functions.size(),
                     methods.size());
  if (functions.empty() || methods.empty()) std::abort();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Counted per input: libFuzzer itself opens descriptors between inputs (the symbolizer's
  // pipes when it prints NEW_FUNC).
  const int baseline = open_fds();
  reader in{data, size};
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  luaL_requiref(L, "lsocket", luaopen_lsocket, 1);
  lua_pop(L, 1);
  if (luaL_dostring(L, prelude) != LUA_OK) std::abort();
  for (int step = 0; step < 48 && !in.done(); ++step) {
    if (!lua_checkstack(L, 32)) std::abort();
    const std::uint8_t op = in.byte();
    const int nargs = in.byte() % 6;
    const int top = lua_gettop(L);
    const int slot = (in.byte() % max_socks) + 1;
    switch (op % 8) {
      case 0:
      case 1:
      case 2: {  // a module function; a socket it returns goes into socks[slot]
        const std::string& f = functions[in.byte() % functions.size()];
        lua_getglobal(L, "lsocket");
        lua_getfield(L, -1, f.c_str());
        int n = nargs;
        if (f == "select") {
          n = nargs % 3;
          for (int i = 0; i < n; ++i) push_arg(L, in);
          lua_pushinteger(L, 0);  // never wait
          ++n;
        } else {
          for (int i = 0; i < n; ++i) push_arg(L, in);
        }
        const int fn_at = lua_gettop(L) - n;
        if (tracing) {  // keep copies of the arguments to print them
          for (int i = 1; i <= n; ++i) lua_pushvalue(L, fn_at + i);
          lua_rotate(L, fn_at, n);
        }
        const int rc = lua_pcall(L, n, 1, 0);
        if (tracing) trace(L, f.c_str(), fn_at, fn_at + n - 1, rc, fn_at + n);
        if (rc != LUA_OK && lua_type(L, -1) != LUA_TSTRING) __builtin_trap();
        if (rc == LUA_OK && lua_isuserdata(L, -1)) {
          lua_getglobal(L, "socks");
          lua_pushvalue(L, -2);
          lua_rawseti(L, -2, slot);
        }
        break;
      }
      case 3:
      case 4:
      case 5:
      case 6: {  // a method on socks[slot] (or on nil / junk)
        const std::string& m = methods[in.byte() % methods.size()];
        lua_getglobal(L, "socks");
        lua_rawgeti(L, -1, slot);
        if (!lua_isuserdata(L, -1)) break;
        lua_getfield(L, -1, m.c_str());
        lua_pushvalue(L, -2);
        for (int i = 0; i < nargs; ++i) push_arg(L, in);
        // setfd(-1) hands the descriptor to "someone else": the host is that someone.
        int fd_before = -1;
        if (m == "setfd") fd_before = lsocket_fd(L, top + 2);
        const int fn_at = lua_gettop(L) - nargs - 1;
        if (tracing) {
          for (int i = 1; i <= nargs + 1; ++i) lua_pushvalue(L, fn_at + i);
          lua_rotate(L, fn_at, nargs + 1);
        }
        const int rc = lua_pcall(L, nargs + 1, 3, 0);
        if (tracing) trace(L, m.c_str(), fn_at, fn_at + nargs, rc, fn_at + nargs + 1);
        if (fd_before >= 0 && lsocket_fd(L, top + 2) == -1) released.push_back(fd_before);
        if (rc != LUA_OK && lua_type(L, -1) != LUA_TSTRING) __builtin_trap();
        // accept hands back a new socket: keep it.
        if (rc == LUA_OK && m == "accept" && lua_isuserdata(L, -3)) {
          lua_pushvalue(L, -3);
          lua_rawseti(L, top + 1, ((slot + 1) % max_socks) + 1);  // two slots on
        }
        break;
      }
      default: {  // drop a socket and let the collector close it (or call __close/__gc twice)
        lua_getglobal(L, "socks");
        if (in.byte() & 1) {
          lua_rawgeti(L, -1, slot);
          if (lua_getmetatable(L, -1)) {
            lua_getfield(L, -1, in.byte() & 1 ? "__close" : "__gc");
            lua_pushvalue(L, -3);
            if (lua_isfunction(L, -2)) {
              lua_pushnil(L);
              lua_pcall(L, 2, 0, 0);
            }
          }
        } else {
          lua_pushnil(L);
          lua_rawseti(L, -2, slot);
          lua_gc(L, LUA_GCCOLLECT);
          if (tracing) (void)std::fprintf(stderr, "  socks[%d] = nil; collectgarbage()\n", slot);
        }
        break;
      }
    }
    lua_settop(L, top);
  }
  lua_close(L);  // collects every socket
  for (int fd : released) lsock::detail::sys().close(fd);
  released.clear();
  if (open_fds() != baseline) {
    (void)std::fprintf(stderr, "descriptor leak: %d open, %d before\n", open_fds(), baseline);
    __builtin_trap();
  }
  return 0;
}
