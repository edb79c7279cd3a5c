#!/usr/bin/env bash
# Installs lsock's build and test dependencies from Debian's packages, and only what is missing:
# when everything is present it changes nothing and needs no network or root.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config          # toolchain
  liblua5.4-dev lua5.4 lua-busted           # Lua module and its tests
  liblua5.1-0-dev lua5.1 liblua5.2-dev lua5.2 # the module for every Lua (lua/compat.hpp)
  liblua5.3-dev lua5.3 libluajit-5.1-dev luajit
  libcli11-dev nlohmann-json3-dev           # CLI
  libgtest-dev                              # C++ tests
  iproute2 util-linux                       # `ip` and `unshare` for the multicast namespace tests
  bash-completion zsh fish                  # completion tests
  lowdown groff-base man-db                 # man page: markdown to roff; its render test
  clang libclang-rt-14-dev                  # libFuzzer targets (fuzz preset)
  iperf3 jq                                 # tests/bench/perf_vs_iperf3.sh
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
