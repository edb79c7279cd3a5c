#!/usr/bin/env bash
# Checks the generated man page against the binary: every command that 'lsock --help' lists has
# a subsection under COMMANDS with an entry for each option its 'lsock CMD --help' lists (but
# --help, which is under OPTIONS), and is named in DESCRIPTION (README's CLI section); the
# global options are under OPTIONS; the page has the usual sections, renders with groff without
# a warning, and 'man -l' and whatis (lexgrog) read it.
# Usage: man_test.sh MAN_PAGE LSOCK_BINARY [LOWDOWN]. LOWDOWN is empty when CMake found no lowdown;
# then, or when groff is not installed, exit 77 (ctest's skip code) with the reason.
set -u
page=$1
lsock=$2
lowdown=${3:-}
if [ ! -f "$page" ]; then
  [ -z "$lowdown" ] || { echo "FAIL: $page was not built (build the target lsock_man)"; exit 1; }
  echo "SKIP: lowdown is not installed, so the man page is not built (scripts/deps.sh)"; exit 77
fi
command -v groff >/dev/null 2>&1 || { echo "SKIP: groff is not installed"; exit 77; }

status=0
fail() { echo "FAIL: $*"; status=1; }

# Rendered with every warning on; any line on stderr fails.
warnings=$(groff -man -ww -Tutf8 "$page" 2>&1 >/dev/null)
[ -z "$warnings" ] || fail "groff warns: $warnings"
# Plain ASCII text to search: no overstriking, hyphens and quotes as typed.
text=$(groff -man -Tascii -P-cbou "$page" 2>/dev/null)
[ -n "$text" ] || fail "groff rendered nothing"

# The lines of one section (a heading in column 0) or subsection (a heading indented 3).
section() { awk -v want="$1" '/^[A-Z]/ { on = ($0 == want); next } on' <<<"$text"; }
subsection() {
  awk -v want="   $1" '/^   [^ ]/ { on = ($0 == want); next } /^[A-Z]/ { on = 0 } on'
}

for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT STATUS" EXAMPLES FILES "SEE ALSO"; do
  grep -qx -- "$s" <<<"$text" || fail "no section $s"
done

commands=$("$lsock" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
[ -n "$commands" ] || fail "no commands found in 'lsock --help'"
commands_text=$(section COMMANDS)
description=$(section DESCRIPTION)
# A whole word: options and commands contain '-', which grep -w counts as a boundary.
has_word() { grep -qE -- "(^|[^-a-zA-Z0-9])$1([^-a-zA-Z0-9]|\$)"; }
# The tags of the page's .TP paragraphs (the option entries), one per line as
# "SECTION<TAB>SUBSECTION<TAB>tag", from the roff source with font escapes removed.
tags=$(awk '
  function plain(s) { gsub(/\\f[BIRCP]|\\f\[[A-Z]*\]|\\&/, "", s); gsub(/\\-/, "-", s); return s }
  function heading(rest) { if (rest != "") return rest; getline rest; return rest }
  /^\.SH( |$)/ { sh = plain(heading(substr($0, 5))); gsub(/"/, "", sh); ss = ""; next }
  /^\.SS( |$)/ { ss = plain(heading(substr($0, 5))); gsub(/"/, "", ss); next }
  /^\.TP/ { getline tag; print sh "\t" ss "\t" plain(tag) }' "$page")
# Whether SECTION/SUBSECTION has an entry whose option names ("-c, --count N") include OPT.
has_term() {
  awk -F '\t' -v sh="$1" -v ss="$2" -v opt="$3" '
    $1 == sh && $2 == ss { split($3, w, " "); n = split(w[1] "," w[2], names, ",");
                           for (i = 1; i <= n; i++) if (names[i] == opt) found = 1 }
    END { exit !found }' <<<"$tags"
}

for cmd in $commands; do
  entry=$(subsection "$cmd" <<<"$commands_text")
  [ -n "$entry" ] || { fail "COMMANDS has no subsection for $cmd"; continue; }
  has_word "$cmd" <<<"$description" || fail "DESCRIPTION (README's CLI section) never names $cmd"
  opts=$("$lsock" "$cmd" --help | sed -n '/^Options:/,/^$/p' |
         grep -oE '^ +-[-a-zA-Z0-9]+(,--?[-a-zA-Z0-9]+)*' | tr ',' '\n' | tr -d ' ' |
         grep -vxE -- '-h|--help')
  [ -n "$opts" ] || fail "no options found in 'lsock $cmd --help'"
  for opt in $opts; do
    has_term COMMANDS "$cmd" "$opt" || fail "the man page's $cmd has no entry for $opt"
  done
done

global_opts=$("$lsock" --help | sed -n '/^Options:/,/^$/p' |
              grep -oE '^ +-[-a-zA-Z0-9]+(,--?[-a-zA-Z0-9]+)*' | tr ',' '\n' | tr -d ' ')
for opt in $global_opts; do
  has_term OPTIONS "" "$opt" || fail "OPTIONS has no entry for $opt"
done

# Every command an example runs exists.
for cmd in $(section EXAMPLES | grep -oE '^ +lsock( --json)? [a-z-]+' | awk '{ print $NF }'); do
  grep -qx -- "$cmd" <<<"$commands" || fail "EXAMPLES runs the unknown command $cmd"
done

if command -v man >/dev/null 2>&1; then
  MANWIDTH=80 man -l "$page" 2>/dev/null | grep -q 'tcp-connect' || fail "'man -l' shows no page"
else
  echo "note: man is not installed; 'man -l' not tried"
fi
if command -v lexgrog >/dev/null 2>&1; then
  lexgrog "$page" | grep -q 'lsock - ' || fail "whatis cannot read NAME: $(lexgrog "$page")"
fi

[ $status -eq 0 ] &&
  echo "ok: the man page has all $(wc -w <<<"$commands") commands and their options; groff is quiet"
exit $status
