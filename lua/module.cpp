// luaopen_lsocket: the module table (bind, connect, select, resolve, getinterfaces and the
// constants). Each function checks its arguments, makes one core call and pushes the result.

#include <lsock/interfaces.hpp>
#include <lsock/resolve.hpp>
#include <lsock/socket.hpp>
#include <lsock/version.hpp>

#include "check.hpp"
#include "compat.hpp"
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
  return push_resolved(L, lsock::resolve({name, len}, prefer));
}

int lsocket_getinterfaces(lua_State* L) { return push_interfaces(L, lsock::interfaces()); }

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
  // bind and connect make sockets: the socket metatable is their upvalue 1 (new_socket).
  luaL_newlibtable(L, functions);
  luaL_getmetatable(L, socket_meta);
  luaL_setfuncs(L, functions, 1);
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
