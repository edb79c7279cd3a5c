#include "check.hpp"

#include <strings.h>

#include <cmath>
#include <cstring>

namespace lsocket {

lua_socket* check_socket(lua_State* L, int idx) {
  return static_cast<lua_socket*>(luaL_checkudata(L, idx, socket_meta));
}

namespace {

/// An integer at `idx`: floats must have an exact integer value (no silent truncation:
/// known defect 10).
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
    luaL_argerror(L, idx, lua_pushfstring(L, "%s out of range (%I-%I)", what, lo, hi));
  }
  return v;
}

bool to_socket_type(lua_State* L, int idx, lsock::socket_type& out) {
  if (lua_type(L, idx) != LUA_TSTRING) return false;
  const char* s = lua_tostring(L, idx);
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

void read_options(lua_State* L, int idx, lsock::socket_options& opts, const char** iface) {
  luaL_checktype(L, idx, LUA_TTABLE);
  lua_getfield(L, idx, "iface");
  if (!lua_isnil(L, -1)) {
    if (lua_type(L, -1) != LUA_TSTRING) luaL_argerror(L, idx, "option 'iface' must be a string");
    *iface = lua_tostring(L, -1);
  }
  lua_getfield(L, idx, "family");
  if (!lua_isnil(L, -1)) {
    const char* f = lua_tostring(L, -1);
    if (f != nullptr && std::strcmp(f, "inet") == 0) {
      opts.prefer = lsock::family_preference::inet;
    } else if (f != nullptr && std::strcmp(f, "inet6") == 0) {
      opts.prefer = lsock::family_preference::inet6;
    } else {
      luaL_argerror(L, idx, "option 'family' must be \"inet\" or \"inet6\"");
    }
  }
  lua_getfield(L, idx, "backlog");
  if (!lua_isnil(L, -1)) {
    int ok = 0;
    const lua_Integer v = lua_tointegerx(L, -1, &ok);
    if (!ok || v < 0 || v > 65535)
      luaL_argerror(L, idx, "option 'backlog' must be an integer 0-65535");
    opts.backlog = static_cast<int>(v);
  }
  lua_getfield(L, idx, "ttl");
  if (!lua_isnil(L, -1)) {
    int ok = 0;
    const lua_Integer v = lua_tointegerx(L, -1, &ok);
    if (!ok || v < 0 || v > 255) luaL_argerror(L, idx, "option 'ttl' must be an integer 0-255");
    opts.ttl = static_cast<int>(v);
  }
  // The iface string stays referenced by the options table, which stays on the stack.
  lua_pop(L, 4);
}

std::int64_t check_timeout_ms(lua_State* L, int idx) {
  if (lua_isnoneornil(L, idx)) return -1;
  const lua_Number t = luaL_checknumber(L, idx);
  if (std::isnan(t)) luaL_argerror(L, idx, "timeout is NaN");
  if (t < 0) luaL_argerror(L, idx, "timeout must not be negative");
  // Beyond ~31 years (and math.huge) means: no timeout.
  if (t > 1e9) return -1;
  return static_cast<std::int64_t>(std::ceil(t * 1000.0));
}

std::size_t opt_recv_size(lua_State* L, int idx) {
  return static_cast<std::size_t>(opt_integer_in(L, idx, default_recv_size, 1,
                                                 static_cast<lua_Integer>(max_recv_size), "size"));
}

}  // namespace lsocket
