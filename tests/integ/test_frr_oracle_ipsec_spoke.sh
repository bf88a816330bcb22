#!/usr/bin/env bash
# dmvpnd as a SPOKE of a DMVPN protected by IKEv2 + ESP, behind a real
# Cisco-style hub from the interop oracle in shared/oracle (Linux mGRE +
# FRR 8.4 nhrpd + strongSwan 5.9.8 charon with the guest kernel's ESP,
# IPSEC_MODE=trap), beside an oracle spoke: the roles of
# test_frr_oracle_ipsec.sh swapped. Needs root; about 70 s.
#
#   underlay: bridge br-wan 198.51.100.0/24 in netns oracle-wan (the
#   capture point); dmvpnd runs in that netns on the veth prod0, its LAN
#   on the veth lan13 to the host 10.13.0.10 (netns <prefix>-lanh).
#   FRR/strongSwan hub 198.51.100.1 / 10.255.0.1 (ip nhrp redirect)
#   FRR/strongSwan spoke1 .11 / 10.255.0.11, LAN 10.11.0.1/24 (a dummy)
#   dmvpnd SPOKE .13 / 10.255.0.13, LAN 10.13.0.0/23, NHS the FRR hub;
#     keying: ike (IKE-lite), IKE aes256gcm16-prfsha256-modp2048, ESP
#     aes-gcm-256 without ESN, key logs for ESP and IKE
#   Every SA with dmvpnd is authenticated by certificates (a test CA made
#   with openssl, tests/ike/make_pki.sh; the guests' charons are switched
#   from the PSK once spoke1's SA with the hub is up, which stays keyed by
#   the PSK): dmvpnd ECDSA P-384 "CN=spoke1", the hub RSA-4096 "CN=charon"
#   (its IKE_AUTH answer comes in RFC 7383 fragments), spoke1 ECDSA P-256
#   "CN=spoke2". test_frr_oracle_ipsec.sh keys with the PSK.
#
#   I   dmvpnd starts IKE with the hub (dmvpnd initiates, the hub's
#       charon answers): ESTABLISHED with an INSTALLED, TRANSPORT
#       CHILD_SA (swanctl in the hub, show crypto ikev2 sa in dmvpnd),
#       before the registration; each side verified the other's
#       certificate and signature, the hub's answer came in fragments
#   R   dmvpnd registers over ESP: the FRR hub lists it (show ip nhrp
#       cache, show dmvpn); the LAN host pings the hub 10.255.0.1
#   S   the LAN host pings 10.11.0.1 behind spoke1: via the hub first, the
#       hub's Traffic Indications make both spokes resolve (dmvpnd gets an
#       H route 10.11.0.0/24 via 10.255.0.11, spoke1 a shortcut to
#       10.13.0.0/23); dmvpnd and spoke1 key a direct IKE SA (either may
#       start it, or both at once: all are accepted, the test says which);
#       later packets go spoke to spoke in ESP, none through the hub
#   K   the keys dmvpnd logged equal charon's: ESP keys of its SAs with
#       the hub (charon's log and the kernel's xfrm states) and with
#       spoke1 (charon's log), and the IKE SA keys with both
#   W   on the wire: no cleartext GRE; the IKE_AUTH dmvpnd sent and the
#       hub's answer (decrypted with dmvpnd's key log): GRE selectors,
#       transport mode; registration and Traffic Indication in ESP;
#       dmvpnd's key logs alone decrypt every ESP packet to or from it;
#       with the guests' keys too every ESP packet decrypts to GRE, and
#       nothing is malformed
#
# Oracle lookup, guards and teardown: oracle_lib.sh (the same as the
# other oracle tests). KEEP=1 keeps the work directory (configs, logs,
# the capture, the key tables).
set -u
DMVPND=${1:?usage: test_frr_oracle_ipsec_spoke.sh path/to/dmvpnd}
src=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}

