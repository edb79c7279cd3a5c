// lsock_compat_probe: a test-only Lua module, built for every Lua like lsocket, that exposes
// lua/compat.hpp's replacements one by one so compat_spec.lua can check each on each version
// (lsocket itself uses only some of them, e.g. no uservalues).

#include "compat.hpp"

namespace {

constexpr const char* probe_meta = "lsock.compat_probe";
const char registry_key = 0;

// newud(nuv): a userdata with nuv uservalues.
int newud(lua_State* L) {
  const auto nuv = static_cast<int>(luaL_checkinteger(L, 1));
  lua_newuserdatauv(L, 1, nuv);
  luaL_setmetatable(L, probe_meta);
  return 1;
}

// setuv(ud, n, v): lua_setiuservalue's result.
int setuv(lua_State* L) {
  lua_settop(L, 3);
  lua_pushboolean(L, lua_setiuservalue(L, 1, static_cast<int>(luaL_checkinteger(L, 2))));
  return 1;
}

// getuv(ud, n): the value and the type name lua_getiuservalue returned ("no value": none).
int getuv(lua_State* L) {
  const int t = lua_getiuservalue(L, 1, static_cast<int>(luaL_checkinteger(L, 2)));
  lua_pushstring(L, t == LUA_TNONE ? "no value" : lua_typename(L, t));
  return 2;
}

// tointeger(x): value, isnum.
int tointeger(lua_State* L) {
  int isnum = 0;
  const lua_Integer v = lua_tointegerx(L, 1, &isnum);
  lua_pushinteger(L, v);
  lua_pushboolean(L, isnum);
  return 2;
}

int isinteger(lua_State* L) {
  lua_pushboolean(L, lua_isinteger(L, 1));
  return 1;
}

int checkinteger(lua_State* L) {
  lua_pushinteger(L, luaL_checkinteger(L, 1));
  return 1;
}

// rawp(t, v): t[key] = v by lua_rawsetp, read back by lua_rawgetp; returns it and its type.
int rawp(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 2);
  lua_rawsetp(L, 1, &registry_key);
  const int t = lua_rawgetp(L, 1, &registry_key);
  lua_pushstring(L, lua_typename(L, t));
  return 2;
}

// gettypes(t): the types lua_rawget / lua_rawgeti(t, 1) / lua_getfield(t, "k") return.
int gettypes(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushliteral(L, "k");
  lua_pushstring(L, lua_typename(L, lua_rawget(L, 1)));
  lua_pushstring(L, lua_typename(L, lua_rawgeti(L, 1, 1)));
  lua_pushstring(L, lua_typename(L, lua_getfield(L, 1, "k")));
  lua_pushvalue(L, -5);
  lua_pushvalue(L, -4);
  lua_pushvalue(L, -3);
  return 3;
}

int rawlen(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(lua_rawlen(L, 1)));
  return 1;
}

int testudata(lua_State* L) {
  lua_pushboolean(L, luaL_testudata(L, 1, probe_meta) != nullptr);
  return 1;
}

int typeerror(lua_State* L) { return luaL_typeerror(L, 1, "probe"); }

// upvalue(): its upvalue 1, given by luaL_setfuncs.
int upvalue(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  return 1;
}

int absindex(lua_State* L) {
  lua_pushinteger(L, lua_absindex(L, static_cast<int>(luaL_checkinteger(L, 1))));
  return 1;
}

const luaL_Reg functions[] = {
    {"newud", newud},         {"setuv", setuv},         {"getuv", getuv},
    {"tointeger", tointeger}, {"isinteger", isinteger}, {"checkinteger", checkinteger},
    {"rawp", rawp},           {"gettypes", gettypes},   {"rawlen", rawlen},
    {"testudata", testudata}, {"typeerror", typeerror}, {"absindex", absindex},
    {nullptr, nullptr},
};

const luaL_Reg with_upvalue[] = {{"upvalue", upvalue}, {nullptr, nullptr}};

}  // namespace

extern "C" __attribute__((visibility("default"))) int luaopen_lsock_compat_probe(lua_State* L) {
  luaL_newmetatable(L, probe_meta);
  lua_pop(L, 1);
  luaL_newlib(L, functions);
  lua_pushliteral(L, "the upvalue");
  luaL_setfuncs(L, with_upvalue, 1);
  return 1;
}
