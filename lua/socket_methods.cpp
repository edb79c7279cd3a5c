// The socket methods: info, status, getfd, setfd, accept, recv, recvfrom, send, sendto, close,
// and the metamethods __gc / __close / __tostring.

#include "socket_methods.hpp"

#include <strings.h>

#include <new>
#include <span>
#include <string>
#include <vector>

#include "check.hpp"
#include "gc_retry.hpp"
#include "lua_socket.hpp"
#include "push.hpp"

namespace lsocket {
namespace {

/// One receive buffer per thread, grown on demand: recv allocates nothing per call.
std::span<char> scratch(std::size_t size) {
  thread_local std::vector<char> buf;
  if (buf.size() < size) buf.resize(size);
  return {buf.data(), size};
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
  if (auto open = s->sock.check_open("info"); !open) return push_error(L, open.error());
  if (what == basic) {
    const lsock::socket_info i = s->sock.info();
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, i.fd);
    lua_setfield(L, -2, "fd");
    push_family(L, i.family);
    lua_setfield(L, -2, "family");
    lua_pushstring(L, i.type == lsock::socket_type::tcp ? "tcp" : "udp");
    lua_setfield(L, -2, "type");
    lua_pushboolean(L, i.listening);
    lua_setfield(L, -2, "listening");
    lua_pushboolean(L, i.multicast);
    lua_setfield(L, -2, "multicast");
    return 1;
  }
  auto ep = what == peer ? s->sock.peer_endpoint() : s->sock.local_endpoint();
  if (!ep) return push_error(L, ep.error());
  push_endpoint_table(L, *ep);
  return 1;
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
  lsock::accepted conn;
  auto r = with_gc_retry(L, [&] { return s->sock.accept(conn); });
  if (!r) return push_error(L, r.error());
  if (*r != lsock::io_status::ready) {
    lua_pushboolean(L, 0);
    return 1;
  }
  push_socket(L, std::move(conn.socket));
  push_addr_port(L, conn.peer);
  return 3;
}

/// Pushes data plus, for a truncated datagram, a trailing true.
int push_received(lua_State* L, const lsock::result<lsock::transfer>& r, std::span<char> buf,
                  const lsock::endpoint* from) {
  if (!r) return push_error(L, r.error());
  if (r->status == lsock::io_status::would_block) {
    lua_pushboolean(L, 0);
    return 1;
  }
  if (r->status == lsock::io_status::closed) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushlstring(L, buf.data(), r->bytes);
  int n = 1;
  if (from != nullptr) {
    if (from->family() == lsock::family::unix_domain) {
      const std::string path = from->addr();
      if (path.empty()) {
        lua_pushnil(L);
      } else {
        lua_pushlstring(L, path.data(), path.size());
      }
      lua_pushnil(L);
    } else {
      push_addr_port(L, *from);
    }
    n += 2;
  }
  if (r->truncated) {
    lua_pushboolean(L, 1);
    ++n;
  }
  return n;
}

int sock_recv(lua_State* L) {
  lua_socket* s = check_socket(L, 1);
  const auto buf = scratch(opt_recv_size(L, 2));
  return push_received(L, s->sock.recv(buf), buf, nullptr);
}

int sock_recvfrom(lua_State* L) {
  lua_socket* s = check_socket(L, 1);
  const auto buf = scratch(opt_recv_size(L, 2));
  lsock::endpoint from;
  auto r = s->sock.recvfrom(buf, from);
  return push_received(L, r, buf, &from);
}

int push_sent(lua_State* L, const lsock::result<lsock::transfer>& r) {
  if (!r) return push_error(L, r.error());
  if (r->status != lsock::io_status::ready) {
    lua_pushboolean(L, 0);
    return 1;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(r->bytes));
  return 1;
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
  auto* s = static_cast<lua_socket*>(luaL_testudata(L, 1, socket_meta));
  if (s != nullptr) (void)s->sock.close();
  return 0;
}

int sock_tostring(lua_State* L) {
  lua_pushfstring(L, "socket: %p", static_cast<void*>(check_socket(L, 1)));
  return 1;
}

const luaL_Reg methods[] = {
    {"info", sock_info},         {"status", sock_status}, {"getfd", sock_getfd},
    {"setfd", sock_setfd},       {"accept", sock_accept}, {"recv", sock_recv},
    {"recvfrom", sock_recvfrom}, {"send", sock_send},     {"sendto", sock_sendto},
    {"close", sock_close},       {nullptr, nullptr},
};

const luaL_Reg metamethods[] = {
    {"__gc", sock_collect},
    {"__close", sock_collect},
    {"__tostring", sock_tostring},
    {nullptr, nullptr},
};

}  // namespace

void push_socket(lua_State* L, lsock::socket&& s) {
  void* mem = lua_newuserdatauv(L, sizeof(lua_socket), 0);
  new (mem) lua_socket{std::move(s)};
  luaL_setmetatable(L, socket_meta);
}

void register_socket_metatable(lua_State* L) {
  luaL_newmetatable(L, socket_meta);
  luaL_setfuncs(L, metamethods, 0);
  luaL_newlib(L, methods);
  lua_setfield(L, -2, "__index");
  lua_pushliteral(L, "socket");
  lua_setfield(L, -2, "__type");
  lua_pop(L, 1);
}

}  // namespace lsocket
