#include "push.hpp"

#include <string>
#include <string_view>

namespace lsocket {
namespace {

void set_string(lua_State* L, const char* key, std::string_view v) {
  lua_pushlstring(L, v.data(), v.size());
  lua_setfield(L, -2, key);
}

void set_bool(lua_State* L, const char* key, bool v) {
  lua_pushboolean(L, v);
  lua_setfield(L, -2, key);
}

void set_integer(lua_State* L, const char* key, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, key);
}

/// A new table holding the entries of the table at `idx` whose indices are in `ready`: each
/// ready socket is found by its index, with no search.
void push_ready(lua_State* L, int idx, std::span<const std::size_t> ready) {
  lua_createtable(L, static_cast<int>(ready.size()), 0);
  lua_Integer n = 1;
  for (const std::size_t i : ready) {
    lua_rawgeti(L, idx, static_cast<lua_Integer>(i) + 1);
    lua_rawseti(L, -2, n++);
  }
}

bool is_ip(lsock::family f) { return f == lsock::family::inet || f == lsock::family::inet6; }

}  // namespace

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
  set_string(L, "addr", ep.addr());
  if (is_ip(ep.family())) set_integer(L, "port", ep.port());
}

void push_addr_port(lua_State* L, const lsock::endpoint& ep) {
  char text[lsock::ip_text_capacity];
  if (const std::size_t n = ep.ip_text(text); n != 0) {
    lua_pushlstring(L, text, n);
    lua_pushinteger(L, ep.port());
  } else {
    lua_pushnil(L);
    lua_pushnil(L);
  }
}

int push_info(lua_State* L, const lsock::socket_info& info) {
  lua_createtable(L, 0, 5);
  set_integer(L, "fd", info.fd);
  push_family(L, info.family);
  lua_setfield(L, -2, "family");
  set_string(L, "type", info.type == lsock::socket_type::tcp ? "tcp" : "udp");
  set_bool(L, "listening", info.listening);
  set_bool(L, "multicast", info.multicast);
  return 1;
}

int push_endpoint(lua_State* L, const lsock::result<lsock::endpoint>& ep) {
  if (!ep) return push_error(L, ep.error());
  push_endpoint_table(L, *ep);
  return 1;
}

int push_accepted(lua_State* L, const lsock::result<lsock::io_status>& r,
                  const lsock::endpoint& peer) {
  if (!r) return push_error(L, r.error());
  if (*r != lsock::io_status::ready) {
    lua_pushboolean(L, 0);
    return 1;
  }
  push_addr_port(L, peer);
  return 3;  // the socket below, addr, port
}

int push_received(lua_State* L, const lsock::result<lsock::transfer>& r, std::span<const char> buf,
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
    if (from->family() != lsock::family::unix_domain) {
      push_addr_port(L, *from);  // an IP sender; nil, nil when the kernel named none
    } else {
      // A unix sender's path (or @name) lets a datagram server answer it; unnamed: nil.
      const std::string path = from->addr();
      if (path.empty()) {
        lua_pushnil(L);
      } else {
        lua_pushlstring(L, path.data(), path.size());
      }
      lua_pushnil(L);
    }
    n += 2;
  }
  if (r->truncated) {
    lua_pushboolean(L, 1);
    ++n;
  }
  return n;
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

int push_selected(lua_State* L, const lsock::result<bool>& r, int read_idx,
                  std::span<const std::size_t> ready_read, int write_idx,
                  std::span<const std::size_t> ready_write) {
  if (!r) return push_error(L, r.error());
  if (!*r || (read_idx == 0 && write_idx == 0)) {
    lua_pushboolean(L, 0);  // timeout, or select(timeout): a sleep that ended
    return 1;
  }
  if (read_idx != 0) {
    push_ready(L, read_idx, ready_read);
  } else {
    lua_createtable(L, 0, 0);  // README: an empty first table when only writers were given
  }
  if (write_idx == 0) return 1;
  push_ready(L, write_idx, ready_write);
  return 2;
}

int push_resolved(lua_State* L, const lsock::result<std::vector<lsock::resolved_address>>& r) {
  if (!r) return push_error(L, r.error());
  lua_createtable(L, static_cast<int>(r->size()), 0);
  lua_Integer i = 1;
  for (const auto& a : *r) {
    lua_createtable(L, 0, 2);
    push_family(L, a.family);
    lua_setfield(L, -2, "family");
    set_string(L, "addr", a.addr);
    lua_rawseti(L, -2, i++);
  }
  return 1;
}

int push_interfaces(lua_State* L, const lsock::result<std::vector<lsock::interface_address>>& r) {
  if (!r) return push_error(L, r.error());
  lua_createtable(L, static_cast<int>(r->size()), 0);
  lua_Integer i = 1;
  for (const auto& rec : *r) {
    lua_createtable(L, 0, 8);
    set_string(L, "name", rec.name);
    push_family(L, rec.family);
    lua_setfield(L, -2, "family");
    set_string(L, "addr", rec.addr);
    set_string(L, "mask", rec.mask);
    set_integer(L, "prefixlen", rec.prefixlen);
    set_integer(L, "index", rec.index);
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

}  // namespace lsocket
