#include "check.hpp"

#include <strings.h>

#include <cmath>
#include <cstring>

namespace lsocket {

lua_socket* check_socket(lua_State* L, int idx) {
  // The socket's size and tag, not luaL_checkudata's registry lookup by name (a third of the
  // cost of a send, callgrind) nor a metatable comparison (four Lua API calls).
  lua_socket* s = to_socket(L, idx);
  if (s == nullptr) luaL_typeerror(L, idx, socket_meta);
  return s;
}

namespace {

/// An integer at `idx`: floats must have an exact integer value (no silent truncation), on
/// 5.1 and 5.2 too (compat.hpp's lua_tointegerx).
lua_Integer check_exact_integer(lua_State* L, int idx) {
  int is_num = 0;
  const lua_Integer v = lua_tointegerx(L, idx, &is_num);
  if (!is_num) {
    if (lua_type(L, idx) == LUA_TNUMBER)
      luaL_argerror(L, idx, "number has no integer representation");
    luaL_typeerror(L, idx, "number");
  }
  return v;
}

}  // namespace

int check_port(lua_State* L, int idx, bool optional) {
  int is_int = 0;
  const lua_Integer v = lua_tointegerx(L, idx, &is_int);  // the common case: one API call
  if (is_int && v >= 0 && v <= 65535) return static_cast<int>(v);
  if (optional && lua_isnoneornil(L, idx)) return 0;
  if (lua_isnoneornil(L, idx)) luaL_typeerror(L, idx, "number");
  const lua_Integer port = check_exact_integer(L, idx);
  if (port < 0 || port > 65535) luaL_argerror(L, idx, "port out of range (0-65535)");
  return static_cast<int>(port);
}

lua_Integer opt_integer_in(lua_State* L, int idx, lua_Integer def, lua_Integer lo, lua_Integer hi,
                           const char* what) {
  if (lua_isnoneornil(L, idx)) return def;
  const lua_Integer v = check_exact_integer(L, idx);
  if (v < lo || v > hi) {
    // %d, not %I: Lua 5.1 and 5.2 have no %I (every range here fits an int).
    luaL_argerror(L, idx,
                  lua_pushfstring(L, "%s out of range (%d-%d)", what, static_cast<int>(lo),
                                  static_cast<int>(hi)));
  }
  return v;
}

bool to_socket_type(lua_State* L, int idx, lsock::socket_type& out) {
  if (lua_type(L, idx) != LUA_TSTRING) return false;
  std::size_t len = 0;
  const char* s = lua_tolstring(L, idx, &len);
  // An address ("127.0.0.1", a path) is the common first argument: no three string compares.
  if (len != 3 && len != 5) return false;
  if (strcasecmp(s, "tcp") == 0) {
    out = lsock::socket_type::tcp;
  } else if (strcasecmp(s, "udp") == 0) {
    out = lsock::socket_type::udp;
  } else if (strcasecmp(s, "mcast") == 0) {
    out = lsock::socket_type::mcast;
  } else {
    return false;
  }
  return true;
}

lsock::family_preference opt_family(lua_State* L, int idx) {
  if (lua_isnoneornil(L, idx)) return lsock::family_preference::any;
  const char* s = luaL_checkstring(L, idx);
  if (std::strcmp(s, "inet") == 0) return lsock::family_preference::inet;
  if (std::strcmp(s, "inet6") == 0) return lsock::family_preference::inet6;
  luaL_argerror(L, idx, "family must be \"inet\" or \"inet6\"");
  return lsock::family_preference::any;
}

namespace {

/// An integer in [lo, hi] taken from an options table entry (value at the top of the stack).
int option_integer(lua_State* L, int idx, const char* key, lua_Integer lo, lua_Integer hi) {
  int ok = 0;
  const lua_Integer v = lua_type(L, -1) == LUA_TNUMBER ? lua_tointegerx(L, -1, &ok) : 0;
  if (!ok || v < lo || v > hi) {
    luaL_argerror(L, idx,
                  lua_pushfstring(L, "option '%s' must be an integer %d-%d", key,
                                  static_cast<int>(lo), static_cast<int>(hi)));
  }
  return static_cast<int>(v);
}

/// The options table at `idx` ({iface=, family=, backlog=, ttl=}); unknown keys are errors, so
/// a misspelt option is not silently ignored. Leaves the iface string on the stack, where it
/// stays referenced while `a.iface` views it.
void read_options(lua_State* L, int idx, socket_args& a) {
  idx = lua_absindex(L, idx);
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING) luaL_argerror(L, idx, "option names must be strings");
    const char* key = lua_tostring(L, -2);
    if (std::strcmp(key, "iface") == 0) {
      if (lua_type(L, -1) != LUA_TSTRING) luaL_argerror(L, idx, "option 'iface' must be a string");
    } else if (std::strcmp(key, "family") == 0) {
      const char* f = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
      if (std::strcmp(f, "inet") == 0) {
        a.prefer = lsock::family_preference::inet;
      } else if (std::strcmp(f, "inet6") == 0) {
        a.prefer = lsock::family_preference::inet6;
      } else {
        luaL_argerror(L, idx, "option 'family' must be \"inet\" or \"inet6\"");
      }
    } else if (std::strcmp(key, "backlog") == 0) {
      a.backlog = option_integer(L, idx, key, 0, 65535);
    } else if (std::strcmp(key, "ttl") == 0) {
      a.ttl = option_integer(L, idx, key, 0, 255);
    } else {
      luaL_argerror(L, idx, lua_pushfstring(L, "unknown option '%s'", key));
    }
    lua_pop(L, 1);
  }
  lua_pushliteral(L, "iface");
  if (lua_rawget(L, idx) == LUA_TSTRING) {
    std::size_t len = 0;
    const char* s = lua_tolstring(L, -1, &len);
    a.iface = {s, len};
  }
}

}  // namespace

