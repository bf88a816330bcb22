#!/usr/bin/env bash
# dmvpnd as the HUB of a DMVPN protected by IKEv2 + ESP, against real
# Cisco-style spokes from the interop oracle in shared/oracle: Linux mGRE +
# FRR 8.4 nhrpd + strongSwan 5.9.8 charon with the guest kernel's ESP
# (IPSEC=1, IPSEC_MODE=trap: a wildcard transport-mode trap policy for GRE;
# the first GRE packet to a peer starts IKE). Needs root; about 3 minutes.
#
#   underlay: bridge br-wan 198.51.100.0/24 in netns oracle-wan (the
#   capture point); dmvpnd runs in that netns on the veth prod0.
#   dmvpnd HUB 198.51.100.1 / 10.255.0.1, keying: ike (IKE-lite), PSK,
#     IKE aes256gcm16-prfsha256-modp2048 (the oracle's), ESP aes-gcm-256
#     without ESN, key logs for ESP and IKE
#   FRR/strongSwan spoke1 .11 / 10.255.0.11 and spoke2 .12 / 10.255.0.12
#
#   I   both spokes' IKE SAs with the hub reach ESTABLISHED with an
#       INSTALLED, TRANSPORT CHILD_SA (swanctl in the guests, show crypto
#       ikev2 sa in dmvpnd)
#   R   both register over ESP (dmvpnd show dmvpn, FRR show ip nhrp nhs),
#       ping the hub 10.255.0.1
#   S   spoke1 pings spoke2: via the hub first, the hub's Traffic Indication
#       makes FRR resolve, the spokes key their own IKE SA (charon on both)
#       and later packets go spoke to spoke in ESP
#   W   on the wire: no cleartext GRE; ESP .11 <-> .12; dmvpnd's key logs
#       alone decrypt every hub ESP packet and the hub's IKE_AUTH
#       exchanges; with the guests' keys too every ESP packet decrypts to
#       GRE (NHRP, ICMP), nothing is malformed
#   K   the keys dmvpnd logged for its SAs with spoke1 equal charon's (ESP
#       keys in charon's log and the kernel's xfrm states; IKE SA keys)
#
# Oracle lookup, guards and teardown: oracle_lib.sh (the same as
# test_frr_oracle.sh). KEEP=1 keeps the work directory (configs, logs,
# the capture, the key tables).
set -u
DMVPND=${1:?usage: test_frr_oracle_ipsec.sh path/to/dmvpnd}
src=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}

NS_PREFIX=${NS_PREFIX:-foi$$}
. "$src/tests/integ/oracle_lib.sh"
oracle_init frr-oracle-ipsec
ipsec_init
write_cfg "$work/hub.yaml" hub hub "$WAN_HUB" 10.255.0.1/24 "$ESP_YAML" ""
check_cfgs hub

# ------------------------------------------------------------------ the oracle
oracle_up
say "=== dmvpnd hub (IKE-lite, ESP aes-gcm-256, no ESN), FRR/strongSwan spokes .11 and .12 (IPSEC_MODE=trap)"
"$SV" capture-start "$CAP"
boot spoke1 "${OIPSEC[@]}" NBMA_ADDR=198.51.100.11/24 TUN_ADDR=10.255.0.11 & b1=$!
boot spoke2 "${OIPSEC[@]}" NBMA_ADDR=198.51.100.12/24 TUN_ADDR=10.255.0.12 & b2=$!
dmvpnd_start "$work/hub.yaml" "$work/hub.log"
boot_wait $b1 spoke1
boot_wait $b2 spoke2
say "the spokes' generated swanctl.conf (spoke1)"
gx spoke1 'grep -vE "^ *#|^ *$|secret" /etc/swanctl/conf.d/dmvpn.conf | tr -s " " | tr "\n" " "'; echo

say "--- I: IKE: the spokes' first GRE packet to the hub hits the trap and starts IKE"
check "I: dmvpnd has an established IKE SA with each spoke (show crypto ikev2 sa)" \
  wait_until 90 ike_up 198.51.100.11 198.51.100.12
out=$(cli 'show crypto ikev2 sa detail' 'show crypto ikev2 stats' 'show crypto ipsec sa')
echo "$out"
check "I: exactly two established IKE SAs on the hub" \
  eq "$(grep -Ec '^198\.51\.100\.1[12] +established' <<< "$out")" 2
