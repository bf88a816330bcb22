#!/usr/bin/env bash
# The fault and flood suite (docs/reliability.md). A hub and two spokes
# (dmvpn_topo.sh, phase 3) and an attacker (192.0.2.66, attacker.py) on the
# internet bridge. MODE=ike (the default): ESP keyed by IKE-lite with a
# PSK, as a hub on the internet runs. MODE=clear: NHRP in cleartext with
# its password, which the attacker knows (an insider, or a sniffed
# password), so that the NHRP ownership checks themselves are what stands.
#
# Each scenario runs with three pings going: LAN to LAN between the
# spokes at 50 packets/s (the shortcut), from the hub's LAN to spoke1's at
# 10/s (through the hub), and from the hub's LAN to the hub itself at 10/s
# (ARP and ICMP on the control thread, beside the NHRP and IKE floods). It prints one row: what the attacker sent, what
# the hub's drop counters (Prometheus, before and after) counted and why,
# the pings lost, data packets the attacker received (nftables counter in
# its namespace: a spoof that moved traffic shows there), the hub's RSS
# before and after, the hub CLI's latency during the scenario, and for
# faults the time to converge. A flood or spoof row passes with no ping
# lost, nothing at the attacker and its packets counted; a fault row with
# convergence within its bound and nothing lost afterwards.
# ROWS="name..." runs some rows only. Needs root.
set -u
DMVPND=${1:?usage: test_faults.sh path/to/dmvpnd}
src=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/integ/netns_lib.sh"
. "$src/tests/integ/dmvpn_topo.sh"
MODE=${MODE:-ike}
HOLD=${HOLD:-20}  # registrations every 7 s
DUR=${DUR:-2}     # seconds of ping per row
RATE=${RATE:-2000} # attack packets per second
work=$(mktemp -d /tmp/dmvpn-faults.XXXXXX)
trap 'netns_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
declare -A PID
ATK=192.0.2.66
cli() { local n=$1; shift; nsx "$n" /usr/bin/python3 "$src/tests/integ/cli_client.py" "$@"; }
atk() { nsx atk /usr/bin/python3 "$src/tests/integ/attacker.py" "$@"; }
want() { [ -z "${ROWS:-}" ] || [[ " $ROWS " == *" $1 "* ]]; }

# ---- the world
dmvpn_topo_up
netns_add atk
veth_link atk eth0 inet atk-wan
nsx inet ip link set atk-wan master br0
nsx atk ip addr add $ATK/24 dev eth0
# The bridge is a wire: with br_netfilter loaded, the kernel would drop
# malformed IPv4 on it before the hub sees it.
nsx inet sysctl -qw net.bridge.bridge-nf-call-iptables=0 2> /dev/null
# What reaches the attacker that is traffic (not NHRP control): inner
# IPv4 in GRE, or ESP.
nsx atk nft -f - << 'EOF'
table inet atk {
  counter data_in {}
  chain in {
    type filter hook input priority 0;
    ip protocol gre @th,16,16 0x0800 counter name data_in
    ip protocol esp counter name data_in
  }
}
EOF
atk_data() { nsx atk nft list counter inet atk data_in | awk '/packets/ {print $2}'; }

node_cfg() { # node config
  if [ "$MODE" = clear ] && [ "$1" = hub ]; then sed -i -E 's/^(\s*max-peers:).*/\1 64/' "$2"; fi
  # Spokes say who they are (local-id), so that one whose address changes
  # is known again (the spoke-moves row).
  if [ "$MODE" = ike ]; then
    IKE_EXTRA=$([ "$1" = hub ] || printf '%s' "\n      local-id: \"@$1.example\"") \
      config_add_esp_ike "$2" "$work/keys-$1.txt" "$work/ike-$1.txt"
  fi
  printf 'telemetry:\n  prometheus:\n    port: 9550\n' >> "$2"
}
dmvpn_start_all "$work" 3 "$HOLD" node_cfg || { summary; exit 1; }
check "both spokes registered ($MODE)" dmvpn_wait_spokes || { summary; exit 1; }

