#!/usr/bin/env bash
# A hub holding PEERS (100,000) registered peers: the control thread stays
# responsive while the CLI and Prometheus list them and clear them
# (docs/reliability.md, "The control thread at scale").
#
#  [lan0h] 10.0.0.10 ── lan0 [hub] wan0 192.0.2.1 ── br0 ── eth0 [reg] 192.0.2.66
#  overlay 10.64.0.0/10: the hub is 10.64.0.1; reg registers 10.64.0.2 on
#
# reg (attacker.py) registers PEERS overlay addresses from its own NBMA
# address, the hub's per-source limits raised for it. Then, for each of
# show dmvpn, show ip nhrp brief, a Prometheus scrape and clear ip nhrp,
# with lan0h pinging the hub itself at 100 packets/s (ICMP, answered by the
# control thread, as NHRP and ARP are): the command's time, what it
# printed, the pings lost and the slowest answer, and the control thread's
# longest turn (show worker). Every command must print every peer once,
# in order, lose no ping, and leave no turn of the control thread over
# TURN_MAX_MS (a bound for a paged answer, orders of magnitude under an
# answer in one go; the measured values are printed).
#
# Needs root; about 60 s.
set -u
DMVPND=${1:?usage: test_scale.sh path/to/dmvpnd}
src=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/integ/netns_lib.sh"
. "$src/tests/integ/dmvpn_topo.sh"
PEERS=${PEERS:-100000}
TURN_MAX_MS=${TURN_MAX_MS:-1000}
work=$(mktemp -d /tmp/dmvpn-scale.XXXXXX)
trap 'netns_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
declare -A PID
cli() { nsx hub /usr/bin/python3 "$src/tests/integ/cli_client.py" --timeout 120 "$@"; }

topo_inet_up
topo_node_up hub lan0h 10.0.0
netns_add reg
veth_link reg eth0 inet reg-wan
nsx inet ip link set reg-wan master br0
nsx reg ip addr add 192.0.2.66/24 dev eth0
# The hub's replies are not read: dropped before the kernel answers them
# with ICMP (it has no GRE).
nsx reg nft -f - << 'NFT'
table inet reg {
  chain in {
    type filter hook input priority 0;
    ip protocol gre drop
  }
}
NFT

config_for_dmvpn "$src/configs/hub.yaml" "$work/hub.yaml" 3 30
sed -i -E -e 's#address: 10\.255\.0\.1/24#address: 10.64.0.1/10#' -e '/^routes:/,/^$/d' \
  -e 's/^(\s*max-peers:).*/\1 '"$((PEERS + 16))"'/' "$work/hub.yaml"
cat >> "$work/hub.yaml" << YAML
  max-peers-per-nbma: $((PEERS + 16))
  registration-rate-per-nbma: 100000
telemetry:
  prometheus:
    port: 9550
YAML
dmvpn_node_start hub "$work/hub.yaml" "$work/hub.log" || { bad "hub did not start"; cat "$work/hub.log"; summary; exit 1; }
PID[hub]=$NODE_PID

peers() { cli 'show dmvpn' | sed -n 's/.*NHRP Peers:\([0-9]*\),.*/\1/p'; }
# Registrations at 10,000 a second; what a full punt ring dropped is sent
# again (a refresh of what is there already changes nothing).
t0=$(date +%s%N)
for pass in 1 2 3; do
  nsx reg /usr/bin/python3 "$src/tests/integ/attacker.py" nhrp-register --dst 192.0.2.1 \
    --sequential --overlay-net 10.64.0.1/10 --count "$PEERS" --rate 10000 \
    --holdtime 7200 --nhs 10.64.0.1 --auth dmvpn > /dev/null
  sleep 1
  n=$(peers); [ "${n:-0}" -ge "$PEERS" ] && break
done
t1=$(date +%s%N)
check "the hub holds $PEERS peers (it holds ${n:-0}, registered in $(((t1 - t0) / 1000000)) ms)" \
  [ "${n:-0}" -eq "$PEERS" ]
RSS=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/${PID[hub]}/status")