NS_PREFIX=${NS_PREFIX:-fos$$}
. "$src/tests/integ/oracle_lib.sh"
oracle_init frr-oracle-ipsec-spoke
ipsec_init
ipsec_certs spoke
write_cfg "$work/spoke.yaml" spoke13 spoke "$WAN_SPOKE" 10.255.0.13/24 "$ESP_YAML
$NHS" "$ROUTES"
check_cfgs spoke
# show crypto ikev2 sa detail: the lines of the established SAs with PEER;
# how many of them WHO (we, it) initiated.
sa_detail() { # output peer
  awk -v p="$2" '/^[0-9]/ {on = ($1 == p && $2 == "established")} on' <<< "$1"
}
ike_started() { # output peer we|it
  sa_detail "$1" "$2" | grep -c "^ *$3 initiated"
}
# dmvpnd's established SA with PEER says TEXT (identities, auth).
sa_auth_is() { # peer text
  grep -q "$2" <<< "$(sa_detail "$(cli 'show crypto ikev2 sa detail')" "$1")"
}
# The line of dmvpnd's log that first matches.
log_line() { grep -n -m1 "$2" "$1" | cut -d: -f1; }
# Whether the hub's charon is the responder of its IKE SA with PEER
# (swanctl --list-sas --raw: the initiator's SA says initiator=yes).
sw_responder() { # node peer-nbma
  gx "$1" 'swanctl --list-sas --raw 2> /dev/null' | tr '{}' '\n\n' |
    awk -v p="remote-host=$2 " 'index($0, p) && /state=ESTABLISHED/ {f = 1; if (/initiator=yes/) i = 1}
                                END {exit !(f && !i)}'
}
S13_11='((ip.src == 198.51.100.13 && ip.dst == 198.51.100.11) || (ip.src == 198.51.100.11 && ip.dst == 198.51.100.13))'

# ------------------------------------------------------------------ the oracle
oracle_up
lan_host_up
say "=== FRR/strongSwan hub .1 and spoke1 .11 (IPSEC_MODE=trap), dmvpnd spoke .13 (IKE-lite, ESP aes-gcm-256, no ESN)"
"$SV" capture-start "$CAP"
boot hub "${OIPSEC[@]}" ROLE=hub NBMA_ADDR=198.51.100.1/24 TUN_ADDR=10.255.0.1 \
  EXTRA_FRR=$'ip route 10.11.0.0/24 10.255.0.11\nip route 10.13.0.0/23 10.255.0.13' & b0=$!
boot spoke1 "${OIPSEC[@]}" NBMA_ADDR=198.51.100.11/24 TUN_ADDR=10.255.0.11 \
  LAN_ADDR=10.11.0.1/24 EXTRA_FRR='ip route 10.13.0.0/23 10.255.0.1' & b1=$!
# The guests boot keyed by the PSK and spoke1 keys its SA with the hub at
# once. Both switch to certificates only when that SA is up: a hub that
# switched first refuses spoke1's PSK IKE_AUTH (AUTHENTICATION_FAILED), and
# the trap's charon in spoke1 may not try again for minutes. dmvpnd starts
# then: IKE_SA_INIT into a guest still booting would only cost
# retransmissions.
boot_wait $b0 hub
boot_wait $b1 spoke1
check "spoke1's charon keyed its SA with the hub (PSK, before the certificates)" \
  wait_until 90 sw_up spoke1 198.51.100.1
check "the hub's charon signs with its certificate (CN=charon, RSA 4096)" oracle_certify hub charon
check "spoke1's charon signs with its certificate (CN=spoke2, ECDSA P-256)" oracle_certify spoke1 ecp256
dmvpnd_start "$work/spoke.yaml" "$work/spoke.log"

say "--- I: dmvpnd starts IKE with its NHS at once; its first Registration Requests wait for the CHILD_SA"
check "I: dmvpnd has an established IKE SA with the hub (show crypto ikev2 sa)" \
  wait_until 60 ike_up 198.51.100.1
