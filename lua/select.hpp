#pragma once

#include "compat.hpp"

namespace lsocket {
/// Pushes the lsocket.select function (a closure owning its reusable poll state).
void push_select(lua_State* L);
}  // namespace lsocket
