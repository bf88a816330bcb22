#!/usr/bin/env bash
# dmvpnd against real FRR nhrpd peers (Linux mGRE + FRR 8.4 nhrpd in QEMU
# guests, the interop oracle in shared/oracle), cleartext GRE (IPSEC=0 on
# every oracle node), in both roles. Needs root; about 2 minutes (2 guests at a time).
#
#   underlay: bridge br-wan 198.51.100.0/24 in netns oracle-wan (the oracle's;
#   the capture point). dmvpnd runs in that netns on the veth prod0
#   (`spoke-vm.sh add-port prod0`), one node at a time:
#
#   part 1  dmvpnd HUB 198.51.100.1 / 10.255.0.1, FRR spoke1 .11 (nhs dynamic,
#           holdtime 30) and FRR spoke2 .12 (nhs static, holdtime 15)
#     C1  the hub starts with nhrp-authentication: the spokes' first
#         registrations are refused (authentication_failed, Error Indication
#         code 11 to each spoke); then the hub restarts without it (the
#         spokes' registrations back off 1, 2, 4 ... s, so this order costs
#         a few seconds where the other would cost half a minute)
#     A   both register (hub and FRR views), ping the hub, spoke1 -> spoke2
#         hairpins, the hub sends a Traffic Indication, spoke1 resolves
#         through the hub, shortcut, direct GRE on the wire; spoke2 stops
#         and its hub entry expires after its holdtime, not before
#   part 2  FRR HUB 198.51.100.1 (ip nhrp redirect + NFLOG), FRR spoke1 .11
#           (LAN 10.11.0.1/24 on a dummy), dmvpnd SPOKE .13 / 10.255.0.13
#           with a LAN 10.13.0.0/23 and a host 10.13.0.10 + 10.13.1.10
#           (netns <prefix>-lanh) behind it
#     B   dmvpnd registers; FRR spoke1 pings 10.255.0.13, is redirected,
#         resolves through the hub, dmvpnd answers, shortcut; the LAN host
#         pings 10.11.0.1 via the hub, the hub's Traffic Indication reaches
#         dmvpnd, dmvpnd resolves and installs an H route via 10.255.0.11,
#         direct GRE .13 <-> .11
#     C2  dmvpnd restarts with nhrp-authentication: it still registers (FRR
#         echoes the extension) but drops the hub's Traffic Indications,
#         which carry none (authentication_failed, Error Indication 11)
#
# The oracle is ${DMVPND_ORACLE:-$DMVPND_SRCDIR/../shared/oracle}; missing is
# a failure. Under a sanitizer build (scripts/test's second pass over
# build-asan/) the test exits 77 (meson: SKIP): the guests run once, on the
# release build. Everything is torn down on exit (guests, netns oracle-wan,
# our namespaces, dmvpnd and its DPDK runtime directory). KEEP=1 keeps the
# work directory (configs, logs, captures).
# Guards, teardown and helpers are shared with test_frr_oracle_ipsec.sh
# and test_frr_oracle_ipsec_spoke.sh (IKEv2/ESP against the oracle's
# strongSwan, dmvpnd as hub and as spoke) in oracle_lib.sh.
set -u
DMVPND=${1:?usage: test_frr_oracle.sh path/to/dmvpnd}
src=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}

NS_PREFIX=${NS_PREFIX:-fro$$}
. "$src/tests/integ/oracle_lib.sh"
oracle_init frr-oracle
HOLD1=${HOLD1:-30}   # FRR spoke1's holdtime
HOLD2=${HOLD2:-15}   # FRR spoke2's: its entry's expiry is timed
AUTH=secret1
is_shortcut() { # show-ip-nhrp-output overlay nbma
  local b; b=$(grep -A3 "^$2/32 " <<< "$1")
  grep -q 'Type: shortcut' <<< "$b" && grep -q "NBMA address: $3" <<< "$b"
}
write_cfg "$work/hub.yaml" hub hub "$WAN_HUB" 10.255.0.1/24 "" ""
write_cfg "$work/hub-auth.yaml" hub hub "$WAN_HUB" 10.255.0.1/24 "  nhrp-authentication: $AUTH" ""
write_cfg "$work/spoke.yaml" spoke13 spoke "$WAN_SPOKE" 10.255.0.13/24 "$NHS" "$ROUTES"
write_cfg "$work/spoke-auth.yaml" spoke13 spoke "$WAN_SPOKE" 10.255.0.13/24 \
  "  nhrp-authentication: $AUTH