out=$(cli 'show crypto ikev2 sa detail' 'show crypto ipsec sa')
echo "$out"
check "I: dmvpnd initiated it" eq "$(ike_started "$out" 198.51.100.1 we)" 1
check "I: dmvpnd verified the hub's certificate, its answer came in fragments" \
  grep -q 'remote id O=dmvpnd test, CN=charon, auth certificate, fragmentation' <<< "$(sa_detail "$out" 198.51.100.1)"
check "I: the hub's charon verified dmvpnd's certificate and RFC 7427 signature" \
  gx hub "grep -q \"authentication of 'O=dmvpnd test, CN=spoke1' with ECDSA_WITH_SHA384_DER successful\" /var/log/charon.log"
check "I: dmvpnd has a transport-mode CHILD_SA with the hub" \
  grep -qE 'child ESP in 0x[0-9a-f]+ out 0x[0-9a-f]+ .* transport' <<< "$(sa_detail "$out" 198.51.100.1)"
check "I: the hub's charon: IKE SA with .13 ESTABLISHED, CHILD_SA INSTALLED, TRANSPORT (swanctl --list-sas)" \
  wait_until 20 sw_up hub 198.51.100.13
check "I: ... and it is the responder (swanctl --list-sas --raw: no initiator=yes)" sw_responder hub 198.51.100.13
say "swanctl --list-sas on the hub"
gx hub 'swanctl --list-sas 2> /dev/null; ip xfrm state | grep -E "^src|proto esp|aead"'

say "--- R: registration over ESP"
check "R: dmvpnd registered with the FRR hub (log)" \
  wait_until 30 log_has "$work/spoke.log" 'NHS 198.51.100.1 up: registered'
l_ike=$(log_line "$work/spoke.log" 'ike: SA with 198.51.100.1 established')
l_reg=$(log_line "$work/spoke.log" 'NHS 198.51.100.1 up: registered')
check "I: the IKE SA came before the registration (dmvpnd's log, lines ${l_ike:-none} and ${l_reg:-none})" \
  test "${l_ike:-999999}" -lt "${l_reg:-0}"
check "R: the FRR hub lists 10.255.0.13 dynamic -> 198.51.100.13 (show ip nhrp cache)" \
  wait_until 20 gx hub 'vtysh -c "show ip nhrp cache" | grep -qE "dynamic +10.255.0.13 +198.51.100.13"'
check "R: ... and in show dmvpn" gx hub 'vtysh -c "show dmvpn" | grep -q "198.51.100.13"'
vt hub 'show ip nhrp cache' 'show dmvpn'
cli 'show dmvpn' 'show ip nhrp nhs'
out=$(nsx lanh ping -c 3 -i 0.3 -W 2 10.255.0.1)
echo "$out"
check "R: the LAN host behind dmvpnd pings the hub's tunnel address 10.255.0.1 ($(received "$out") of 3)" \
  ge "$(received "$out")" 3

say "--- S: the LAN host pings 10.11.0.1 behind spoke1: via the hub, Traffic Indication, resolution, spoke-to-spoke IKE"
check "S: spoke1 registered with the hub (show ip nhrp nhs, cache)" wait_until 60 frr_has_nhs spoke1
out=$(nsx lanh ping -c 16 -i 0.5 -W 2 10.11.0.1)
echo "$out"
check "S: LAN 10.13.0.10 -> 10.11.0.1 answered ($(received "$out") of 16; some are dropped while the spokes run IKE)" \
  ge "$(received "$out")" 3
check "S: dmvpnd resolved 10.11.0.1 and routes 10.11.0.0/24 via 10.255.0.11 (H)" \
  wait_until 20 h_route '10\.11\.0\.0/24' '10\.255\.0\.11'
check "S: dmvpnd has an established IKE SA with spoke1" wait_until 30 ike_up 198.51.100.11
check "S: ... authenticated by spoke1's certificate" \
  sa_auth_is 198.51.100.11 'remote id O=dmvpnd test, CN=spoke2, auth certificate'
check "S: spoke1's charon has it too: ESTABLISHED, INSTALLED, TRANSPORT with .13" \
  wait_until 20 sw_up spoke1 198.51.100.13
