#!/usr/bin/env bash
# Runs every benchmark — the socket workloads for the raw C++ baseline, our lsocket, the floor
# binding (floor.c: the same Lua API with nothing but the syscalls behind it) and LuaSocket,
# and the CLI timings with hyperfine — and prints a markdown table of medians and ratios.
#
#   tests/bench/run.sh [--quick | --smoke] [--reps N] [--build-dir DIR] [--no-build]
#                      [--out DIR] [--no-install] [--workloads "w1 w2..."] [--no-cli]
#                      [--wait-quiet] [--nice]
#
# Default: full size, 5 repetitions, the release preset built into build/bench-release (an
# existing build is brought up to date first). --quick: 1/10 of the counts, 3 repetitions.
# --smoke: 1/100, one repetition (the ctest `bench` label). BENCH_SCALE and BENCH_REPS override
# the counts' scale and the repetitions. --wait-quiet first waits (up to 15 minutes) until the
# CPUs are at least 90 % idle over 5 seconds, for figures not skewed by other work on the machine;
# --nice runs the workloads at nice -10 (root only), so other work preempts them less.
# Output in DIR (default build/bench): results.md (the table, also printed), results.jsonl
# (every run), cli.json (hyperfine's export), meta.txt.
# All traffic stays on 127.0.0.1 and unix sockets in /tmp; ports are bound as 0 and read back.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

mode=full scale=1 reps=5 build="" out="" do_build=1 install=1 cli=1 quiet=0 prio=()
workloads="tcp_pingpong tcp_bulk udp_pps select_scale accept_churn unix_pingpong"
cmdline="tests/bench/run.sh$(printf ' %q' "$@")"
cmdline=${cmdline% \'\'}
usage() {
  sed -n '5,7p' "$0" | sed 's/^#//' >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case $1 in
    --quick) mode=quick scale=0.1 reps=3 ;;
    --smoke) mode=smoke scale=0.01 reps=1 ;;
    --reps) [ $# -ge 2 ] || usage; reps=$2; shift ;;
    --build-dir) [ $# -ge 2 ] || usage; build=$2; shift ;;
    --out) [ $# -ge 2 ] || usage; out=$2; shift ;;
    --workloads) [ $# -ge 2 ] || usage; workloads=$2; shift ;;
    --no-build) do_build=0 ;;
    --no-install) install=0 ;;
    --no-cli) cli=0 ;;
    --wait-quiet) quiet=1 ;;
    --nice) prio=(nice -n -10) ;;
    -h | --help) usage ;;
    *) echo "run.sh: unknown argument $1" >&2; usage ;;
  esac
  shift
done
scale=${BENCH_SCALE:-$scale}
reps=${BENCH_REPS:-$reps}
build=$(cd "$top" && mkdir -p "${build:-build/bench-release}" && cd "${build:-build/bench-release}" && pwd)
out=${out:-$top/build/bench}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# --- dependencies: Debian packages, installed only when missing (as scripts/deps.sh does) ----
missing() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}
need=$(missing lua-socket hyperfine netcat-openbsd lua5.4 | tr '\n' ' ')
need=${need% }
if [ -n "$need" ]; then
  if [ "$install" = 0 ]; then
    echo "SKIP: benchmark dependencies not installed: $need (tests/bench/run.sh installs them)"
    exit 77
  fi
  echo "bench: installing $need" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  # shellcheck disable=SC2086
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends $need >&2
fi

# --- build -------------------------------------------------------------------------------
if [ "$do_build" = 1 ]; then
  [ "$install" = 1 ] && "$top/scripts/deps.sh"
  if [ ! -f "$build/CMakeCache.txt" ]; then
    (cd "$top" && cmake --preset release -B "$build" -DBUILD_TESTING=ON >&2)
  fi
  cmake --build "$build" --parallel "${BENCH_JOBS:-2}" --target bench_raw bench_floor lsocket lsock >&2
fi
raw=$build/bin/bench_raw
lsock=$build/bin/lsock
floor=$build/bench/floor
for f in "$raw" "$lsock" "$build/lua/lsocket.so" "$floor/lsocket.so"; do
  [ -e "$f" ] || { echo "run.sh: $f is missing (build $build first, or drop --no-build)" >&2; exit 1; }
done
export LUA_CPATH_5_4="$build/lua/?.so;;"

# select_scale opens ~10,000 descriptors: raise the soft limit to the hard one.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