$NHS" "$ROUTES"
check_cfgs hub hub-auth spoke spoke-auth

# ------------------------------------------------------------------ the oracle
oracle_up
lan_host_up   # the LAN behind the dmvpnd spoke (part 2)

# =================================================================== part 1
say "=== part 1: dmvpnd hub, FRR spoke1 (nhs dynamic, holdtime $HOLD1) and spoke2 (nhs static, holdtime $HOLD2)"
CAP1=$work/part1.pcap
"$SV" capture-start "$CAP1"
boot spoke1 NBMA_ADDR=198.51.100.11/24 TUN_ADDR=10.255.0.11 HOLDTIME="$HOLD1" & b1=$!
boot spoke2 NBMA_ADDR=198.51.100.12/24 TUN_ADDR=10.255.0.12 HOLDTIME="$HOLD2" NHS_MODE=static & b2=$!

say "--- C1: the hub starts with nhrp-authentication: $AUTH (FRR 8.4 sends none)"
dmvpnd_start "$work/hub-auth.yaml" "$work/hub-auth.log"
boot_wait $b1 spoke1
boot_wait $b2 spoke2
for s in spoke1 spoke2; do
  check "C1: $s's registration was refused (nhrpd: Error Indication, 'Registration failed')" \
    wait_until 40 gx "$s" 'grep -q "Registration failed" /var/log/frr/frr.log'
done
out=$(cli 'show nhrp stats' 'show dmvpn')
echo "$out"
check "C1: the hub counts authentication_failed for both spokes' requests ($(drop "$out" authentication_failed))" \
  ge "$(drop "$out" authentication_failed)" 2
check "C1: the hub refused them as registration-request errors" ge "$(stat "$out" registration-request 4)" 2
check "C1: the hub registered nobody" grep -q "NHRP Peers:0," <<< "$out"
check "C1: the hub logged the failure without the password" \
  sh -c "grep -q 'failed authentication (no password)' '$work/hub-auth.log' && ! grep -q '$AUTH' '$work/hub-auth.log'"
dmvpnd_stop "C1: the hub (with authentication)"

say "--- A: the hub again, without authentication"
dmvpnd_start "$work/hub.yaml" "$work/hub.log"
check "A: both FRR spokes registered with the dmvpnd hub (show dmvpn lists 10.255.0.11 and .12)" \
  wait_until 45 hub_lists 10.255.0.11 10.255.0.12
say "registration: the hub's view"
cli 'show dmvpn' 'show ip nhrp'
for s in spoke1 spoke2; do
  check "A: $s has the hub as NHS 10.255.0.1 / 198.51.100.1, up (show ip nhrp nhs, cache)" \
    wait_until 20 frr_has_nhs "$s"
  say "registration: $s's view"
  vt "$s" 'show ip nhrp nhs' 'show ip nhrp cache'
done
check "A: spoke1 pings the hub 10.255.0.1" gx spoke1 'ping -c 3 -i 0.3 -W 2 10.255.0.1'
check "A: spoke2 pings the hub 10.255.0.1" gx spoke2 'ping -c 3 -i 0.3 -W 2 10.255.0.1'
say "spoke1 pings spoke2 10.255.0.12: the first packets hairpin through the hub"
out=$(gx spoke1 'ping -c 10 -i 0.5 -W 2 10.255.0.12')
echo "$out"
check "A: spoke1 -> spoke2 ping answered ($(received "$out") of 10)" ge "$(received "$out")" 5
check "A: spoke1 has a shortcut to spoke2 (show ip nhrp shortcut 10.255.0.12/32, cache dynamic -> 198.51.100.12)" \
  wait_until 20 frr_has_shortcut spoke1 10.255.0.12 198.51.100.12
