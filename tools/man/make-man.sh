#!/usr/bin/env bash
# Builds the man page lsock.1 from three sources, so that it cannot drift from the program:
#   - tools/man/lsock.1.md: the sections a man page has and README lacks (NAME, SYNOPSIS, EXIT
#     STATUS, EXAMPLES, FILES, SEE ALSO), in markdown;
#   - README.md's section "The `lsock` command": the prose (output, exit codes, JSON shapes,
#     address rules, examples), taken as it is;
#   - the built binary's --help: the command list and each command's arguments and options.
# lowdown turns the assembled markdown into roff. Then characters outside ASCII become groff's
# \[uXXXX] escapes, so the page renders the same with and without preconv; lowdown's definition
# lists become the .TP paragraphs man pages use; code spans are bold (literal text, as
# man-pages(7) asks; a terminal has no constant-width font); code blocks are indented;
# hyphenation (.EE restores it from HY), breaks after a '-' and justification are off, so an
# option is never split across lines.
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
# markdown. CLI11 prints "  NAMES TYPE[=DEFAULT] [Needs|Excludes: OPT...] [REQUIRED]   description"
# with at least two spaces before the description, which goes on the next lines, indented
# further, when the first part is long. Option names become bold, the value name italic, and the
# default and exclusions go into the description: "-i,--interval S=1" -> **-i**, **--interval**
# *S* / "... (default: 1)".
help_entries() {
  awk '
    function esc(s) { gsub(/[][\\`*_{}()#+.!<>|~&-]/, "\\\\&", s); return s }
    function parse(spec,   w, n, names, m, i, excl, needs) {
      n = split(spec, w, " "); term = ""; extra = ""; excl = ""; needs = ""
      i = 1
      if (w[1] ~ /^-/) {
        m = split(w[1], names, ",")
        for (i = 1; i <= m; i++) term = term (i > 1 ? ", " : "") "**" esc(names[i]) "**"
        i = 2
      }
      for (; i <= n; i++) {
        if (w[i] == "REQUIRED") { if (w[1] ~ /^-/) extra = extra " (required)"; continue }
        if (w[i] == "Needs:") {
          for (i++; i <= n && w[i] ~ /^-/; i++) needs = needs (needs == "" ? "" : ", ") w[i]
          i--; continue
        }
        if (w[i] == "x" && w[i + 1] ~ /^[0-9]+$/) { i++; continue }
        if (w[i] == "Excludes:") {
          for (i++; i <= n && w[i] ~ /^-/; i++) excl = excl (excl == "" ? "" : ", ") w[i]
          i--; continue
        }
        if (w[i] ~ /=/) {
          extra = extra " (default: " substr(w[i], index(w[i], "=") + 1) ")"
          w[i] = substr(w[i], 1, index(w[i], "=") - 1)
        }
        term = term (term == "" ? "" : " ") "*" esc(w[i]) "*"
      }
      if (needs != "") extra = extra " (needs " needs ")"
      if (excl != "") extra = extra " (not with " excl ")"
    }
    function flush() { if (term != "") printf "%s\n: %s\n\n", term, esc(desc extra); term = "" }
    /^  [^ ]/ {
      flush()
      line = substr($0, 3)
      at = match(line, /  +[^ ]/)
      parse(at ? substr(line, 1, at - 1) : line)
      desc = at ? substr(line, at + RLENGTH - 1) : ""
      next
    }
    /^   +[^ ]/ { sub(/^ +/, ""); desc = (desc == "" ? $0 : desc " " $0); next }
    END { flush() }'
}

# The text after the Options section of a --help (CLI11's footer): its lines joined into one
# paragraph, except "Example: ..." lines, which become code blocks.
help_footer() {
  awk '
    function esc(s) { gsub(/[][\\`*_{}()#+.!<>|~&-]/, "\\\\&", s); return s }
    function flush() { if (para != "") printf "%s\n\n", esc(para); para = "" }
    /^Options:$/ { options = 1; next }
    options && /^$/ { options = 0; footer = 1; next }
    !footer { next }
    /^Example: / { flush(); printf "Example:\n\n    %s\n\n", substr($0, 10); next }
    NF { para = (para == "" ? $0 : para " " $0) }
    END { flush() }'
}

# A command's summary, usage line, arguments, options (--help is under OPTIONS) and notes, from
# its --help.
command_entry() {
  local cmd=$1 summary=$2 help usage
  help=$("$lsock" "$cmd" --help)
  printf '## %s\n\n%s\n\n' "$cmd" "$(md_escape <<<"$summary")"
  usage=$(sed -n 's/^Usage: //p' <<<"$help" | head -1 | sed 's/^[^ ]*lsock /lsock /')
  printf '    %s\n\n' "$usage"
  help_section Positionals <<<"$help" | help_entries
  help_section Options <<<"$help" | grep -v -- '^  -h,--help ' | help_entries
  help_footer <<<"$help"
}

main_help=$("$lsock" --help)
help_section Commands <<<"$main_help" >"$tmp/commands"
[ -s "$tmp/commands" ] || { echo "make-man.sh: no commands in '$lsock --help'" >&2; exit 1; }
while read -r cmd summary; do
  command_entry "$cmd" "$summary"
done <"$tmp/commands" >"$tmp/commands.md"
help_section Options <<<"$main_help" | help_entries >"$tmp/global.md"

# README's CLI section without its heading, up to the next level-2 heading.
awk '/^## / { on = ($0 == "## The `lsock` command"); next } on' "$readme" >"$tmp/readme.md"
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
"$lowdown" -s -tman --out-no-smarty -M title=lsock -M section=1 -M "source=lsock $version" \
  -M "date=$date" \
  "$tmp/lsock.1.md" |
  perl -CSD -0pe '
    s/([^\x00-\x7f])/sprintf("\\[u%04X]", ord $1)/ge;
    s/^\.LP\n(.*)\n\.if n \\\n\.sp -1v\n\.if t \\\n\.sp -0\.25v\n\.IP "" 5n\n/.TP\n$1\n/mg;
    s/\\fC/\\fB/g;
    s/^\.EX\n/.RS 4\n.EX\n/mg;
    s/^\.EE\n/.EE\n.RE\n/mg;
    s/^(\.TH .*\n)/$1.nh\n.nr HY 0\n.cflags 0 -\n.ad l\n/m' >"$tmp/lsock.1"
mv "$tmp/lsock.1" "$out"