check "S: spoke1 resolved the LAN behind dmvpnd too (show ip nhrp shortcut 10.13.0.0/23)" \
  wait_until 20 gx spoke1 'vtysh -c "show ip nhrp shortcut" | grep -q "10.13.0.0/23"'
T_S=$(date +%s.%N)
out=$(nsx lanh ping -c 6 -i 0.3 -W 2 10.11.0.1)
echo "$out"
check "S: LAN -> 10.11.0.1 over the shortcut ($(received "$out") of 6)" ge "$(received "$out")" 5
out=$(cli 'show ip nhrp' 'show ip route' 'show nhrp stats' 'show crypto ikev2 sa detail' \
  'show crypto ikev2 stats' 'show crypto ipsec sa' | tee "$work/state-dmvpnd.txt")
echo "$out"
check "S: the FRR hub's Traffic Indication reached dmvpnd and was accepted" \
  sh -c "[ $(stat "$out" traffic-indication 3) -ge 1 ] && [ $(stat "$out" traffic-indication 4) -eq 0 ]"
check "S: dmvpnd got a Resolution Reply" ge "$(stat "$out" resolution-reply 3)" 1
by_us=$(ike_started "$out" 198.51.100.11 we)
by_it=$(ike_started "$out" 198.51.100.11 it)
say "dmvpnd's IKE SAs with spoke1: $by_us started by dmvpnd, $by_it by spoke1's charon"
check "S: dmvpnd holds one or two IKE SAs with spoke1 (one each way at most)" \
  sh -c "[ $((by_us + by_it)) -ge 1 ] && [ $by_us -le 1 ] && [ $by_it -le 1 ]"
vt spoke1 'show ip nhrp shortcut' 'show ip nhrp cache'

ipsec_collect hub spoke1

say "--- K: dmvpnd's keys against charon's"
check_esp_keys hub 198.51.100.1
check_ike_keys hub
check_esp_keys spoke1 198.51.100.11 logged
check_ike_keys spoke1

say "--- W: the capture (br-wan)"
init_s=$(tshark -r "$CAP" -Y "isakmp.exchangetype == 34 && isakmp.flag_r == 0 && $S13_11" -T fields \
  -e ip.src 2> /dev/null | sort -u | tr '\n' ' ')
say "spoke-to-spoke IKE_SA_INIT requests came from: ${init_s:-nobody}"
n_gre=$(th gre); n_esp=$(th esp); n_esp13=$(th "esp && $S13_11")
n_d=$(th 'esp && ip.addr == 198.51.100.13' "${DMVPND_O[@]}")
n_d_left=$(th 'esp && ip.addr == 198.51.100.13 && !gre' "${DMVPND_O[@]}")
n_left=$(th 'esp && !gre' "${ALL_O[@]}")
say "wire: ESP $n_esp (dmvpnd<->spoke1 $n_esp13, to or from dmvpnd $n_d); cleartext GRE $n_gre; not decrypted: with dmvpnd's keys, of dmvpnd's $n_d_left, with all keys $n_left"
check "W: no cleartext GRE on the wire (tshark -Y gre without keys: $n_gre)" eq "$n_gre" 0
check "W: dmvpnd started the IKE SA with the hub (IKE_SA_INIT requests .13 -> .1, none back)" \
  sh -c "[ $(th 'isakmp.exchangetype == 34 && isakmp.flag_r == 0 && ip.src == 198.51.100.13 && ip.dst == 198.51.100.1') -ge 1 ] && [ $(th 'isakmp.exchangetype == 34 && isakmp.flag_r == 0 && ip.src == 198.51.100.1 && ip.dst == 198.51.100.13') -eq 0 ]"
check "W: dmvpnd's esp.ike.key-log alone decrypts its IKE_AUTH with the hub (request and response)" \
  ge "$(th 'isakmp.exchangetype == 35 && isakmp.auth.method && ip.addr == 198.51.100.13 && ip.addr == 198.51.100.1' "${DMVPND_O[@]}")" 2
