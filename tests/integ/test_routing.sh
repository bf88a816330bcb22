#!/usr/bin/env bash
# Dynamic routing over the DMVPN: FRR in each node's namespace, talking
# over the tunnel's kernel interface, and dmvpnd's FIB following what it
# installs (control/kernel_routes.c). No static routes in dmvpnd.
#
#   the hub and two spokes of dmvpn_topo.sh, phase 3, with FRR's shipped
#   configs/frr/$PROTO/*.conf; each node announces its LAN (10.N.0.0/24),
#   and one more prefix (added with vtysh) is withdrawn later: spoke2's
#   10.22.0.0/16 (BGP), the hub's 10.33.0.0/16 (OSPF).
#   PROTO=bgp: iBGP AS 65000, the hub a route reflector with dynamic
#     neighbours (bgp listen range 10.255.0.0/24), next-hop-self for what
#     it reflects; TCP-MD5 on every session.
#   PROTO=ospf: area 0 point-to-multipoint on tunnel0 with MD5
#     authentication (hellos are multicast: the hub replicates them to the
#     spokes, a spoke sends them to its NHS); LANs as external routes.
#
#   1  sessions (BGP) or adjacencies (OSPF, authenticated) come up over
#      the tunnel; each spoke learns the other's LAN via the hub (B or O in
#      dmvpnd's show ip route, proto bgp or ospf in the kernel)
#   2  LAN host to LAN host: the first packets through the hub, then the
#      phase 3 shortcut (H) takes the prefix over the learned route, which
#      stays in the kernel; clear ip nhrp brings the learned route back
#   3  a withdrawn prefix leaves the FIB of every node
#   4  a flap storm: 10,000 route updates (5,000 routes added and removed
#      with ip -batch) while a ping at 100/s crosses the shortcut: none
#      lost, the FIB back to where it was
#
# Needs root, FRR (scripts/setup installs it); about 40 s.
set -u
DMVPND=${1:?usage: test_routing.sh path/to/dmvpnd}
PROTO=${PROTO:-bgp}
src=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
NS_PREFIX=${NS_PREFIX:-rt${PROTO:0:1}$$}
. "$src/tests/integ/netns_lib.sh"
. "$src/tests/integ/dmvpn_topo.sh"
. "$src/tests/integ/frr_lib.sh"
[ -x /usr/lib/frr/bgpd ] || { echo "FAIL: FRR is not installed (scripts/setup installs it)"; exit 1; }
work=$(mktemp -d /tmp/routing-$PROTO.XXXXXX)
trap 'netns_cleanup; frr_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
declare -A PID
cli() { local n=$1; shift; nsx "$n" /usr/bin/python3 "$src/tests/integ/cli_client.py" "$@"; }
wait_until() { # seconds command...
  local i n=$(( $1 * 5 )); shift
  for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.2; done
  return 1
}
# dmvpnd's show ip route has LINE (an extended regex; a literal $C in it
# stands for the protocol's code, B or O)
has_route() { cli "$1" 'show ip route' 2> /dev/null | grep -Eq "${2//\$C/$C}"; }
no_route() { ! cli "$1" 'show ip route' 2> /dev/null | grep -Eq "${2//\$C/$C}"; }
received() { sed -n 's/.* \([0-9]*\) received.*/\1/p' <<< "$1" | head -1; }

# No static routes: the routing protocol brings them all.
no_statics() { sed -i '/^routes:/,/^$/d' "$2"; }

# A node's FRR config: the shipped one, logging into the work directory.
frr_conf() { # node
  sed "/^frr defaults/a log file $work/frr-$1.log" "$src/configs/frr/$PROTO/$1.conf" > "$work/frr-$1.conf"
}
case $PROTO in
bgp)
  C=B; DAEMONS=(bgpd); WD_ORIG=spoke2 WD_PFX=10.22.0.0/16 WD_SEEN="hub spoke1"
  announce() { vty "$1" 'configure terminal' 'router bgp 65000' 'address-family ipv4 unicast' "${3:-}network $2"; }
  # the hub's sessions with both spokes
  adjacent() { [ "$(vty hub 'show bgp ipv4 unicast summary json' | grep -c '"state":"Established"')" -ge 2 ]; }
  SHOW_PEERS='show bgp ipv4 unicast summary' ;;
ospf)
  # The prefix withdrawn in 3 is the hub's: FRR 8.4's point-to-multipoint
  # hub never refloods a spoke's flushed LSA to the other spokes
  # (docs/routing.md).
  C=O; DAEMONS=(staticd ospfd); WD_ORIG=hub WD_PFX=10.33.0.0/16 WD_SEEN="spoke1 spoke2"
  announce() { vty "$1" 'configure terminal' "${3:-}ip route $2 blackhole"; }
  adjacent() { [ "$(vty hub 'show ip ospf neighbor' | grep -c 'Full/')" -ge 2 ]; }
  SHOW_PEERS='show ip ospf neighbor' ;;
