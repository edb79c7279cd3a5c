// luaopen_lsocket: the module table (bind, connect, select, resolve, getinterfaces and the
// constants). Each function checks its arguments, makes one core call and pushes the result.

#include <lsock/interfaces.hpp>
#include <lsock/resolve.hpp>
#include <lsock/socket.hpp>
#include <lsock/version.hpp>
#include <lua.hpp>
#include <string>

#include "check.hpp"
#include "gc_retry.hpp"
#include "guard.hpp"
#include "lua_socket.hpp"
#include "push.hpp"
#include "select.hpp"
#include "socket_methods.hpp"

namespace lsocket {
namespace {

/// bind and connect: check everything, allocate the userdata, then make the socket.
template <bool is_bind>
int make_socket(lua_State* L) {
  socket_args a;
  check_socket_args(L, is_bind, a);
  lua_socket* ud = new_socket(L);
  auto s = with_gc_retry(L, [&] {
    return is_bind ? lsock::socket::bind(a.type, a.address, a.port, to_options(a))
                   : lsock::socket::connect(a.type, a.address, a.port, to_options(a));
  });
  if (!s) return push_error(L, s.error());
  ud->sock = std::move(*s);
  return 1;
}

int lsocket_bind(lua_State* L) { return make_socket<true>(L); }
int lsocket_connect(lua_State* L) { return make_socket<false>(L); }

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
    {"bind", guarded<lsocket_bind>},
    {"connect", guarded<lsocket_connect>},
    {"resolve", guarded<lsocket_resolve>},
    {"getinterfaces", guarded<lsocket_getinterfaces>},
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
