# Drives an interactive zsh in a pseudo-terminal: loads lsock's completion from $1 and
# prints what "lsock <words><TAB>" lists for each of the remaining arguments.
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='> '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "zstyle ':completion:*' list-prompt ''; setopt nobeep"
shift
for words in "$@"; do
  zpty -n -w z "$words"$'\t'
  out=""
  for i in {1..40}; do
    chunk=""
    zpty -r -t z chunk && out+=$chunk
    sleep 0.05
  done
  zpty -n -w z $'\x15'
  print -r -- "$out"
done
zpty -d z
