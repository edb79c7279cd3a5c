#pragma once
// The socket userdata: an lsock::socket living inside Lua-managed memory.

#include <lsock/socket.hpp>

#include "compat.hpp"

namespace lsocket {

/// Registry name of the socket metatable (not the generic "socket" the original used).
inline constexpr const char* socket_meta = "lsocket.socket";

/// Its address marks a socket userdata: check_socket and select recognise one by its size and
/// this first word, with no metatable lookup (Lua code cannot write a userdata's memory).
inline constexpr char socket_tag = 0;

struct lua_socket {
  const void* tag = &socket_tag;
  lsock::socket sock;
};

/// The socket at `idx`, or nullptr when that is anything else.
inline lua_socket* to_socket(lua_State* L, int idx) {
  auto* p = static_cast<lua_socket*>(lua_touserdata(L, idx));
  if (p == nullptr || lua_rawlen(L, idx) != sizeof(lua_socket) || p->tag != &socket_tag) {
    return nullptr;
  }
  return p;
}

/// Pushes a new socket userdata holding a closed lsock::socket, with the socket metatable that
/// the calling function carries as upvalue 1 (every module function and method does). Call it
/// before the core call that makes the socket, then move the socket in: moving cannot fail, so a
/// descriptor is never held by a C++ object while Lua allocates (an allocation failure raises, and
/// a raise would skip that object's destructor).
lua_socket* new_socket(lua_State* L);

}  // namespace lsocket
