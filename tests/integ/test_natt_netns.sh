#!/usr/bin/env bash
# ESP through a NAT (RFC 3948), with static keys:
#
#  [lan0h] 10.0.0.10 ── [hub] wan0 192.0.2.1 ── br0 [inet] ── out0 192.0.2.21 [nat] in0 198.51.100.1
#                                                                               │ masquerade, ports 40000-40100
#  [lan1h] 10.1.0.10 ── [spoke1] wan0 198.51.100.11 ────────────────────────────┘
#
# spoke1 registers through the NAT; the hub sees it at 192.0.2.21 (NHRP NAT
# extension), spoke1 learns it is NATed from the reply and moves its ESP to
# UDP 4500; the hub learns the translated port from the packets and answers
# to it; keepalives keep the mapping; the LANs ping each other; tshark with
# the hub's key log decrypts the UDP-encapsulated ESP. Needs root.
set -u
DMVPND=${1:?usage: test_natt_netns.sh path/to/dmvpnd}
src=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/integ/netns_lib.sh"
. "$src/tests/integ/dmvpn_topo.sh"
work=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$work"' EXIT
cli() { local n=$1; shift; nsx "$n" /usr/bin/python3 "$src/tests/integ/cli_client.py" "$@"; }

K1=000102030405060708090a0b0c0d0e0f10111213
K2=202122232425262728292a2b2c2d2e2f30313233
esp_static() { # config peer spi-in spi-out key-in key-out keylog
  cat > "$work/esp-block.yaml" <<BLOCK
  protection: esp
  esp:
    esn: false
    keying: static
    nat-traversal: auto
    nat-keepalive: 2
    key-log: $7
    sas:
      - peer: $2
        spi-in: $3
        spi-out: $4
        key-in: "$5"
        key-out: "$6"
BLOCK
  sed -i "/^  nhrp-authentication:/r $work/esp-block.yaml" "$1"
}

# Topology.
netns_add inet; nsx inet ip link add br0 type bridge; nsx inet ip link set br0 up
netns_add hub; netns_add lan0h; netns_add nat; netns_add spoke1; netns_add lan1h
veth_link hub wan0 inet hub-wan; nsx inet ip link set hub-wan master br0
veth_link nat out0 inet nat-wan; nsx inet ip link set nat-wan master br0
veth_link spoke1 wan0 nat in0
veth_link hub lan0 lan0h eth0; veth_link spoke1 lan0 lan1h eth0
nsx nat ip addr add 192.0.2.21/24 dev out0
nsx nat ip addr add 198.51.100.1/24 dev in0
nsx nat sysctl -qw net.ipv4.ip_forward=1
nsx nat nft -f - <<'NFT'
table ip nat {
  chain post {
    type nat hook postrouting priority 100;
    oifname "out0" meta l4proto udp masquerade to :40000-40100
    oifname "out0" masquerade
  }
}
NFT
nsx lan0h ip addr add 10.0.0.10/24 dev eth0; nsx lan0h ip route add 10.0.0.0/8 via 10.0.0.1
nsx lan1h ip addr add 10.1.0.10/24 dev eth0; nsx lan1h ip route add 10.0.0.0/8 via 10.1.0.1

# Configs: the shipped ones, spoke1 moved behind the NAT, static SAs.
config_for_dmvpn "$src/configs/hub.yaml" "$work/hub.yaml" 3 30
config_for_dmvpn "$src/configs/spoke1.yaml" "$work/spoke1.yaml" 3 30
sed -i 's#address: 192.0.2.11/24#address: 198.51.100.11/24#' "$work/spoke1.yaml"
sed -i '/^routes:/a\  - prefix: 192.0.2.0/24\n    via: 198.51.100.1' "$work/spoke1.yaml"
esp_static "$work/hub.yaml" 192.0.2.21 4097 8193 "$K1" "$K2" "$work/keys-hub.txt"
esp_static "$work/spoke1.yaml" 192.0.2.1 8193 4097 "$K2" "$K1" "$work/keys-spoke1.txt"
for n in hub spoke1; do
  "$DMVPND" --check -c "$work/$n.yaml" || { bad "config $n"; summary; exit 1; }
