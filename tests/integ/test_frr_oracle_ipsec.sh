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
PSK=dmvpnd-oracle-ipsec-psk-0123   # >= 16 bytes: dmvpnd refuses shorter ones
IKE_PROP=aes256gcm16-prfsha256-modp2048
ESPLOG=$work/hub-esp-keys.txt      # dmvpnd's esp.key-log (Wireshark esp_sa)
IKELOG=$work/hub-ike-keys.txt      # dmvpnd's esp.ike.key-log (ikev2_decryption_table)
CAP=$work/underlay.pcap

write_cfg "$work/hub.yaml" hub hub "$WAN_HUB" 10.255.0.1/24 "  protection: esp
  esp:
    algorithm: aes-gcm-256
    esn: false
    keying: ike
    key-log: $ESPLOG
    ike:
      psk: \"$PSK\"
      proposals: [$IKE_PROP]
      key-log: $IKELOG" ""
check_cfgs hub

# ------------------------------------------------------------------ helpers
# A guest's charon has an ESTABLISHED IKE SA with PEER and an INSTALLED,
# TRANSPORT CHILD_SA under it (swanctl --list-sas).
sw_up() { # node peer-nbma
  gx "$1" 'swanctl --list-sas 2> /dev/null' |
    awk -v p="@ $2[" '/^[^ ]/ {e = /ESTABLISHED/; r = 0}
                      e && index($0, "remote ") && index($0, p) {r = 1}
                      r && /INSTALLED, TRANSPORT/ {ok = 1} END {exit !ok}'
}
hub_ike_up() { # nbma... : dmvpnd's show crypto ikev2 sa lists each established
  local o a; o=$(cli 'show crypto ikev2 sa' 2> /dev/null) || return 1
  for a in "$@"; do grep -Eq "^${a//./\\.} +established" <<< "$o" || return 1; done
}
# tshark -o options: esp_sa and ikev2_decryption_table rows from key files
# (Wireshark UAT lines, comments skipped).
key_opts() { # esp-files... -- ike-files...
  local t=esp_sa f
  printf '%s\n' -o esp.enable_encryption_decode:TRUE -o esp.enable_authentication_check:TRUE
  for f in "$@"; do
    [ "$f" = -- ] && { t=ikev2_decryption_table; continue; }
    grep -v '^#' "$f" 2> /dev/null | sort -u | while read -r l; do printf '%s\n' -o "uat:$t:$l"; done
  done
}
# The CHILD_SA encryption keys charon logged (chd = 4: "encryption initiator
# key => 36 bytes" and a hex dump), one lowercase hex string a line.
charon_child_keys() { # charon.log
  awk 'function flush() { if (k != "") print tolower(k); want = 0; k = "" }
       /encryption (initiator|responder) key => [0-9]+ bytes/ { flush(); want = 1; next }
       want && /\[CHD\]/ && match($0, /> +[0-9]+: ([0-9A-F][0-9A-F] )+/) {
         s = substr($0, RSTART, RLENGTH); sub(/^> +[0-9]+: /, "", s); gsub(/ /, "", s); k = k s; next }
       { flush() }
       END { flush() }' "$1"
}
# Field 6 of dmvpnd's esp_sa lines with PEER: the SA's key (+ salt), bare hex.
hub_esp_keys() { # peer-nbma
  grep -F "\"$1\"" "$ESPLOG" | cut -d, -f6 | tr -d '"' | sed 's/^0x//'
}
all_in() { # file-of-needles file-of-haystack : every line of the first is a line of the second
  [ -s "$1" ] && ! grep -vxFf "$2" "$1" | grep -q .
}

# ------------------------------------------------------------------ the oracle
oracle_up
say "=== dmvpnd hub (IKE-lite, ESP aes-gcm-256, no ESN), FRR/strongSwan spokes .11 and .12 (IPSEC_MODE=trap)"
"$SV" capture-start "$CAP"
SPOKE_ENV=(IPSEC=1 IPSEC_MODE=trap PSK="$PSK" IKE_PROPOSALS="$IKE_PROP" ESP_PROPOSALS=aes256gcm16 KEYLOG=1)
boot spoke1 "${SPOKE_ENV[@]}" NBMA_ADDR=198.51.100.11/24 TUN_ADDR=10.255.0.11 & b1=$!
boot spoke2 "${SPOKE_ENV[@]}" NBMA_ADDR=198.51.100.12/24 TUN_ADDR=10.255.0.12 & b2=$!
dmvpnd_start "$work/hub.yaml" "$work/hub.log"
boot_wait $b1 spoke1
boot_wait $b2 spoke2
say "the spokes' generated swanctl.conf (spoke1)"
gx spoke1 'grep -vE "^ *#|^ *$|secret" /etc/swanctl/conf.d/dmvpn.conf | tr -s " " | tr "\n" " "'; echo

