#!/usr/bin/env bash
# IKE-lite against a stock strongSwan (Debian's charon) in network
# namespaces, with ../shared/strongswan/recipe.sh: IKE-lite's state machine
# runs in tests/ike/ike_peer on plain UDP sockets; charon logs its keys
# (ike/chd level 4), which must equal ours byte for byte.
#
#   ns A: ike_peer 198.51.100.1  ── veth ──  ns B: charon 198.51.100.2
#
#   1. we initiate, charon (kernel-netlink, transport, GRE selectors)
#      answers, for each IKE proposal family: the IKE SA is established
#      and keys match; charon cannot install transport ESP on this kernel
#      and refuses the CHILD_SA (NO_PROPOSAL_CHOSEN), as documented;
#   2. charon initiates the same: our CHILD_SA keys match its KEYMAT, it
#      fails to install and deletes the CHILD_SA, we remove ours;
#   3. tunnel mode against kernel-libipsec (which fakes a NAT): both
#      directions float to UDP 4500 and charon INSTALLS the CHILD_SA;
#   4. an ECP-256 guess against an X25519-only charon: INVALID_KE_PAYLOAD,
#      then the retry with group 31 gets through;
#   5. a wrong PSK either way: refused, nothing established;
#   6. liveness checks both ways keep the SA; charon's Delete ends ours,
#      our Delete ends charon's;
#   8. rekeying against kernel-libipsec: charon rekeys the CHILD_SA and
#      the IKE SA with us, we with it; the pair it holds is ours;
#   9. asked for a COOKIE, charon echoes it and gets in;
#  11. PFS in CHILD_SA rekeys (2.17): charon's rekey with a KE answered,
#      ours with a KE taken; the new keys equal charon's;
#  10. certificates (a test CA made with openssl, tests/ike/make_pki.sh):
#      RFC 7427 signatures both ways, RSA-4096 and ECDSA P-384, IDs from
#      the subjects, tunnel mode over kernel-libipsec; the RSA side's
#      IKE_AUTH goes in RFC 7383 fragments, which the other reassembles,
#      in both directions; a certificate from a foreign CA is refused;
#   7. tshark decrypts the IKE_AUTH exchange of scenario 1 with the keys
#      ike_peer printed and finds nothing malformed.
# Needs root. Ends with "N passed, N failed".
# (no set -u: recipe.sh is not written for it)
PEER=${1:?usage: test_ike_strongswan.sh path/to/ike_peer}
src=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
RECIPE=${DMVPND_STRONGSWAN:-$src/../shared/strongswan}/recipe.sh
PSK=test-psk-0123456789
A=198.51.100.1 B=198.51.100.2
PASS=0 FAIL=0 FAILED=()
ok()  { PASS=$((PASS+1)); echo "PASS: $*"; }
bad() { FAIL=$((FAIL+1)); FAILED+=("$*"); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

if [ ! -r "$RECIPE" ]; then
  echo "FAIL: no strongSwan recipe at $RECIPE (set DMVPND_STRONGSWAN)"; echo "0 passed, 1 failed"; exit 1
fi
. "$RECIPE"
ss_init
work=$(mktemp -d /tmp/ike-ss.XXXXXX)
trap 'ss_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
NS=iss$$
ss_ns_add ${NS}a && ss_ns_add ${NS}b && ss_veth ${NS}a va $A/24 ${NS}b vb $B/24 ||
  { echo "FAIL: namespaces"; echo "0 passed, 1 failed"; exit 1; }
n=0

# charon in B for one scenario: sw_start DIR [ss_conf options...]
sw_start() {
  local d=$1; shift
  ss_start ${NS}b "$d" --local $B --remote $A --lts "$B[gre]" --rts "$A[gre]" --psk $PSK \
    --ike aes256gcm16-prfsha256-x25519 --esp aes256gcm16 "$@"
}
# kernel-libipsec with selectors for the peers' own addresses routes all
# traffic to the peer into its TUN device, IKE too; UDP stays outside
# (recipe.sh README, 1b.3).
sw_libipsec_rule() { ss_peer_ts_rule ${NS}b $A; }
peer() { # out-file args... (in A, in the background; PEER_PID)
  local out=$1; shift
  ip netns exec ${NS}a "$PEER" --local $A --remote $B "$@" > "$out" 2>&1 &
  PEER_PID=$!
}
field() { grep -o " $2=[0-9a-fx]*" "$1" | head -1 | cut -d= -f2; }
# Our IKE keys (from the established line) against charon's key log.
ike_keys_equal() { # peer-out sw-dir
  local k; k=$(ss_keys "$2" | grep '^ike ' | head -1)
  [ -n "$k" ] || return 1
  for f in sk_d sk_ai sk_ar sk_ei sk_er sk_pi sk_pr; do
    [ "$(field "$1" $f)" = "$(echo " $k" | grep -o " $f=[0-9a-f]*" | cut -d= -f2)" ] || return 1
  done
}
# Our CHILD_SA keys against charon's KEYMAT: the initiator's key is ours in
# or out depending on who initiated.
child_keys_equal() { # peer-out sw-dir we-initiated(0|1)
  local c ki kr; c=$(ss_keys "$2" | grep '^child ' | head -1)
  ki=$(echo " $c" | grep -o ' encr_i=[0-9a-f]*' | cut -d= -f2)
  kr=$(echo " $c" | grep -o ' encr_r=[0-9a-f]*' | cut -d= -f2)
  [ -n "$ki" ] || return 1
  if [ "$3" = 1 ]; then [ "$(field "$1" key_out)" = "$ki" ] && [ "$(field "$1" key_in)" = "$kr" ]
  else [ "$(field "$1" key_in)" = "$ki" ] && [ "$(field "$1" key_out)" = "$kr" ]; fi
}

both_established() { # peer-out sw-dir prop
  grep -q "^established prop=$3" "$1" && ss_sas "$2" | grep -q 'state=ESTABLISHED'
}
sw_has() { # sw-dir rc pattern
  [ "$2" = 0 ] && ss_sas "$1" | grep -q "$3"
}
liveness_ok() { # sw-dir request|response: empty INFORMATIONALs seen by charon
  [ "$(grep -c "parsed INFORMATIONAL $2 [0-9]* \[ \]" "$1/charon.log")" -ge 1 ] &&
    ss_sas "$1" | grep -q state=ESTABLISHED
}
deleted_both() { # peer-out sw-dir
  grep -q '^dead error=deleted_locally' "$1" && ! ss_sas "$2" | grep -q state=ESTABLISHED
}

echo "=== 1. we initiate, charon answers (transport, GRE), every proposal family"
for prop in aes256gcm16-prfsha256-x25519 aes128gcm16-prfsha384-ecp256 \
            aes256-sha256-prfsha256-modp2048 aes256gcm16-prfsha512-ecp384; do
  n=$((n+1)); d=$work/s1-$n; out=$work/s1-$n.out
  sw_start "$d" --kernel netlink --mode transport --ike $prop --esp aes256gcm16 || { bad "charon $prop"; continue; }
  [ $n = 1 ] && ss_capture_start ${NS}a va "$work/s1.pcap" && CAP=$SS_CAPTURE_PID
  peer "$out" --psk $PSK --initiate --ike $prop --seconds 3
  ss_wait_sa "$d" 5 ike; wait $PEER_PID
  [ $n = 1 ] && ss_capture_stop "$CAP"
  echo "  $(grep -o '^established prop=[^ ]*' "$out")"
  check "1/$prop: established on both sides" both_established "$out" "$d" "$prop"
  check "1/$prop: IKE keys equal charon's" ike_keys_equal "$out" "$d"
  check "1/$prop: charon refused the transport CHILD_SA it cannot install" \
    grep -q 'generating IKE_AUTH response 1 \[ IDr AUTH N(NO_PROP) \]' "$d/charon.log"
  [ $n = 1 ] && cp "$out" "$work/s1.keys"
  ss_stop "$d"
done

echo "=== 2. charon initiates, we answer (transport)"
d=$work/s2; out=$work/s2.out
sw_start "$d" --kernel netlink --mode transport
peer "$out" --psk $PSK --seconds 3; sleep 0.3
ss_initiate "$d" 3; sleep 0.5; wait $PEER_PID
check "2: we installed a transport CHILD_SA" grep -q '^child .* mode=transport natt=0' "$out"
check "2: IKE keys equal charon's" ike_keys_equal "$out" "$d"
check "2: CHILD_SA keys equal charon's KEYMAT" child_keys_equal "$out" "$d" 0
check "2: charon deleted the CHILD_SA it could not install; ours went" \
  sh -c "grep -q 'sending DELETE for ESP CHILD_SA' '$d/charon.log' && grep -q '^child-removed' '$out'"
ss_stop "$d"

echo "=== 3. tunnel mode against kernel-libipsec (NAT-T on UDP 4500), both directions"
d=$work/s3a; out=$work/s3a.out
sw_start "$d" --kernel libipsec --mode tunnel --allow-peer-ts yes; sw_libipsec_rule
peer "$out" --psk $PSK --tunnel --seconds 3; sleep 0.3
ss_initiate "$d" 3; rc=$?; sleep 0.3
check "3a: charon initiated and INSTALLED a tunnel-mode CHILD_SA with us" \
  sw_has "$d" $rc 'state=INSTALLED mode=TUNNEL protocol=ESP encap=yes'
wait $PEER_PID
check "3a: our side: tunnel mode, NAT-T, peer on 4500" grep -q '^child .* mode=tunnel natt=1 port=4500' "$out"
check "3a: CHILD_SA keys equal charon's" child_keys_equal "$out" "$d" 0
ss_stop "$d"
d=$work/s3b; out=$work/s3b.out
sw_start "$d" --kernel libipsec --mode tunnel --allow-peer-ts yes; sw_libipsec_rule
peer "$out" --psk $PSK --tunnel --initiate --seconds 3
ss_wait_sa "$d" 5 child; rc=$?
check "3b: we initiated, charon INSTALLED the tunnel-mode CHILD_SA" \
  sw_has "$d" $rc 'state=INSTALLED mode=TUNNEL'
wait $PEER_PID
check "3b: we floated to 4500 and installed ours" grep -q '^child .* mode=tunnel natt=1 port=4500' "$out"
check "3b: CHILD_SA keys equal charon's" child_keys_equal "$out" "$d" 1
ss_stop "$d"

echo "=== 4. INVALID_KE_PAYLOAD: we guess ECP-256, charon wants X25519"
d=$work/s4; out=$work/s4.out
sw_start "$d" --kernel netlink --mode transport --ike aes256gcm16-prfsha256-x25519
peer "$out" --psk $PSK --initiate --ike aes256gcm16-prfsha256-ecp256,aes256gcm16-prfsha256-x25519 --seconds 2
wait $PEER_PID
check "4: charon asked for group 31 and the retry got through" \
  sh -c "grep -q 'INVALID_KE_PAYLOAD\|N(INVAL_KE)' '$d/charon.log' && grep -q '^established prop=aes256gcm16-prfsha256-x25519' '$out'"
ss_stop "$d"

echo "=== 5. wrong PSK"
d=$work/s5; out=$work/s5.out
sw_start "$d" --kernel netlink --mode transport
peer "$out" --psk wrong-psk-0123456789 --initiate --seconds 3
wait $PEER_PID
check "5a: charon refused our AUTH; we gave up" \
  sh -c "grep -q '^dead error=peer_refused_authentication' '$out' && ! grep -q '^established' '$out'"
peer "$out" --psk wrong-psk-0123456789 --seconds 3; sleep 0.3
ss_initiate "$d" 3; rc=$?; wait $PEER_PID
check "5b: we refused charon's AUTH" \
  sh -c "[ $rc != 0 ] && grep -q 'received AUTHENTICATION_FAILED notify' '$d/charon.log' && ! grep -q '^established' '$out'"
ss_stop "$d"

echo "=== 6. liveness checks and Delete"
# A check is due after silence only, so each side gets a run of its own.
d=$work/s6a; out=$work/s6a.out
sw_start "$d" --kernel netlink --mode transport --conn-opt 'dpd_delay = 1s'
peer "$out" --psk $PSK --initiate --seconds 4
sleep 3.5
check "6: we answered charon's liveness checks, the SA stands" liveness_ok "$d" response
ss_swanctl "$d" --terminate --ike lite --timeout 2 > /dev/null 2>&1
wait $PEER_PID
check "6: charon's Delete ended our SA" grep -q '^dead error=deleted_by_peer' "$out"
ss_stop "$d"
d=$work/s6b; out=$work/s6b.out
sw_start "$d" --kernel netlink --mode transport
peer "$out" --psk $PSK --initiate --dpd 1 --delete-after 3 --seconds 4
sleep 2.5
check "6: charon answered our liveness checks, the SA stands" liveness_ok "$d" request
wait $PEER_PID; sleep 0.2
check "6: our Delete ended charon's SA" deleted_both "$out" "$d"
ss_stop "$d"

echo "=== 8. rekeying against kernel-libipsec: charon's and ours, CHILD_SA and IKE SA"
# charon rekeys (rekey_time 4s, both SAs): we answer; then we rekey
# (lifetimes 4 and 6 s): charon answers. At the end the pair charon has
# installed must be one we have, its keys equal.
newest_child_equal() { # peer-out sw-dir: charon's newest pair is one of ours, keys equal
  local c ki kr spi; c=$(ss_keys "$2" | grep '^child ' | tail -1)
  ki=$(echo " $c" | grep -o ' encr_i=[0-9a-f]*' | cut -d= -f2)
  kr=$(echo " $c" | grep -o ' encr_r=[0-9a-f]*' | cut -d= -f2)
  spi=$(echo " $c" | grep -o ' spi_in=0x[0-9a-f]*' | cut -d= -f2)
  [ -n "$ki" ] && [ -n "$spi" ] || return 1
  grep "^child .* spi_out=$spi " "$1" | grep -q -e "key_in=$ki key_out=$kr" -e "key_in=$kr key_out=$ki"
}
# charon's hard lifetimes well past the rekeys: a rekey, not an expiry.
LONG_LIFE=(--conn-opt 'over_time = 60s' --child-opt 'life_time = 60s' --child-opt 'rand_time = 0s')
# CHILD_SA rekeys at 4 s and 8 s, the IKE SA's at 6 s: apart, so that
# neither waits for the other (charon queues a CHILD_SA rekey behind an IKE
# SA rekey in flight, which could push it past the window).
d=$work/s8a; out=$work/s8a.out
sw_start "$d" --kernel libipsec --mode tunnel --allow-peer-ts yes --child-opt 'rekey_time = 4s' \
  --conn-opt 'rekey_time = 6s' --conn-opt 'rand_time = 0s' "${LONG_LIFE[@]}"; sw_libipsec_rule
peer "$out" --psk $PSK --tunnel --seconds 10; sleep 0.3
ss_initiate "$d" 3 > /dev/null; sleep 9; wait $PEER_PID
echo "  charon: $(grep -c 'rekeying CHILD_SA\|rekeying IKE_SA\|CHILD_SA lite{[0-9]*} established' "$d/charon.log") rekey/establish lines; ours: $(grep -c '^child ' "$out") children made, $(grep -c '^child-removed' "$out") removed, $(grep -c '^established' "$out") IKE SAs"
check "8a: charon rekeyed the CHILD_SA with us" test "$(grep -c '^child ' "$out")" -ge 2
check "8a: charon rekeyed the IKE SA with us" test "$(grep -c '^established' "$out")" -ge 2
check "8a: old pairs were deleted, one left" \
  test "$(( $(grep -c '^child ' "$out") - $(grep -c '^child-removed' "$out") ))" -le 1
check "8a: the pair charon has now is ours, same keys" newest_child_equal "$out" "$d"
ss_stop "$d"
d=$work/s8b; out=$work/s8b.out
sw_start "$d" --kernel libipsec --mode tunnel --allow-peer-ts yes --rekey-time 0; sw_libipsec_rule
peer "$out" --psk $PSK --tunnel --initiate --child-life 4 --ike-life 6 --seconds 10
wait $PEER_PID
echo "  charon: $(grep -c 'rekeyed\|received REKEY\|CHILD_SA lite{[0-9]*} established' "$d/charon.log") rekey lines; ours: $(grep -c '^child ' "$out") children, $(grep -c '^established' "$out") IKE SAs"
check "8b: we rekeyed the CHILD_SA; charon installed the new pair" \
  sh -c "[ \$(grep -c '^child ' '$out') -ge 2 ] && [ \$(grep -c 'state change: INSTALLING => INSTALLED\|established with SPIs' '$d/charon.log') -ge 2 ]"
check "8b: we rekeyed the IKE SA; charon took it" test "$(grep -c '^established' "$out")" -ge 2
check "8b: the pair charon has now is ours, same keys" newest_child_equal "$out" "$d"
ss_stop "$d"

echo "=== 9. under load we ask for a COOKIE; charon echoes it (2.6)"
d=$work/s9; out=$work/s9.out
sw_start "$d" --kernel netlink --mode transport
peer "$out" --psk $PSK --cookie-threshold 0 --seconds 2; sleep 0.3
ss_initiate "$d" 2 > /dev/null; wait $PEER_PID
check "9: charon came back with the COOKIE and got its IKE SA" \
  sh -c "grep -q 'received COOKIE notify' '$d/charon.log' && grep -q '^established' '$out'"
ss_stop "$d"

echo "=== 11. CHILD_SA rekeys with PFS (KE in CREATE_CHILD_SA)"
d=$work/s11a; out=$work/s11a.out
sw_start "$d" --kernel libipsec --mode tunnel --allow-peer-ts yes --esp aes256gcm16-x25519 \
  --child-opt 'rekey_time = 3s' --rekey-time 0 "${LONG_LIFE[@]}"; sw_libipsec_rule
peer "$out" --psk $PSK --tunnel --seconds 6; sleep 0.3
ss_initiate "$d" 3 > /dev/null; sleep 5; wait $PEER_PID
check "11a: charon rekeyed the CHILD_SA with a KE, we answered" \
  sh -c "grep -q 'parsed CREATE_CHILD_SA request [0-9]* \[ .*KE' '$d/charon.log' || grep -q 'generating CREATE_CHILD_SA request [0-9]* \[ .*KE' '$d/charon.log'; [ \$(grep -c '^child ' '$out') -ge 2 ]"
check "11a: the pair charon has now is ours, same keys (g^ir in KEYMAT)" newest_child_equal "$out" "$d"
ss_stop "$d"
d=$work/s11b; out=$work/s11b.out
sw_start "$d" --kernel libipsec --mode tunnel --allow-peer-ts yes --esp aes256gcm16-x25519 \
  --rekey-time 0 "${LONG_LIFE[@]}"; sw_libipsec_rule
peer "$out" --psk $PSK --tunnel --initiate --pfs x25519 --child-life 3 --seconds 6
wait $PEER_PID
check "11b: we rekeyed the CHILD_SA with a KE, charon took it" \
  sh -c "grep -q 'parsed CREATE_CHILD_SA request [0-9]* \[ .*KE' '$d/charon.log' && [ \$(grep -c '^child ' '$out') -ge 2 ]"
check "11b: the pair charon has now is ours, same keys" newest_child_equal "$out" "$d"
ss_stop "$d"

echo "=== 10. certificates and IKE fragmentation"
pki=$work/pki
sh "$src/tests/ike/make_pki.sh" "$pki" || bad "10: test PKI"
# charon with certificate NAME (NAME.pem/.key) trusting the test CA.
sw_cert_start() { # dir name ss_conf-options...
  local d=$1 nm=$2; shift 2
  ss_conf "$d" --local $B --remote $A --lts "$B[gre]" --rts "$A[gre]" \
    --ike aes256gcm16-prfsha256-x25519 --esp aes256gcm16 --kernel libipsec --mode tunnel \
    --allow-peer-ts yes --local-id "\"O=dmvpnd test, CN=$nm\"" --remote-id %any "$@" || return 1
  cp "$pki/$nm.pem" "$d/x509/"; cp "$pki/ca.pem" "$d/x509ca/"; cp "$pki/$nm.key" "$d/private/"
  sed -i "s/auth = psk/auth = pubkey/; 0,/auth = pubkey/s//auth = pubkey\n      certs = $nm.pem/" \
    "$d/swanctl.conf"
  ss_start ${NS}b "$d" && sw_libipsec_rule
}
sw_auth_ok() { # dir: charon verified our signature
  grep -q "authentication of '.*' with .* successful" "$1/charon.log" &&
    ! grep -q "authentication of '.*' with .* failed" "$1/charon.log"
}
d=$work/s10a; out=$work/s10a.out
sw_cert_start "$d" charon
peer "$out" --cert "$pki/spoke.pem" --key "$pki/spoke.key" --ca "$pki/ca.pem" --tunnel \
  --initiate --seconds 3
ss_wait_sa "$d" 5 child; rc=$?
wait $PEER_PID
check "10a: we (ECDSA P-384) initiated, charon (RSA 4096) answered: both established" \
  sw_has "$d" $rc 'state=INSTALLED mode=TUNNEL'
check "10a: we authenticated charon by its certificate, ID = its subject" \
  grep -q '^established .* auth=cert frag=1 peer_id=O=dmvpnd test, CN=charon$' "$out"
check "10a: charon verified our RFC 7427 signature" sw_auth_ok "$d"
check "10a: charon split its IKE_AUTH answer, we put it together" \
  grep -q 'splitting IKE message .* into [2-9] fragments' "$d/charon.log"
check "10a: IKE keys equal charon's" ike_keys_equal "$out" "$d"
ss_stop "$d"
d=$work/s10b; out=$work/s10b.out
sw_cert_start "$d" charon
peer "$out" --cert "$pki/hub.pem" --key "$pki/hub.key" --ca "$pki/ca.pem" \
  --crl "$pki/crl.pem" --local-id hub.example.net --tunnel --seconds 3; sleep 0.3
ss_initiate "$d" 3; rc=$?; sleep 0.3
wait $PEER_PID
check "10b: charon initiated with its certificate, we answered with ours (FQDN ID)" \
  sw_has "$d" $rc 'state=INSTALLED mode=TUNNEL'
check "10b: we reassembled charon's fragmented IKE_AUTH request" \
  sh -c "grep -q 'splitting IKE message .* into [2-9] fragments' '$d/charon.log' && grep -q '^established .* auth=cert frag=1' '$out'"
check "10b: charon reassembled our fragmented answer and verified it" \
  sh -c "grep -q 'received fragment #[0-9]* of [2-9], reassembled fragmented IKE message' '$d/charon.log' && grep -q \"authentication of 'hub.example.net' with .* successful\" '$d/charon.log'"
check "10b: CHILD_SA keys equal charon's" child_keys_equal "$out" "$d" 0
ss_stop "$d"
d=$work/s10c; out=$work/s10c.out
sw_cert_start "$d" rogue
cp "$pki/rogue-ca.pem" "$d/x509ca/"
peer "$out" --cert "$pki/hub.pem" --key "$pki/hub.key" --ca "$pki/ca.pem" --tunnel --seconds 3
sleep 0.3; ss_initiate "$d" 3; rc=$?; wait $PEER_PID
check "10c: a certificate from another CA is refused, charon told so" \
  sh -c "[ $rc != 0 ] && grep -q '^dead error=certificate_refused' '$out' && grep -q 'received AUTHENTICATION_FAILED notify' '$d/charon.log'"
ss_stop "$d"

echo "=== 7. tshark decrypts scenario 1's IKE_AUTH with our keys"
if [ -s "$work/s1.pcap" ] && [ -s "$work/s1.keys" ]; then
  k=$work/s1.keys
  uat="$(field $k spi_i),$(field $k spi_r),$(field $k sk_ei),$(field $k sk_er),\"AES-GCM-256 with 16 octet ICV [RFC5282]\",,,\"NONE [RFC4306]\""
  dec=$(tshark -r "$work/s1.pcap" -o "uat:ikev2_decryption_table:$uat" -V -Y 'isakmp.exchangetype == 35' 2>/dev/null)
  echo "$dec" | grep -E 'Payload: (Identification|Authentication|Security Association|Traffic Selector)' | sort | uniq -c
  check "7: tshark decrypted IDi/IDr, AUTH, SA and TS in IKE_AUTH" \
    sh -c "echo \"\$0\" | grep -q 'Payload: Identification - Initiator' && echo \"\$0\" | grep -q 'Payload: Traffic Selector - Responder'" "$dec"
  check "7: nothing malformed" test "$(tshark -r "$work/s1.pcap" -o "uat:ikev2_decryption_table:$uat" -Y '_ws.malformed || _ws.expert.severity >= error' 2>/dev/null | wc -l)" -eq 0
else
  bad "7: no capture or keys from scenario 1"
fi

for f in "${FAILED[@]}"; do echo "failed: $f"; done
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