# Warm up: both pings answer, the spokes' shortcut is up.
topo_wait 20 nsx lan1h ping -c 1 -W 1 10.2.0.10 > /dev/null
topo_wait 20 nsx lan0h ping -c 1 -W 1 10.1.0.10 > /dev/null
sleep 2
check "warm-up: spoke-to-spoke ping answers" nsx lan1h ping -c 5 -i 0.1 -W 1 10.2.0.10 > /dev/null
shortcut_up() {
  nsx lan1h ping -c 1 -W 1 10.2.0.10 > /dev/null
  cli spoke1 'show dmvpn' | grep -q '10.255.0.12'
}
check "spoke1 has a shortcut to spoke2" topo_wait 10 shortcut_up

# ESP that spoke1 really sent the hub, for the replay row.
if [ "$MODE" = ike ]; then
  nsx inet timeout 5 tcpdump -i br0 -c 20 -U -w "$work/esp.pcap" \
    'ip proto 50 and src 192.0.2.11 and dst 192.0.2.1' 2> /dev/null &
  cap=$!
  nsx lan1h ping -c 20 -i 0.05 -W 1 10.0.0.10 > /dev/null
  wait $cap
fi

[ -n "${PAUSE:-}" ] && { echo "paused ${PAUSE}s: namespaces $NS_PREFIX-*"; sleep "$PAUSE"; }

