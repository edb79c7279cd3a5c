#pragma once

#include "compat.hpp"

namespace lsocket {
/// Creates the socket metatable (methods, __gc, __close, __tostring) in the registry.
void register_socket_metatable(lua_State* L);
}  // namespace lsocket
