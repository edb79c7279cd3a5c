#pragma once
// Sockets left to the garbage collector still hold descriptors, and the collector cannot know
// it: when a call fails because the process ran out of descriptors, collect once and retry.

#include <lsock/error.hpp>

#include "compat.hpp"

namespace lsocket {

/// Runs `make` (a core call returning a result); on EMFILE/ENFILE runs a full collection and
/// runs it once more.
template <class Make>
auto with_gc_retry(lua_State* L, Make&& make) {
  auto r = make();
  if (!r && lsock::out_of_descriptors(r.error())) {
    lua_gc(L, LUA_GCCOLLECT, 0);
    r = make();
  }
  return r;
}

}  // namespace lsocket
