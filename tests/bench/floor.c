/* The floor: the fastest conceivable binding of the lsocket calls the benchmark workloads use
 * (bind, connect, select, and the methods info, status, accept, recv, recvfrom, send, sendto,
 * close), with nothing but the syscalls behind them. No argument checks beyond memory safety,
 * one static receive buffer + lua_pushlstring, IPv4 literals only, select on poll() by index.
 * It is a yardstick, not a library: lsocket ÷ floor is what our binding costs over the syscalls,
 * floor ÷ raw C++ what the interpreter costs. Built as its own lsocket.so (Lua 5.4) in
 * build/<preset>/bench/floor/, and run with tests/bench/lsocket_bench.lua unchanged. */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char buf[65536];
static struct pollfd* pfds;
static int* origin;
static size_t cap;

/* The descriptor inside a socket userdata; any userdata of at least an int is safe to read. */
static int* fdp(lua_State* L) {
  int* p = (int*)lua_touserdata(L, 1);
  if (p == NULL || lua_rawlen(L, 1) < sizeof(int)) luaL_error(L, "not a socket");
  return p;
}

/* IPv4 text by hand, as libcore does (inet_pton / inet_ntop cost more than the rest of a call). */
static void parse_v4(const char* s, struct in_addr* out) {
  unsigned char o[4] = {0};
  for (int n = 0; *s && n < 4; ++s) {
    if (*s == '.') ++n;
    else o[n] = (unsigned char)(o[n] * 10 + (*s - '0'));
  }
  memcpy(out, o, 4);
}

static size_t format_v4(const struct in_addr* a, char* p) {
  const unsigned char* b = (const unsigned char*)a;
  char* start = p;
  for (int i = 0; i < 4; ++i) {
    if (b[i] >= 100) *p++ = (char)('0' + b[i] / 100);
    if (b[i] >= 10) *p++ = (char)('0' + b[i] / 10 % 10);
    *p++ = (char)('0' + b[i] % 10);
    if (i < 3) *p++ = '.';
  }
  return (size_t)(p - start);
}

static int fail(lua_State* L) {
  if (errno == EAGAIN || errno == EINPROGRESS) {
    lua_pushboolean(L, 0);
    return 1;
  }
  lua_pushnil(L);
  lua_pushstring(L, strerror(errno));
  return 2;
}

static void push_socket(lua_State* L, int fd) {
  *(int*)lua_newuserdatauv(L, sizeof(int), 0) = fd;
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_setmetatable(L, -2);
}

