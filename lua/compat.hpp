#pragma once
// The Lua 5.4 API this project's modules use, for Lua 5.1 / LuaJIT 2.1, 5.2 and 5.3. Include it
// instead of <lua.hpp>. On 5.4 it adds nothing.
//
// Every replacement is our own inline function under ::lsocket::compat, reached through a macro of
// the 5.4 name. LuaJIT 2.1 declares some 5.2 functions itself (luaL_setfuncs, luaL_testudata,
// luaL_setmetatable, lua_tointegerx): the macros come after its declarations, so nothing clashes,
// and a module built against LuaJIT's headers needs no symbol that plain Lua 5.1 lacks.
//
// Integers: 5.1 and 5.2 have no integer subtype and truncate 1.5 to 1. Here a number is an
// integer when it has an exact integer value, as 5.3 converts floats: a fractional port stays a
// bad argument on every version.
//
// Not emulated: to-be-closed variables (`local s <close>`, the `__close` metamethod and
// lua_toclose) are a Lua 5.4 feature. Code must not depend on them below 5.4.

#include <lua.hpp>

#if LUA_VERSION_NUM < 504
#include <cmath>
#include <cstddef>
#include <limits>

#ifndef LUA_OK
#define LUA_OK 0
#endif

namespace lsocket::compat {

#if LUA_VERSION_NUM == 501
inline int absindex(lua_State* L, int i) {
  return i > 0 || i <= LUA_REGISTRYINDEX ? i : lua_gettop(L) + i + 1;
}
inline void setfuncs(lua_State* L, const luaL_Reg* l, int nup) {
  luaL_checkstack(L, nup, "too many upvalues");
  for (; l->name != nullptr; ++l) {
    for (int i = 0; i < nup; ++i) lua_pushvalue(L, -nup);
    lua_pushcclosure(L, l->func, nup);
    lua_setfield(L, -(nup + 2), l->name);
  }
  lua_pop(L, nup);
}
inline void* testudata(lua_State* L, int i, const char* tname) {
  void* p = lua_touserdata(L, i);
  if (p == nullptr || !lua_getmetatable(L, i)) return nullptr;
  luaL_getmetatable(L, tname);
  if (!lua_rawequal(L, -1, -2)) p = nullptr;
  lua_pop(L, 2);
  return p;
}
inline void setmetatable(lua_State* L, const char* tname) {
  luaL_getmetatable(L, tname);
  lua_setmetatable(L, -2);
}
inline lua_Number tonumberx(lua_State* L, int i, int* isnum) {
  const int ok = lua_isnumber(L, i);
  if (isnum != nullptr) *isnum = ok;
  return ok ? lua_tonumber(L, i) : 0;
}
#define lua_absindex(L, i) ::lsocket::compat::absindex(L, i)
#define lua_tonumberx(L, i, n) ::lsocket::compat::tonumberx(L, i, n)
#define lua_rawlen(L, i) lua_objlen(L, i)
#undef luaL_newlibtable
#undef luaL_newlib
#define luaL_newlibtable(L, l) \
  lua_createtable(L, 0, static_cast<int>(sizeof(l) / sizeof((l)[0])) - 1)
#define luaL_newlib(L, l) (luaL_newlibtable(L, l), luaL_setfuncs(L, l, 0))
#define luaL_setfuncs(L, l, n) ::lsocket::compat::setfuncs(L, l, n)
#define luaL_testudata(L, i, t) ::lsocket::compat::testudata(L, i, t)
#define luaL_setmetatable(L, t) ::lsocket::compat::setmetatable(L, t)
#endif  // 5.1

#if LUA_VERSION_NUM < 503
/// 5.3's luaL_newmetatable also names the type (__name), which error messages and tests use.
inline int newmetatable(lua_State* L, const char* tname) {
  if (!luaL_newmetatable(L, tname)) return 0;
  lua_pushstring(L, tname);
  lua_setfield(L, -2, "__name");
  return 1;
}
// The 5.3 getters return the type of the value they pushed; 5.1 and 5.2 take int indices.
inline int rawget(lua_State* L, int i) { return lua_rawget(L, i), lua_type(L, -1); }
inline int rawgeti(lua_State* L, int i, lua_Integer n) {
  return lua_rawgeti(L, i, static_cast<int>(n)), lua_type(L, -1);
}
inline void rawseti(lua_State* L, int i, lua_Integer n) { lua_rawseti(L, i, static_cast<int>(n)); }
inline int getfield(lua_State* L, int i, const char* k) {
  return lua_getfield(L, i, k), lua_type(L, -1);
}
inline int rawgetp(lua_State* L, int i, const void* p) {
  i = lua_absindex(L, i);
  lua_pushlightuserdata(L, const_cast<void*>(p));
  return rawget(L, i);
}
inline void rawsetp(lua_State* L, int i, const void* p) {
  i = lua_absindex(L, i);
  lua_pushlightuserdata(L, const_cast<void*>(p));
  lua_insert(L, -2);
  lua_rawset(L, i);
}
/// 5.3's conversion: a number (or numeric string) with an exact value in lua_Integer's range.
inline lua_Integer tointegerx(lua_State* L, int i, int* isnum) {
  constexpr auto lo = static_cast<lua_Number>(std::numeric_limits<lua_Integer>::min());
  const lua_Number n = lua_tonumber(L, i);
  const bool ok = lua_isnumber(L, i) && std::floor(n) == n && n >= lo && n < -lo;
  if (isnum != nullptr) *isnum = ok;
  return ok ? static_cast<lua_Integer>(n) : 0;
}
inline int isinteger(lua_State* L, int i) {
  int ok = 0;
  return lua_type(L, i) == LUA_TNUMBER && (tointegerx(L, i, &ok), ok);
}
inline lua_Integer checkinteger(lua_State* L, int i) {
  int ok = 0;
  const lua_Integer v = tointegerx(L, i, &ok);
  if (!ok) {
    luaL_argerror(L, i,
                  lua_isnumber(L, i)
                      ? "number has no integer representation"
                      : lua_pushfstring(L, "number expected, got %s", luaL_typename(L, i)));
  }
  return v;
}
#define luaL_newmetatable(L, t) ::lsocket::compat::newmetatable(L, t)
#define lua_rawget(L, i) ::lsocket::compat::rawget(L, i)
#define lua_rawgeti(L, i, n) ::lsocket::compat::rawgeti(L, i, n)
#define lua_rawseti(L, i, n) ::lsocket::compat::rawseti(L, i, n)
#define lua_getfield(L, i, k) ::lsocket::compat::getfield(L, i, k)
#define lua_rawgetp(L, i, p) ::lsocket::compat::rawgetp(L, i, p)
#define lua_rawsetp(L, i, p) ::lsocket::compat::rawsetp(L, i, p)
#define lua_tointegerx(L, i, n) ::lsocket::compat::tointegerx(L, i, n)
#undef lua_tointeger  // a macro in 5.2
#define lua_tointeger(L, i) ::lsocket::compat::tointegerx(L, i, nullptr)
#define lua_isinteger(L, i) ::lsocket::compat::isinteger(L, i)
#define luaL_checkinteger(L, i) ::lsocket::compat::checkinteger(L, i)
#endif  // < 5.3

// Uservalues: one table per userdata (5.1: its environment; 5.2/5.3: its single uservalue)
// holding the values at 1..n and, under a private key, n.
inline const char uservalue_count_key = 0;
inline void push_uservalues(lua_State* L, int i) {
#if LUA_VERSION_NUM == 501
  lua_getfenv(L, i);
#else
  lua_getuservalue(L, i);
#endif
}
inline bool has_uservalue(lua_State* L, int n) {  // uservalue table at the top
  if (!lua_istable(L, -1)) return false;
  lua_rawgetp(L, -1, &uservalue_count_key);
  const bool ok = n >= 1 && n <= lua_tointeger(L, -1);
  lua_pop(L, 1);
  return ok;
}
inline void* newuserdatauv(lua_State* L, std::size_t size, int nuv) {
  void* p = lua_newuserdata(L, size);
  if (nuv > 0) {
    lua_createtable(L, nuv, 1);
    lua_pushinteger(L, nuv);
    lua_rawsetp(L, -2, &uservalue_count_key);
#if LUA_VERSION_NUM == 501
    lua_setfenv(L, -2);
#else
    lua_setuservalue(L, -2);
#endif
  }
  return p;
}
inline int getiuservalue(lua_State* L, int i, int n) {
  push_uservalues(L, i);
  if (!has_uservalue(L, n)) {
    lua_pop(L, 1);
    lua_pushnil(L);
    return LUA_TNONE;
  }
  const int t = lua_rawgeti(L, -1, n);
  lua_remove(L, -2);
  return t;
}
inline int setiuservalue(lua_State* L, int i, int n) {  // pops the value
  i = lua_absindex(L, i);
  push_uservalues(L, i);
  const bool ok = has_uservalue(L, n);
  if (ok) {
    lua_insert(L, -2);
    lua_rawseti(L, -2, n);
  }
  lua_pop(L, ok ? 1 : 2);
  return ok;
}
inline int typeerror(lua_State* L, int i, const char* tname) {
  return luaL_argerror(L, i, lua_pushfstring(L, "%s expected, got %s", tname, luaL_typename(L, i)));
}

}  // namespace lsocket::compat

#define lua_newuserdatauv(L, s, n) ::lsocket::compat::newuserdatauv(L, s, n)
#define lua_getiuservalue(L, i, n) ::lsocket::compat::getiuservalue(L, i, n)
#define lua_setiuservalue(L, i, n) ::lsocket::compat::setiuservalue(L, i, n)
#define luaL_typeerror(L, i, t) ::lsocket::compat::typeerror(L, i, t)
#endif  // < 5.4
