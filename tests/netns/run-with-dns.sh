#!/usr/bin/env bash
# Runs a command where name lookups can be tested without ever reaching the machine's resolver:
# a private mount, network and UTS namespace in which
#   - lo is up and is the only link (nothing outside can be reached),
#   - /etc/resolv.conf says "nameserver 127.0.0.1" (timeout LSOCK_DNS_TIMEOUT seconds, default
#     10, one attempt, no search domains),
#   - a server of our own listens on 127.0.0.1:53 (UDP and TCP), reads every query and never
#     answers: a lookup that goes to DNS stays pending until the resolver's timeout,
#   - /etc/hosts holds test names with answers (*.lsock.test, below),
#   - /etc/nsswitch.conf says "hosts: files dns" (no nscd, mDNS or systemd-resolved, whose unix
#     sockets would lead out of the namespace).
# Port 53 is fixed on purpose: resolv.conf cannot name another, and the namespace is private.
#
#   run-with-dns.sh LSOCK_BINARY COMMAND [ARGS...]
#
# The command sees LSOCK_SILENT_DNS=1. Exits with the command's status, or 77 (ctest's
# SKIP_RETURN_CODE) with the reason when namespaces are not permitted.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 LSOCK_BINARY COMMAND [ARGS...]" >&2
  exit 2
fi

# A sanitizer runtime preloaded for the test must not be loaded into this script (its exit
# would be checked for leaks) or the set-up commands: it is kept aside for the command alone.
if [ -n "${LD_PRELOAD:-}" ]; then
  export LSOCK_DNS_PRELOAD=$LD_PRELOAD
  unset LD_PRELOAD
  exec "$0" "$@"
fi

if [ "${LSOCK_IN_DNS_NS:-}" != 1 ]; then
  export LSOCK_IN_DNS_NS=1
  if unshare -m -n -u true 2>/dev/null; then exec unshare -m -n -u "$0" "$@"; fi
  if unshare -r -m -n -u true 2>/dev/null; then exec unshare -r -m -n -u "$0" "$@"; fi
  echo "SKIP: cannot create private mount + network namespaces here (unshare -m -n not permitted)"
  exit 77
fi

lsock_bin=$1
shift
# Nothing mounted here may leak back to the machine's mount namespace.
mount --make-rprivate /
hostname lsock-dns-test  # a hostname without a dot: glibc derives no search domain from it
ip link set lo up

dir=$(mktemp -d)
servers=()
cleanup() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

cat >"$dir/resolv.conf" <<EOF
nameserver 127.0.0.1
options timeout:${LSOCK_DNS_TIMEOUT:-10} attempts:1
EOF
cat >"$dir/hosts" <<'EOF'
127.0.0.1 localhost
::1 localhost ip6-localhost
127.0.0.1 v4.lsock.test
::1 v6.lsock.test
127.0.0.1 both.lsock.test
::1 both.lsock.test
127.0.0.2 twice.lsock.test
127.0.0.2 twice.lsock.test
127.0.0.3 twice.lsock.test
EOF
echo "hosts: files dns" >"$dir/nsswitch.conf"
for f in resolv.conf hosts nsswitch.conf; do
  # A symlinked /etc/resolv.conf is replaced where it points (mount follows the link).
  if ! mount --bind "$dir/$f" "/etc/$f"; then
    echo "SKIP: cannot bind-mount /etc/$f in the private mount namespace"
    exit 77
  fi
done

# The silent DNS server: lsock's own listeners read queries and never answer them.
start_server() {
  "$lsock_bin" "$@" >"$dir/server.$#.$1" 2>&1 &
  servers+=($!)
  for _ in $(seq 100); do
    grep -qs listening "$dir/server.$#.$1" && return 0
    sleep 0.05
  done
  echo "run-with-dns.sh: the silent DNS server '$*' did not start:" >&2
  cat "$dir/server.$#.$1" >&2
  exit 1
}
start_server udp-listen 127.0.0.1 53
start_server tcp-listen 127.0.0.1 53

export LSOCK_SILENT_DNS=1
status=0
if [ -n "${LSOCK_DNS_PRELOAD:-}" ]; then
  LD_PRELOAD=$LSOCK_DNS_PRELOAD "$@" || status=$?
else
  "$@" || status=$?
fi
exit "$status"
