// lsocket.select on lsock::selector: tables are read by their length, closed sockets and nil
// holes are ignored, and ready sockets are found by index — no search per ready descriptor.

#include "select.hpp"

#include <algorithm>
#include <cstdint>
#include <lsock/poll.hpp>
#include <new>
#include <vector>

#include "check.hpp"
#include "guard.hpp"
#include "lua_socket.hpp"
#include "push.hpp"

namespace lsocket {
namespace {

/// Kept as an upvalue of select: its buffers are reused across calls, so a loop over many
/// sockets allocates nothing after the first call.
struct select_state {
  lsock::selector selector;
  std::vector<int> read_fds;
  std::vector<int> write_fds;
  /// Sockets of this call whose connect races several addresses: the selector moves them on.
  std::vector<lsock::socket*> racing;
  /// seen[fd] == pass: the table being gathered already listed fd (repeats are dropped).
  std::vector<std::uint32_t> seen;
  std::uint32_t pass = 0;
  /// Set while a select call has results in `selector` that it has not pushed yet.
  bool busy = false;
  /// The last wait's error, kept here while it is pushed.
  lsock::error last_error;
};

constexpr const char* select_state_meta = "lsocket.select_state";

int select_state_gc(lua_State* L) {
  static_cast<select_state*>(lua_touserdata(L, 1))->~select_state();
  return 0;
}

select_state* new_select_state(lua_State* L) {
  void* mem = lua_newuserdatauv(L, sizeof(select_state), 0);
  auto* st = new (mem) select_state{};
  if (luaL_newmetatable(L, select_state_meta)) {
    lua_pushcfunction(L, select_state_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return st;
}

/// The descriptor of a table entry (at absolute stack position `at`) that is not a socket: an
/// object whose metatable (pushed above everything) has __lsocket_getfd (an async_resolver
/// request). Pops what it pushed.
int foreign_fd(lua_State* L, int at, int table_idx) {
  lua_getfield(L, -1, "__lsocket_getfd");
  if (!lua_isfunction(L, -1)) luaL_argerror(L, table_idx, "tables can only contain sockets");
  lua_pushvalue(L, at);
  lua_call(L, 1, 1);
  int ok = 0;
  const lua_Integer fd = lua_tointegerx(L, -1, &ok);
  if (!ok) luaL_argerror(L, table_idx, "__lsocket_getfd did not return a descriptor");
  lua_pop(L, 2);
  return fd >= 0 && fd <= INT32_MAX ? static_cast<int>(fd) : -1;
}

/// The descriptor of an entry that is not a socket, at absolute stack position `at`, of Lua
/// type `t`: -1 for a nil hole, a request's descriptor (or -1 when it is done), else an
/// argument error.
int other_fd(lua_State* L, int at, int t, int table_idx) {
  if (t == LUA_TNIL) return -1;
  if (t != LUA_TUSERDATA || !lua_getmetatable(L, at)) {
    luaL_argerror(L, table_idx, "tables can only contain sockets");
  }
  return foreign_fd(L, at, table_idx);
}

/// Entries pushed before they are popped together: one lua_settop per batch, not per entry.
constexpr lua_Integer gather_batch = 16;

/// Collects the descriptors of the sockets (and requests) in the table at `idx`, of length `n`: -1
/// for closed sockets, finished requests, nil holes and for an entry the table listed before (so
/// each is reported once, at its first position, as the original lsocket does), so indices still
/// match the table.
void gather(lua_State* L, int idx, lua_Integer n, select_state& st, std::vector<int>& fds) {
  fds.resize(static_cast<std::size_t>(n));
  if (++st.pass == 0) {  // wrapped: forget every old mark
    std::fill(st.seen.begin(), st.seen.end(), 0);
    st.pass = 1;
  }
  // A socket is known by its size and tag (to_socket): three Lua API calls per entry (rawgeti,
  // touserdata, rawlen) and a share of one settop, no metatable and no registry lookup, and the
  // loop works on raw pointers. This is the cost per entry of a select over a large table.
  const std::uint32_t pass = st.pass;
  int* out = fds.data();
  std::uint32_t* seen = st.seen.data();
  std::size_t seen_size = st.seen.size();
  const int base = lua_gettop(L);
  // A batch, plus what a request's __lsocket_getfd call pushes. Up to 8 entries fit in the
  // LUA_MINSTACK (20) slots every C function starts with, beside select's own few.
  if (n > 8) luaL_checkstack(L, static_cast<int>(gather_batch) + 4, "select");
  for (lua_Integer first = 1; first <= n; first += gather_batch) {
    const lua_Integer last = std::min(n, first + gather_batch - 1);
    for (lua_Integer i = first; i <= last; ++i) {
      const int at = base + static_cast<int>(i - first) + 1;
      const int t = lua_rawgeti(L, idx, i);
      int fd = -1;
      if (lua_socket* s = t == LUA_TUSERDATA ? to_socket(L, at) : nullptr) [[likely]] {
        if (s->sock.connecting()) [[unlikely]]
          st.racing.push_back(&s->sock);
        fd = s->sock.fd();
      } else if (t != LUA_TNIL) {
        fd = other_fd(L, at, t, idx);
        // A request's __lsocket_getfd is Lua code, which may call select and so reuse these
        // vectors: hold no stale pointer into them.
        fds.resize(static_cast<std::size_t>(n));
        out = fds.data();
        seen = st.seen.data();
        seen_size = st.seen.size();
      }
      if (fd >= 0) {
        const auto slot = static_cast<std::size_t>(fd);
        if (slot >= seen_size) [[unlikely]] {
          st.seen.resize(slot + 1);
          seen = st.seen.data();
          seen_size = st.seen.size();
        }
        if (seen[slot] == pass) fd = -1;
        seen[slot] = pass;
      }
      out[i - 1] = fd;
    }
    lua_settop(L, base);
  }
}

/// select's arguments: the stack positions of the read and write tables (0: none), their
/// lengths (read once per call), the timeout and how many arguments there were.
struct select_args {
  int read_idx = 0;
  int write_idx = 0;
  lua_Integer read_len = 0;
  lua_Integer write_len = 0;
  std::int64_t timeout_ms = -1;
  int top = 0;
};

/// Both tables of one select call (either may be absent: index 0).
void gather_tables(lua_State* L, const select_args& a, select_state& st) {
  st.racing.clear();
  if (a.read_idx != 0) gather(L, a.read_idx, a.read_len, st, st.read_fds);
  if (a.write_idx != 0) gather(L, a.write_idx, a.write_len, st, st.write_fds);
}

/// The waiting half of select, run under lua_pcall: state, read table or nil, write table or
/// nil, timeout in ms, and `true` when the wait is done and only its results are to be pushed.
/// Raises only when Lua runs out of memory while pushing the results.
int select_wait(lua_State* L) {
  auto* st = static_cast<select_state*>(lua_touserdata(L, 1));
  const int read_idx = lua_istable(L, 2) ? 2 : 0;
  const int write_idx = lua_istable(L, 3) ? 3 : 0;
  if (lua_toboolean(L, 5)) {
    return push_selected(L, lsock::result<bool>(true), read_idx, st->selector.ready_read(),
                         write_idx, st->selector.ready_write());
  }
  auto r = st->selector.wait(
      read_idx != 0 ? std::span<const int>(st->read_fds) : std::span<const int>(),
      write_idx != 0 ? std::span<const int>(st->write_fds) : std::span<const int>(),
      lua_tointeger(L, 4), st->racing);
  return push_selected(L, r, read_idx, st->selector.ready_read(), write_idx,
                       st->selector.ready_write());
}

/// Result tables made before a select waits hold this many entries without growing: filling
/// them allocates nothing, so no finalizer can run (and call select) while the shared state's
/// results are being read.
constexpr lua_Integer presized_results = 8;

/// A result table for a table of length `len` at `idx` (0: none), sized for the common case of
/// few ready entries. Returns its size (0 when there is no table at `idx`).
lua_Integer new_result_table(lua_State* L, int idx, lua_Integer len) {
  if (idx == 0) return 0;
  const auto n = std::min(len, presized_results);
  lua_createtable(L, static_cast<int>(n), 0);
  return n;
}

/// Copies the entries of the table at `idx` at the 0-based positions `ready` into the
/// presized table at `out`: no allocation, no Lua code.
void fill_ready(lua_State* L, int idx, int out, std::span<const std::size_t> ready) {
  lua_Integer n = 1;
  for (const std::size_t i : ready) {
    lua_rawgeti(L, idx, static_cast<lua_Integer>(i) + 1);
    lua_rawseti(L, out, n++);
  }
}

/// Runs select_wait protected with the given state (at the top of the stack) and returns what
/// it pushed. `busy` marks the shared state while its results are pushed, however that ends.
int protected_select(lua_State* L, select_state* st, bool shared, int read_idx, int write_idx,
                     std::int64_t timeout_ms, bool waited) {
  lua_pushvalue(L, lua_upvalueindex(2));  // select_wait
  lua_insert(L, -2);
  const int base = lua_gettop(L) - 2;  // below select_wait
  if (read_idx != 0) {
    lua_pushvalue(L, read_idx);
  } else {
    lua_pushnil(L);
  }
  if (write_idx != 0) {
    lua_pushvalue(L, write_idx);
  } else {
    lua_pushnil(L);
  }
  lua_pushinteger(L, static_cast<lua_Integer>(timeout_ms));
  lua_pushboolean(L, waited ? 1 : 0);
  if (shared) st->busy = true;
  const int status = lua_pcall(L, 5, LUA_MULTRET, 0);
  if (shared) st->busy = false;
  if (status != LUA_OK) return lua_error(L);
  return lua_gettop(L) - base;
}

/// select([read [, write]] [, timeout]): tables (or nil) first, then an optional number.
select_args check_select_args(lua_State* L) {
  const int nargs = lua_gettop(L);
  select_args a;
  int pos = 1;
  // One lua_type per position (none past the last argument, which is neither table nor nil).
  if (const int t1 = lua_type(L, 1); t1 == LUA_TTABLE || t1 == LUA_TNIL) {
    if (t1 == LUA_TTABLE) a.read_idx = 1;
    pos = 2;
    if (const int t2 = lua_type(L, 2); t2 == LUA_TTABLE || (t2 == LUA_TNIL && nargs > 2)) {
      if (t2 == LUA_TTABLE) a.write_idx = 2;
      pos = 3;
    }
  }
  a.timeout_ms = check_timeout_ms(L, pos);
  if (pos < nargs) luaL_argerror(L, pos + 1, "too many arguments");
  if (a.read_idx != 0) a.read_len = static_cast<lua_Integer>(lua_rawlen(L, a.read_idx));
  if (a.write_idx != 0) a.write_len = static_cast<lua_Integer>(lua_rawlen(L, a.write_idx));
  a.top = nargs;
  return a;
}

/// The shared state's wait: true when something is ready, false on timeout; a failure is kept
/// in st.last_error (and reported as false with `failed` set), so no C++ object with a
/// destructor is alive while Lua allocates the answer.
bool wait_shared(select_state& st, const select_args& a, bool& failed) {
  auto r = st.selector.wait(
      a.read_idx != 0 ? std::span<const int>(st.read_fds) : std::span<const int>(),
      a.write_idx != 0 ? std::span<const int>(st.write_fds) : std::span<const int>(), a.timeout_ms,
      st.racing);
  failed = !r;
  if (!failed) return *r;
  st.last_error = std::move(r).error();
  return false;
}

/// The ready entries into the result tables at `results` (and `results + 1`), presized to
/// hold `read_room` / `write_room`; more than that are pushed protected.
int push_ready_tables(lua_State* L, select_state* st, const select_args& a, int results,
                      lua_Integer read_room, lua_Integer write_room) {
  const auto ready_read = st->selector.ready_read();
  const auto ready_write = st->selector.ready_write();
  if (static_cast<lua_Integer>(ready_read.size()) > read_room ||
      static_cast<lua_Integer>(ready_write.size()) > write_room) {
    // More ready than the tables hold: push them protected, as growing a table allocates.
    lua_settop(L, results - 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    return protected_select(L, st, true, a.read_idx, a.write_idx, a.timeout_ms, true);
  }
  if (a.read_idx != 0) fill_ready(L, a.read_idx, results, ready_read);
  if (a.write_idx == 0) return 1;  // the read result is the top of the stack
  fill_ready(L, a.write_idx, results + 1, ready_write);
  return 2;
}

int lsocket_select(lua_State* L) {
  const select_args a = check_select_args(L);
  auto* st = static_cast<select_state*>(lua_touserdata(L, lua_upvalueindex(1)));
  if (st->busy) {
    // A finalizer, run by an allocation in an outer select, called select: the shared state
    // still holds the outer call's results. Work on a private state instead.
    st = new_select_state(L);
    gather_tables(L, a, *st);
    return protected_select(L, st, false, a.read_idx, a.write_idx, a.timeout_ms, false);
  }
  // The result tables first: their allocation may run finalizers (which may call select)
  // before this call has put anything into the shared state. The first is also the empty
  // table returned when only writers were given.
  const int results = a.top + 1;
  const lua_Integer read_room = new_result_table(L, a.read_idx, a.read_len);
  if (a.read_idx == 0 && a.write_idx != 0) lua_createtable(L, 0, 0);
  const lua_Integer write_room = new_result_table(L, a.write_idx, a.write_len);
  gather_tables(L, a, *st);  // checks the entries (errors name 'select')
  bool failed = false;
  const bool ready = wait_shared(*st, a, failed);
  if (failed) return push_error(L, st->last_error);
  if (!ready || (a.read_idx == 0 && a.write_idx == 0)) {
    lua_pushboolean(L, 0);  // timeout, or select(timeout): a sleep that ended
    return 1;
  }
  return push_ready_tables(L, st, a, results, read_room, write_room);
}

}  // namespace

void push_select(lua_State* L) {
  new_select_state(L);
  lua_pushcfunction(L, guarded<select_wait>);
  lua_pushcclosure(L, guarded<lsocket_select>, 2);
}

}  // namespace lsocket
