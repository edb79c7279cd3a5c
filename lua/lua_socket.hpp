#pragma once
// The socket userdata: an lsock::socket living inside Lua-managed memory.

#include <lsock/socket.hpp>
#include <lua.hpp>

namespace lsocket {

/// Registry name of the socket metatable (not the generic "socket": known defect 20).
inline constexpr const char* socket_meta = "lsocket.socket";

struct lua_socket {
  lsock::socket sock;
};

/// Pushes a new userdata owning `s`.
void push_socket(lua_State* L, lsock::socket&& s);

}  // namespace lsocket