*) echo "FAIL: PROTO=$PROTO (bgp or ospf)"; exit 1 ;;
esac

echo "=== the hub and two spokes, phase 3, no static routes"
dmvpn_topo_up
dmvpn_start_all "$work" 3 30 no_statics || { summary; exit 1; }
check "both spokes registered with the hub" dmvpn_wait_spokes
# The underlay, for the routing protocol's packets inside GRE.
ip netns exec "$NS_PREFIX-inet" tcpdump -i br0 -U -w "$work/cap.pcap" 2> /dev/null & cap_pid=$!
for n in $DMVPN_NODES; do
  frr_conf "$n"
  check "$n: zebra and ${DAEMONS[*]} start on configs/frr/$PROTO/$n.conf" \
    frr_start "$n" "$work/frr-$n.conf" "${DAEMONS[@]}"
done
announce "$WD_ORIG" "$WD_PFX" > /dev/null

echo "=== 1: $PROTO over the tunnel"
check "1: the hub's $PROTO sessions with both spokes are up ($SHOW_PEERS)" wait_until 40 adjacent
vty hub "$SHOW_PEERS"
sleep 1; kill "$cap_pid" 2> /dev/null; wait "$cap_pid" 2> /dev/null
if [ "$PROTO" = bgp ]; then
  # TCP-MD5 (RFC 2385): tshark's TCP option kind 19 on every BGP segment.
  n_bgp=$(tshark -r "$work/cap.pcap" -Y 'gre && tcp.port == 179' 2> /dev/null | wc -l)
  n_md5=$(tshark -r "$work/cap.pcap" -Y 'gre && tcp.port == 179 && tcp.option_kind == 19' 2> /dev/null | wc -l)
  check "1: every BGP segment in the tunnel carries a TCP-MD5 signature ($n_md5 of $n_bgp)" \
    sh -c "[ $n_bgp -ge 4 ] && [ $n_md5 -eq $n_bgp ]"
fi
if [ "$PROTO" = ospf ]; then
  n_hello=$(tshark -r "$work/cap.pcap" -Y 'gre && ospf.msg == 1' 2> /dev/null | wc -l)
  n_md5=$(tshark -r "$work/cap.pcap" -Y 'gre && ospf.msg == 1 && ospf.auth.type == 2' 2> /dev/null | wc -l)
  check "1: every OSPF hello in the tunnel is MD5-authenticated ($n_md5 of $n_hello)" \
    sh -c "[ $n_hello -ge 4 ] && [ $n_md5 -eq $n_hello ]"

  out=$(vty spoke1 'show ip ospf interface tunnel0')
  echo "$out"
  check "1: OSPF on spoke1's tunnel0: point-to-multipoint, MD5 authentication" \
    sh -c "echo '$out' | grep -qi 'point-to-multipoint\|POINTOMULTIPOINT' && echo '$out' | grep -qi 'cryptographic authentication enabled'"
fi
check "1: spoke1 learned 10.2.0.0/24 via the hub ($C in show ip route)" \
  wait_until 20 has_route spoke1 '^$C +10\.2\.0\.0/24 via 10\.255\.0\.1, tunnel0'
check "1: spoke2 learned 10.1.0.0/24 via the hub" \
  wait_until 20 has_route spoke2 '^$C +10\.1\.0\.0/24 via 10\.255\.0\.1, tunnel0'
check "1: the hub learned both LANs via their spokes" \
  wait_until 20 bash -c "$(declare -f cli has_route nsx); NS_PREFIX=$NS_PREFIX src=$src; has_route hub '^$C +10\.1\.0\.0/24 via 10\.255\.0\.11,' && has_route hub '^$C +10\.2\.0\.0/24 via 10\.255\.0\.12,'"
check "1: spoke1 learned the hub's LAN 10.0.0.0/24" has_route spoke1 '^$C +10\.0\.0\.0/24 via 10\.255\.0\.1,'
check "1: ... the route is zebra's in spoke1's kernel (proto $PROTO)" \
  sh -c "ip netns exec $NS_PREFIX-spoke1 ip route show 10.2.0.0/24 | grep -q 'via 10.255.0.1 dev tunnel0 proto $PROTO'"
cli spoke1 'show ip route'
out=$(nsx lan1h ping -c 3 -i 0.2 -W 2 10.0.0.10)
check "1: LAN 10.1.0.10 -> the hub's LAN 10.0.0.10 on the $PROTO route ($(received "$out") of 3)" \
  test "$(received "$out")" = 3

