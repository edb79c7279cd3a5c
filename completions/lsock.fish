# fish completion for lsock
set -l commands resolve ifaces tcp-listen tcp-connect udp-send udp-listen mcast-join mcast-send

complete -c lsock -f
complete -c lsock -l json -d 'Machine-readable output'
complete -c lsock -n "not __fish_seen_subcommand_from $commands" -l version -d 'Print the version'
complete -c lsock -s h -l help -d 'Show help'

complete -c lsock -n "not __fish_seen_subcommand_from $commands" -a resolve -d 'Resolve host names'
complete -c lsock -n "not __fish_seen_subcommand_from $commands" -a ifaces -d 'List interfaces'
complete -c lsock -n "not __fish_seen_subcommand_from $commands" -a tcp-listen -d 'Accept TCP connections'
complete -c lsock -n "not __fish_seen_subcommand_from $commands" -a tcp-connect -d 'Connect over TCP'
complete -c lsock -n "not __fish_seen_subcommand_from $commands" -a udp-send -d 'Send UDP datagrams'
complete -c lsock -n "not __fish_seen_subcommand_from $commands" -a udp-listen -d 'Receive UDP datagrams'
complete -c lsock -n "not __fish_seen_subcommand_from $commands" -a mcast-join -d 'Join a multicast group'
complete -c lsock -n "not __fish_seen_subcommand_from $commands" -a mcast-send -d 'Send to a multicast group'

complete -c lsock -n "__fish_seen_subcommand_from resolve ifaces tcp-listen tcp-connect udp-send udp-listen" -s 4 -d 'IPv4 only'
complete -c lsock -n "__fish_seen_subcommand_from resolve ifaces tcp-listen tcp-connect udp-send udp-listen" -s 6 -d 'IPv6 only'
complete -c lsock -n "__fish_seen_subcommand_from ifaces" -a "(command ls /sys/class/net 2>/dev/null)"
complete -c lsock -n "__fish_seen_subcommand_from tcp-listen udp-listen" -l echo -d 'Send data back'
complete -c lsock -n "__fish_seen_subcommand_from tcp-listen udp-listen mcast-join udp-send mcast-send" -l count -x -d 'How many'
complete -c lsock -n "__fish_seen_subcommand_from tcp-listen" -l backlog -x -d 'listen() backlog'
complete -c lsock -n "__fish_seen_subcommand_from resolve tcp-listen tcp-connect udp-listen mcast-join" -l timeout -x -d 'Seconds'
complete -c lsock -n "__fish_seen_subcommand_from tcp-connect" -l send -x -d 'Data to send'
complete -c lsock -n "__fish_seen_subcommand_from tcp-connect udp-send" -l stdin -d 'Send standard input'
complete -c lsock -n "__fish_seen_subcommand_from tcp-connect" -l expect -x -d 'Bytes to wait for'
complete -c lsock -n "__fish_seen_subcommand_from tcp-connect" -l idle -x -d 'Seconds of silence'
complete -c lsock -n "__fish_seen_subcommand_from udp-send mcast-send" -l interval -x -d 'Milliseconds between datagrams'
complete -c lsock -n "__fish_seen_subcommand_from mcast-send" -l ttl -x -d 'Multicast TTL'
complete -c lsock -n "__fish_seen_subcommand_from mcast-join mcast-send" -l iface -x -a "(command ls /sys/class/net 2>/dev/null)" -d 'Interface'