done

nsx inet tcpdump -i br0 -U -w "$work/cap.pcap" 2> /dev/null &
cap=$!
for n in hub spoke1; do
  if dmvpn_node_start "$n" "$work/$n.yaml" "$work/$n.log"; then ok "$n started"
  else bad "$n did not start"; cat "$work/$n.log"; summary; exit 1; fi
done

for i in $(seq 1 100); do cli hub 'show dmvpn' 2>/dev/null | grep -q ' 10.255.0.11 ' && break; sleep 0.2; done
out=$(cli hub 'show dmvpn'); echo "$out"
check "spoke1 registered through the NAT, seen at 192.0.2.21, NATed" \
  sh -c "echo '$out' | grep -Eq '^192.0.2.21 +10.255.0.11 +UP .*N'"
check "lan1 pings lan0 over ESP in UDP through the NAT" nsx lan1h ping -c 6 -i 0.3 -W 2 10.0.0.10
check "lan0 pings lan1 back" nsx lan0h ping -c 3 -i 0.3 -W 2 10.1.0.10
sleep 3   # a keepalive or two
cli spoke1 'show crypto ipsec sa' | tee "$work/sa-spoke1.txt"
cli hub 'show crypto ipsec sa' | tee "$work/sa-hub.txt"
check "spoke1 learned it is behind a NAT and sends ESP in UDP 4500" \
  grep -q 'peer 192.0.2.1 .*NAT-T to UDP port 4500' "$work/sa-spoke1.txt"
check "the hub learned the translated port" grep -Eq 'peer 192.0.2.21 .*NAT-T to UDP port (400[0-9]{2}|40100)\b' "$work/sa-hub.txt"
kill "$cap"; wait "$cap" 2> /dev/null

udp_from=$(tshark -r "$work/cap.pcap" -Y 'ip.src==192.0.2.21 && udp.dstport==4500 && udp.srcport>=40000' 2>/dev/null | wc -l)
udp_to=$(tshark -r "$work/cap.pcap" -Y 'ip.dst==192.0.2.21 && udp.srcport==4500 && udp.dstport>=40000' 2>/dev/null | wc -l)
ka=$(tshark -r "$work/cap.pcap" -Y 'udp.srcport>=40000 && udp.length==9' 2>/dev/null | wc -l)
echo "capture: $udp_from UDP-ESP from the NAT, $udp_to to its translated port, $ka keepalives"
check "ESP in UDP through the NAT, both ways" sh -c "[ $udp_from -gt 5 ] && [ $udp_to -gt 5 ]"
check "NAT-T keepalives on the wire" test "$ka" -ge 1
check "no cleartext GRE on the underlay" test "$(tshark -r "$work/cap.pcap" -Y gre 2>/dev/null | wc -l)" -eq 0
mapfile -t o < <(printf '%s\n' -o esp.enable_encryption_decode:TRUE; sort -u "$work/keys-hub.txt" | sed 's/"192.0.2.21"/"*"/; s/"192.0.2.1"/"*"/' | while read -r l; do printf '%s\n' -o "uat:esp_sa:$l"; done)
dec=$(tshark -r "$work/cap.pcap" "${o[@]}" -Y 'udp && esp && gre' 2>/dev/null | wc -l)
check "tshark decrypts the UDP-encapsulated ESP with the hub's key log ($dec)" test "$dec" -gt 5
for n in hub spoke1; do pkill -TERM -f "dmvpnd -c $work/$n.yaml"; done
sleep 1
check "nodes logged no error" sh -c "! grep -q 'ERROR\|Sanitizer' $work/hub.log $work/spoke1.log"
tail -5 "$work/spoke1.log"
summary
