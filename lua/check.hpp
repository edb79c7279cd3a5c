#pragma once
// Argument helpers. Each raises the usual "bad argument #n to 'f' (...)" error, so call them
// before any C++ object with a destructor is alive (a Lua error longjmps over destructors).

#include <cstddef>
#include <cstdint>
#include <lsock/address.hpp>
#include <lsock/socket.hpp>
#include <string_view>

#include "compat.hpp"
#include "lua_socket.hpp"

namespace lsocket {

/// bind()/connect() arguments as read from the stack. Plain values and views into Lua strings
/// only (the strings stay on the stack): nothing here needs a destructor, so a later check may
/// raise safely.
struct socket_args {
  lsock::socket_type type = lsock::socket_type::tcp;
  std::string_view address;
  int port = 0;
  lsock::family_preference prefer = lsock::family_preference::any;
  int backlog = 5;
  int ttl = 1;
  std::string_view iface;
};

/// Reads lsocket's [type], address, port, [backlog|ttl] and an optional options table
/// ({iface=, family=, backlog=, ttl=}) as the last argument. For bind the address may be
/// left out (INADDR_ANY); unix addresses need no port.
void check_socket_args(lua_State* L, bool is_bind, socket_args& a);
/// The core's options for `a`. Call only after every check (it builds a std::string).
lsock::socket_options to_options(const socket_args& a);

/// The socket userdata at `idx`.
lua_socket* check_socket(lua_State* L, int idx);
/// A port 0..65535 at `idx`; for unix addresses (`optional`) nil/none gives 0.
int check_port(lua_State* L, int idx, bool optional);
/// An optional integer in [lo, hi] at `idx`, `def` when nil/none.
lua_Integer opt_integer_in(lua_State* L, int idx, lua_Integer def, lua_Integer lo, lua_Integer hi,
                           const char* what);
/// "tcp"/"udp"/"mcast" (any case) at `idx`, else false.
bool to_socket_type(lua_State* L, int idx, lsock::socket_type& out);
/// "inet"/"inet6" or nil at `idx`.
lsock::family_preference opt_family(lua_State* L, int idx);
/// select's timeout in seconds at `idx`, as milliseconds; -1 (no timeout) for nil, a negative
/// number or math.huge. NaN is a bad argument.
std::int64_t check_timeout_ms(lua_State* L, int idx);
/// recv/recvfrom buffer size at `idx`: 1..max_recv_size, default default_recv_size.
std::size_t opt_recv_size(lua_State* L, int idx);

inline constexpr std::size_t default_recv_size = 65536;
inline constexpr std::size_t max_recv_size = std::size_t{16} * 1024 * 1024;

}  // namespace lsocket
