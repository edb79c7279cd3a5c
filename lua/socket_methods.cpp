// The socket methods: info, status, getfd, setfd, accept, recv, recvfrom, send, sendto, close,
// and the metamethods __gc / __close (Lua 5.4) / __tostring.

#include "socket_methods.hpp"

#include <strings.h>

#include <new>
#include <span>

#include "check.hpp"
#include "gc_retry.hpp"
#include "guard.hpp"
#include "lua_socket.hpp"
#include "push.hpp"

namespace lsocket {
namespace {

/// The receive buffer of recv / recvfrom: a Lua userdata in the calling method's upvalue 2
/// (false until the first call), replaced by a larger one when a call asks for more (at most
/// max_recv_size). recv allocates nothing per call and looks nothing up, Lua owns and frees the
/// memory, and an allocation failure is an ordinary Lua memory error.
std::span<char> scratch(lua_State* L, std::size_t size) {
  void* buf = lua_touserdata(L, lua_upvalueindex(2));
  if (buf == nullptr || lua_rawlen(L, lua_upvalueindex(2)) < size) {
    buf = lua_newuserdatauv(L, size < default_recv_size ? default_recv_size : size, 0);
    lua_replace(L, lua_upvalueindex(2));
  }
  return {static_cast<char*>(buf), size};
}

int sock_info(lua_State* L) {
  lua_socket* s = check_socket(L, 1);
  enum { basic, peer, local } what = basic;
  if (!lua_isnoneornil(L, 2)) {
    const char* w = luaL_checkstring(L, 2);
    if (strcasecmp(w, "peer") == 0) {
      what = peer;
    } else if (strcasecmp(w, "socket") == 0) {
      what = local;
    } else {
      return luaL_argerror(L, 2, lua_pushfstring(L, "invalid option '%s'", w));
    }
  }
  // A closed socket still describes itself, with fd = -1, as in the original lsocket: code
  // that indexes the result (s:info().fd) keeps working. It has no endpoints to report.
  if (what == basic) return push_info(L, s->sock.info());
  if (auto open = s->sock.check_open("info"); !open) return push_error(L, open.error());
  return push_endpoint(L, what == peer ? s->sock.peer_endpoint() : s->sock.local_endpoint());
}

int sock_status(lua_State* L) {
  lua_socket* s = check_socket(L, 1);
  return push_ok(L, s->sock.status());
}

int sock_getfd(lua_State* L) {
  lua_pushinteger(L, check_socket(L, 1)->sock.fd());
  return 1;
}

int sock_setfd(lua_State* L) {
  lua_socket* s = check_socket(L, 1);
  const lua_Integer fd = luaL_checkinteger(L, 2);
  return push_ok(L, s->sock.set_fd(fd == -1 ? -1 : 0));
}

int sock_accept(lua_State* L) {
  lua_socket* s = check_socket(L, 1);
  lua_socket* ud = new_socket(L);
  lsock::accepted conn;
  auto r = with_gc_retry(L, [&] { return s->sock.accept(conn); });
  // Into Lua's hands before anything else allocates: an allocation failure raises, and a raise
  // would skip `conn`'s destructor (it is left holding no descriptor and no memory).
  ud->sock = std::move(conn.socket);
  return push_accepted(L, r, conn.peer);
}

int sock_recv(lua_State* L) {
  lua_socket* s = check_socket(L, 1);
  const auto buf = scratch(L, opt_recv_size(L, 2));
  return push_received(L, s->sock.recv(buf), buf, nullptr);
}

int sock_recvfrom(lua_State* L) {
  lua_socket* s = check_socket(L, 1);
  const auto buf = scratch(L, opt_recv_size(L, 2));
  lsock::endpoint from;
  auto r = s->sock.recvfrom(buf, from);
  return push_received(L, r, buf, &from);
}

int sock_send(lua_State* L) {
  lua_socket* s = check_socket(L, 1);
  std::size_t len = 0;
  const char* data = luaL_checklstring(L, 2, &len);
  return push_sent(L, s->sock.send({data, len}));
}

int sock_sendto(lua_State* L) {
  lua_socket* s = check_socket(L, 1);
  std::size_t len = 0;
  const char* data = luaL_checklstring(L, 2, &len);
  std::size_t alen = 0;
  const char* addr = luaL_checklstring(L, 3, &alen);
  const int port = check_port(L, 4, lsock::is_unix_address({addr, alen}));
  return push_sent(L, s->sock.sendto({data, len}, {addr, alen}, port));
}

int sock_close(lua_State* L) {
  lua_socket* s = check_socket(L, 1);
  return push_ok(L, s->sock.close());
}

/// __gc and __close: one idempotent close. Errors are dropped: there is no caller to tell.
int sock_collect(lua_State* L) {
  lua_socket* s = to_socket(L, 1);
  if (s != nullptr) (void)s->sock.close();
  return 0;
}

int sock_tostring(lua_State* L) {
  lua_pushfstring(L, "socket: %p", static_cast<void*>(check_socket(L, 1)));
  return 1;
}

const luaL_Reg methods[] = {
    {"info", guarded<sock_info>},
    {"status", guarded<sock_status>},
    {"getfd", sock_getfd},
    {"setfd", guarded<sock_setfd>},
    {"accept", guarded<sock_accept>},
    {"send", guarded<sock_send>},
    {"sendto", guarded<sock_sendto>},
    {"close", guarded<sock_close>},
    {nullptr, nullptr},
};

/// Methods with a receive buffer as upvalue 2 (scratch).
const luaL_Reg receiving_methods[] = {
    {"recv", guarded<sock_recv>},
    {"recvfrom", guarded<sock_recvfrom>},
    {nullptr, nullptr},
};

const luaL_Reg metamethods[] = {
    {"__gc", sock_collect},
#if LUA_VERSION_NUM >= 504
    {"__close", sock_collect},  // to-be-closed variables exist only in Lua 5.4
#endif
    {"__tostring", sock_tostring},
    {nullptr, nullptr},
};

}  // namespace

lua_socket* new_socket(lua_State* L) {
  void* mem = lua_newuserdatauv(L, sizeof(lua_socket), 0);
  auto* ud = new (mem) lua_socket{};
  lua_pushvalue(L, lua_upvalueindex(1));  // not luaL_setmetatable's registry lookup by name
  lua_setmetatable(L, -2);
  return ud;
}

void register_socket_metatable(lua_State* L) {
  // Every method and metamethod gets the metatable as upvalue 1, for check_socket.
  luaL_newmetatable(L, socket_meta);
  lua_pushvalue(L, -1);
  luaL_setfuncs(L, metamethods, 1);
  luaL_newlibtable(L, methods);
  lua_pushvalue(L, -2);
  luaL_setfuncs(L, methods, 1);
  lua_pushvalue(L, -2);
  lua_pushboolean(L, 0);  // no receive buffer yet
  luaL_setfuncs(L, receiving_methods, 2);
  lua_setfield(L, -2, "__index");
  lua_pushliteral(L, "socket");
  lua_setfield(L, -2, "__type");
  lua_pop(L, 1);
}

}  // namespace lsocket
