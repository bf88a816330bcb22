#!/usr/bin/env bash
# Two hubs with different spokes each: a spoke-to-spoke shortcut across
# hubs. The hubs know each other from tunnel.maps, exchange routes with
# BGP and forward Resolution Requests to each other by the routing table;
# each hub exports its registrations (tunnel.export-registrations), so the
# other learns where each spoke's tunnel address is registered.
#
#   underlay 192.0.2.0/24 on one bridge; overlay 10.255.0.0/24, phase 3
#   hub1 .1 / 10.255.0.1 (LAN 10.0.1.0/24), hub2 .2 / 10.255.0.2 (10.0.2.0/24)
#   spoke1 .11 / 10.255.0.11, LAN 10.1.0.0/24, registered with hub1 only
#   spoke2 .12 / 10.255.0.12, LAN 10.2.0.0/24, registered with hub2 only
#   BGP 65000: each hub a route reflector for its own spoke (next-hop-self),
#   the hubs iBGP peers of each other (next-hop-self), redistribute kernel.
#
#   1  sessions up; hub2's kernel holds spoke2's /32 (proto 245, dmvpnd),
#      hub1 learned it from hub2 by BGP; spoke1 learned lan2 via hub1
#   2  spoke1 pings spoke2's tunnel address: through hub1 and hub2 first,
#      then hub1's Traffic Indication, spoke1's Resolution Request forwarded
#      hub1 -> hub2 -> spoke2, spoke2's answer straight to spoke1: the /32
#      goes direct (H), over the exported route hubs learned
#   3  lan1 pings lan2: resolved the same way, lan2 direct (H 10.2.0.0/24
#      via 10.255.0.12); the pings after it do not cross hub1
#   4  spoke2 leaves (stops): hub2 withdraws its /32 from the kernel, hub1
#      loses the BGP route
#
# SUMMARY=1: the canonical phase 3 design, the hubs send their spokes only
# a summary (10.0.0.0/8); the shortcuts override it, the /32s stay between
# the hubs.
#
# Needs root and FRR; about 40 s.
set -u
DMVPND=${1:?usage: test_hub_scaleout.sh path/to/dmvpnd}
src=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
NS_PREFIX=${NS_PREFIX:-hs$$}
. "$src/tests/integ/netns_lib.sh"
. "$src/tests/integ/dmvpn_topo.sh"
. "$src/tests/integ/frr_lib.sh"
[ -x /usr/lib/frr/bgpd ] || { echo "FAIL: FRR is not installed (scripts/setup installs it)"; exit 1; }
work=$(mktemp -d /tmp/hub-scaleout.XXXXXX)
trap 'netns_cleanup; frr_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
declare -A PID WAN OV LAN HUB
cli() { topo_node_cli "$@"; }
wait_until() { topo_wait "$@"; }
received() { topo_received "$1"; }
has_route() { cli "$1" 'show ip route' 2> /dev/null | grep -Eq "$2"; }
NODES="hub1 hub2 spoke1 spoke2"
for i in 1 2; do WAN[hub$i]=192.0.2.$i OV[hub$i]=10.255.0.$i LAN[hub$i]=10.0.$i; done
for i in 1 2; do WAN[spoke$i]=192.0.2.1$i OV[spoke$i]=10.255.0.1$i LAN[spoke$i]=10.$i.0 HUB[spoke$i]=hub$i; done

topo_inet_up
for n in $NODES; do topo_node_up "$n" "$n-h" "${LAN[$n]}"; done

