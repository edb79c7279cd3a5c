#pragma once
// C++ exceptions must not cross into the Lua interpreter (compiled as C: nothing there would
// catch them, and the process would abort). libcore throws nothing but std::bad_alloc (and the
// standard library its relatives); guarded<> turns them into an ordinary Lua error.

#include <cstring>
#include <exception>
#include <new>

#include "compat.hpp"

namespace lsocket {

template <lua_CFunction F>
int guarded(lua_State* L) {
  // The message is copied out of the exception: lua_error may only run once the catch block
  // (and the exception object) are gone, as it never returns.
  char message[128];
  try {
    return F(L);
  } catch (const std::bad_alloc&) {
    std::strcpy(message, "not enough memory");
  } catch (const std::exception& e) {
    std::strncpy(message, e.what(), sizeof message - 1);
    message[sizeof message - 1] = '\0';
  }
  lua_pushstring(L, message);
  return lua_error(L);
}

}  // namespace lsocket
