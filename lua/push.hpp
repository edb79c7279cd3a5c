#pragma once
// Every core result becomes Lua values here, following lsocket's conventions:
// error → nil, message, NAME; would-block → false; orderly close → nil.
//
// These functions allocate Lua values, so they can raise — but only when Lua runs out of
// memory. The caller's result object is then not destroyed (a few bytes of error text are
// lost to an out-of-memory process); sockets never are: they live in a userdata allocated
// before the core call (see new_socket).

#include <cstddef>
#include <lsock/address.hpp>
#include <lsock/error.hpp>
#include <lsock/interfaces.hpp>
#include <lsock/resolve.hpp>
#include <lsock/result.hpp>
#include <lsock/socket.hpp>
#include <span>
#include <vector>

#include "compat.hpp"

namespace lsocket {

/// nil, message, symbolic name ("ECONNREFUSED"). Returns 3.
int push_error(lua_State* L, const lsock::error& err);
/// true, or the error. Returns the number of values pushed.
int push_ok(lua_State* L, const lsock::result<void>& r);
/// "inet", "inet6" or "unix".
void push_family(lua_State* L, lsock::family f);
/// The table {family, addr[, port]} for an endpoint (port only for IP families).
void push_endpoint_table(lua_State* L, const lsock::endpoint& ep);
/// addr, port for an IP endpoint; nil, nil for unix ones. Pushes 2 values.
void push_addr_port(lua_State* L, const lsock::endpoint& ep);
/// info(): {fd, family, type, listening, multicast}. Returns 1.
int push_info(lua_State* L, const lsock::socket_info& info);
/// info("peer"/"socket"): the endpoint table, or the error.
int push_endpoint(lua_State* L, const lsock::result<lsock::endpoint>& ep);
/// accept, whose new socket is already on the stack: it with addr, port (nil, nil for unix)
/// when a connection was taken; false when none is pending; or the error.
int push_accepted(lua_State* L, const lsock::result<lsock::io_status>& r,
                  const lsock::endpoint& peer);
/// recv (from == nullptr) and recvfrom: data ("" for an empty datagram), then for recvfrom the
/// sender's addr and port (a unix sender: its path or nil, and nil), then true if the datagram
/// was truncated; false when nothing is there; nil when the peer closed the stream; or the error.
int push_received(lua_State* L, const lsock::result<lsock::transfer>& r, std::span<const char> buf,
                  const lsock::endpoint* from);
/// send/sendto: the count sent; false when it would block; or the error.
int push_sent(lua_State* L, const lsock::result<lsock::transfer>& r);
/// select: false on timeout (or when only a timeout was given); else a table of the ready
/// entries of the read table at `read_idx` (an empty table when 0: no read table) and, when
/// `write_idx` is not 0, one of the write table's. `ready_*` are 0-based indices into them.
/// Or the error.
int push_selected(lua_State* L, const lsock::result<bool>& r, int read_idx,
                  std::span<const std::size_t> ready_read, int write_idx,
                  std::span<const std::size_t> ready_write);
/// resolve: {{family, addr}, ...}, or the error.
int push_resolved(lua_State* L, const lsock::result<std::vector<lsock::resolved_address>>& r);
/// getinterfaces: {{name, family, addr, mask, prefixlen, index, [broadcast], flags}, ...}, or
/// the error.
int push_interfaces(lua_State* L, const lsock::result<std::vector<lsock::interface_address>>& r);

}  // namespace lsocket
