#pragma once
// The socket userdata: an lsock::socket living inside Lua-managed memory.

#include <lsock/socket.hpp>

#include "compat.hpp"

namespace lsocket {

/// Registry name of the socket metatable (not the generic "socket" the original used).
inline constexpr const char* socket_meta = "lsocket.socket";

struct lua_socket {
  lsock::socket sock;
};

/// Pushes a new socket userdata holding a closed lsock::socket. Call it before the core call
/// that makes the socket, then move the socket in: moving cannot fail, so a descriptor is never
/// held by a C++ object while Lua allocates (an allocation failure raises, and a raise would
/// skip that object's destructor).
lua_socket* new_socket(lua_State* L);

}  // namespace lsocket