void check_socket_args(lua_State* L, bool is_bind, socket_args& a) {
  int top = 1;
  if (to_socket_type(L, top, a.type)) ++top;
  if (lua_type(L, top) == LUA_TSTRING) {
    std::size_t len = 0;
    const char* s = lua_tolstring(L, top, &len);
    a.address = {s, len};
    ++top;
  } else if (is_bind) {
    a.address = "0.0.0.0";
  } else {
    luaL_typeerror(L, top, "string");
  }
  const bool is_unix = lsock::is_unix_address(a.address);
  // A unix address needs no port, so an options table may follow it directly.
  if (is_unix && lua_type(L, top) == LUA_TTABLE) {
    read_options(L, top, a);
    return;
  }
  a.port = check_port(L, top, is_unix);
  ++top;
  if (top > lua_gettop(L)) return;  // connect(address, port): nothing optional follows
  if (lua_type(L, top) == LUA_TTABLE) {
    read_options(L, top, a);
    return;
  }
  if (is_bind) {
    a.backlog = static_cast<int>(opt_integer_in(L, top, a.backlog, 0, 65535, "backlog"));
  } else {
    a.ttl = static_cast<int>(opt_integer_in(L, top, a.ttl, 0, 255, "ttl"));
  }
  ++top;
  if (!lua_isnoneornil(L, top)) {
    luaL_checktype(L, top, LUA_TTABLE);
    read_options(L, top, a);
  }
}

lsock::socket_options to_options(const socket_args& a) {
  lsock::socket_options opts;
  opts.prefer = a.prefer;
  opts.backlog = a.backlog;
  opts.ttl = a.ttl;
  opts.iface.assign(a.iface);
  return opts;
}

std::int64_t check_timeout_ms(lua_State* L, int idx) {
  int is_num = 0;
  lua_Number t = lua_tonumberx(L, idx, &is_num);  // one API call in the common case
  if (!is_num) {
    if (lua_isnoneornil(L, idx)) return -1;
    t = luaL_checknumber(L, idx);  // raises: not a number
  }
  if (std::isnan(t)) luaL_argerror(L, idx, "timeout is NaN");
  // A negative timeout waits forever, as in the original lsocket (scripts pass -1); beyond
  // ~31 years (and math.huge) means the same.
  if (t < 0 || t > 1e9) return -1;
  // Rounded up to whole milliseconds (std::ceil without the libm call).
  const double ms = t * 1000.0;
  auto whole = static_cast<std::int64_t>(ms);
  if (static_cast<double>(whole) < ms) ++whole;
  return whole;
}

std::size_t opt_recv_size(lua_State* L, int idx) {
  // The common case in one API call; anything else (none, nil, a float, out of range) is
  // judged by opt_integer_in, with its messages.
  int is_int = 0;
  const lua_Integer v = lua_tointegerx(L, idx, &is_int);
  if (is_int && v >= 1 && v <= static_cast<lua_Integer>(max_recv_size)) {
    return static_cast<std::size_t>(v);
  }
  return static_cast<std::size_t>(opt_integer_in(L, idx, default_recv_size, 1,
                                                 static_cast<lua_Integer>(max_recv_size), "size"));
}

}  // namespace lsocket