say "--- I: IKE: the spokes' first GRE packet to the hub hits the trap and starts IKE"
check "I: dmvpnd has an established IKE SA with each spoke (show crypto ikev2 sa)" \
  wait_until 90 hub_ike_up 198.51.100.11 198.51.100.12
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

say "--- keys: the guests' (spoke-vm.sh keys: charon.log, ip xfrm state)"
for s in spoke1 spoke2; do
  "$SV" keys "$s" "$work/keys-$s" 2>&1 | tail -1
done
"$SV" capture-stop
"$SV" stop spoke1 > "$work/stop-spoke1.log" 2>&1 & st1=$!
"$SV" stop spoke2 > "$work/stop-spoke2.log" 2>&1 & st2=$!

say "--- K: dmvpnd's keys against charon's (spoke1)"
charon_child_keys "$work/keys-spoke1/charon.log" > "$work/charon-child-keys.txt"
hub_esp_keys 198.51.100.11 > "$work/hub-keys-spoke1.txt"
echo "dmvpnd's ESP keys for its SAs with spoke1 (esp.key-log):"; sed 's/^/  /' "$work/hub-keys-spoke1.txt"
echo "charon's CHILD_SA encryption keys (spoke1's charon.log):"; sed 's/^/  /' "$work/charon-child-keys.txt"
check "K: dmvpnd logged an inbound and an outbound SA with spoke1 ($(wc -l < "$work/hub-keys-spoke1.txt") keys, 72 hex digits each)" \
  sh -c "[ \$(grep -cxE '[0-9a-f]{72}' '$work/hub-keys-spoke1.txt') -ge 2 ]"
check "K: every ESP key dmvpnd logged for spoke1 is a CHILD_SA key charon logged" \
  all_in "$work/hub-keys-spoke1.txt" "$work/charon-child-keys.txt"
grep -F '"198.51.100.11"' "$ESPLOG" > "$work/hub-sas-spoke1.txt"
check "K: ... and equals the kernel's xfrm state on spoke1 (same SPI, addresses, algorithm, key)" \
  all_in "$work/hub-sas-spoke1.txt" "$work/keys-spoke1/esp_sa"
for s in spoke1 spoke2; do
  check "K: the IKE SA keys dmvpnd logged equal $s's charon's (one identical ikev2_decryption_table row)" \
    sh -c "grep -vh '^#' '$work/keys-$s/ikev2_decryption_table' | grep -qxFf - '$IKELOG'"
done

say "--- W: the capture (br-wan)"
mapfile -t HUB_O < <(key_opts "$ESPLOG" -- "$IKELOG")
mapfile -t ALL_O < <(key_opts "$ESPLOG" "$work"/keys-spoke*/esp_sa -- "$IKELOG" "$work"/keys-spoke*/ikev2_decryption_table)
th() { local f=$1; shift; tshark -r "$CAP" "$@" -Y "$f" 2> /dev/null | wc -l; }   # th FILTER [options]
S12='((ip.src == 198.51.100.11 && ip.dst == 198.51.100.12) || (ip.src == 198.51.100.12 && ip.dst == 198.51.100.11))'
say "IKE on the wire"
tshark -r "$CAP" "${ALL_O[@]}" -Y isakmp -T fields -E separator=' ' -e frame.time_relative -e ip.src \
  -e ip.dst -e isakmp.exchangetype -e isakmp.flag_r -e isakmp.typepayload 2> /dev/null | head -40
say "NHRP, decrypted with all keys"
nhrp_summary "$CAP" "${ALL_O[@]}" | head -60
n_gre=$(th gre); n_esp=$(th esp); n_esp12=$(th "esp && $S12")
n_hub_left=$(th 'esp && ip.addr == 198.51.100.1 && !gre' "${HUB_O[@]}")
n_hub_esp=$(th 'esp && ip.addr == 198.51.100.1' "${HUB_O[@]}")
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
    ge "$(th "isakmp.exchangetype == 35 && isakmp.auth.method && ip.addr == 198.51.100.$s && ip.addr == 198.51.100.1" "${HUB_O[@]}")" 2
  check "W: spoke .$s's Registration Request went in ESP and the hub's Reply came back in ESP" \
    sh -c "[ $(th "esp && nhrp.hdr.op.type == 3 && ip.src == 198.51.100.$s" "${HUB_O[@]}") -ge 1 ] && [ $(th "esp && nhrp.hdr.op.type == 4 && nhrp.code == 0 && ip.dst == 198.51.100.$s" "${HUB_O[@]}") -ge 1 ]"
