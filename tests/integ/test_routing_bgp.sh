#!/usr/bin/env bash
# Dynamic routing over the DMVPN: FRR's bgpd in each node's namespace,
# peering over the tunnel's kernel interface, and dmvpnd's FIB following
# what it installs (control/kernel_routes.c). No static routes anywhere.
#
#   the hub and two spokes of dmvpn_topo.sh, phase 3; iBGP AS 65000:
#   the hub a route reflector with dynamic neighbours (bgp listen range
#   10.255.0.0/24), next-hop-self for what it reflects; each node
#   originates its LAN (10.N.0.0/24). spoke2 also originates 10.22.0.0/16,
#   withdrawn later.
#
#   1  BGP sessions come up over the tunnel; each spoke learns the other's
#      LAN via the hub (B in dmvpnd's show ip route, proto bgp in the
#      kernel)
#   2  LAN host to LAN host: the first packets through the hub, then the
#      phase 3 shortcut (H) takes the prefix over the BGP route, which
#      stays in the kernel; clear ip nhrp brings the BGP route back
#   3  a withdrawn prefix leaves the FIB of every node
#   4  a flap storm: 10,000 route updates (5,000 routes added and removed
#      with ip -batch) while a ping at 100/s crosses the shortcut: none
#      lost, the FIB back to where it was
#
# Needs root, FRR (scripts/setup installs it); about 40 s.
set -u
DMVPND=${1:?usage: test_routing_bgp.sh path/to/dmvpnd}
src=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
NS_PREFIX=${NS_PREFIX:-rtb$$}
. "$src/tests/integ/netns_lib.sh"
. "$src/tests/integ/dmvpn_topo.sh"
. "$src/tests/integ/frr_lib.sh"
[ -x /usr/lib/frr/bgpd ] || { echo "FAIL: FRR is not installed (scripts/setup installs it)"; exit 1; }
work=$(mktemp -d /tmp/routing-bgp.XXXXXX)
trap 'netns_cleanup; frr_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
declare -A PID
cli() { local n=$1; shift; nsx "$n" /usr/bin/python3 "$src/tests/integ/cli_client.py" "$@"; }
wait_until() { # seconds command...
  local i n=$(( $1 * 5 )); shift
  for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.2; done
  return 1
}
# dmvpnd's show ip route has LINE (an extended regex)
has_route() { cli "$1" 'show ip route' 2> /dev/null | grep -Eq "$2"; }
no_route() { ! cli "$1" 'show ip route' 2> /dev/null | grep -Eq "$2"; }
received() { sed -n 's/.* \([0-9]*\) received.*/\1/p' <<< "$1" | head -1; }

# No static routes: BGP brings them all.
no_statics() { sed -i '/^routes:/,/^$/d' "$2"; }

# The FRR config of a node: bgpd with the datacenter profile's timers
# (keepalive 3 s, hold 9 s).
bgp_conf() { # node overlay lan-prefix
  {
    echo "frr defaults datacenter"
    echo "hostname $1"
    echo "log file $work/frr-$1.log"
    echo "router bgp 65000"
    echo " bgp router-id $2"
    echo " no bgp network import-check"
    if [ "$1" = hub ]; then
      echo " neighbor SPOKES peer-group"
      echo " neighbor SPOKES remote-as 65000"
      echo " bgp listen range 10.255.0.0/24 peer-group SPOKES"
    else
      echo " neighbor 10.255.0.1 remote-as 65000"
    fi
    echo " address-family ipv4 unicast"
    echo "  network $3"
    [ "$1" = spoke2 ] && echo "  network 10.22.0.0/16"
    if [ "$1" = hub ]; then
      echo "  neighbor SPOKES route-reflector-client"
      echo "  neighbor SPOKES next-hop-self force"
    fi
    echo " exit-address-family"
  } > "$work/frr-$1.conf"
}

echo "=== the hub and two spokes, phase 3, no static routes"
dmvpn_topo_up
dmvpn_start_all "$work" 3 30 no_statics || { summary; exit 1; }
check "both spokes registered with the hub" dmvpn_wait_spokes
bgp_conf hub 10.255.0.1 10.0.0.0/24
bgp_conf spoke1 10.255.0.11 10.1.0.0/24
bgp_conf spoke2 10.255.0.12 10.2.0.0/24
for n in $DMVPN_NODES; do
  check "$n: zebra and bgpd start" frr_start "$n" "$work/frr-$n.conf" bgpd
done

