#!/usr/bin/env bash
# monitor capture on one node (configs/node.yaml): a capture of the lan
# port matching the LAN host, bounded by a count, while the LAN host pings
# the WAN host through the node; tshark opens the pcapng and finds the
# echo requests coming in and the replies going out, with their direction;
# the capture stops at the count by itself; a second one on every port
# runs until stopped; bad requests are refused and change nothing.
# (The tunnel's inner packets: test_dmvpn_netns.sh.) Needs root.
set -u
dmvpnd=${1:?usage: test_capture.sh path/to/dmvpnd}
src=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/integ/netns_lib.sh"
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2> /dev/null; netns_cleanup; rm -rf "$work"' EXIT
cli() { nsx node /usr/bin/python3 "$src/tests/integ/cli_client.py" "$@"; }

node_topology
config_for_run "$src/configs/node.yaml" "$work/node.yaml"
node_start "$dmvpnd" "$work/node.yaml" "$work/node.log" || { summary; exit 1; }
nsx lanhost ping -c 1 -W 2 192.0.2.10 > /dev/null # ARP both ways first

cli "monitor capture start port lan match 10.0.0.10 count 10 file $work/lan.pcapng" | tee "$work/start.txt"
check "the capture starts" grep -q "capturing port lan match 10.0.0.10 to $work/lan.pcapng, 10 packets" "$work/start.txt"
check "the file is made 0600" test "$(stat -c %a "$work/lan.pcapng")" = 600
nsx lanhost ping -c 20 -i 0.05 -W 2 192.0.2.10 > /dev/null
sleep 0.5
cli 'show monitor capture' | tee "$work/show.txt"
check "it stopped by itself at 10 packets" \
  sh -c "grep -q '^Capture idle: port lan match 10.0.0.10' $work/show.txt && grep -q '  10 packets written' $work/show.txt"
tshark -r "$work/lan.pcapng" -T fields -e frame.interface_name -e pkt_comment -e ip.src -e ip.dst -e icmp.type \
  -e frame.packet_flags_direction 2>&1 > "$work/lan.txt" | grep -v 'Running as user' > "$work/tshark.err"
cat "$work/lan.txt"
check "tshark reads 10 packets from the file, without an error" \
  sh -c "[ \$(wc -l < $work/lan.txt) = 10 ] && [ ! -s $work/tshark.err ]"
check "echo requests from the LAN host came in on lan0" \
  grep -Eq '^lan0	+10.0.0.10	192.0.2.10	8	0x00000001' "$work/lan.txt"
check "echo replies to it went out on lan0" \
  grep -Eq '^lan0	+192.0.2.10	10.0.0.10	0	0x00000002' "$work/lan.txt"
check "nothing else (the match)" \
  sh -c "! grep -Ev '10.0.0.10' $work/lan.txt"

echo "--- bad requests; every wan packet until stopped"
cli "monitor capture start port eth9 file $work/y.pcapng" "monitor capture start port lan file relative.pcapng" \
  "monitor capture start port lan count 0 file $work/z.pcapng" | tee "$work/bad.txt"
check "an unknown port, a relative path and a count of 0 are refused" \
  sh -c "grep -q \"% no port 'eth9'\" $work/bad.txt && [ \$(grep -c '% usage' $work/bad.txt) = 2 ] && [ ! -e $work/y.pcapng ] && [ ! -e $work/z.pcapng ]"
cli "monitor capture start port wan file $work/wan.pcapng" "monitor capture start port lan file $work/x.pcapng" | tee "$work/two.txt"
check "a second capture while one runs is refused" grep -q '% a capture is running already' "$work/two.txt"
nsx wanhost ping -c 5 -i 0.05 -W 2 10.0.0.10 > /dev/null
cli 'monitor capture stop' 'show monitor capture' | tee "$work/stop.txt"
sleep 0.3
n=$(tshark -r "$work/wan.pcapng" -Y 'icmp' 2> /dev/null | wc -l)
echo "wan capture: $n ICMP packets"
check "the wan capture has the pings from the WAN host (>= 10)" test "$n" -ge 10
check "an existing file is never overwritten" \
  sh -c "ip netns exec $NS_PREFIX-node /usr/bin/python3 $src/tests/integ/cli_client.py 'monitor capture start port lan file $work/wan.pcapng' | grep -q 'cannot create $work/wan.pcapng: File exists'"

node_stop "$pid" 20 > /dev/null
check "the node stopped cleanly" test $? -eq 0
pid=
summary