/* [type,] address [, port [, backlog]]: an IPv4 literal or a unix path (starts with '/'). */
static int open_socket(lua_State* L, int is_bind) {
  int i = 1, dgram = 0;
  if (lua_type(L, 2) == LUA_TSTRING) dgram = strcmp(lua_tostring(L, i++), "udp") == 0;
  const char* addr = luaL_checkstring(L, i);
  union {
    struct sockaddr_in in;
    struct sockaddr_un un;
  } sa;
  memset(&sa, 0, sizeof sa);
  socklen_t len;
  if (addr[0] == '/') {
    sa.un.sun_family = AF_UNIX;
    strncpy(sa.un.sun_path, addr, sizeof sa.un.sun_path - 1);
    len = sizeof sa.un;
  } else {
    sa.in.sin_family = AF_INET;
    sa.in.sin_port = htons((uint16_t)luaL_optinteger(L, i + 1, 0));
    parse_v4(addr, &sa.in.sin_addr);
    len = sizeof sa.in;
  }
  int fd = socket(((struct sockaddr*)&sa)->sa_family,
                  (dgram ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(L);
  int rc;
  if (is_bind) {
    int one = 1;
    if (!dgram && addr[0] != '/') setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    rc = bind(fd, (struct sockaddr*)&sa, len);
    if (rc == 0 && !dgram) rc = listen(fd, (int)luaL_optinteger(L, i + 2, 5));
  } else {
    rc = connect(fd, (struct sockaddr*)&sa, len);
    if (rc < 0 && errno == EINPROGRESS) rc = 0;
  }
  if (rc < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return fail(L);
  }
  push_socket(L, fd);
  return 1;
}

static int l_bind(lua_State* L) { return open_socket(L, 1); }
static int l_connect(lua_State* L) { return open_socket(L, 0); }

/* Appends the descriptors of the table at idx to pfds with `events`; origin = table index. */
static size_t gather(lua_State* L, int idx, size_t n, short events) {
  lua_Integer len = (lua_Integer)lua_rawlen(L, idx);
  if (n + (size_t)len > cap) {
    cap = (n + (size_t)len) * 2;
    pfds = realloc(pfds, cap * sizeof *pfds);
    origin = realloc(origin, cap * sizeof *origin);
    if (pfds == NULL || origin == NULL) luaL_error(L, "out of memory");
  }
  for (lua_Integer i = 1; i <= len; ++i) {
    lua_rawgeti(L, idx, i);
    int* p = (int*)lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (p == NULL || *p < 0) continue;
    pfds[n].fd = *p;
    pfds[n].events = events;
    origin[n++] = (int)i;
  }
  return n;
}

static void push_ready(lua_State* L, int idx, size_t from, size_t to, short mask) {
  lua_createtable(L, 1, 0);
  lua_Integer k = 1;
  for (size_t j = from; j < to; ++j) {
    if (pfds[j].revents & mask) {
      lua_rawgeti(L, idx, origin[j]);
      lua_rawseti(L, -2, k++);
    }
  }
}

/* select([read [, write]], timeout) */
static int l_select(lua_State* L) {
  int top = lua_gettop(L);
  int r = lua_istable(L, 1) ? 1 : 0, w = top >= 3 && lua_istable(L, 2) ? 2 : 0;
  double t = lua_isnumber(L, top) ? lua_tonumber(L, top) : -1;
  size_t readers = r ? gather(L, r, 0, POLLIN) : 0;
  size_t all = w ? gather(L, w, readers, POLLOUT) : readers;
  int rc;
  do rc = poll(pfds, all, t < 0 ? -1 : (int)(t * 1000));
  while (rc < 0 && errno == EINTR);
  if (rc < 0) return fail(L);
  if (rc == 0) {
    lua_pushboolean(L, 0);
    return 1;
  }
  if (r) push_ready(L, r, 0, readers, POLLIN | POLLHUP | POLLERR);
  else lua_createtable(L, 0, 0);
  if (!w) return 1;
  push_ready(L, w, readers, all, POLLOUT | POLLHUP | POLLERR);
  return 2;
}

static int m_info(lua_State* L) {
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  if (getsockname(*fdp(L), (struct sockaddr*)&sa, &len) < 0) return fail(L);
  lua_createtable(L, 0, 1);
  lua_pushinteger(L, ntohs(sa.sin_port));
  lua_setfield(L, -2, "port");
  return 1;
}

static int m_status(lua_State* L) {
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(*fdp(L), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    errno = err;
    return fail(L);
  }
  lua_pushboolean(L, 1);
  return 1;
}

/* socket, peer address, peer port: the API returns all three. */
static int m_accept(lua_State* L) {
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  int fd = accept4(*fdp(L), (struct sockaddr*)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return fail(L);
  push_socket(L, fd);
  char addr[INET_ADDRSTRLEN];
  lua_pushlstring(L, addr, format_v4(&sa.sin_addr, addr));
  lua_pushinteger(L, ntohs(sa.sin_port));
  return 3;
}

static int m_recv(lua_State* L) {
  size_t n = (size_t)luaL_optinteger(L, 2, sizeof buf);
  ssize_t got = recv(*fdp(L), buf, n < sizeof buf ? n : sizeof buf, 0);
  if (got < 0) return fail(L);
  if (got == 0) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushlstring(L, buf, (size_t)got);
  return 1;
}

static int m_recvfrom(lua_State* L) {
  size_t n = (size_t)luaL_optinteger(L, 2, sizeof buf);
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  ssize_t got = recvfrom(*fdp(L), buf, n < sizeof buf ? n : sizeof buf, 0, (struct sockaddr*)&sa,
                         &len);
  if (got < 0) return fail(L);
  char addr[INET_ADDRSTRLEN];
  lua_pushlstring(L, buf, (size_t)got);
  lua_pushlstring(L, addr, format_v4(&sa.sin_addr, addr));
  lua_pushinteger(L, ntohs(sa.sin_port));
  return 3;
}

static int m_send(lua_State* L) {
  size_t len;
  const char* data = luaL_checklstring(L, 2, &len);
  ssize_t n = send(*fdp(L), data, len, MSG_NOSIGNAL);
  if (n < 0) return fail(L);
  lua_pushinteger(L, n);
  return 1;
}

static int m_sendto(lua_State* L) {
  size_t len;
  const char* data = luaL_checklstring(L, 2, &len);
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)luaL_checkinteger(L, 4));
  parse_v4(luaL_checkstring(L, 3), &sa.sin_addr);
  ssize_t n = sendto(*fdp(L), data, len, MSG_NOSIGNAL, (struct sockaddr*)&sa, sizeof sa);
  if (n < 0) return fail(L);
  lua_pushinteger(L, n);
  return 1;
}

static int m_close(lua_State* L) {
  int* p = fdp(L);
  if (*p >= 0) close(*p);
  *p = -1;
  lua_pushboolean(L, 1);
  return 1;
}

static const luaL_Reg methods[] = {
    {"info", m_info},       {"status", m_status},     {"accept", m_accept}, {"recv", m_recv},
    {"recvfrom", m_recvfrom}, {"send", m_send},       {"sendto", m_sendto}, {"close", m_close},
    {NULL, NULL}};

int luaopen_lsocket(lua_State* L) {
  lua_createtable(L, 0, 2);  /* the socket metatable */
  lua_pushcfunction(L, m_close);
  lua_setfield(L, -2, "__gc");
  luaL_newlibtable(L, methods);
  lua_pushvalue(L, -2);
  luaL_setfuncs(L, methods, 1); /* accept makes sockets: the metatable is upvalue 1 */
  lua_setfield(L, -2, "__index");
  lua_createtable(L, 0, 3);  /* the module */
  lua_pushvalue(L, -2);
  lua_pushcclosure(L, l_bind, 1);
  lua_setfield(L, -2, "bind");
  lua_pushvalue(L, -2);
  lua_pushcclosure(L, l_connect, 1);
  lua_setfield(L, -2, "connect");
  lua_pushcfunction(L, l_select);
  lua_setfield(L, -2, "select");
  return 1;
}