for s in spoke1 spoke2; do
  check "I: $s: charon's IKE SA with the hub is ESTABLISHED, its CHILD_SA INSTALLED, TRANSPORT (swanctl --list-sas)" \
    wait_until 20 sw_up "$s" 198.51.100.1
done
say "swanctl --list-sas on spoke1"
gx spoke1 'swanctl --list-sas 2> /dev/null; ip xfrm state | grep -E "^src|proto esp|aead"'

say "--- R: registration over ESP (nhrpd's first request was dropped during IKE; it retransmits)"
check "R: both spokes registered with the dmvpnd hub (show dmvpn lists 10.255.0.11 and .12)" \
  wait_until 60 hub_lists 10.255.0.11 10.255.0.12
cli 'show dmvpn' 'show ip nhrp'
for s in spoke1 spoke2; do
  check "R: $s has the hub as NHS 10.255.0.1 / 198.51.100.1, up (show ip nhrp nhs, cache)" \
    wait_until 30 frr_has_nhs "$s"
  vt "$s" 'show ip nhrp nhs'
  check "R: $s pings the hub 10.255.0.1" gx "$s" 'ping -c 3 -i 0.3 -W 2 10.255.0.1'
done

say "--- S: spoke1 pings spoke2 10.255.0.12: via the hub, Traffic Indication, resolution, spoke-to-spoke IKE"
out=$(gx spoke1 'ping -c 16 -i 0.5 -W 2 10.255.0.12')
echo "$out"
check "S: spoke1 -> spoke2 ping answered ($(received "$out") of 16; some are dropped while the spokes run IKE)" \
  ge "$(received "$out")" 3
check "S: spoke1 has a shortcut to spoke2 (show ip nhrp shortcut 10.255.0.12/32, cache dynamic -> 198.51.100.12)" \
  wait_until 20 frr_has_shortcut spoke1 10.255.0.12 198.51.100.12
vt spoke1 'show ip nhrp shortcut' 'show ip nhrp cache'
check "S: spoke1's charon keyed spoke2 directly (ESTABLISHED, INSTALLED, TRANSPORT with 198.51.100.12)" \
  wait_until 30 sw_up spoke1 198.51.100.12
check "S: spoke2's charon has the same SA with spoke1" wait_until 10 sw_up spoke2 198.51.100.11
out=$(gx spoke1 'ping -c 6 -i 0.3 -W 2 10.255.0.12')
echo "$out"
check "S: spoke1 -> spoke2 over the shortcut ($(received "$out") of 6)" ge "$(received "$out")" 5
out=$(cli 'show nhrp stats' 'show crypto ikev2 sa' 'show crypto ikev2 stats')
echo "$out"
check "S: the hub sent a Traffic Indication" ge "$(stat "$out" traffic-indication 2)" 1
check "S: the hub received spoke1's Resolution Request" ge "$(stat "$out" resolution-request 3)" 1
check "S: the hub still holds just its two IKE SAs (the shortcut's is the spokes' own)" \
  eq "$(grep -Ec '^198\.51\.100\.' <<< "$out")" 2

ipsec_collect spoke1 spoke2

say "--- K: dmvpnd's keys against charon's (spoke1)"
check_esp_keys spoke1 198.51.100.11
for s in spoke1 spoke2; do
  check_ike_keys "$s"
done

say "--- W: the capture (br-wan)"
S12='((ip.src == 198.51.100.11 && ip.dst == 198.51.100.12) || (ip.src == 198.51.100.12 && ip.dst == 198.51.100.11))'
n_gre=$(th gre); n_esp=$(th esp); n_esp12=$(th "esp && $S12")
n_hub_left=$(th 'esp && ip.addr == 198.51.100.1 && !gre' "${DMVPND_O[@]}")
n_hub_esp=$(th 'esp && ip.addr == 198.51.100.1' "${DMVPND_O[@]}")
n_left=$(th 'esp && !gre' "${ALL_O[@]}")
say "wire: ESP $n_esp (spoke1<->spoke2 $n_esp12, hub $n_hub_esp); cleartext GRE $n_gre; not decrypted: with dmvpnd's keys, of the hub's $n_hub_left, with all keys $n_left"
check "W: no cleartext GRE on the wire (tshark -Y gre without keys: $n_gre)" eq "$n_gre" 0
check "W: ESP directly between spoke1 and spoke2 ($n_esp12 packets)" ge "$n_esp12" 5
check "W: the spokes ran IKE with each other (IKE_SA_INIT .11 <-> .12)" \
  ge "$(th "isakmp.exchangetype == 34 && $S12")" 2
