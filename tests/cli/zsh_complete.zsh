# Drives an interactive zsh in a pseudo-terminal: loads lsock's completion from $1 and prints
# what "<words><TAB>" lists for each of the remaining arguments, each after a line
# "=== <words>".
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='> '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "zstyle ':completion:*' list-prompt ''; setopt nobeep"
shift
for words in "$@"; do
  zpty -n -w z "$words"$'\t'
  # Read until the line was echoed and the listing has settled (0.4 s without new output),
  # at most 6 s.
  out=""
  quiet=0
  for i in {1..120}; do
    chunk=""
    if zpty -r -t z chunk; then
      out+=$chunk
      quiet=0
    else
      (( quiet++ ))
      [[ $out == *"$words"* && $quiet -ge 8 ]] && break
    fi
    sleep 0.05
  done
  zpty -n -w z $'\x15'
  print -r -- "=== $words"
  print -r -- "$out"
done
zpty -d z