# node_yaml NODE: the shipped hub or spoke1 config with this node's
# addresses and no static routes; a hub maps the other hub and exports its
# registrations, a spoke lists only its own hub.
node_yaml() {
  local n=$1 base=hub f=$work/$1.yaml o
  [ "${n#spoke}" != "$n" ] && base=spoke1
  topo_node_yaml "$n"
  if [ "$base" = hub ]; then
    o=$(( 3 - ${n#hub} ))
    sed -i "/^  kernel-interface:/a\\  export-registrations: true\\n  maps:\\n    - nbma: 192.0.2.$o\\n      address: 10.255.0.$o" "$f"
  else
    sed -i -E "s/^(    - nbma:) 192\.0\.2\.1 /\1 ${WAN[${HUB[$n]}]} /; s/^(      address:) 10\.255\.0\.1 /\1 ${OV[${HUB[$n]}]} /" "$f"
  fi
}
frr_conf() {
  local n=$1 f=$work/frr-$1.conf o
  {
    echo "frr defaults datacenter"
    echo "log file $work/frr-$n.log"
    echo "hostname $n"
    echo "router bgp 65000"
    echo " bgp router-id ${OV[$n]}"
    echo " no bgp network import-check"
    if [ "${n#hub}" != "$n" ]; then
      o=$(( 3 - ${n#hub} ))
      echo " neighbor SPOKES peer-group"
      echo " neighbor SPOKES remote-as 65000"
      echo " bgp listen range 10.255.0.0/24 peer-group SPOKES"
      echo " neighbor 10.255.0.$o remote-as 65000"
      echo " address-family ipv4 unicast"
      echo "  network ${LAN[$n]}.0/24"
      echo "  redistribute kernel"
      echo "  neighbor SPOKES route-reflector-client"
      echo "  neighbor SPOKES next-hop-self force"
      echo "  neighbor 10.255.0.$o next-hop-self force"
      if [ "${SUMMARY:-0}" = 1 ]; then
        echo "  network 10.0.0.0/8"
        echo "  neighbor SPOKES prefix-list SUMMARY out"
      fi
    else
      echo " neighbor ${OV[${HUB[$n]}]} remote-as 65000"
      echo " address-family ipv4 unicast"
      echo "  network ${LAN[$n]}.0/24"
    fi
    echo " exit-address-family"
    [ "${SUMMARY:-0}" = 1 ] && echo "ip prefix-list SUMMARY seq 5 permit 10.0.0.0/8"
  } > "$f"
}
start_node() { topo_node_run "$1"; }
nhrp_sent() { # node type: how many of that NHRP type it sent
  cli "$1" 'show ip nhrp traffic' 2> /dev/null | awk -v t="$2" '$1 == t {print $2; exit}'
}

echo "=== two hubs, a spoke on each, phase 3, BGP"
for n in $NODES; do
  node_yaml "$n"
  check "$n: its config loads ($("$DMVPND" --check -c "$work/$n.yaml" 2>&1))" \
    "$DMVPND" --check -c "$work/$n.yaml"
done
for n in $NODES; do check "$n: dmvpnd runs" start_node "$n" || cat "$work/$n.log"; done
for n in $NODES; do
  frr_conf "$n"
  frr_start "$n" "$work/frr-$n.conf" bgpd || bad "$n: FRR did not start"
done

echo "=== 1: registrations, exported routes, BGP"
established() { [ "$(vty "$1" 'show bgp ipv4 unicast summary json' | grep -c '"state":"Established"')" -ge 2 ]; }
check "1: each hub has BGP with the other hub and its spoke" \
  wait_until 40 bash -c "$(declare -f established vty nsx); NS_PREFIX=$NS_PREFIX; established hub1 && established hub2"
kernel_has() { nsx "$1" ip route show "${@:2}" | grep -q .; }
check "1: hub2's kernel holds spoke2's registration (10.255.0.12 dev tunnel0 proto 245)" \
  wait_until 20 kernel_has hub2 10.255.0.12/32 dev tunnel0 proto 245
nsx hub2 ip route show proto 245
check "1: hub1 learned spoke2's /32 from hub2 by BGP (via 10.255.0.2)" \
  wait_until 30 has_route hub1 '^B +10\.255\.0\.12/32 via 10\.255\.0\.2,'
check "1: hub2 learned spoke1's /32 from hub1 by BGP (via 10.255.0.1)" \
  wait_until 30 has_route hub2 '^B +10\.255\.0\.11/32 via 10\.255\.0\.1,'
if [ "${SUMMARY:-0}" = 1 ]; then
  check "1: spoke1 learned the summary 10.0.0.0/8 via its hub" \
    wait_until 30 has_route spoke1 '^B +10\.0\.0\.0/8 via 10\.255\.0\.1,'
  check "1: ... and nothing more specific" \
    bash -c "$(declare -f cli nsx topo_node_cli); NS_PREFIX=$NS_PREFIX src=$src; ! cli spoke1 'show ip route' | grep -Eq '^B +10\.(2\.0\.0/24|255\.0\.12/32)'"
else
  check "1: spoke1 learned lan2 10.2.0.0/24 via its hub" \
    wait_until 30 has_route spoke1 '^B +10\.2\.0\.0/24 via 10\.255\.0\.1,'
fi
check "1: spoke1 has no NHRP binding for spoke2 yet" \
  bash -c "$(declare -f cli nsx topo_node_cli); NS_PREFIX=$NS_PREFIX src=$src; ! cli spoke1 'show ip nhrp' | grep -q '^10\.255\.0\.12/32'"
cli hub1 'show ip route' 'show ip nhrp'

echo "=== 2: spoke1 -> spoke2's tunnel address, resolved across the hubs"
fwd1=$(nhrp_sent hub1 resolution-request) fwd2=$(nhrp_sent hub2 resolution-request)
out=$(nsx spoke1-h ping -c 5 -i 0.2 -W 2 10.255.0.12)
check "2: lan1 host -> 10.255.0.12 answered ($(received "$out") of 5)" test "${out:+$(received "$out")}" -ge 4
[ "${SUMMARY:-0}" = 1 ] ||   # else no learned /32 to take over
  check "2: spoke1's /32 for spoke2 goes direct (H 10.255.0.12/32 via 10.255.0.12)" \
    wait_until 10 has_route spoke1 '^H +10\.255\.0\.12/32 via 10\.255\.0\.12,'
check "2: spoke1 bound 10.255.0.12 to spoke2's NBMA 192.0.2.12" \
  bash -c "$(declare -f cli nsx topo_node_cli); NS_PREFIX=$NS_PREFIX src=$src; cli spoke1 'show ip nhrp' | grep -A3 '^10\.255\.0\.12/32' | grep -q 'NBMA address: 192\.0\.2\.12'"
check "2: hub1 forwarded the Resolution Request (to hub2)" \
  test "$(nhrp_sent hub1 resolution-request)" -gt "${fwd1:-0}"
check "2: hub2 forwarded it on (to spoke2)" test "$(nhrp_sent hub2 resolution-request)" -gt "${fwd2:-0}"
cli spoke1 'show ip nhrp' 'show ip route'

echo "=== 3: lan1 -> lan2, the LAN prefix resolved across the hubs"
out=$(nsx spoke1-h ping -c 5 -i 0.2 -W 2 10.2.0.10)
check "3: lan1 -> lan2 answered ($(received "$out") of 5)" test "${out:+$(received "$out")}" -ge 4
check "3: spoke1's shortcut for lan2 (H 10.2.0.0/24 via 10.255.0.12, over the B route)" \
  wait_until 10 has_route spoke1 '^H +10\.2\.0\.0/24 via 10\.255\.0\.12,'
[ "${SUMMARY:-0}" = 1 ] ||
  check "3: spoke2's way back is direct too (H 10.255.0.11/32 via 10.255.0.11)" \
    wait_until 10 has_route spoke2 '^H +10\.255\.0\.11/32 via 10\.255\.0\.11,'
hub_rx() { cli hub1 'show interfaces wan0' 2> /dev/null | sed -n 's/^ *\([0-9]*\) packets input.*/\1/p' | head -1; }
before=$(hub_rx)
out=$(nsx spoke1-h ping -c 50 -i 0.02 -W 2 10.2.0.10)
after=$(hub_rx)
check "3: 50 pings over the shortcut ($(received "$out") answered)" test "$(received "$out")" -ge 48
check "3: ... and not through hub1 (its WAN took $(( ${after:-0} - ${before:-0} )) packets meanwhile, < 25)" \
  test $(( ${after:-0} - ${before:-0} )) -lt 25

echo "=== 4: spoke2 leaves"
node_stop "${PID[spoke2]}" 10 > /dev/null || bad "spoke2 did not stop cleanly"
check "4: hub2 took spoke2's /32 out of the kernel" \
  wait_until 10 bash -c "$(declare -f nsx); NS_PREFIX=$NS_PREFIX; ! nsx hub2 ip route show 10.255.0.12/32 proto 245 | grep -q ."
check "4: hub1's BGP route to 10.255.0.12/32 went with it" \
  wait_until 20 bash -c "$(declare -f has_route cli nsx topo_node_cli); NS_PREFIX=$NS_PREFIX src=$src; ! has_route hub1 '^B +10\.255\.0\.12/32'"
cli hub2 'show ip route summary'

for n in hub1 hub2 spoke1; do node_stop "${PID[$n]}" 10 > /dev/null || bad "$n did not stop cleanly"; done
summary
