#!/bin/sh
# `luarocks make` with lua/lsocket-scm-1.rockspec builds and installs lsocket.so into a scratch
# tree, from a copy of the source tree (luarocks builds in the current directory), and
# lua5.4 loads it from there.
# usage: rockspec_check.sh LUAROCKS SOURCE_DIR LUA
set -eu
luarocks=$1 src=$2 lua=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
tar -C "$src" --exclude=./build --exclude=./.git -cf - . | tar -C "$work/src" -xf -
cd "$work/src"
CMAKE_BUILD_PARALLEL_LEVEL=2 "$luarocks" --lua-version 5.4 make lua/lsocket-scm-1.rockspec \
  --tree "$work/tree" >"$work/luarocks.log" 2>&1 || { cat "$work/luarocks.log"; exit 1; }
tail -n 1 "$work/luarocks.log"
eval "$("$luarocks" --lua-version 5.4 --tree "$work/tree" path)"
exec "$lua" -e '
  local lsocket = require "lsocket"
  local found = package.searchpath("lsocket", package.cpath)
  assert(found:find(os.getenv("PWD"):match("^(.*)/src$") .. "/tree/", 1, true), found)
  assert(lsocket.bind("udp", "127.0.0.1", 0)):close()
  print("luarocks make installed " .. found)
'
