#!/usr/bin/env bash
# Loads lsock's completion for one shell and checks that it completes the command names and,
# for every command, every option that command's --help lists (so the completions cannot drift
# from the binary). Usage: completion_test.sh bash|zsh|fish COMPLETIONS_DIR LSOCK_BINARY.
# Exit 77 (ctest's skip code) with the reason when the shell is not installed.
set -u
shell=$1
dir=$(cd "$2" && pwd)
lsock=$3
here=$(cd "$(dirname "$0")" && pwd)
command -v "$shell" >/dev/null 2>&1 || { echo "SKIP: $shell is not installed"; exit 77; }
if [ "$shell" = bash ] && [ ! -f /usr/share/bash-completion/bash_completion ]; then
  echo "SKIP: bash-completion is not installed"; exit 77
fi

# Every command the binary lists under "Commands:" in its help, so a new command without
# completions fails here.
commands=$("$lsock" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }' | tr '\n' ' ')
[ -n "$commands" ] || { echo "FAIL: no commands found in 'lsock --help'"; exit 1; }

# What the shell offers for a command line (its last word, maybe empty, is being completed).
complete_line() {
  case $shell in
    bash)
      local -a words
      read -r -a words <<<"$1"
      [ "${1: -1}" = " " ] && words+=("")
      bash --norc --noprofile -c '
        source /usr/share/bash-completion/bash_completion
        source "$1/lsock.bash"
        shift
        COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        COMPREPLY=(); _lsock lsock "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf "%s\n" "${COMPREPLY[@]}"' _ "$dir" "${words[@]}" ;;
    fish)
      fish --no-config -c "source '$dir/lsock.fish'; complete -C '$1'" ;;
    zsh)
      # The section of the one zsh session's output (below) that belongs to this line.
      awk -v want="=== $1" '/^=== /{on = ($0 == want); next} on' <<<"$zsh_out" ;;
  esac
}

lines=("lsock tcp-" "lsock mcast-" "lsock ")
for cmd in $commands; do lines+=("lsock $cmd -"); done
if [ "$shell" = zsh ]; then
  # zsh completes only in an interactive shell: one session in a pseudo-terminal answers every
  # line. Terminal control sequences are dropped so that only the listing's words remain.
  zsh_out=$(zsh -f "$here/zsh_complete.zsh" "$dir" "${lines[@]}" 2>&1 |
            sed -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/\r//g')
fi

status=0
fail() { echo "FAIL: $shell: $*"; status=1; }

got=$(complete_line "lsock tcp-")
for want in tcp-listen tcp-connect; do grep -q -- "$want" <<<"$got" || fail "'lsock tcp-' misses $want"; done
got=$(complete_line "lsock mcast-")
for want in mcast-join mcast-send; do grep -q -- "$want" <<<"$got" || fail "'lsock mcast-' misses $want"; done
got=$(complete_line "lsock ")
for want in $commands; do grep -q -- "$want" <<<"$got" || fail "'lsock ' misses $want"; done

for cmd in $commands; do
  # The options in the "Options:" section of the command's help: "  -h,--help  ...".
  opts=$("$lsock" "$cmd" --help | sed -n '/^Options:/,/^$/p' |
         grep -oE '^ +-[-a-z0-9]+(,--?[-a-z0-9]+)*' | tr ',' '\n' | tr -d ' ' | grep -v '^-h$')
  [ -n "$opts" ] || fail "no options found in 'lsock $cmd --help'"
  got=$(complete_line "lsock $cmd -")
  for opt in $opts --json; do
    grep -qE -- "(^|[^-a-z0-9])$opt([^-a-z0-9]|\$)" <<<"$got" || fail "'lsock $cmd -' misses $opt"
  done
done

if [ $status -eq 0 ]; then
  echo "ok: $shell completes every lsock command and each command's options"
else
  printf '%s\n' "--- last completion output:" "$got"
fi
exit $status