say "resolution: spoke1's view"
vt spoke1 'show ip nhrp shortcut' 'show ip nhrp cache'
out=$(gx spoke1 'ping -c 5 -i 0.3 -W 2 10.255.0.12')
echo "$out"
check "A: spoke1 -> spoke2 over the shortcut ($(received "$out") of 5)" ge "$(received "$out")" 4
out=$(cli 'show nhrp stats')
echo "$out"
check "A: the hub sent a Traffic Indication" ge "$(stat "$out" traffic-indication 2)" 1
check "A: the hub received spoke1's Resolution Request" ge "$(stat "$out" resolution-request 3)" 1

say "--- A: spoke2 stops; its hub entry must expire ${HOLD2}s after its last registration, not before"
cli 'show ip nhrp' | grep -A2 '^10.255.0.12/32'
# Both stop in the background (each ~2-5 s: the guest's logs are saved
# first); the hub's table is watched from now on.
"$SV" stop spoke2 > "$work/stop-spoke2.log" 2>&1 &
stop2=$!
"$SV" stop spoke1 > "$work/stop-spoke1.log" 2>&1 &    # not needed any more
stop1=$!
t_gone=""
end=$(( $(date +%s) + HOLD2 + 15 ))
while [ "$(date +%s)" -le "$end" ]; do
  if ! cli 'show dmvpn' 2> /dev/null | grep -q ' 10.255.0.12 '; then t_gone=$(date +%s.%N); break; fi
  sleep 0.3
done
wait $stop1 $stop2
"$SV" capture-stop
dmvpnd_stop "A: the hub"
t_reg=$(tshark -r "$CAP1" -Y 'nhrp.hdr.op.type == 3 && ip.src == 198.51.100.12' -T fields -e frame.time_epoch 2> /dev/null | tail -1)
if [ -n "$t_gone" ] && [ -n "$t_reg" ]; then
  age=$(awk -v a="$t_gone" -v b="$t_reg" 'BEGIN {printf "%.1f", a - b}')
  say "10.255.0.12 left the hub's table ${age}s after spoke2's last Registration Request (holdtime $HOLD2)"
  check "A: the hub's entry for spoke2 expired after its holdtime (${age}s, expected $HOLD2 .. $((HOLD2 + 4)))" \
    awk -v a="$age" -v h="$HOLD2" 'BEGIN {exit !(a >= h - 1 && a <= h + 4)}'
else
  bad "A: the hub's entry for spoke2 did not expire (gone at '${t_gone}', last registration at '${t_reg}')"
fi

say "part 1 on the wire (br-wan): NHRP"
nhrp_summary "$CAP1" | head -150
c_a() { tcount "$CAP1" "$1"; }
for s in 11 12; do
  check "wire: spoke .$s's registration refused with Error Indication code 11 (C1)" \
    ge "$(c_a "nhrp.hdr.op.type == 7 && nhrp.err.code == 11 && ip.src == 198.51.100.1 && ip.dst == 198.51.100.$s")" 1
  check "wire: the hub accepted spoke .$s's registration (Registration Reply, code 0)" \
    ge "$(c_a "nhrp.hdr.op.type == 4 && nhrp.code == 0 && ip.src == 198.51.100.1 && ip.dst == 198.51.100.$s")" 1
done
check "wire: the Registration Reply to the 'nhs dynamic' spoke names the hub 10.255.0.1 as destination protocol address" \
  ge "$(c_a 'nhrp.hdr.op.type == 4 && ip.dst == 198.51.100.11 && nhrp.dst.prot.addr == 10.255.0.1')" 1
