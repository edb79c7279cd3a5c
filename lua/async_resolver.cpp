// async_resolver: the lsocket distribution's companion module for lookups that do not block,
// on libcore's resolver (lsock::resolve_request: a worker pool, an eventfd per request).
//
//   local aresolve = require "async_resolver"
//   local rq = aresolve("example.host" [, "inet" | "inet6"])  -- or nil, msg, NAME
//   rq:poll()      --> true (answer in) / false (pending) / nil, msg after cancel or finalize
//   rq:cancel()    --> true
//   rq:finalize()  --> {{family=, addr=}, ...} or nil, msg, NAME — once
//   rq:getfd()     --> a descriptor that turns readable when the answer is in (-1 when done)
//
// A request may sit in lsocket.select's read table: its metatable's __lsocket_getfd gives
// select the descriptor. A request that is collected unfinished is cancelled.

#include <lsock/async_resolve.hpp>
#include <lua.hpp>
#include <new>

#include "check.hpp"
#include "gc_retry.hpp"
#include "guard.hpp"
#include "push.hpp"

namespace lsocket {
namespace {

constexpr const char* request_meta = "async_resolver.request";

struct lua_request {
  lsock::resolve_request rq;
};

lua_request* check_request(lua_State* L) {
  return static_cast<lua_request*>(luaL_checkudata(L, 1, request_meta));
}

int aresolve(lua_State* L) {
  std::size_t len = 0;
  const char* name = luaL_checklstring(L, 1, &len);
  const auto prefer = opt_family(L, 2);
  // The userdata first, holding an empty request: moving the started one in cannot fail, so
  // no C++ object with a descriptor is left on the C stack while Lua allocates.
  auto* ud = new (lua_newuserdatauv(L, sizeof(lua_request), 0)) lua_request{};
  luaL_setmetatable(L, request_meta);
  // Requests left to the collector still hold descriptors: on EMFILE collect once and retry.
  auto started = with_gc_retry(L, [&] {
    return lsock::resolve_request::start({name, len}, prefer);
  });
  if (!started) return push_error(L, started.error());
  ud->rq = std::move(*started);
  return 1;
}

int rq_poll(lua_State* L) {
  auto r = check_request(L)->rq.poll();
  if (!r) return push_error(L, r.error());
  lua_pushboolean(L, *r ? 1 : 0);
  return 1;
}

int rq_cancel(lua_State* L) {
  check_request(L)->rq.cancel();
  lua_pushboolean(L, 1);
  return 1;
}

int rq_finalize(lua_State* L) { return push_resolved(L, check_request(L)->rq.finalize()); }

int rq_getfd(lua_State* L) {
  lua_pushinteger(L, check_request(L)->rq.fd());
  return 1;
}

int rq_gc(lua_State* L) {
  // Runs once per userdata (also after __close): the destructor cancels an unfinished lookup.
  check_request(L)->~lua_request();
  return 0;
}

int rq_close(lua_State* L) {
  check_request(L)->rq.cancel();
  return 0;
}

const char* state_name(lsock::resolve_state s) {
  switch (s) {
    case lsock::resolve_state::pending:
      return "pending";
    case lsock::resolve_state::done:
      return "done";
    case lsock::resolve_state::cancelled:
      return "cancelled";
    default:
      return "finalized";
  }
}

int rq_tostring(lua_State* L) {
  lua_request* ud = check_request(L);
  lua_pushfstring(L, "async_resolver.request: %p (%s)", static_cast<void*>(ud),
                  state_name(ud->rq.state()));
  return 1;
}

const luaL_Reg methods[] = {
    {"poll", guarded<rq_poll>},
    {"cancel", guarded<rq_cancel>},
    {"finalize", guarded<rq_finalize>},
    {"getfd", guarded<rq_getfd>},
    {nullptr, nullptr},
};

const luaL_Reg metamethods[] = {
    {"__gc", rq_gc},
    {"__close", rq_close},
    {"__tostring", guarded<rq_tostring>},
    // lsocket.select asks an entry that is not a socket for its descriptor through this.
    {"__lsocket_getfd", guarded<rq_getfd>},
    {nullptr, nullptr},
};

}  // namespace
}  // namespace lsocket

extern "C" __attribute__((visibility("default"))) int luaopen_async_resolver(lua_State* L) {
  using namespace lsocket;
  if (luaL_newmetatable(L, request_meta)) {
    luaL_setfuncs(L, metamethods, 0);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
  lua_pushcfunction(L, guarded<aresolve>);
  return 1;
}