# measure NAME COMMAND...: COMMAND's output in $work/NAME.out, a ping to
# the hub meanwhile; prints a row and sets MS, LOST, RTT, TURN.
ROWS_OUT=()
measure() {
  local name=$1 t0 t1 p; shift
  cli 'clear counters' > /dev/null
  ip netns exec "$NS_PREFIX-lan0h" ping -i 0.01 -W 1 10.0.0.1 > "$work/$name.ping" 2>&1 &
  p=$!
  sleep 0.5
  t0=$(date +%s%N)
  "$@" > "$work/$name.out" 2>&1
  t1=$(date +%s%N)
  sleep 0.5
  kill -INT $p; wait $p
  MS=$(((t1 - t0) / 1000000))
  # Lost: the echoes up to the last answered that got no answer (the one
  # in flight at the interrupt is not lost), and any after it but that one.
  LOST=$(awk '/icmp_seq=/ { sub(/.*icmp_seq=/, ""); s = $1 + 0; if (!(s in got)) n++; got[s] = 1
              if (s > max) max = s }
              /transmitted/ { tx = $1 }
              END { after = tx - max - 1; print max - n + (after > 0 ? after : 0) }' "$work/$name.ping")
  RTT=$(awk -F/ '/^rtt/ {print $6}' "$work/$name.ping")
  TURN=$(cli 'show worker' | sed -n 's/.*longest turn \([0-9.]*\) ms.*/\1/p')
  ROWS_OUT+=("$(printf '%-26s %8s %6s %12s %14s' "$name" "$MS" "${LOST:-all}" "${RTT:-?}" "${TURN:-?}")")
  echo "${ROWS_OUT[-1]}"
}
turn_ok() { awk -v t="${TURN:-99999}" -v m="$TURN_MAX_MS" 'BEGIN { exit !(t < m) }'; }
sorted_unique() { # file of addresses -> in order, each once, PEERS of them
  local n
  n=$(wc -l < "$1")
  [ "$n" -eq "$PEERS" ] && sort -c -t. -k1,1n -k2,2n -k3,3n -k4,4n "$1" 2> /dev/null &&
    [ "$(sort -u "$1" | wc -l)" -eq "$n" ]
}
scrape() { nsx hub /usr/bin/python3 -c '
import urllib.request, sys
sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:9550/metrics", timeout=120).read().decode())'; }

echo "peers: $PEERS, the hub's RSS ${RSS} MiB"
printf '%-26s %8s %6s %12s %14s\n' command ms lost "ping max ms" "longest turn ms"
measure show-dmvpn cli 'show dmvpn'
awk '$5 == "D"' "$work/show-dmvpn.out" | awk '{print $2}' > "$work/a"
check "show dmvpn lists every peer once, in order" sorted_unique "$work/a"
check "show dmvpn: no ping lost ($LOST), longest turn ${TURN} ms < $TURN_MAX_MS" \
  eval '[ "${LOST:-1}" = 0 ] && turn_ok'

measure show-ip-nhrp-brief cli 'show ip nhrp brief'
awk '$4 == "dynamic" {print $2}' "$work/show-ip-nhrp-brief.out" > "$work/a"
check "show ip nhrp brief lists every peer once, in order" sorted_unique "$work/a"
check "show ip nhrp brief: no ping lost ($LOST), longest turn ${TURN} ms < $TURN_MAX_MS" \
  eval '[ "${LOST:-1}" = 0 ] && turn_ok'

measure prometheus-scrape scrape
check "a scrape has each peer's four series" \
  [ "$(grep -c '^dmvpnd_peer_[rt]x_[a-z]*_total{peer="10\.' "$work/prometheus-scrape.out")" -eq $((PEERS * 4)) ]
grep '^dmvpnd_peer_rx_bytes_total{' "$work/prometheus-scrape.out" | sed 's/.*peer="\([0-9.]*\)".*/\1/' > "$work/a"
check "its series come once a peer, in order" sorted_unique "$work/a"
check "scrape: no ping lost ($LOST), longest turn ${TURN} ms < $TURN_MAX_MS" \
  eval '[ "${LOST:-1}" = 0 ] && turn_ok'

measure clear-ip-nhrp cli 'clear ip nhrp'
check "clear ip nhrp cleared every peer" grep -q "cleared $PEERS NHRP entries" "$work/clear-ip-nhrp.out"
check "clear ip nhrp: no ping lost ($LOST), longest turn ${TURN} ms < $TURN_MAX_MS" \
  eval '[ "${LOST:-1}" = 0 ] && turn_ok'
check "the table is empty after it" [ "$(peers)" = 0 ]

echo
echo "peers: $PEERS, the hub's RSS ${RSS} MiB"
printf '%-26s %8s %6s %12s %14s\n' command ms lost "ping max ms" "longest turn ms"
printf '%s\n' "${ROWS_OUT[@]}"
check "the hub stops cleanly" node_stop "${PID[hub]}" 30
summary