if [ ${#prio[@]} -gt 0 ] && ! "${prio[@]}" true 2>/dev/null; then
  echo "bench: --nice needs root; running at normal priority" >&2
  prio=()
fi

# --- the machine and the run ---------------------------------------------------------------
idle_percent() { # over the next 5 seconds, from /proc/stat
  local a b
  read -r -a a < <(head -1 /proc/stat)
  sleep 5
  read -r -a b < <(head -1 /proc/stat)
  local total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  echo $(((b[4] + b[5] - a[4] - a[5]) * 100 / (total > 0 ? total : 1)))
}
if [ "$quiet" = 1 ]; then
  for _ in $(seq 180); do
    idle=$(idle_percent)
    [ "$idle" -ge 90 ] && break
    echo "bench: waiting for a quiet machine (CPUs ${idle} % idle)" >&2
  done
fi
# --------------------------------------------------------------
load() { cut -d' ' -f1-3 /proc/loadavg; }
{
  echo "mode=$mode"
  echo "reps=$reps"
  echo "scale=$scale"
  echo "command=$cmdline"
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "commit=${BENCH_COMMIT:-$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)}"
  echo "cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -1)"
  echo "nproc=$(nproc)"
  echo "kernel=$(uname -sr)"
  echo "fd_limit=$(ulimit -n)"
  echo "compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null | head -1) $(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null | head -1)"
  echo "lua=$(lua5.4 -v 2>&1 | cut -d' ' -f1-2), LuaSocket $(dpkg-query -W -f='${Version}' lua-socket 2>/dev/null)"
  echo "load_start=$(load)"
  echo "priority=${prio[*]:-normal}"
  [ "$mode" = smoke ] || echo "idle_start=$(idle_percent)"
} >"$out/meta.txt"

# --- socket workloads ---------------------------------------------------------------------
results=$out/results.jsonl
: >"$results"
for w in $workloads; do
  for ((r = 1; r <= reps; r++)); do
    # Interleaved, so drifting machine load hits every implementation alike.
    impls="raw floor lsocket luasocket"
    # tcp_bulk also runs raw_copy: raw plus the one copy per recv a Lua string costs (reference).
    [ "$w" = tcp_bulk ] && impls="raw raw_copy floor lsocket luasocket"
    # select_scale also runs raw_epoll: an epoll set built once, the kernel's own limit.
    [ "$w" = select_scale ] && impls="raw raw_epoll floor lsocket luasocket"
    for impl in $impls; do
      case $impl in
        raw) cmd=("$raw" "$w" "$scale") ;;
        raw_copy) cmd=("$raw" "${w}_copy" "$scale") ;;
        raw_epoll) cmd=("$raw" "${w}_epoll" "$scale") ;;
        # The floor runs our workload script unchanged, with its own lsocket.so found first.
        floor) cmd=(env "LUA_CPATH_5_4=$floor/?.so;;" lua5.4 "$here/lsocket_bench.lua" "$w" "$scale") ;;
        *) cmd=(lua5.4 "$here/${impl}_bench.lua" "$w" "$scale") ;;
      esac
      echo "bench: $w $impl run $r/$reps (load $(load))" >&2
      rc=0
      "${prio[@]}" timeout 600 "${cmd[@]}" >"$out/stdout.txt" 2>"$out/stderr.txt" || rc=$?
      # lsocket_bench.lua names itself "lsocket"; under the floor module it is the floor.
      sed "s/^{/{\"rep\":$r,/; s/\"impl\":\"lsocket\"/\"impl\":\"$impl\"/" "$out/stdout.txt" \
        >>"$results"
      if [ "$rc" != 0 ]; then
        if [ "$rc" = 124 ]; then
          why="timed out after 600 s"
        else
          why=$(grep -v '^[[:space:]]*$' "$out/stderr.txt" | grep -v '^stack traceback' | head -1 |
            sed 's/^lua5.4: //; s/^[^ ]*\.lua:[0-9]*: //; s/["\\]/ /g' | tr -d '\t')
        fi
        why=${why:-exit status $rc}
        echo "bench: $w $impl failed: $why" >&2
        printf '{"rep":%d,"impl":"%s","workload":"%s","error":"%s"}\n' "$r" "$impl" "$w" "$why" \
          >>"$results"
      fi
    done
  done
done

# --- CLI timings: each lsock command beside its standard counterpart ----------------------
cli_json=$out/cli.json
rm -f "$cli_json"
if [ "$cli" = 1 ]; then
  case $mode in smoke) runs=3 warm=1 ;; quick) runs=20 warm=3 ;; *) runs=50 warm=5 ;; esac
  # A neutral listener (accepts and closes, nothing else) for both connect probes.
  "$raw" listen 600 >"$out/listener.txt" &
  listener=$!
  trap 'kill "$listener" 2>/dev/null || true' EXIT
  for _ in $(seq 50); do [ -s "$out/listener.txt" ] && break; sleep 0.1; done
  port=$(head -1 "$out/listener.txt")
  "$lsock" tcp-connect 127.0.0.1 "$port" >/dev/null # the probe works before it is timed
  nc -z 127.0.0.1 "$port"
  echo "bench: hyperfine ($runs runs each)" >&2
  "${prio[@]}" hyperfine -N --style basic --warmup "$warm" --runs "$runs" --export-json "$cli_json" \
    -n "lsock --version" "$lsock --version" \
    -n "ip -V" "ip -V" \
    -n "lsock resolve localhost --json" "$lsock resolve localhost --json" \
    -n "getent ahosts localhost" "getent ahosts localhost" \
    -n "lsock ifaces --json" "$lsock ifaces --json" \
    -n "ip -j addr" "ip -j addr" \
    -n "lsock tcp-connect 127.0.0.1 PORT" "$lsock tcp-connect 127.0.0.1 $port" \
    -n "nc -z 127.0.0.1 PORT" "nc -z 127.0.0.1 $port" >&2
  kill "$listener" 2>/dev/null || true
fi
echo "load_end=$(load)" >>"$out/meta.txt"

lua5.4 "$here/report.lua" "$out/meta.txt" "$results" "$cli_json" | tee "$out/results.md"
echo "bench: table written to $out/results.md" >&2
# A smoke run passes only if every workload of every implementation produced a figure, except
# the failures the table explains (LuaSocket's select beyond FD_SETSIZE).
if grep '"error"' "$results" | grep -qv 'descriptor too large for set size'; then
  echo "bench: some runs failed (see the table)" >&2
  exit 1
fi
