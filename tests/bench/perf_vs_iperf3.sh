#!/usr/bin/env bash
# lsock perf against iperf3 on loopback, side by side in one run: TCP one stream, TCP -P 4 and
# UDP at 1 Gbit/s, with the same duration and write size (TCP 128 KiB, UDP 1460 bytes). The two
# tools alternate (interleaved repetitions, the order flipping each round) so drifting load on
# the machine hits both alike. The table gives medians: receiver-side Gbit/s, the client's and
# the server's CPU % (getrusage over the test, as iperf3 reports it), CPU % per Gbit/s (both
# ends), and for UDP loss and jitter.
#
#   tests/bench/perf_vs_iperf3.sh [--lsock BIN] [--time S] [--reps N] [--out DIR]
#
# Defaults: build/release/bin/lsock (else build/dev/bin/lsock), 5 s, 3 repetitions, build/bench.
# Needs iperf3 and jq (scripts/deps.sh). Traffic stays on 127.0.0.1; lsock's server binds port
# 0 and reports it, iperf3's takes a random free port (retried when taken).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
lsock="" time=5 reps=3 out="$top/build/bench"
while [ $# -gt 0 ]; do
  case "$1" in
    --lsock) lsock=$2; shift 2 ;;
    --time) time=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) sed -n '9p' "$0" | sed 's/^# *//' >&2; exit 2 ;;
  esac
done
if [ -z "$lsock" ]; then
  lsock="$top/build/release/bin/lsock"
  [ -x "$lsock" ] || lsock="$top/build/dev/bin/lsock"
fi
for tool in iperf3 jq "$lsock"; do
  command -v "$tool" >/dev/null || { echo "perf_vs_iperf3: $tool not found" >&2; exit 77; }
done
mkdir -p "$out"
raw="$out/perf_vs_iperf3.jsonl"
: >"$raw"
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT

declare -A case_args=(
  [tcp1]=""
  [tcp4]="-P 4"
  [udp1g]="-u -b 1G -l 1460"
)
cases="tcp1 tcp4 udp1g"

# One iperf3 test: prints {case, tool, gbps, cpu_client, cpu_server, lost_percent, jitter_ms}.
run_iperf3() {
  local c=$1 port srv
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 40000))
    iperf3 -s -1 -B 127.0.0.1 -p "$port" --forceflush >"$tmp/srv.log" 2>&1 &
    srv=$!
    for _ in $(seq 50); do
      grep -q "listening" "$tmp/srv.log" && break
      kill -0 "$srv" 2>/dev/null || break
      sleep 0.1
    done
    grep -q "listening" "$tmp/srv.log" && break
    wait "$srv" 2>/dev/null || true
  done
  # shellcheck disable=SC2086
  iperf3 -c 127.0.0.1 -p "$port" -t "$time" -J ${case_args[$c]} >"$tmp/cli.json"
  wait "$srv" 2>/dev/null || true
  jq -c --arg c "$c" '{case: $c, tool: "iperf3",
      gbps: ((if $c == "udp1g" then .end.sum.bits_per_second
              else .end.sum_received.bits_per_second end) / 1e9),
      cpu_client: .end.cpu_utilization_percent.host_total,
      cpu_server: .end.cpu_utilization_percent.remote_total,
      lost_percent: (.end.sum.lost_percent // null), jitter_ms: (.end.sum.jitter_ms // null)}' \
    "$tmp/cli.json"
}

run_lsock() {
  local c=$1 port srv
  "$lsock" --json perf-server 127.0.0.1 0 -c 1 -i 0 >"$tmp/lsrv.jsonl" &
  srv=$!
  for _ in $(seq 50); do
    [ -s "$tmp/lsrv.jsonl" ] && break
    sleep 0.1
  done
  port=$(head -1 "$tmp/lsrv.jsonl" | jq .port)
  # shellcheck disable=SC2086
  "$lsock" --json perf 127.0.0.1 "$port" -t "$time" -i 0 ${case_args[$c]} >"$tmp/lcli.jsonl"
  wait "$srv" || true
  jq -c --arg c "$c" 'select(.event == "end") | {case: $c, tool: "lsock",
      gbps: (.received.bits_per_second / 1e9),
      cpu_client: .cpu_percent.local, cpu_server: .cpu_percent.remote,
      lost_percent: (.received.lost_percent // null), jitter_ms: (.received.jitter_ms // null)}' \
    "$tmp/lcli.jsonl"
}

for rep in $(seq "$reps"); do
  for c in $cases; do
    if [ $((rep % 2)) -eq 1 ]; then order="iperf3 lsock"; else order="lsock iperf3"; fi
    for tool in $order; do
      "run_$tool" "$c" | tee -a "$raw" >&2
    done
  done
done

median() { sort -g | awk '{v[NR] = $1} END {if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
{
  echo "lsock perf vs iperf3 ($(iperf3 --version | head -1 | cut -d' ' -f1-2)), loopback, ${time} s per test," \
       "$reps interleaved repetitions, medians; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| case | tool | Gbit/s | client CPU % | server CPU % | CPU % per Gbit/s | loss % | jitter ms |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|"
  for c in $cases; do
    for tool in iperf3 lsock; do
      sel() { jq -r --arg c "$c" --arg t "$tool" "select(.case == \$c and .tool == \$t) | $1" "$raw" | median; }
      g=$(sel .gbps); cc=$(sel .cpu_client); cs=$(sel .cpu_server)
      per=$(sel '(.cpu_client + .cpu_server) / .gbps')
      loss="-" jit="-"
      if [ "$c" = udp1g ]; then
        loss=$(printf '%.3f' "$(sel .lost_percent)"); jit=$(printf '%.3f' "$(sel .jitter_ms)")
      fi
      printf '| %s | %s | %.2f | %.1f | %.1f | %.2f | %s | %s |\n' "$c" "$tool" "$g" "$cc" "$cs" "$per" "$loss" "$jit"
    done
  done
} | tee "$out/perf_vs_iperf3.md"
