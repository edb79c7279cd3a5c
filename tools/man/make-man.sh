#!/usr/bin/env bash
# Builds the man page lsock.1 from three sources, so that it cannot drift from the program:
#   - tools/man/lsock.1.md: the sections a man page has and README lacks (NAME, SYNOPSIS, EXIT
#     STATUS, EXAMPLES, FILES, SEE ALSO), in markdown;
#   - README.md's section "The `lsock` command": the prose (output, exit codes, JSON shapes,
#     address rules, examples), taken as it is;
#   - the built binary's --help: the command list and each command's arguments and options.
# lowdown turns the assembled markdown into roff; characters outside ASCII become groff's \[uXXXX]
# escapes so the page renders the same with and without preconv.
# Usage: make-man.sh LOWDOWN LSOCK_BINARY README TEMPLATE DATADIR OUTPUT
set -euo pipefail
lowdown=$1 lsock=$2 readme=$3 template=$4 datadir=$5 out=$6

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Markdown-escapes help text: every ASCII punctuation lowdown could read as markup.
md_escape() { sed -e 's/[][\\`*_{}()#+.!<>|~&-]/\\&/g'; }

# The lines of one section ("Options:", "Positionals:", "Commands:") of a --help text.
help_section() { sed -n "/^$1:\$/,/^\$/p" | sed '1d;/^$/d'; }

# One markdown definition-list entry per option or positional of a --help section, escaped for
# markdown. CLI11 prints "  NAMES TYPE   description" with at least two spaces before the
# description and continues a long one on lines indented further. Option names become bold, the
# value name italic ("-c,--count N" -> **-c**, **--count** *N*); a positional's words italic.
help_entries() {
  awk '
    function esc(s) { gsub(/[][\\`*_{}()#+.!<>|~&-]/, "\\\\&", s); return s }
    function term_of(spec,   w, n, names, m, i, t) {
      n = split(spec, w, " ")
      if (w[1] ~ /^-/) {
        m = split(w[1], names, ",")
        for (i = 1; i <= m; i++) t = t (i > 1 ? ", " : "") "**" esc(names[i]) "**"
        for (i = 2; i <= n; i++) t = t " *" esc(w[i]) "*"
      } else {
        for (i = 1; i <= n; i++) t = t (i > 1 ? " " : "") "*" esc(w[i]) "*"
      }
      return t
    }
    function flush() { if (term != "") printf "%s\n: %s\n\n", term, esc(desc); term = "" }
    /^  [^ ]/ {
      flush()
      line = substr($0, 3)
      at = match(line, /  +[^ ]/)
      term = term_of(at ? substr(line, 1, at - 1) : line)
      desc = at ? substr(line, at + RLENGTH - 1) : ""
      next
    }
    /^   +[^ ]/ { sub(/^ +/, ""); desc = (desc == "" ? $0 : desc " " $0); next }
    END { flush() }'
}

# A command's summary, usage line, arguments and options, from its --help.
command_entry() {
  local cmd=$1 summary=$2 help
  help=$("$lsock" "$cmd" --help)
  printf '## %s\n\n%s\n\n' "$cmd" "$(md_escape <<<"$summary")"
  printf '    %s\n\n' "$(sed -n 's/^Usage: //p' <<<"$help" | head -1 | sed 's/^[^ ]*lsock /lsock /')"
  help_section Positionals <<<"$help" | help_entries
  help_section Options <<<"$help" | help_entries
}

main_help=$("$lsock" --help)
help_section Commands <<<"$main_help" >"$tmp/commands"
[ -s "$tmp/commands" ] || { echo "make-man.sh: no commands in '$lsock --help'" >&2; exit 1; }
while read -r cmd summary; do
  command_entry "$cmd" "$summary"
done <"$tmp/commands" >"$tmp/commands.md"
help_section Options <<<"$main_help" | help_entries >"$tmp/global.md"

# README's CLI section without its heading, up to the next level-2 heading.
sed -n '/^## The `lsock` command/,/^## /p' "$readme" | sed '1d;$d' >"$tmp/readme.md"
[ -s "$tmp/readme.md" ] || { echo "make-man.sh: no CLI section in $readme" >&2; exit 1; }

awk -v readme="$tmp/readme.md" -v cmds="$tmp/commands.md" -v global="$tmp/global.md" \
    -v datadir="$datadir" '
  function include(f,   l) { while ((getline l < f) > 0) print l; close(f) }
  $0 == "@README_CLI@" { include(readme); next }
  $0 == "@COMMANDS@" { include(cmds); next }
  $0 == "@GLOBAL_OPTIONS@" { include(global); next }
  { gsub(/@DATADIR@/, datadir); print }' "$template" >"$tmp/lsock.1.md"

version=$("$lsock" --version | awk '{ print $NF }')
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(stat -c %Y "$readme")}" +%Y-%m-%d)
"$lowdown" -s -tman -M title=lsock -M section=1 -M "source=lsock $version" -M "date=$date" \
  "$tmp/lsock.1.md" |
  perl -CSD -pe 's/([^\x00-\x7f])/sprintf("\\[u%04X]", ord $1)/ge' >"$tmp/lsock.1"
mv "$tmp/lsock.1" "$out"
