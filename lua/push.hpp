#pragma once
// Every core result becomes Lua values here, following lsocket's conventions:
// error → nil, message, NAME; would-block → false; orderly close → nil.

#include <lsock/address.hpp>
#include <lsock/error.hpp>
#include <lsock/result.hpp>
#include <lua.hpp>

namespace lsocket {

/// nil, message, symbolic name ("ECONNREFUSED"). Returns 3.
int push_error(lua_State* L, const lsock::error& err);
/// true, or the error. Returns the number of values pushed.
int push_ok(lua_State* L, const lsock::result<void>& r);
/// The table {family, addr[, port]} for an endpoint (port only for IP families).
void push_endpoint_table(lua_State* L, const lsock::endpoint& ep);
/// addr, port for an IP endpoint; nil, nil for unix ones. Pushes 2 values.
void push_addr_port(lua_State* L, const lsock::endpoint& ep);
/// "inet", "inet6" or "unix".
void push_family(lua_State* L, lsock::family f);

}  // namespace lsocket
