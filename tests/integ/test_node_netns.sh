#!/usr/bin/env bash
# One dmvpnd node between a LAN host and a WAN host, on net_af_packet:
#
#   [lanhost] eth0 10.0.0.10 ──veth── lan0 [ node: dmvpnd ] wan0 ──veth── eth0 192.0.2.10 [wanhost]
#                                        10.0.0.1/24    192.0.2.1/24
#
# Both hosts ping the node (ARP resolved both ways), ping each other through
# it, get ICMP time exceeded for TTL 1; a scripted telnet client watches the
# counters grow; SIGHUP re-reads the file and leaves it running; the node stops cleanly on SIGTERM. Namespaces are removed on
# any exit. Needs root.
set -u
dmvpnd=${1:?usage: test_node_netns.sh path/to/dmvpnd}
src=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/integ/netns_lib.sh"
work=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$work"' EXIT

cli() { nsx node /usr/bin/python3 "$src/tests/integ/cli_client.py" "$@"; }
rx_packets() { # port name -> "packets input" counter from show interfaces
  cli 'show interfaces' | awk -v p="$1" '$1 == p {f=1} f && /packets input/ {print $1; exit}'
}

node_topology

config_for_run "$src/configs/node.yaml" "$work/node.yaml"
node_start "$dmvpnd" "$work/node.yaml" "$work/node.log" || { summary; exit 1; }
ok "dmvpnd started"

echo "--- ping the node from the LAN host"
check "LAN host pings 10.0.0.1" nsx lanhost ping -c 3 -i 0.2 -W 2 10.0.0.1
echo "--- ping the node from the WAN host"
check "WAN host pings 192.0.2.1" nsx wanhost ping -c 3 -i 0.2 -W 2 192.0.2.1
check "LAN host resolved the node's MAC" \
  sh -c "ip netns exec $NS_PREFIX-lanhost ip neigh show 10.0.0.1 | grep -q lladdr"
echo "--- CLI transcript"
cli 'show version' 'show arp' 'show worker' 'show running-config' | tee "$work/cli1.txt"
check "node resolved the LAN host" grep -q '^10.0.0.10 .*reachable' "$work/cli1.txt"
check "node resolved the WAN host" grep -q '^192.0.2.10 .*reachable' "$work/cli1.txt"

before=$(rx_packets lan0)
nsx lanhost ping -c 5 -i 0.2 -W 2 10.0.0.1 > /dev/null
after=$(rx_packets lan0)
cli 'show interfaces'
echo "lan0 packets input: before $before, after $after"
check "show interfaces counters grow" test "${after:-0}" -ge $((${before:-0} + 5))

echo "--- forwarding between the hosts"
check "LAN host pings WAN host through the node" nsx lanhost ping -c 3 -i 0.2 -W 2 192.0.2.10
out=$(nsx lanhost ping -c 1 -t 1 -W 2 192.0.2.10 2>&1)
echo "$out"
check "TTL 1 gets time exceeded from 10.0.0.1" \
  sh -c "echo '$out' | grep -qi 'from 10.0.0.1.*time to live exceeded'"

echo "--- ping from the node"
cli 'ping 192.0.2.10 repeat 3' 'ping 10.0.0.99 repeat 2 size 200' 'ping 10.0.0.10 bogus 1' | tee "$work/ping.txt"
check "ping from the node: the WAN host answers 3 of 3" \
  sh -c "grep -q '^!!!$' $work/ping.txt && grep -q 'Success rate is 100 percent (3/3), round-trip min/avg/max = ' $work/ping.txt"
check "ping from the node: an address nobody has times out" \
  sh -c "grep -q '^\.\.$' $work/ping.txt && grep -q 'Success rate is 0 percent (0/2)' $work/ping.txt"
check "ping: a word it does not take is refused" grep -q '% usage: ping A.B.C.D' "$work/ping.txt"

echo "--- clear counters; terminal monitor"
cli 'clear counters' 'show interfaces lan0' | tee "$work/clr.txt"
check "clear counters starts show interfaces from zero" \
  sh -c "grep -q 'cleared the interface counters' $work/clr.txt && [ \$(awk '/packets input/ {print \$1; exit}' $work/clr.txt) -le 2 ]"
nsx node /usr/bin/python3 "$src/tests/integ/cli_client.py" --linger 4 'terminal monitor' > "$work/mon.txt" &
mon=$!
sleep 1.5
cli 'show version' > /dev/null # its login is logged
wait "$mon"
cat "$work/mon.txt"
check "terminal monitor shows a log line made after it began" \
  grep -q 'mgmt: login: admin from 127.0.0.1:[0-9]* over telnet' "$work/mon.txt"

echo "--- SIGHUP: the node re-reads its file (unchanged) and keeps forwarding"
kill -HUP "$pid"
wait_for_log "$work/node.log" "SIGHUP: no change" 5
check "node survives SIGHUP and says what it applied" \
  sh -c "kill -0 $pid && grep -q 'SIGHUP: no change' '$work/node.log'"
check "... and still forwards" nsx lanhost ping -c 2 -i 0.2 -W 2 192.0.2.10

echo "--- stop"
node_stop "$pid" 15; rc=$?
check "node stops cleanly on SIGTERM (exit $rc)" test $rc -eq 0
check "node logged its stop" grep -q "stopped" "$work/node.log"
echo "--- node log"
cat "$work/node.log"
summary
