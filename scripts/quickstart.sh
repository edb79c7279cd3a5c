#!/usr/bin/env bash
# Prints README.md's quick-start commands, one per line: the non-comment lines of the first
# fenced block under "## Quick start". .ci/run runs exactly these, so README and CI cannot
# drift apart; it fails unless there are exactly two (install+build+run, and every test).
set -euo pipefail
readme=${1:-"$(dirname "$0")/../README.md"}
awk '/^## Quick start/ { inside = 1; next }
     inside && /^## /   { exit }
     inside && /^```/   { if (fence++) exit; next }
     inside && fence == 1 && !/^[[:space:]]*(#|$)/ { print }' "$readme"