echo "=== 2: phase 3 over $PROTO routes"
out=$(nsx lan1h ping -c 10 -i 0.2 -W 2 10.2.0.10)
echo "$out" | tail -2
check "2: LAN 10.1.0.10 -> 10.2.0.10 answered ($(received "$out") of 10)" test "$(received "$out")" -ge 9
check "2: spoke1's shortcut took 10.2.0.0/24 over the $PROTO route (H via 10.255.0.12)" \
  wait_until 10 has_route spoke1 '^H +10\.2\.0\.0/24 via 10\.255\.0\.12, tunnel0'
check "2: ... and the $PROTO route stays in spoke1's kernel" \
  sh -c "ip netns exec $NS_PREFIX-spoke1 ip route show 10.2.0.0/24 | grep -q 'proto $PROTO'"
cli spoke1 'show dmvpn path 10.2.0.10'
hub_before=$(cli hub 'show interfaces' | awk '/^lan0|^wan0/ {p = 1} p && /rx packets/ {print; exit}')
out=$(nsx lan1h ping -c 5 -i 0.2 -W 2 10.2.0.10)
check "2: over the shortcut ($(received "$out") of 5)" test "$(received "$out")" = 5
cli spoke1 'clear ip nhrp' > /dev/null
check "2: clear ip nhrp on spoke1: the $PROTO route is back ($C via the hub)" \
  wait_until 5 has_route spoke1 '^$C +10\.2\.0\.0/24 via 10\.255\.0\.1, tunnel0'
out=$(nsx lan1h ping -c 3 -i 0.2 -W 2 10.2.0.10)
check "2: and carries the traffic again ($(received "$out") of 3)" test "$(received "$out")" -ge 2

echo "=== 3: a withdrawn prefix ($WD_PFX from $WD_ORIG)"
learned_both() {
  local n
  for n in $WD_SEEN; do has_route "$n" "^$C +${WD_PFX//./\\.} " || return 1; done
}
gone_all() {
  local n
  for n in $WD_SEEN; do no_route "$n" "${WD_PFX//./\\.}" || return 1; done
  [ -z "$(ip netns exec "$NS_PREFIX-spoke1" ip route show "$WD_PFX")" ]
}
check "3: $WD_SEEN learned $WD_ORIG's $WD_PFX" wait_until 20 learned_both
announce "$WD_ORIG" "$WD_PFX" 'no ' > /dev/null
check "3: withdrawn on $WD_ORIG: gone from the FIBs of $WD_SEEN and spoke1's kernel" \
  wait_until 20 gone_all

echo "=== 4: 10,000 route updates while a ping crosses the shortcut"
nsx lan1h ping -c 3 -i 0.2 -W 2 10.2.0.10 > /dev/null   # the shortcut again
wait_until 10 has_route spoke1 '^H +10\.2\.0\.0/24 via 10\.255\.0\.12,'
routes0=$(cli spoke1 'show ip route' | grep -c '^[A-Z] ')
for i in $(seq 0 4999); do echo "route add 172.$((16 + i / 256)).$((i % 256)).0/24 via 10.255.0.1 dev tunnel0 proto static"; done > "$work/flap-add"
sed 's/^route add/route del/' "$work/flap-add" > "$work/flap-del"
nsx lan1h ping -c 500 -i 0.01 -W 1 10.2.0.10 > "$work/flap-ping.txt" 2>&1 & pp=$!
sleep 0.5
t0=$(date +%s%N)
nsx spoke1 ip -batch "$work/flap-add"
nsx spoke1 ip -batch "$work/flap-del"
t1=$(date +%s%N)
wait $pp
out=$(cat "$work/flap-ping.txt")
echo "10,000 route updates in $(( (t1 - t0) / 1000000 )) ms; $(tail -2 <<< "$out" | head -1)"
check "4: the ping at 100/s lost none of 500 while the routes flapped ($(received "$out"))" \
  test "$(received "$out")" = 500
settled() { [ "$(cli spoke1 'show ip route' | grep -c '^[A-Z] ')" = "$routes0" ]; }
check "4: spoke1's FIB is back to its $routes0 routes" wait_until 10 settled
out=$(cli spoke1 'show ip route summary')
echo "$out"
check "4: every update was taken (show ip route summary)" \
  sh -c "echo '$out' | grep -Eq 'updates +[0-9]{5,}'"

for n in $DMVPN_NODES; do node_stop "${PID[$n]}" 10 > /dev/null || bad "$n did not stop cleanly"; done
summary