done
say "the hub's IKE_AUTH response to spoke1, decrypted with dmvpnd's key log: its traffic selectors (narrowed to GRE)"
tshark -r "$CAP" "${HUB_O[@]}" -Y 'isakmp.exchangetype == 35 && isakmp.flag_r == 1 && ip.dst == 198.51.100.11' -V 2> /dev/null |
  grep -E 'Payload: (Traffic Selector|Security Association|Notify)|Protocol ID: |Start Port|End Port|Starting Addr|Ending Addr|Notify Message Type' | head -24
# The decrypted IKE_AUTH: TS counts (TSi,TSr), protocols, start and end
# ports, notify types. The spoke's trap offers two selectors a side, the
# first TSr with the GRE key 42 as ports; the hub answers one a side, GRE
# with all ports, and USE_TRANSPORT_MODE (16391).
auth_ts() { # filter
  tshark -r "$CAP" "${HUB_O[@]}" -Y "isakmp.exchangetype == 35 && isakmp.auth.method && $1" -T fields \
    -e isakmp.ts.number -e isakmp.ts.protoid -e isakmp.ts.start_port -e isakmp.ts.end_port \
    -e isakmp.notify.msgtype 2> /dev/null | head -1 | tr '\t' ' '
}
ts_narrowed() { [[ "$1" == "2,2 "*",42,"* ]] && [[ "$2" == "1,1 47,47 0,0 65535,65535 "*16391* ]]; }
for s in 11 12; do
  req=$(auth_ts "ip.src == 198.51.100.$s && ip.dst == 198.51.100.1")
  rsp=$(auth_ts "ip.src == 198.51.100.1 && ip.dst == 198.51.100.$s")
  check "W: the hub narrowed spoke .$s's trap selectors to GRE, transport mode (request: $req; response: $rsp)" \
    ts_narrowed "$req" "$rsp"
done
check "W: the hub sent spoke1 a Traffic Indication in ESP" \
  ge "$(th 'esp && nhrp.hdr.op.type == 8 && ip.src == 198.51.100.1 && ip.dst == 198.51.100.11' "${HUB_O[@]}")" 1
check "W: spoke1's first ICMP to spoke2 hairpinned through the hub in ESP" \
  ge "$(th 'esp && icmp && ip.src == 198.51.100.11 && ip.dst == 198.51.100.1 && ip.dst == 10.255.0.12' "${HUB_O[@]}")" 1
check "W: the hub forwarded spoke1's Resolution Request to spoke2 in ESP" \
  ge "$(th 'esp && nhrp.hdr.op.type == 1 && ip.src == 198.51.100.1 && ip.dst == 198.51.100.12' "${HUB_O[@]}")" 1
check "W: with the guests' keys too, every ESP packet decrypts to GRE ($n_esp, $n_left left)" eq "$n_left" 0
check "W: ICMP spoke1 <-> spoke2 inside the direct ESP" ge "$(th "esp && icmp && $S12" "${ALL_O[@]}")" 4
check "W: tshark finds nothing malformed (decrypted, all keys)" eq "$(th '_ws.malformed' "${ALL_O[@]}")" 0

wait $st1 $st2
if [ "$FAIL" -gt 0 ]; then
  echo "--- dmvpnd's IKE view"
  cli 'show crypto ikev2 sa detail' 'show crypto ikev2 stats' 'show crypto ipsec sa' 'show interfaces'
  echo "--- dmvpnd log (IKE, ESP, warnings; last 40)"
  grep -E 'ike|esp|WARN|ERR' "$work/hub.log" | tail -40
  for s in spoke1 spoke2; do
    echo "--- $s charon.log (exchanges, errors; last 40)"
    grep -E 'generating|parsed|failed|error|NO_PROP|AUTHENTICATION|INVALID|retransmit|establish|install' \
      "$work/keys-$s/charon.log" 2> /dev/null | tail -40
  done
  echo "--- IKE on the wire, decrypted (all keys)"
  tshark -r "$CAP" "${ALL_O[@]}" -Y isakmp -V 2> /dev/null |
    grep -E '^Frame|Internet Protocol|Exchange type|Flags|Payload: |Notify Message Type|Protocol ID|Start Port|End Port' | head -120
fi
dmvpnd_stop "the hub"
say "done in $(( $(date +%s) - T0 ))s"
summary