# ---- measuring
AT=hub    # whose counters a row reads
scrape() { nsx "$AT" timeout 10 /usr/bin/python3 -c '
import urllib.request, sys
sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:9550/metrics", timeout=5).read().decode())'; }
rss_mib() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/${PID[hub]}/status" 2> /dev/null; }
# The counters a row shows: every drop, error and refusal family, the IKE
# SAs begun (a flood of IKE_SA_INIT is answered, not dropped), and EXTRA
# (a regex: what a row's packets end in when they are taken, not dropped;
# a gauge counts by its change). The row's packets are accounted for by
# the series matching SUM: by default each packet's one drop reason (the
# "errors" per NHRP type and Error Indications not sent count the same
# packets again, and esp_failed is the sum of the ESP reasons).
SUM_DEFAULT='^((port_|port_esp_|nhrp_|ike_)drops|ike_sas_created|kernel_reassembly)'
drops() {
  grep -E '^dmvpnd_([a-z_]*(drops|errors|refused)|ike_sas_created)_total' "$1"
  [ -z "${EXTRA:-}" ] || grep -E "^dmvpnd_(${EXTRA})" "$1"
}
gauge() { grep -F "$1" "$work/m1" | awk '{print $2}'; } # a series of the last scrape
# IP fragments never reach an af_packet port alone: the kernel under it
# reassembles for the port's fanout group (PACKET_FANOUT_FLAG_DEFRAG) and
# counts them as reassembly requests. A real NIC hands them to the worker,
# which drops them (ipv4_local_fragment).
reasm() { nsx "$AT" awk '/^Ip:/ { if (++n == 1) split($0, h); else for (i = 1; i <= NF; i++)
  if (h[i] == "ReasmReqds") print $i }' /proc/net/snmp; }
delta() { # before after -> "reason=N ..." and the sum in $COUNTED
  local out
  out=$(join -j 1 -a 2 -e 0 -o 2.1,1.2,2.2 <(drops "$1" | sed 's/ /\t/' | sort) \
          <(drops "$2" | sed 's/ /\t/' | sort) -t $'\t' 2> /dev/null |
        awk -F'\t' '$3 - $2 > 0 {
          n = $1; sub(/^dmvpnd_/, "", n); sub(/_total/, "", n); sub(/nhrp_cache_entries/, "nhrp_entries_added", n)
          gsub(/"/, "", n); gsub(/,?(port|worker|lcore)=[^,}]*/, "", n); sub(/\{,?/, "{", n); sub(/\{\}/, "", n)
          d[n] += $3 - $2 }
        END { for (k in d) print k "=" d[k] }' | sort)
  [ "$REASM1" -gt "$REASM0" ] && out+=$'\n'"kernel_reassembly=$((REASM1 - REASM0))"
  COUNTED=$(awk -F= -v re="${SUM:-$SUM_DEFAULT}" '$0 ~ re && $0 !~ /esp_failed|not_sent_/ {
    s += $NF } END { print s + 0 }' <<< "$out")
  REASONS=$(tr '\n' ' ' <<< "$out")
}
cli_ms() { # the hub CLI's answer time for show dmvpn, in ms
  local t0 t1
  t0=$(date +%s%N); cli hub 'show dmvpn' > /dev/null 2>&1; t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}
lost() { # ping output -> transmitted - received
  awk '/transmitted/ {print $1 - $4}' <<< "$1"
}

ping_start() { # seconds: both pings in the background
  nsx lan1h ping -i 0.02 -c $(($1 * 50)) -W 1 10.2.0.10 > "$work/p1" 2>&1 & P1=$!
  nsx lan0h ping -i 0.1 -c $(($1 * 10)) -W 1 10.1.0.10 > "$work/p2" 2>&1 & P2=$!
  nsx lan0h ping -i 0.1 -c $(($1 * 10)) -W 1 10.0.0.1 > "$work/p3" 2>&1 & P3=$!
}
ping_wait() { # -> LOST1 LOST2 LOST3
  wait $P1 $P2 $P3
  LOST1=$(lost "$(cat "$work/p1")"); LOST2=$(lost "$(cat "$work/p2")")
  LOST3=$(lost "$(cat "$work/p3")")
  LOST1=${LOST1:-all}; LOST2=${LOST2:-all}; LOST3=${LOST3:-all}
}

ROWS_OUT=()
row() { # name sent lost1 lost2 to-attacker rss0 rss1 cli-ms converged reasons
  local r
  r=$(printf '| %s | %s | %s | %s / %s | %s | %s → %s | %s | %s |' "$1" "$2" "${10:--}" "$3" "$4" "$5" "$6" "$7" "$8" "$9")
  ROWS_OUT+=("$r"); echo "ROW $r"
}

# flood NAME MIN-SHARE ATTACKER-ARGS...: the attack runs with the pings;
# passes when no ping is lost, nothing reached the attacker and the hub's
# counters account for at least MIN-SHARE % of what was sent.
flood() {
  local name=$1 share=$2 m0 m1 r0 r1 a0 a1 sent ms
  shift 2
  want "$name" || return 0
  m0=$work/m0; m1=$work/m1
  scrape > "$m0"; r0=$(rss_mib); a0=$(atk_data); REASM0=$(reasm)
  ping_start "$DUR"
  sleep 0.2
  atk "$@" > "$work/atk.out" 2>&1 &
  local apid=$!
  sleep $((DUR / 2)); ms=$(cli_ms)
  wait $apid; sent=$(awk '/^sent/ {print $2}' "$work/atk.out")
  ping_wait
  sleep 0.5
  scrape > "$m1"; r1=$(rss_mib); a1=$(atk_data); REASM1=$(reasm)
  delta "$m0" "$m1"
  row "$name$([ "$AT" = hub ] || echo " (at $AT)")" "${sent:-?}" "$LOST1" "$LOST2 / $LOST3" $((a1 - a0)) "$r0" "$r1" "$ms" - "$COUNTED: $REASONS"
  [ -n "$sent" ] || { bad "$name: the attacker sent nothing"; cat "$work/atk.out"; return; }
  check "$name: no legitimate ping lost" test "$LOST1$LOST2$LOST3" = 000
  check "$name: nothing reached the attacker" test $((a1 - a0)) -eq 0
  check "$name: counters account for >= $share % of $sent sent ($COUNTED)" \
    test $((COUNTED * 100)) -ge $((sent * share))
  # and count nothing twice (slack: the spokes' own refreshes, ARP)
  check "$name: counters count no packet twice ($COUNTED of $sent)" \
    test "$COUNTED" -le $((sent + sent / 100 + 10))
}

# ---- spoofs: each must leave every binding where it was. A Purge is
# accounted for as received: one naming an address the node holds no
# binding for has nothing to refuse. With IKE the
# attacker forges the victims' own NBMA addresses as well; in cleartext it
# sends from its own, as in the attacks this suite was written against.
bindings() { # node: the NBMA address of each overlay address it holds
  cli "$1" 'show ip nhrp brief' 2> /dev/null | awk '/^10\.255\.0\.(1|11|12) / {print $1, $2}' | sort
}
spoof() { # name share attacker-args...: flood + no binding moved
  local name=$1 b0h b1h b1s
  want "$name" || return 0
  b0h=$(bindings hub)
  flood "$@"
  b1h=$(bindings hub); b1s=$(bindings spoke2)
  check "$name: the hub's bindings did not move" test "$b0h" = "$b1h"
  check "$name: no binding at spoke2 names the attacker" test "$(grep -c $ATK <<< "$b1s")" -eq 0
}
AUTH=(--auth dmvpn)
S=$((DUR * 50))
as_spoke1=() as_hub=(--src 192.0.2.1)
[ "$MODE" = ike ] && as_spoke1=(--src 192.0.2.11)
spoof spoof-hijack-register 100 nhrp-register --dst 192.0.2.1 --overlay 10.255.0.11 "${as_spoke1[@]}" --count $S --rate 50 "${AUTH[@]}"
EXTRA='nhrp_received_total\{type="purge-request"\}' SUM='^(port_drops|nhrp_received)' \
spoof spoof-purge-hub 100 nhrp-purge --dst 192.0.2.1 --overlay 10.255.0.11 --from-proto 10.255.0.11 --dst-proto 10.255.0.1 "${as_spoke1[@]}" --count $S --rate 50 "${AUTH[@]}"
spoof spoof-resolve-via-hub 100 nhrp-resolve --dst 192.0.2.1 --overlay 10.255.0.11 --target 10.255.0.12 --count $S --rate 50 "${AUTH[@]}"
AT=spoke2
EXTRA='nhrp_received_total\{type="purge-request"\}' SUM='^(port_drops|nhrp_received)' \
spoof spoof-purge-spoke 100 nhrp-purge --dst 192.0.2.12 --overlay 10.255.0.11 --from-proto 10.255.0.1 --dst-proto 10.255.0.12 --count $S --rate 50 "${AUTH[@]}"
spoof spoof-resolve-at-spoke 100 nhrp-resolve --dst 192.0.2.12 --overlay 10.255.0.11 --target 10.255.0.12 --count $S --rate 50 "${AUTH[@]}"
# Off path: a Traffic Indication forged from the hub makes spoke2 resolve
# through the hub (harmless: the answer is the hub's), and 400 Resolution
# Replies forged from the hub guess request IDs 1..400.
EXTRA='nhrp_received_total\{type="traffic-indication"\}' SUM='^(port_drops|nhrp_received)' \
spoof spoof-indication 100 nhrp-indication --dst 192.0.2.12 "${as_hub[@]}" --overlay 10.1.0.10 --from-proto 10.255.0.1 --inner-src 10.2.0.10 --count $S --rate 50 "${AUTH[@]}"
spoof spoof-guess-replies 100 nhrp-reply --dst 192.0.2.12 "${as_hub[@]}" --overlay 10.255.0.11 --from-proto 10.255.0.11 --from-nbma 192.0.2.11 --dst-proto 10.255.0.12 --count 400 --rate 100 "${AUTH[@]}"
AT=hub

# ---- floods from many (spoofed) sources, each bounded by its count
N=$((RATE * DUR - RATE / 2))
MANY=(--src-net 192.0.2.128/25 --count $N --rate $RATE)
flood baseline 0 nhrp-register --dst 192.0.2.1 --count 0
flood nhrp-register-bad-auth 100 nhrp-register --dst 192.0.2.1 "${MANY[@]}" --auth wrong
flood nhrp-resolve-flood 100 nhrp-resolve --dst 192.0.2.1 "${MANY[@]}" "${AUTH[@]}"
flood ike-init-flood 100 ike-init --dst 192.0.2.1 "${MANY[@]}"
if [ "$MODE" = ike ] && want ike-init-flood; then
  check "ike-init-flood: half-open IKE SAs stay within the COOKIE threshold (64)" \
    test "$(gauge 'dmvpnd_ike_sas{state="half-open"}')" -le 64
fi
flood esp-unknown-spi 100 esp-spi --dst 192.0.2.1 "${MANY[@]}"
[ "$MODE" = ike ] && flood esp-replay 100 replay --dst 192.0.2.1 --pcap "$work/esp.pcap" --count $N --rate $RATE
[ "$MODE" = ike ] && flood gre-clear-spoofed 100 gre-clear --dst 192.0.2.1 --src 192.0.2.11 --count $N --rate $RATE
flood tiny-fragments 100 fragments --dst 192.0.2.1 "${MANY[@]}"
flood malformed 100 malformed --dst 192.0.2.1 "${MANY[@]}"
# Registrations that pass NHRP authentication, for random addresses of
# the tunnel: in cleartext each is taken into the state machine (counted
# as received) and refused (outside the tunnel, limits.max-peers, 64
# here) or taken; the spokes' own bindings stay.
EXTRA='nhrp_received_total\{type="registration-request"\}|nhrp_cache_entries ' \
SUM='^(nhrp_received|port_drops)' \
spoof nhrp-register-flood 100 nhrp-register --dst 192.0.2.1 "${MANY[@]}" "${AUTH[@]}" --overlay-net 10.255.0.0/23

# ---- faults (with IKE): kill -9 and restart, loss on the underlay, every
# IKE SA cleared. Each row: converged = from the restart (or the end of the
# fault) to the first answer on both paths; then DUR seconds of both pings
# lose nothing.
CONVN=0
converge() { # host dst bound-seconds -> CONV, seconds to the first answer
  local i t0 cp out=$work/conv.$((++CONVN))
  t0=$(date +%s.%N)
  # ip netns exec becomes ping: $! is the ping itself, which kill stops
  ip netns exec "$NS_PREFIX-$1" ping -D -i 0.05 -W 1 -w "$3" "$2" > "$out" 2>&1 &
  cp=$!
  CONV=
  for ((i = 0; i < $3 * 10; i++)); do
    CONV=$(awk -v t0="$t0" '/^\[[0-9.]+\] .*bytes from/ { printf "%.1f", substr($1, 2, length($1) - 2) - t0; exit }' "$out")
    [ -n "$CONV" ] && break
    sleep 0.1
  done
  kill $cp 2> /dev/null; wait $cp 2> /dev/null
  CONV=${CONV:-never}
}
fault_end() { # name what bound lost1 lost2 r0 ms [converged]: converge, then steady
  local name=$1 bound=$3 l1=$4 l2=$5 r0=$6 ms=$7 conv
  converge lan1h 10.2.0.10 "$bound"; conv=$CONV
  converge lan0h 10.1.0.10 "$bound"; [ "$CONV" = never ] && conv=never
  [ "$conv" != never ] && conv=$(awk -v a="$conv" -v b="$CONV" 'BEGIN { print (a > b ? a : b) }')
  [ -n "${8:-}" ] && [ "$conv" != never ] && conv=$8
  ping_start "$DUR"; ping_wait
  row "$name" "$2" "$l1" "$l2" 0 "$r0" "$(rss_mib)" "$ms" "$conv" "after: $LOST1 / $LOST2 / $LOST3 lost"
  check "$name: converged within $bound s ($conv)" test "$conv" != never
  check "$name: then no ping lost" test "$LOST1$LOST2$LOST3" = 000
}
node_restart() { # node log
  dmvpn_node_start "$1" "$work/$1.yaml" "$work/$1-$2.log" && PID[$1]=$NODE_PID
}
if [ "$MODE" = ike ]; then
  # A fresh shortcut before each kill: shortcuts are not refreshed, and one
  # made HOLD seconds ago could lapse during the fault or just before it.
  fresh_shortcut() {
    cli spoke1 'clear ip nhrp' > /dev/null; cli spoke2 'clear ip nhrp' > /dev/null
    topo_wait 10 shortcut_up
  }
  if want kill-spoke; then
    fresh_shortcut
    r0=$(rss_mib)
    kill -9 "${PID[spoke2]}"; wait "${PID[spoke2]}" 2> /dev/null
    sleep 1
    node_restart spoke2 restart || bad "spoke2 did not restart"
    # spoke1's shortcut to it lapses within its holding time (HOLD)
    fault_end kill-spoke "spoke2 kill -9, restart" $((HOLD + 5)) - - "$r0" "$(cli_ms)"
  fi
  if want kill-hub; then
    r0=$(rss_mib)
    # The shortcut carries the spokes' ping through the hub's outage.
    fresh_shortcut
    nsx lan1h ping -i 0.02 -c 1000 -W 1 10.2.0.10 > "$work/p1" 2>&1 &
    P1=$!
    kill -9 "${PID[hub]}"; wait "${PID[hub]}" 2> /dev/null
    sleep 1
    node_restart hub restart || bad "the hub did not restart"
    ms=$(cli_ms)
    # Spokes find the NHS down within a registration interval (HOLD / 3)
    # and 2 retries, start IKE again and register at once.
    bound=$((HOLD / 3 + 10))
    converge lan0h 10.1.0.10 $bound; c=$CONV
    wait $P1; l1=$(lost "$(cat "$work/p1")")
    check "kill-hub: the shortcut lost no ping while the hub was away ($l1)" test "$l1" = 0
    fault_end kill-hub "hub kill -9, restart" $bound "$l1" - "$r0" "$ms" "$c"
  fi
  if want underlay-loss; then
    r0=$(rss_mib)
    printf '%s\n' 'table bridge loss {' ' chain drop_some {' '  type filter hook forward priority 0;' \
      '  numgen random mod 100 < 20 counter drop' ' }' '}' | nsx inet nft -f -
    ping_start "$DUR"; ms=$(cli_ms); ping_wait
    lossn=$(nsx inet nft list table bridge loss | awk '/packets/ {for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1)}')
    nsx inet nft delete table bridge loss
    fault_end underlay-loss "20 % of the underlay dropped for ${DUR} s (${lossn:-?} frames)" 10 "$LOST1" "$LOST2 / $LOST3" "$r0" "$ms"
  fi
  # Reordering: spoke1's link to the bridge becomes reorder.py, which
  # holds a quarter of the frames both ways for 20-60 ms while the rest
  # pass. Nothing may be lost, and no ESP packet taken for a replay (the
  # window is 1024).
  if want underlay-reorder; then
    r0=$(rss_mib)
    replays() { grep -E '^dmvpnd_port_esp_drops_total\{.*reason="esp_replay"' "$work/$1" | awk '{s += $2} END {print s + 0}'; }
    for n in $DMVPN_NODES; do AT=$n scrape > "$work/o0-$n"; done
    nsx inet ip link add ro-a type veth peer name ro-b
    nsx inet ip link set spoke1-wan nomaster
    nsx inet ip link set ro-b master br0
    nsx inet ip link set ro-a up; nsx inet ip link set ro-b up
    nsx inet /usr/bin/python3 "$src/tests/integ/reorder.py" spoke1-wan ro-a --seconds $((DUR * 2 + 2)) > "$work/reorder.out" 2>&1 &
    rp=$!
    sleep 0.5
    ping_start $((DUR * 2)); ms=$(cli_ms); ping_wait
    wait $rp
    nsx inet ip link del ro-a
    nsx inet ip link set spoke1-wan master br0
    rr=0
    for n in $DMVPN_NODES; do AT=$n scrape > "$work/o1-$n"; rr=$((rr + $(replays "o1-$n") - $(replays "o0-$n"))); done
    check "underlay-reorder: the wire reordered ($(cat "$work/reorder.out"))" grep -Eq 'overtaken [1-9]' "$work/reorder.out"
    check "underlay-reorder: no ping lost while reordered" test "$LOST1$LOST2$LOST3" = 000
    check "underlay-reorder: no ESP packet taken for a replay ($rr)" test "$rr" -eq 0
    fault_end underlay-reorder "spoke1's underlay: $(cat "$work/reorder.out"), 20-60 ms, for $((DUR * 2)) s" 10 "$LOST1" "$LOST2 / $LOST3" "$r0" "$ms"
  fi
  if want ike-clear; then
    r0=$(rss_mib)
    ping_start "$DUR"
    for i in 1 2 3; do cli hub 'clear crypto session' > /dev/null; sleep 1; done
    ms=$(cli_ms); ping_wait
    fault_end ike-clear "clear crypto session on the hub, 3 times in 3 s" 20 "$LOST1" "$LOST2 / $LOST3" "$r0" "$ms"
  fi
  # A spoke whose WAN address changed (a new DHCP lease): with the unique
  # flag the hub takes it at once, as IKE authenticated the same identity
  # from the new address; converged is the hub's path to it. spoke1's
  # shortcut to the old address lapses within its holding time.
  if want spoke-moves; then
    r0=$(rss_mib)
    kill -9 "${PID[spoke2]}"; wait "${PID[spoke2]}" 2> /dev/null
    sed -i 's#address: 192\.0\.2\.12/24#address: 192.0.2.22/24#' "$work/spoke2.yaml"
    node_restart spoke2 moved || bad "spoke2 did not restart at 192.0.2.22"
    converge lan0h 10.2.0.10 15; c=$CONV
    check "spoke-moves: the hub took spoke2 at its new address within 15 s ($c)" test "$c" != never
    check "spoke-moves: the hub logged the move" grep -qs '10.255.0.12 moved from NBMA 192.0.2.12 to 192.0.2.22' "$work/hub.log" "$work/hub-restart.log"
    if [ "$c" = never ]; then # what the nodes said, for the record
      for f in hub-restart spoke2-moved; do
        echo "--- $f.log"; grep -v ' mgmt: ' "$work/$f.log" | tail -25
      done
      cli hub 'show crypto ikev2 sa' 'show ip nhrp brief' 2>&1 | tail -20
      cli spoke2 'show crypto ikev2 sa' 'show ip nhrp nhs detail' 2>&1 | tail -20
    fi
    fault_end spoke-moves "spoke2 back at a new address, 192.0.2.22" $((HOLD + 5)) - - "$r0" "$(cli_ms)" "$c"
  fi
fi

# Short lifetimes from here on, every node restarted with them: CHILD_SAs
# rekey at a random 90-97 % of 6 s and of 150 packets (the spokes' shortcut,
# at 50 pings a second, every 3 s), IKE SAs of 12 s.
if [ "$MODE" = ike ] && { want rekey-storm || want sa-hard-limit; }; then
  for n in $DMVPN_NODES; do node_stop "${PID[$n]}" 15 > /dev/null; done
  for n in $DMVPN_NODES; do
    sed -i -E -e 's/^(\s*child-lifetime:).*/\1 6/' -e 's/^(\s*lifetime:).*/\1 12/' \
      -e '/^    esn: false/a\    lifetime-packets: 150' "$work/$n.yaml"
    node_restart "$n" short || bad "$n did not restart with short lifetimes"
  done
  check "short lifetimes: both spokes registered again" dmvpn_wait_spokes
  topo_wait 20 shortcut_up
  ike_total() { grep -E "^dmvpnd_ike_$1_total " "$work/$2" | awk '{print $2}'; }
  hard_drops() { grep -E '^dmvpnd_port_esp_drops_total\{.*reason="esp_hard_limit"' "$work/$1" | awk '{s += $2} END {print s + 0}'; }
fi
# A rekey storm: every SA rekeyed again and again under traffic, for
# 5 x DUR seconds; no ping may be lost.
if [ "$MODE" = ike ] && want rekey-storm; then
  r0=$(rss_mib)
  for n in $DMVPN_NODES; do AT=$n scrape > "$work/k0-$n"; done
  ping_start $((DUR * 5)); ms=$(cli_ms); ping_wait
  rk=0; ik=0
  for n in $DMVPN_NODES; do
    AT=$n scrape > "$work/k1-$n"
    rk=$((rk + $(ike_total child_sas_installed "k1-$n") - $(ike_total child_sas_installed "k0-$n")))
    ik=$((ik + $(ike_total sas_established "k1-$n") - $(ike_total sas_established "k0-$n")))
  done
  row rekey-storm "$((DUR * 5)) s of traffic" "$LOST1" "$LOST2 / $LOST3" 0 "$r0" "$(rss_mib)" "$ms" - \
    "CHILD_SAs installed (all nodes): $rk; IKE SAs established: $ik"
  check "rekey-storm: the SAs rekeyed ($rk CHILD_SAs installed)" test "$rk" -ge 6
  check "rekey-storm: no ping lost" test "$LOST1$LOST2$LOST3" = 000
fi
# SAs that reach their hard limit under traffic: IKE is blocked on the
# underlay for 8 s, so no rekey can finish; the shortcut's SA runs out of
# packets (150) and the others out of time (6 s), their packets are dropped
# and counted, and once IKE passes again new SAs carry the traffic.
if [ "$MODE" = ike ] && want sa-hard-limit; then
  r0=$(rss_mib)
  for n in $DMVPN_NODES; do AT=$n scrape > "$work/h0-$n"; done
  printf '%s\n' 'table bridge noike {' ' chain block {' '  type filter hook forward priority 0;' \
    '  udp dport { 500, 4500 } counter drop' '  udp sport { 500, 4500 } counter drop' ' }' '}' | nsx inet nft -f -
  ping_start 8; ms=$(cli_ms); ping_wait
  nsx inet nft delete table bridge noike
  hd=0
  for n in $DMVPN_NODES; do
    AT=$n scrape > "$work/h1-$n"
    hd=$((hd + $(hard_drops "h1-$n") - $(hard_drops "h0-$n")))
  done
  check "sa-hard-limit: packets beyond an SA's hard limit were dropped and counted ($hd)" test "$hd" -gt 0
  fault_end sa-hard-limit "IKE blocked for 8 s under traffic: $hd packets past a hard limit dropped" 30 "$LOST1" "$LOST2 / $LOST3" "$r0" "$ms"
fi

# Each node stops cleanly after all that: under ASan a leak fails here.
for n in $DMVPN_NODES; do
  check "$n stops cleanly (exit 0: under ASan, no leak)" node_stop "${PID[$n]}" 15
done

echo
echo "| scenario | sent | counted by the node (reasons) | pings lost (spokes / via hub / to hub) | to attacker | hub RSS MiB | CLI ms | converged s |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS_OUT[@]}"
summary
