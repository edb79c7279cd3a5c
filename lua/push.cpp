#include "push.hpp"

namespace lsocket {

int push_error(lua_State* L, const lsock::error& err) {
  lua_pushnil(L);
  lua_pushlstring(L, err.message.data(), err.message.size());
  lua_pushlstring(L, err.name.data(), err.name.size());
  return 3;
}

int push_ok(lua_State* L, const lsock::result<void>& r) {
  if (!r) return push_error(L, r.error());
  lua_pushboolean(L, 1);
  return 1;
}

void push_family(lua_State* L, lsock::family f) {
  const auto name = lsock::family_name(f);
  lua_pushlstring(L, name.data(), name.size());
}

void push_endpoint_table(lua_State* L, const lsock::endpoint& ep) {
  lua_createtable(L, 0, 3);
  push_family(L, ep.family());
  lua_setfield(L, -2, "family");
  const std::string addr = ep.addr();
  lua_pushlstring(L, addr.data(), addr.size());
  lua_setfield(L, -2, "addr");
  if (ep.family() == lsock::family::inet || ep.family() == lsock::family::inet6) {
    lua_pushinteger(L, ep.port());
    lua_setfield(L, -2, "port");
  }
}

void push_addr_port(lua_State* L, const lsock::endpoint& ep) {
  if (ep.family() == lsock::family::inet || ep.family() == lsock::family::inet6) {
    const std::string addr = ep.addr();
    lua_pushlstring(L, addr.data(), addr.size());
    lua_pushinteger(L, ep.port());
  } else {
    lua_pushnil(L);
    lua_pushnil(L);
  }
}

}  // namespace lsocket
