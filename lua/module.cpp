// luaopen_lsocket: the module table (bind, connect, select, resolve, getinterfaces and the
// constants). Each function checks its arguments, makes one core call and pushes the result.

#include <lsock/interfaces.hpp>
#include <lsock/resolve.hpp>
#include <lsock/socket.hpp>
#include <lsock/version.hpp>
#include <lua.hpp>
#include <string_view>

#include "check.hpp"
#include "gc_retry.hpp"
#include "lua_socket.hpp"
#include "push.hpp"
#include "select.hpp"
#include "socket_methods.hpp"

namespace lsocket {
namespace {

/// The arguments bind and connect share, read the way lsocket reads them.
struct socket_args {
  lsock::socket_type type = lsock::socket_type::tcp;
  std::string_view address;
  int port = 0;
  lsock::socket_options opts;
  const char* iface = nullptr;
};

/// [type], address, port, then the numeric extra (backlog or ttl) and an options table.
/// The address is optional for bind (default INADDR_ANY), required for connect.
void read_socket_args(lua_State* L, bool is_bind, socket_args& a) {
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
  a.port = check_port(L, top, lsock::is_unix_address(a.address));
  ++top;
  if (lua_istable(L, top)) {
    read_options(L, top, a.opts, &a.iface);
    return;
  }
  if (is_bind) {
    a.opts.backlog = static_cast<int>(opt_integer_in(L, top, 5, 0, 65535, "backlog"));
  } else {
    a.opts.ttl = static_cast<int>(opt_integer_in(L, top, 1, 0, 255, "ttl"));
  }
  ++top;
  if (!lua_isnoneornil(L, top)) read_options(L, top, a.opts, &a.iface);
}

int lsocket_bind(lua_State* L) {
  socket_args a;
  read_socket_args(L, true, a);
  if (a.iface != nullptr) a.opts.iface = a.iface;
  auto s = with_gc_retry(L, [&] { return lsock::socket::bind(a.type, a.address, a.port, a.opts); });
  if (!s) return push_error(L, s.error());
  push_socket(L, std::move(*s));
  return 1;
}

int lsocket_connect(lua_State* L) {
  socket_args a;
  read_socket_args(L, false, a);
  if (a.iface != nullptr) a.opts.iface = a.iface;
  auto s =
      with_gc_retry(L, [&] { return lsock::socket::connect(a.type, a.address, a.port, a.opts); });
  if (!s) return push_error(L, s.error());
  push_socket(L, std::move(*s));
  return 1;
}

int lsocket_resolve(lua_State* L) {
  std::size_t len = 0;
  const char* name = luaL_checklstring(L, 1, &len);
  const auto prefer = opt_family(L, 2);
  auto list = lsock::resolve({name, len}, prefer);
  if (!list) return push_error(L, list.error());
  lua_createtable(L, static_cast<int>(list->size()), 0);
  lua_Integer i = 1;
  for (const auto& r : *list) {
    lua_createtable(L, 0, 2);
    push_family(L, r.family);
    lua_setfield(L, -2, "family");
    lua_pushlstring(L, r.addr.data(), r.addr.size());
    lua_setfield(L, -2, "addr");
    lua_rawseti(L, -2, i++);
  }
  return 1;
}

void set_string(lua_State* L, const char* key, const std::string& v) {
  lua_pushlstring(L, v.data(), v.size());
  lua_setfield(L, -2, key);
}

void set_bool(lua_State* L, const char* key, bool v) {
  lua_pushboolean(L, v);
  lua_setfield(L, -2, key);
}

int lsocket_getinterfaces(lua_State* L) {
  auto list = lsock::interfaces();
  if (!list) return push_error(L, list.error());
  lua_createtable(L, static_cast<int>(list->size()), 0);
  lua_Integer i = 1;
  for (const auto& rec : *list) {
    lua_createtable(L, 0, 8);
    set_string(L, "name", rec.name);
    push_family(L, rec.family);
    lua_setfield(L, -2, "family");
    set_string(L, "addr", rec.addr);
    set_string(L, "mask", rec.mask);
    lua_pushinteger(L, rec.prefixlen);
    lua_setfield(L, -2, "prefixlen");
    lua_pushinteger(L, rec.index);
    lua_setfield(L, -2, "index");
    if (!rec.broadcast.empty()) set_string(L, "broadcast", rec.broadcast);
    lua_createtable(L, 0, 5);
    set_bool(L, "up", rec.flags.up);
    set_bool(L, "running", rec.flags.running);
    set_bool(L, "loopback", rec.flags.loopback);
    set_bool(L, "broadcast", rec.flags.broadcast);
    set_bool(L, "multicast", rec.flags.multicast);
    lua_setfield(L, -2, "flags");
    lua_rawseti(L, -2, i++);
  }
  return 1;
}

const luaL_Reg functions[] = {
    {"bind", lsocket_bind},       {"connect", lsocket_connect},
    {"resolve", lsocket_resolve}, {"getinterfaces", lsocket_getinterfaces},
    {"select", nullptr},  // a closure, set below
    {nullptr, nullptr},
};

}  // namespace
}  // namespace lsocket

extern "C" __attribute__((visibility("default"))) int luaopen_lsocket(lua_State* L) {
  using namespace lsocket;
  register_socket_metatable(L);
  luaL_newlib(L, functions);
  push_select(L);
  lua_setfield(L, -2, "select");
  lua_pushliteral(L, "0.0.0.0");
  lua_setfield(L, -2, "INADDR_ANY");
  lua_pushliteral(L, "::0");
  lua_setfield(L, -2, "IN6ADDR_ANY");
  lua_pushstring(L, lsock::lsocket_api_version);
  lua_setfield(L, -2, "_VERSION");
  return 1;
}
