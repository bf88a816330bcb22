#!/usr/bin/env bash
# IPFIX flow export on spoke1 of the DMVPN topology (dmvpn_topo.sh, phase
# 3), to a collector on lan1h: lan1h pings lan2h 12 times; tshark's IPFIX
# dissector (cflow) decodes what arrives, template and data, and the
# records' counters add up to the traffic sent: 12 echo requests into the
# tunnel and 12 replies out of it, 84 bytes each, with the tunnel peers
# (the hub for the first packets, then spoke2 on the shortcut). Needs root.
set -u
DMVPND=${1:?usage: test_flow_export.sh path/to/dmvpnd}
src=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/integ/netns_lib.sh"
. "$src/tests/integ/dmvpn_topo.sh"
work=$(mktemp -d)
declare -A PID
trap 'for p in "${PID[@]}"; do kill -9 "$p" 2> /dev/null; done; netns_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
cli() { local n=$1; shift; nsx "$n" /usr/bin/python3 "$src/tests/integ/cli_client.py" "$@"; }

export_from_spoke1() { # node config
  [ "$1" = spoke1 ] && printf 'flow-export:\n  collector: 10.1.0.10\n  idle-timeout: 1\n' >> "$2"
  return 0
}
dmvpn_topo_up
dmvpn_start_all "$work" 3 30 export_from_spoke1 || { summary; exit 1; }
check "both spokes registered" dmvpn_wait_spokes
nsx lan1h tcpdump -i eth0 -U -w "$work/ipfix.pcap" udp port 4739 2> /dev/null &
cap=$!
sleep 1
check "lan1 pings lan2 across the DMVPN" nsx lan1h ping -c 12 -i 0.2 -W 2 10.2.0.10
sleep 4 # idle timeout 1 s, the expiry scan, a second for the message to fill
kill "$cap"; wait "$cap" 2> /dev/null
cli spoke1 'show flow exporter' | tee "$work/show.txt"
/usr/bin/python3 - "$work/ipfix.pcap" > "$work/flows.txt" << 'EOF2'
import subprocess, sys
# One line per data record: tshark prints a record's fields as lists, one per message.
out = subprocess.run(['tshark', '-r', sys.argv[1], '-d', 'udp.port==4739,cflow', '-Y', 'cflow.od_id',
                      '-T', 'fields', '-e', 'cflow.srcaddr', '-e', 'cflow.dstaddr', '-e', 'cflow.protocol',
                      '-e', 'cflow.direction', '-e', 'cflow.nexthop', '-e', 'cflow.packets',
                      '-e', 'cflow.octets'], capture_output=True, text=True).stdout
for line in out.splitlines():
    cols = [c.split(',') for c in line.split('\t')]
    for rec in zip(*cols):
        print(' '.join(rec))
EOF2
cat "$work/flows.txt"
check "tshark decodes IPFIX data records from the export" test -s "$work/flows.txt"
sum() { awk -v s="$1" -v d="$2" -v dir="$3" '$1 == s && $2 == d && $4 == dir {p += $6; b += $7} END {print p + 0, b + 0}' "$work/flows.txt"; }
out=$(sum 10.1.0.10 10.2.0.10 1)
inn=$(sum 10.2.0.10 10.1.0.10 0)
echo "into the tunnel: $out; out of it: $inn (packets bytes)"
check "12 echo requests (1008 bytes) went into the tunnel" test "$out" = "12 1008"
check "12 replies (1008 bytes) came out of it" test "$inn" = "12 1008"
check "the shortcut's peer, spoke2's NBMA address, is in the records" \
  grep -q '^10.1.0.10 10.2.0.10 1 1 192.0.2.12 ' "$work/flows.txt"
check "show flow exporter counts what was sent" \
  sh -c "grep -q '^IPFIX to 10.1.0.10:4739 from 10.1.0.1' $work/show.txt && ! grep -q ' 0 records' $work/show.txt"

for n in $DMVPN_NODES; do node_stop "${PID[$n]}" 10 > /dev/null; done
PID=()
summary
