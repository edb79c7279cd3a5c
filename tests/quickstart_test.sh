#!/usr/bin/env bash
# README's quick start is what CI runs (.ci/run reads it through scripts/quickstart.sh): exactly
# two commands, the first building the release preset and running `lsock resolve localhost`,
# the second running every test workflow. Fails when README, the script or .ci/run drift apart.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mapfile -t c < <("$top/scripts/quickstart.sh" "$top/README.md")
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "${#c[@]}" -eq 2 ] || fail "README quick start has ${#c[@]} commands, not 2"
case ${c[0]} in
  *"cmake --preset release"*"build/release/bin/lsock resolve localhost") ;;
  *) fail "command 1 does not build release and run lsock resolve localhost: ${c[0]}" ;;
esac
for p in dev asan fuzz; do
  [[ ${c[1]} == *"cmake --workflow --preset $p"* ]] || fail "command 2 does not run the $p workflow"
done
grep -q 'scripts/quickstart.sh README.md' "$top/.ci/run" || fail ".ci/run does not run README's commands"
echo "ok: README quick start = .ci/run's two commands"