n_hairpin=$(c_a 'gre && icmp && ip.src == 198.51.100.11 && ip.dst == 198.51.100.1 && ip.dst == 10.255.0.12')
n_ti=$(c_a 'nhrp.hdr.op.type == 8 && ip.src == 198.51.100.1 && ip.dst == 198.51.100.11')
n_rreq=$(c_a 'nhrp.hdr.op.type == 1 && ip.src == 198.51.100.11 && nhrp.dst.prot.addr == 10.255.0.12')
n_fwd=$(c_a 'nhrp.hdr.op.type == 1 && ip.src == 198.51.100.1 && ip.dst == 198.51.100.12')
n_rrep=$(c_a 'nhrp.hdr.op.type == 2 && ip.dst == 198.51.100.11 && nhrp.client.prot.addr == 10.255.0.12 && nhrp.code == 0')
n_direct=$(c_a 'gre && !nhrp && ((ip.src == 198.51.100.11 && ip.dst == 198.51.100.12) || (ip.src == 198.51.100.12 && ip.dst == 198.51.100.11))')
say "part 1: spoke1 -> hub GRE/ICMP for spoke2 $n_hairpin, Traffic Indications to spoke1 $n_ti, Resolution Requests from spoke1 $n_rreq (forwarded to spoke2 $n_fwd), Resolution Replies for 10.255.0.12 to spoke1 $n_rrep, direct spoke1<->spoke2 GRE (not NHRP) $n_direct"
check "wire: the first packets spoke1 -> spoke2 hairpinned through the hub" ge "$n_hairpin" 1
check "wire: the hub sent spoke1 a Traffic Indication" ge "$n_ti" 1
check "wire: spoke1 sent a Resolution Request for 10.255.0.12" ge "$n_rreq" 1
check "wire: the hub forwarded it to spoke2" ge "$n_fwd" 1
check "wire: spoke1 got a Resolution Reply with 10.255.0.12 -> NBMA" ge "$n_rrep" 1
check "wire: later packets went spoke1 <-> spoke2 directly" ge "$n_direct" 5
check "wire: no malformed NHRP (part 1)" test "$(c_a 'nhrp && _ws.malformed')" -eq 0

# =================================================================== part 2
say "=== part 2: FRR hub, FRR spoke1 (LAN 10.11.0.1/24), dmvpnd spoke 10.255.0.13 (LAN 10.13.0.0/23)"
CAP2=$work/part2.pcap
"$SV" capture-start "$CAP2"
boot hub ROLE=hub NBMA_ADDR=198.51.100.1/24 TUN_ADDR=10.255.0.1 \
  EXTRA_FRR=$'ip route 10.11.0.0/24 10.255.0.11\nip route 10.13.0.0/23 10.255.0.13' & b1=$!
boot spoke1 NBMA_ADDR=198.51.100.11/24 TUN_ADDR=10.255.0.11 HOLDTIME="$HOLD1" \
  LAN_ADDR=10.11.0.1/24 EXTRA_FRR='ip route 10.13.0.0/23 10.255.0.1' & b2=$!
dmvpnd_start "$work/spoke.yaml" "$work/spoke.log"
boot_wait $b1 hub
boot_wait $b2 spoke1

say "--- B: registration"
check "B: dmvpnd registered with the FRR hub (log)" \
  wait_until 60 log_has "$work/spoke.log" 'NHS 198.51.100.1 up: registered\|registered with NHS 198.51.100.1'
check "B: the FRR hub lists 10.255.0.13 dynamic -> 198.51.100.13" \
  wait_until 20 gx hub 'vtysh -c "show ip nhrp cache" | grep -qE "dynamic +10.255.0.13 +198.51.100.13"'
check "B: FRR spoke1 registered with the FRR hub" \
  wait_until 60 frr_has_nhs spoke1
say "registration: dmvpnd's and the FRR hub's view"
cli 'show dmvpn' 'show ip nhrp'
vt hub 'show ip nhrp cache'

say "--- B: FRR spoke1 pings dmvpnd's 10.255.0.13: via the hub, redirected, resolved through it"
out=$(gx spoke1 'ping -c 10 -i 0.5 -W 2 10.255.0.13')
echo "$out"
check "B: spoke1 -> dmvpnd ping answered ($(received "$out") of 10)" ge "$(received "$out")" 5
check "B: spoke1 has a shortcut to dmvpnd (show ip nhrp shortcut 10.255.0.13/32)" \
  wait_until 20 gx spoke1 'vtysh -c "show ip nhrp shortcut" | grep -q "10.255.0.13/32"'
