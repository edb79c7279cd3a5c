# bash completion for lsock                                   -*- shell-script -*-
_lsock() {
    local cur prev words cword
    _init_completion || return

    local commands="resolve ifaces tcp-listen tcp-connect udp-send udp-listen mcast-join mcast-send tcp-ping probe perf perf-server"
    local cmd="" i
    for ((i = 1; i < cword; i++)); do
        case "${words[i]}" in
            -*) ;;
            *) cmd="${words[i]}"; break ;;
        esac
    done

    case "$prev" in
        --iface)
            COMPREPLY=($(compgen -W "$(command ls /sys/class/net 2>/dev/null)" -- "$cur"))
            return ;;
        --count|--backlog|--timeout|--interval|--ttl|--expect|--expect-bytes|--idle|--send|-c|-i|--source|--concurrency|--retries|--time|--parallel|--length|--bitrate|-t|-P|-l|-b)
            return ;;
    esac

    local opts
    case "$cmd" in
        "") opts="--json --timestamps --help --version"
            COMPREPLY=($(compgen -W "$commands $opts" -- "$cur")); return ;;
        resolve)     opts="--timeout -4 -6" ;;
        ifaces)      opts="-4 -6"
                     [[ $cur != -* ]] && COMPREPLY=($(compgen -W "$(command ls /sys/class/net 2>/dev/null)" -- "$cur")) ;;
        tcp-listen)  opts="--echo --count --backlog --timeout -4 -6" ;;
        tcp-connect) opts="--send --stdin --expect --expect-bytes --timeout --idle -4 -6" ;;
        udp-send)    opts="--stdin --count --interval --reply --retries --timeout -4 -6" ;;
        udp-listen)  opts="--echo --count --timeout -4 -6" ;;
        mcast-join)  opts="--iface --count --timeout" ;;
        mcast-send)  opts="--ttl --iface --count --interval" ;;
        tcp-ping)    opts="-c --count -i --interval --timeout --source --resolve-each -4 -6" ;;
        probe)       opts="--concurrency --timeout --open --no-progress -4 -6" ;;
        perf)        opts="-t --time -P --parallel -R --reverse -l --length -i --interval -u --udp -b --bitrate -4 -6" ;;
        perf-server) opts="-c --count --timeout -i --interval -4 -6" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts --json --help -h" -- "$cur"))
    fi
}
complete -F _lsock lsock