check "W: dmvpnd's esp.key-log alone decrypts every ESP packet to or from the hub ($n_hub_esp, $n_hub_left left)" \
  sh -c "[ $n_hub_esp -ge 20 ] && [ $n_hub_left -eq 0 ]"
for s in 11 12; do
  check "W: dmvpnd's esp.ike.key-log alone decrypts the IKE_AUTH exchange with spoke .$s (request and response)" \
    ge "$(th "isakmp.exchangetype == 35 && isakmp.auth.method && ip.addr == 198.51.100.$s && ip.addr == 198.51.100.1" "${DMVPND_O[@]}")" 2
  check "W: spoke .$s's Registration Request went in ESP and the hub's Reply came back in ESP" \
    sh -c "[ $(th "esp && nhrp.hdr.op.type == 3 && ip.src == 198.51.100.$s" "${DMVPND_O[@]}") -ge 1 ] && [ $(th "esp && nhrp.hdr.op.type == 4 && nhrp.code == 0 && ip.dst == 198.51.100.$s" "${DMVPND_O[@]}") -ge 1 ]"
done
say "the hub's IKE_AUTH response to spoke1, decrypted with dmvpnd's key log: its traffic selectors (narrowed to GRE)"
tshark -r "$CAP" "${DMVPND_O[@]}" -Y 'isakmp.exchangetype == 35 && isakmp.flag_r == 1 && ip.dst == 198.51.100.11' -V 2> /dev/null |
  grep -E 'Payload: (Traffic Selector|Security Association|Notify)|Protocol ID: |Start Port|End Port|Starting Addr|Ending Addr|Notify Message Type' | head -24
# The decrypted IKE_AUTH (auth_ts): the spoke's trap offers two selectors
# a side, the first TSr with the GRE key 42 as ports; the hub answers one
# a side, GRE with all ports, and USE_TRANSPORT_MODE (16391).
ts_narrowed() { [[ "$1" == "2,2 "*",42,"* ]] && [[ "$2" == "1,1 47,47 0,0 65535,65535 "*16391* ]]; }
for s in 11 12; do
  req=$(auth_ts "ip.src == 198.51.100.$s && ip.dst == 198.51.100.1" "${DMVPND_O[@]}")
  rsp=$(auth_ts "ip.src == 198.51.100.1 && ip.dst == 198.51.100.$s" "${DMVPND_O[@]}")
  check "W: the hub narrowed spoke .$s's trap selectors to GRE, transport mode (request: $req; response: $rsp)" \
    ts_narrowed "$req" "$rsp"
done
check "W: the hub sent spoke1 a Traffic Indication in ESP" \
  ge "$(th 'esp && nhrp.hdr.op.type == 8 && ip.src == 198.51.100.1 && ip.dst == 198.51.100.11' "${DMVPND_O[@]}")" 1
check "W: spoke1's first ICMP to spoke2 hairpinned through the hub in ESP" \
  ge "$(th 'esp && icmp && ip.src == 198.51.100.11 && ip.dst == 198.51.100.1 && ip.dst == 10.255.0.12' "${DMVPND_O[@]}")" 1
check "W: the hub forwarded spoke1's Resolution Request to spoke2 in ESP" \
  ge "$(th 'esp && nhrp.hdr.op.type == 1 && ip.src == 198.51.100.1 && ip.dst == 198.51.100.12' "${DMVPND_O[@]}")" 1
check "W: with the guests' keys too, every ESP packet decrypts to GRE ($n_esp, $n_left left)" eq "$n_left" 0
check "W: ICMP spoke1 <-> spoke2 inside the direct ESP" ge "$(th "esp && icmp && $S12" "${ALL_O[@]}")" 4
check "W: tshark finds nothing malformed (decrypted, all keys)" eq "$(th '_ws.malformed' "${ALL_O[@]}")" 0

ipsec_end "$work/hub.log" "the hub" spoke1 spoke2