vt spoke1 'show ip nhrp shortcut' 'show ip nhrp cache'
out=$(cli 'show nhrp stats')
check "B: dmvpnd answered the forwarded Resolution Request" \
  both ge "$(stat "$out" resolution-request 3)" 1 "$(stat "$out" resolution-reply 2)" 1

say "--- B: the LAN host behind dmvpnd pings spoke1's LAN 10.11.0.1: via the hub, Traffic Indication to dmvpnd"
out=$(nsx lanh ping -c 10 -i 0.5 -W 2 10.11.0.1)
echo "$out"
check "B: LAN 10.13.0.10 -> 10.11.0.1 ping answered ($(received "$out") of 10)" ge "$(received "$out")" 5
check "B: dmvpnd resolved 10.11.0.1 and routes 10.11.0.0/24 via 10.255.0.11 (H)" \
  wait_until 15 h_route '10\.11\.0\.0/24' '10\.255\.0\.11'
out=$(nsx lanh ping -c 5 -i 0.3 -W 2 10.11.0.1)
echo "$out"
check "B: LAN -> 10.11.0.1 over the shortcut ($(received "$out") of 5)" ge "$(received "$out")" 4
say "resolution: dmvpnd's view"
out=$(cli 'show ip nhrp' 'show dmvpn' 'show ip route' 'show nhrp stats')
echo "$out"
check "B: dmvpnd lists 10.255.0.11 as a shortcut -> 198.51.100.11" is_shortcut "$out" 10.255.0.11 198.51.100.11
check "B: the FRR hub's Traffic Indication reached dmvpnd and was accepted" \
  sh -c "[ $(stat "$out" traffic-indication 3) -ge 1 ] && [ $(stat "$out" traffic-indication 4) -eq 0 ]"
check "B: dmvpnd got Resolution Replies" ge "$(stat "$out" resolution-reply 3)" 1
check "B: spoke1 resolved the LAN behind dmvpnd (shortcut 10.13.0.0/23, answered by dmvpnd)" \
  wait_until 10 gx spoke1 'vtysh -c "show ip nhrp shortcut" | grep -q "10.13.0.0/23"'
vt spoke1 'show ip nhrp shortcut'

say "--- C2: dmvpnd restarts with nhrp-authentication: $AUTH"
dmvpnd_stop "B: dmvpnd spoke"
dmvpnd_start "$work/spoke-auth.yaml" "$work/spoke-auth.log"
check "C2: dmvpnd with a password still registers with the FRR hub (it echoes the extension)" \
  wait_until 30 log_has "$work/spoke-auth.log" 'NHS 198.51.100.1 up: registered\|registered with NHS 198.51.100.1'
t_c2=$(date +%s.%N)
out=$(nsx lanh ping -c 6 -i 0.5 -W 2 -I 10.13.1.10 10.11.0.1)   # a fresh /24 pair for the hub's hashlimit
echo "$out"
check "C2: LAN 10.13.1.10 -> 10.11.0.1 still works through the hub ($(received "$out") of 6)" ge "$(received "$out")" 4
sleep 1
out=$(cli 'show nhrp stats' 'show ip route' 'show ip nhrp' | tee "$work/c2-state.txt")
echo "$out"
check "C2: dmvpnd received the hub's Traffic Indication and rejected it" \
  sh -c "[ $(stat "$out" traffic-indication 3) -ge 1 ] && [ $(stat "$out" traffic-indication 4) -ge 1 ]"
check "C2: counted as authentication_failed ($(drop "$out" authentication_failed))" ge "$(drop "$out" authentication_failed)" 1
check "C2: so no Resolution Request was sent" eq "$(stat "$out" resolution-request 2)" 0
check "C2: and no shortcut route" sh -c "! grep -Eq '^H +10\.11\.0\.0/24' '$work/c2-state.txt'"
"$SV" capture-stop
dmvpnd_stop "C2: dmvpnd spoke (with authentication)"