# The decrypted IKE_AUTH (auth_ts): dmvpnd offers GRE between the two
# addresses, one selector a side, and USE_TRANSPORT_MODE (16391); charon
# answers the same.
gre_ts() { [[ "$1" == "1,1 47,47 0,0 65535,65535 "*16391* ]]; }
req=$(auth_ts 'ip.src == 198.51.100.13 && ip.dst == 198.51.100.1' "${DMVPND_O[@]}")
rsp=$(auth_ts 'ip.src == 198.51.100.1 && ip.dst == 198.51.100.13' "${DMVPND_O[@]}")
check "W: dmvpnd asked for GRE, transport mode ($req)" gre_ts "$req"
check "W: the hub's charon agreed ($rsp)" gre_ts "$rsp"
t_auth=$(tshark -r "$CAP" -Y 'isakmp.exchangetype == 35 && isakmp.flag_r == 1 && ip.src == 198.51.100.1 && ip.dst == 198.51.100.13' \
  -T fields -e frame.time_epoch 2> /dev/null | head -1)
t_reg=$(tshark -r "$CAP" "${DMVPND_O[@]}" -Y 'nhrp.hdr.op.type == 3 && ip.src == 198.51.100.13' \
  -T fields -e frame.time_epoch 2> /dev/null | head -1)
check "W: dmvpnd's first Registration Request went out after the hub's IKE_AUTH response (${t_auth:-none} < ${t_reg:-none})" \
  awk -v a="${t_auth:-9e18}" -v r="${t_reg:-0}" 'BEGIN {exit !(a < r)}'
check "W: dmvpnd's Registration Request went in ESP and the hub's Reply came back in ESP" \
  sh -c "[ $(th 'esp && nhrp.hdr.op.type == 3 && ip.src == 198.51.100.13' "${DMVPND_O[@]}") -ge 1 ] && [ $(th 'esp && nhrp.hdr.op.type == 4 && nhrp.code == 0 && ip.dst == 198.51.100.13' "${DMVPND_O[@]}") -ge 1 ]"
check "W: the hub sent dmvpnd a Traffic Indication in ESP" \
  ge "$(th 'esp && nhrp.hdr.op.type == 8 && ip.src == 198.51.100.1 && ip.dst == 198.51.100.13' "${DMVPND_O[@]}")" 1
check "W: the first ICMP to 10.11.0.1 hairpinned through the hub in ESP" \
  ge "$(th 'esp && icmp && ip.src == 198.51.100.13 && ip.dst == 198.51.100.1 && ip.dst == 10.11.0.1' "${DMVPND_O[@]}")" 1
check "W: dmvpnd sent a Resolution Request for 10.11.0.1 in ESP" \
  ge "$(th 'esp && nhrp.hdr.op.type == 1 && ip.src == 198.51.100.13 && nhrp.dst.prot.addr == 10.11.0.1' "${DMVPND_O[@]}")" 1
check "W: ESP directly between dmvpnd and spoke1 ($n_esp13 packets)" ge "$n_esp13" 10
check "W: ICMP 10.13.0.10 <-> 10.11.0.1 inside the direct ESP" \
  ge "$(th "esp && icmp && ip.addr == 10.11.0.1 && $S13_11" "${DMVPND_O[@]}")" 10
check "W: once the shortcut was up, no ICMP for 10.11.0.1 went through the hub" \
  eq "$(th "icmp && ip.addr == 10.11.0.1 && ip.addr == 198.51.100.1 && frame.time_epoch > $T_S" "${ALL_O[@]}")" 0
check "W: dmvpnd's esp.key-log alone decrypts every ESP packet to or from it ($n_d, $n_d_left left)" \
  sh -c "[ $n_d -ge 20 ] && [ $n_d_left -eq 0 ]"
check "W: with the guests' keys too, every ESP packet decrypts to GRE ($n_esp, $n_left left)" eq "$n_left" 0
check "W: tshark finds nothing malformed (decrypted, all keys)" eq "$(th '_ws.malformed' "${ALL_O[@]}")" 0

ipsec_end "$work/spoke.log" "the dmvpnd spoke" hub spoke1