echo "=== 1: BGP over the tunnel"
established() { [ "$(vty hub 'show bgp ipv4 unicast summary json' | grep -c '"state":"Established"')" -ge 2 ]; }
check "1: the hub's BGP sessions with both spokes are Established" wait_until 40 established
vty hub 'show bgp ipv4 unicast summary'
check "1: spoke1 learned 10.2.0.0/24 via the hub (B in show ip route)" \
  wait_until 20 has_route spoke1 '^B +10\.2\.0\.0/24 via 10\.255\.0\.1, tunnel0'
check "1: spoke2 learned 10.1.0.0/24 via the hub" \
  wait_until 20 has_route spoke2 '^B +10\.1\.0\.0/24 via 10\.255\.0\.1, tunnel0'
check "1: the hub learned both LANs via their spokes" \
  wait_until 20 sh -c "$(declare -f cli has_route nsx); NS_PREFIX=$NS_PREFIX src=$src; has_route hub '^B +10\.1\.0\.0/24 via 10\.255\.0\.11,' && has_route hub '^B +10\.2\.0\.0/24 via 10\.255\.0\.12,'"
check "1: spoke1 learned the hub's LAN 10.0.0.0/24" has_route spoke1 '^B +10\.0\.0\.0/24 via 10\.255\.0\.1,'
check "1: ... the route is zebra's in spoke1's kernel (proto bgp)" \
  sh -c "ip netns exec $NS_PREFIX-spoke1 ip route show 10.2.0.0/24 | grep -q 'via 10.255.0.1 dev tunnel0 proto bgp'"
cli spoke1 'show ip route'
out=$(nsx lan1h ping -c 3 -i 0.2 -W 2 10.0.0.10)
check "1: LAN 10.1.0.10 -> the hub's LAN 10.0.0.10 on the BGP route ($(received "$out") of 3)" \
  test "$(received "$out")" = 3

echo "=== 2: phase 3 over BGP routes"
out=$(nsx lan1h ping -c 10 -i 0.2 -W 2 10.2.0.10)
echo "$out" | tail -2
check "2: LAN 10.1.0.10 -> 10.2.0.10 answered ($(received "$out") of 10)" test "$(received "$out")" -ge 9
check "2: spoke1's shortcut took 10.2.0.0/24 over the BGP route (H via 10.255.0.12)" \
  wait_until 10 has_route spoke1 '^H +10\.2\.0\.0/24 via 10\.255\.0\.12, tunnel0'
check "2: ... and the BGP route stays in spoke1's kernel" \
  sh -c "ip netns exec $NS_PREFIX-spoke1 ip route show 10.2.0.0/24 | grep -q 'proto bgp'"
cli spoke1 'show dmvpn path 10.2.0.10'
hub_before=$(cli hub 'show interfaces' | awk '/^lan0|^wan0/ {p = 1} p && /rx packets/ {print; exit}')
out=$(nsx lan1h ping -c 5 -i 0.2 -W 2 10.2.0.10)
check "2: over the shortcut ($(received "$out") of 5)" test "$(received "$out")" = 5
cli spoke1 'clear ip nhrp' > /dev/null
check "2: clear ip nhrp on spoke1: the BGP route is back (B via the hub)" \
  wait_until 5 has_route spoke1 '^B +10\.2\.0\.0/24 via 10\.255\.0\.1, tunnel0'
out=$(nsx lan1h ping -c 3 -i 0.2 -W 2 10.2.0.10)
check "2: and carries the traffic again ($(received "$out") of 3)" test "$(received "$out")" -ge 2

echo "=== 3: a withdrawn prefix"
check "3: spoke1 and the hub learned spoke2's 10.22.0.0/16" \
  sh -c "$(declare -f cli has_route nsx); NS_PREFIX=$NS_PREFIX src=$src; has_route spoke1 '^B +10\.22\.0\.0/16 ' && has_route hub '^B +10\.22\.0\.0/16 via 10\.255\.0\.12,'"
vty spoke2 'configure terminal' 'router bgp 65000' 'address-family ipv4 unicast' 'no network 10.22.0.0/16' > /dev/null
check "3: withdrawn on spoke2: gone from the hub's FIB" wait_until 20 no_route hub '10\.22\.0\.0/16'
check "3: ... and from spoke1's" wait_until 20 no_route spoke1 '10\.22\.0\.0/16'
check "3: ... and from spoke1's kernel" \
  sh -c "[ -z \"\$(ip netns exec $NS_PREFIX-spoke1 ip route show 10.22.0.0/16)\" ]"

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