say "part 2 on the wire (br-wan): NHRP"
nhrp_summary "$CAP2" | head -150
c_b() { tcount "$CAP2" "$1"; }
check "wire: dmvpnd's Registration Request answered by the FRR hub (code 0)" \
  sh -c "[ $(c_b 'nhrp.hdr.op.type == 3 && ip.src == 198.51.100.13') -ge 1 ] && [ $(c_b 'nhrp.hdr.op.type == 4 && nhrp.code == 0 && ip.dst == 198.51.100.13') -ge 1 ]"
n_ti=$(c_b "nhrp.hdr.op.type == 8 && ip.src == 198.51.100.1 && ip.dst == 198.51.100.13 && frame.time_epoch < $t_c2")
n_rreq=$(c_b 'nhrp.hdr.op.type == 1 && ip.src == 198.51.100.13 && nhrp.dst.prot.addr == 10.11.0.1')
n_rrep=$(c_b 'nhrp.hdr.op.type == 2 && ip.dst == 198.51.100.13 && nhrp.client.prot.addr == 10.255.0.11 && nhrp.code == 0 && nhrp.prefix == 24')
n_ti1=$(c_b 'nhrp.hdr.op.type == 8 && ip.src == 198.51.100.1 && ip.dst == 198.51.100.11')
n_fwd=$(c_b 'nhrp.hdr.op.type == 1 && ip.src == 198.51.100.1 && ip.dst == 198.51.100.13 && nhrp.src.prot.addr == 10.255.0.11')
n_ans=$(c_b 'nhrp.hdr.op.type == 2 && ip.src == 198.51.100.13 && nhrp.client.prot.addr == 10.255.0.13 && nhrp.code == 0')
n_direct=$(c_b "gre && !nhrp && frame.time_epoch < $t_c2 && ((ip.src == 198.51.100.13 && ip.dst == 198.51.100.11) || (ip.src == 198.51.100.11 && ip.dst == 198.51.100.13))")
n_ei=$(c_b "nhrp.hdr.op.type == 7 && nhrp.err.code == 11 && ip.src == 198.51.100.13 && ip.dst == 198.51.100.1 && frame.time_epoch >= $t_c2")
say "part 2: Traffic Indications hub -> dmvpnd $n_ti, Resolution Requests dmvpnd -> hub for 10.11.0.1 $n_rreq, Replies to dmvpnd (10.255.0.11, /24) $n_rrep; Traffic Indications hub -> spoke1 $n_ti1, spoke1's requests forwarded to dmvpnd $n_fwd, dmvpnd's answers $n_ans; direct dmvpnd<->spoke1 GRE (not NHRP) $n_direct; C2 Error Indications code 11 dmvpnd -> hub $n_ei"
check "wire: the FRR hub sent dmvpnd a Traffic Indication" ge "$n_ti" 1
check "wire: dmvpnd sent a Resolution Request for 10.11.0.1" ge "$n_rreq" 1
check "wire: dmvpnd got the answer 10.11.0.0/24 at 10.255.0.11" ge "$n_rrep" 1
check "wire: the FRR hub sent spoke1 a Traffic Indication" ge "$n_ti1" 1
check "wire: the FRR hub forwarded spoke1's Resolution Request to dmvpnd" ge "$n_fwd" 1
check "wire: dmvpnd answered with 10.255.0.13" ge "$n_ans" 1
check "wire: then dmvpnd <-> spoke1 went directly" ge "$n_direct" 5
check "wire: C2: dmvpnd answered the unauthenticated Traffic Indication with Error Indication code 11" ge "$n_ei" 1
check "wire: C2: the FRR hub's Registration Reply echoes the authentication extension" \
  ge "$(c_b 'nhrp.hdr.op.type == 4 && ip.dst == 198.51.100.13 && nhrp.code == 0 && nhrp.ext.type == 7')" 1
check "wire: no malformed NHRP (part 2)" test "$(c_b 'nhrp && _ws.malformed')" -eq 0

if [ "$FAIL" -gt 0 ]; then
  for f in hub-auth hub spoke spoke-auth; do
    [ -f "$work/$f.log" ] && { echo "--- dmvpnd log $f (last 25 lines)"; tail -25 "$work/$f.log"; }
  done
fi
say "done in $(( $(date +%s) - T0 ))s"
summary
