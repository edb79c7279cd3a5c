#!/usr/bin/env bash
# Loads lsock's completion for one shell and checks that command names (and an option)
# complete. Usage: completion_test.sh bash|zsh|fish COMPLETIONS_DIR. Exit 77: shell missing.
set -u
shell=$1
dir=$2
command -v "$shell" >/dev/null 2>&1 || { echo "SKIP: $shell is not installed"; exit 77; }

case $shell in
  bash)
    [ -f /usr/share/bash-completion/bash_completion ] ||
      { echo "SKIP: bash-completion is not installed"; exit 77; }
    got=$(bash --norc --noprofile -c '
      source /usr/share/bash-completion/bash_completion
      source "$1/lsock.bash"
      complete_for() {
        COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        COMPREPLY=(); _lsock lsock "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf "%s\n" "${COMPREPLY[@]}"
      }
      complete_for lsock tcp-
      complete_for lsock tcp-listen --ec
      complete_for lsock mc' _ "$dir")
    ;;
  zsh)
    # zsh completes only in an interactive shell: drive one in a pseudo-terminal.
    got=$(zsh -f "$(dirname "$0")/zsh_complete.zsh" "$dir" "lsock tcp-" "lsock mcast-" 2>&1)
    ;;
  fish)
    got=$(fish --no-config -c "
      source '$dir/lsock.fish'
      complete -C 'lsock tcp-'
      complete -C 'lsock tcp-listen --ec'
      complete -C 'lsock mc'")
    ;;
esac

status=0
for want in tcp-listen tcp-connect mcast-join mcast-send; do
  if ! grep -q -- "$want" <<<"$got"; then echo "FAIL: $shell did not complete $want"; status=1; fi
done
if [ "$shell" != zsh ] && ! grep -q -- "--echo" <<<"$got"; then
  echo "FAIL: $shell did not complete --echo"; status=1
fi
[ $status -eq 0 ] && echo "ok: $shell completes lsock commands"
[ $status -eq 0 ] || printf '%s\n' "--- completion output:" "$got"
exit $status
