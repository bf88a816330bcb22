#!/usr/bin/env bash
# Tunnel-mode ESP between a dmvpnd spoke and a stock strongSwan (Debian's
# charon with kernel-libipsec, which has tunnel mode only), keyed by
# IKE-lite, GRE crossing the CHILD_SA both ways through the real dataplane:
#
#   [lanhost] eth0 10.1.0.10 ── lan0 [node: dmvpnd spoke] wan0 ──veth── sw0 [sw: charon]
#                         10.1.0.1/24  198.51.100.1/24    198.51.100.2/24  ipsec0 (libipsec)
#                         tunnel 10.255.0.1/24, NHS 10.255.0.2 -> 198.51.100.2
#
# dmvpnd starts an IKE SA with its NHS, charon, asking for tunnel mode;
# libipsec fakes a NAT, so ESP goes in UDP 4500 both ways. In charon's
# namespace a raw socket sends GRE (198.51.100.2 -> .1) with ICMP echo
# requests from charon's overlay address 10.255.0.2, N to dmvpnd's tunnel
# address (its control thread answers and encrypts) and N to the LAN host
# (the workers decapsulate, forward, and encapsulate the answer); the
# kernel routes the GRE into ipsec0 (allow_peer_ts and the ip rule of
# shared/strongswan/README.md, b.3), libipsec encrypts it in tunnel mode,
# and the decrypted answers are caught on ipsec0. Checks: N answers each
# way; both sides' SAs in tunnel mode; dmvpnd's tunnel-mode SA counters; no
# drop for the tunnel-mode reasons; on the wire only ESP in UDP, which
# tshark opens with dmvpnd's key log to GRE behind an IPv4 header inside,
# both directions. Needs root. Ends with "N passed, N failed".
# (no set -u: recipe.sh is not written for it)
DMVPND=${1:?usage: test_tunnel_strongswan.sh path/to/dmvpnd}
src=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
RECIPE=${DMVPND_STRONGSWAN:-$src/../shared/strongswan}/recipe.sh
N=${N:-20}
PSK=dmvpnd-test-psk-0123456789
. "$src/tests/integ/netns_lib.sh"
if [ ! -r "$RECIPE" ]; then
  bad "no strongSwan recipe at $RECIPE (set DMVPND_STRONGSWAN)"; summary; exit 1
