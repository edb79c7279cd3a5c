#!/usr/bin/env bash
# Runs a command inside a private network namespace whose loopback carries IPv4 multicast,
# IPv4 broadcast and IPv6 multicast (recipe in DESIGN.md). With LSOCK_NETNS_VETH=1 it also
# adds a veth pair v0 (10.77.0.1/24, fd77::1/64) <-> v1 (10.77.0.2/24, fd77::2/64): addresses
# that exist only inside this namespace.
# Exits 77 — ctest's SKIP_RETURN_CODE — with the reason when namespaces are not permitted.
set -euo pipefail

if [ "${LSOCK_IN_NETNS:-}" != 1 ]; then
  export LSOCK_IN_NETNS=1
  if unshare -n true 2>/dev/null; then exec unshare -n "$0" "$@"; fi
  if unshare -r -n true 2>/dev/null; then exec unshare -r -n "$0" "$@"; fi
  echo "SKIP: cannot create a private network namespace here (unshare -n not permitted)"
  exit 77
fi

# The network set-up runs without the sanitizer runtime a test may preload for itself.
preload=${LD_PRELOAD-}
unset LD_PRELOAD
ip link set lo up multicast on
ip route add 224.0.0.0/4 dev lo
ip route add broadcast 255.255.255.255 dev lo table local
# An ordinary IPv6 route via lo would be a reject route: it must be of type local.
ip -6 route add local ff00::/8 dev lo table local
if [ "${LSOCK_NETNS_VETH:-}" = 1 ]; then
  ip link add v0 type veth peer name v1
  ip addr add 10.77.0.1/24 dev v0
  ip addr add 10.77.0.2/24 dev v1
  ip -6 addr add fd77::1/64 dev v0 nodad
  ip -6 addr add fd77::2/64 dev v1 nodad
  ip link set v0 up
  ip link set v1 up
fi
[ -n "$preload" ] && export LD_PRELOAD="$preload"
exec "$@"