fi
. "$RECIPE"
work=$(mktemp -d /tmp/tunnel-ss.XXXXXX)
NODE_PID= CAPS=
cleanup() {
  local p
  for p in $CAPS; do kill "$p" 2> /dev/null; wait "$p" 2> /dev/null; done
  [ -n "$NODE_PID" ] && node_stop "$NODE_PID" 10 > /dev/null
  ss_cleanup
  netns_cleanup
  [ -n "${KEEP:-}" ] && echo "artifacts: $work" || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cli() { nsx node /usr/bin/python3 "$src/tests/integ/cli_client.py" "$@"; }
SW=$NS_PREFIX-sw

# Topology.
netns_add node; netns_add sw; netns_add lanhost
veth_link node wan0 sw sw0
veth_link node lan0 lanhost eth0
nsx sw ip addr add 198.51.100.2/24 dev sw0
nsx lanhost ip addr add 10.1.0.10/24 dev eth0
nsx lanhost ip route add default via 10.1.0.1

# charon answers, tunnel mode only (libipsec), GRE between the two addresses.
if ! ss_start "$SW" "$work/sw" --kernel libipsec --mode tunnel --allow-peer-ts yes \
     --local 198.51.100.2 --remote 198.51.100.1 --lts '198.51.100.2[gre]' \
     --rts '198.51.100.1[gre]' --psk "$PSK" --ike aes256gcm16-prfsha256-x25519 \
     --esp aes128gcm16 --keylog no; then
  bad "charon did not start"; summary; exit 1
fi
ss_peer_ts_rule "$SW" 198.51.100.1

# dmvpnd: a spoke whose NHS is charon (its static overlay -> NBMA mapping),
# IKE-lite asking for tunnel mode, ESP without ESN (libipsec has none).
hash=$(sed -n 's/.*password-hash: "\(.*\)"/\1/p' "$src/configs/spoke1.yaml")
cat > "$work/node.yaml" <<EOF
node: {name: tnode, role: spoke}
lcores: {main: 0, workers: [1]}
eal: {memory: no-huge, size-mb: 256, file-prefix: $NS_PREFIX-tnode}
ports:
  - {name: wan0, devargs: "net_af_packet0,iface=wan0", role: wan, address: 198.51.100.1/24}
  - {name: lan0, devargs: "net_af_packet1,iface=lan0", role: lan, address: 10.1.0.1/24}
tunnel:
  address: 10.255.0.1/24
  network-id: 1
  holdtime: 30
  protection: esp
  esp:
    algorithm: aes-gcm-128
    esn: false
    keying: ike
    key-log: $work/esp-keys.txt
    ike:
      psk: "$PSK"
      mode: tunnel
  nhs:
    - {nbma: 198.51.100.2, address: 10.255.0.2}
cli:
  telnet: {address: 127.0.0.1, port: 2323}
  users:
    - {name: admin, password-hash: "$hash"}
EOF
"$DMVPND" --check -c "$work/node.yaml" || { bad "config"; summary; exit 1; }
ip netns exec "$NS_PREFIX-node" "$DMVPND" -c "$work/node.yaml" > "$work/node.log" 2>&1 &
NODE_PID=$!
if wait_for_log "$work/node.log" "running" 30; then ok "dmvpnd started"
else bad "dmvpnd did not start"; cat "$work/node.log"; summary; exit 1; fi

ss_wait_sa "$work/sw" 20 child
ss_sas "$work/sw" > "$work/sw-sas.txt"; cut -c1-400 "$work/sw-sas.txt"
check "charon installed a tunnel-mode CHILD_SA with dmvpnd, ESP in UDP" \
  grep -q 'state=INSTALLED mode=TUNNEL protocol=ESP encap=yes' "$work/sw-sas.txt"
cli 'show crypto ikev2 sa detail' 'show crypto ipsec sa' | tee "$work/sa1.txt"
check "dmvpnd's CHILD_SA is in tunnel mode" grep -q 'child ESP in .* tunnel, up' "$work/sa1.txt"
check "dmvpnd's inbound SA checks 198.51.100.2 -> 198.51.100.1 inside" \
  sh -c "grep -A1 'inbound  spi' '$work/sa1.txt' | grep -q 'mode tunnel, inside 198.51.100.2 -> 198.51.100.1'"
check "dmvpnd's outbound SA writes 198.51.100.1 -> 198.51.100.2 inside, in UDP 4500" \
  sh -c "grep -A1 'outbound spi' '$work/sa1.txt' | grep -q 'mode tunnel, inside 198.51.100.1 -> 198.51.100.2' && grep -q 'NAT-T to UDP port 4500' '$work/sa1.txt'"

# Captures in charon's namespace: decrypted on ipsec0, on the wire on sw0.
for ifc in ipsec0 sw0; do
  nsx sw tcpdump -i "$ifc" -U -w "$work/$ifc.pcap" > /dev/null 2>&1 &
  CAPS="$CAPS $!"
done
for i in $(seq 1 30); do
  [ -s "$work/ipsec0.pcap" ] && [ -s "$work/sw0.pcap" ] && break; sleep 0.1
done
sleep 0.3

# GRE from a raw socket: the kernel adds IPv4 198.51.100.2 -> .1, proto 47.
nsx sw /usr/bin/python3 - "$N" <<'PY'
import socket
import sys
import time

from scapy.all import GRE, ICMP, IP, Raw

n = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
for dst, ident in (("10.255.0.1", 0x7001), ("10.1.0.10", 0x7002)):
    for i in range(n):
        inner = IP(src="10.255.0.2", dst=dst) / ICMP(id=ident, seq=i) / Raw(b"tunnel-mode ESP")
        s.sendto(bytes(GRE(proto=0x0800) / inner), ("198.51.100.1", 0))
        time.sleep(0.02)
PY
# The answers come back within a second or two; wait for charon to count them.
for i in $(seq 1 50); do
  [ "$(ss_get "$work/sw" packets-in)" -ge $((2 * N)) ] 2> /dev/null && break; sleep 0.2
done
sleep 0.5
for p in $CAPS; do kill "$p" 2> /dev/null; wait "$p" 2> /dev/null; done
CAPS=

# The echo answers, decrypted by libipsec on ipsec0: GRE from dmvpnd's
# NBMA address, one per request, each sequence number once.
answers() { # icmp id, answering address
  tshark -r "$work/ipsec0.pcap" -Y "ip.src == 198.51.100.1 && gre && icmp.type == 0 && icmp.ident == $1 && ip.src == $2" \
    -T fields -e icmp.seq 2> /dev/null | sort -u | wc -l
}
a_node=$(answers 0x7001 10.255.0.1); a_lan=$(answers 0x7002 10.1.0.10)
echo "sent $N + $N echo requests; answers on charon's ipsec0: $a_node from 10.255.0.1, $a_lan from 10.1.0.10"
check "dmvpnd's tunnel address answered all $N requests through tunnel-mode ESP" test "$a_node" -eq "$N"
check "the LAN host answered all $N requests, both ways through the workers" test "$a_lan" -eq "$N"

cli 'show crypto ipsec sa' 'show interfaces' | tee "$work/sa2.txt"
in_pkts=$(awk '/inbound  spi/ {for (i = 1; i <= NF; i++) if ($i == "packets") {gsub(",", "", $(i + 1)); print $(i + 1)}; exit}' "$work/sa2.txt")
out_seq=$(awk '/outbound spi/ {for (i = 1; i <= NF; i++) if ($i == "seq") {gsub(",", "", $(i + 1)); print $(i + 1)}; exit}' "$work/sa2.txt")
echo "dmvpnd's tunnel-mode SAs: $in_pkts packets decrypted, last sequence number sent $out_seq"
check "dmvpnd decrypted at least $((2 * N)) tunnel-mode packets and encrypted as many" \
  sh -c "[ '${in_pkts:-0}' -ge $((2 * N)) ] && [ '${out_seq:-0}' -ge $((2 * N)) ]"
check "no drop for a tunnel-mode reason, a failed ICV, or cleartext GRE" \
  sh -c "! grep -Eq 'esp_mode_mismatch|esp_tunnel_|esp_bad_next_header|esp_icv_fail|esp_required' '$work/sa2.txt'"
pin=$(ss_get "$work/sw" packets-in); pout=$(ss_get "$work/sw" packets-out)
echo "charon's CHILD_SA: $pout packets out, $pin packets in"
check "charon counts the requests out and the answers in" \
  sh -c "[ '${pout:-0}' -ge $((2 * N)) ] && [ '${pin:-0}' -ge $((2 * N)) ]"

# The wire: ESP in UDP 4500 only; dmvpnd's key log opens both directions
# to GRE behind an IPv4 header inside (Wireshark's own tunnel-mode reading).
count() { tshark -r "$work/sw0.pcap" "${topts[@]}" -Y "$1" 2> /dev/null | wc -l; }
topts=()
check "no cleartext GRE between the two" test "$(count gre)" -eq 0
topts=(-o esp.enable_encryption_decode:TRUE)
while read -r l; do topts+=(-o "uat:esp_sa:$l"); done < <(sort -u "$work/esp-keys.txt")
to_sw=$(count 'ip.src == 198.51.100.1 && udp.port == 4500 && esp.protocol == 4 && gre && icmp.type == 0')
to_node=$(count 'ip.src == 198.51.100.2 && udp.port == 4500 && esp.protocol == 4 && gre && icmp.type == 8')
echo "tshark with dmvpnd's key log: $to_sw answers and $to_node requests in tunnel-mode ESP on the wire"
check "tshark decrypts both directions to IPv4 (next header 4) around GRE" \
  sh -c "[ $to_sw -ge $((2 * N)) ] && [ $to_node -ge $((2 * N)) ]"

node_stop "$NODE_PID" 15; rc=$?; NODE_PID=
check "dmvpnd stops cleanly (exit $rc)" test "$rc" -eq 0
check "dmvpnd logged no error" sh -c "! grep -q 'ERROR\|Sanitizer' '$work/node.log'"
grep -E 'esp: SAs with|ike: SA with' "$work/node.log" | head -5
summary
