# Shared by the system tests against the FRR/strongSwan interop oracle
# (shared/oracle: Linux mGRE + FRR nhrpd + strongSwan in QEMU guests on the
# bridge br-wan in netns oracle-wan): test_frr_oracle.sh (cleartext GRE)
# and the IKEv2 + ESP ones, test_frr_oracle_ipsec.sh (dmvpnd as the hub)
# and test_frr_oracle_ipsec_spoke.sh (dmvpnd as a spoke). Sourced, not run.
#
# The test sets DMVPND and src, then calls oracle_init TAG; this
#   - exits 77 (meson: SKIP) under a sanitizer build: guests under TCG are
#     too slow to run twice, they run once, on the release build;
#   - sources netns_lib.sh (check, ok, bad, summary, nsx ...);
#   - finds the oracle (${DMVPND_ORACLE:-$src/../shared/oracle}; missing is
#     a failure) and refuses to touch it while it runs guests;
#   - makes $work and installs the EXIT trap that tears everything down
#     (dmvpnd, guests, netns oracle-wan, our namespaces, the DPDK runtime
#     directories); KEEP=1 keeps $work.
# oracle_up then builds the image (cached: ~1 s) and brings up the underlay
# with the veth prod0 dmvpnd runs on.

oracle_init() { # TAG (the name say prints)
  ORACLE_TAG=$1
  if ldd "$DMVPND" 2> /dev/null | grep -q 'lib\(a\|ub\)san' || [[ "$DMVPND" == *build-asan* ]]; then
    echo "SKIP: $DMVPND is a sanitizer build; the FRR oracle tests run on the release build only"
    exit 77
  fi
  . "$src/tests/integ/netns_lib.sh"
  ORACLE=${DMVPND_ORACLE:-$src/../shared/oracle}
  SV=$ORACLE/spoke-vm.sh
  ONS=${ORACLE_NETNS:-oracle-wan}
  T0=$(date +%s)
  if [ ! -x "$SV" ] || [ ! -x "$ORACLE/build.sh" ]; then
    bad "the FRR interop oracle is missing: no $SV (set DMVPND_ORACLE to shared/oracle)"
    summary; exit 1
  fi
  if [ "$("$SV" status 2> /dev/null | grep -c ' running ')" != 0 ]; then
    bad "the oracle is in use (spoke-vm.sh status lists running guests); not touching it"
    "$SV" status; summary; exit 1
  fi
  work=$(mktemp -d)
  DPID=""      # the dmvpnd node running now
  trap oracle_cleanup EXIT
  trap 'exit 143' TERM INT HUP
}

oracle_cleanup() {
  [ -n "$DPID" ] && { kill -TERM "$DPID" 2> /dev/null; sleep 1; kill -9 "$DPID" 2> /dev/null; }
  "$SV" net-down > "$work/net-down.log" 2>&1
  netns_cleanup
  rm -rf /var/run/dpdk/"$NS_PREFIX"-* 2> /dev/null
  if [ "${KEEP:-0}" = 1 ]; then echo "work directory kept: $work"; else rm -rf "$work"; fi
}

say() { echo "[$ORACLE_TAG +$(( $(date +%s) - T0 ))s] $*"; }

oracle_up() { # the image, the underlay, the veth prod0 for dmvpnd
  say "oracle: $ORACLE; image: $ORACLE/build.sh"
  if ! "$ORACLE/build.sh" > "$work/build.log" 2>&1; then
    bad "the oracle's build.sh failed"; tail -20 "$work/build.log"; summary; exit 1
  fi
  ip netns list | grep -qw "^$ONS" && "$SV" net-down > /dev/null 2>&1   # a stale, idle one
  "$SV" net-up
  "$SV" add-port prod0
}

# ------------------------------------------------------------------ helpers
onsx() { ip netns exec "$ONS" "$@"; }
cli() { onsx /usr/bin/python3 "$src/tests/integ/cli_client.py" "$@"; }
gx() { "$SV" exec "$@"; }                       # gx NODE 'shell command' (in the guest)
vt() { local n=$1; shift; local c a=(); for c in "$@"; do a+=(-c "$c"); done
       gx "$n" "$(printf 'vtysh'; printf ' %q' "${a[@]}")"; }
wait_until() { # seconds command... : poll every 0.5 s
  local end=$(( $(date +%s) + $1 )); shift
  while :; do
    "$@" > /dev/null 2>&1 && return 0
    [ "$(date +%s)" -ge "$end" ] && return 1
    sleep 0.5
  done
}
# show nhrp stats: stat OUTPUT TYPE COLUMN (2 sent, 3 received, 4 errors); drop OUTPUT REASON
stat() { awk -v t="$2" -v c="$3" '$1 == t {print $c; f = 1} END {if (!f) print 0}' <<< "$1"; }
drop() { awk -v t="$2" '$1 == t {print $2; f = 1} END {if (!f) print 0}' <<< "$1"; }
ge() { [ "${1:-0}" -ge "$2" ] 2> /dev/null; }   # ge N MIN
received() { local n; n=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<< "$1" | head -1); echo "${n:-0}"; }
tcount() { tshark -r "$1" -Y "$2" 2> /dev/null | wc -l; }
hub_lists() { # overlay... : the hub's show dmvpn lists them all
  local o a; o=$(cli 'show dmvpn' 2> /dev/null) || return 1
  for a in "$@"; do grep -q " $a " <<< "$o" || return 1; done
}
log_has() { grep -q "$2" "$1"; }
h_route() { cli 'show ip route' 2> /dev/null | grep -Eq "^H +$1 via $2"; }   # prefix-re via-re: dmvpnd's shortcut route
both() { "$1" "$2" "$3" && "$1" "$4" "$5"; }   # both ge A 1 B 1
eq() { [ "${1:-x}" = "$2" ]; }
# An FRR spoke has the hub as its NHS, up (show ip nhrp nhs, cache).
frr_has_nhs() { # node
  gx "$1" 'vtysh -c "show ip nhrp nhs" | grep -q " 10.255.0.1 *$" && vtysh -c "show ip nhrp cache" | grep -qE "nhs +10.255.0.1 +198.51.100.1"'
}
# An FRR spoke has a shortcut to another (show ip nhrp shortcut, cache dynamic).
frr_has_shortcut() { # node overlay nbma
  gx "$1" "vtysh -c 'show ip nhrp shortcut' | grep -q '$2/32' && vtysh -c 'show ip nhrp cache' | grep -qE 'dynamic +$2 +$3'"
}

# One line per NHRP packet: time, outer src > dst, type, src/dst protocol
# address, first CIE code, error code. nhrp_summary PCAP [tshark options...]
nhrp_summary() {
  local f=$1; shift
  tshark -r "$f" "$@" -Y nhrp -T fields -E occurrence=f -E separator=' ' \
    -e frame.time_relative -e ip.src -e ip.dst -e nhrp.hdr.op.type -e nhrp.src.prot.addr \
    -e nhrp.dst.prot.addr -e nhrp.code -e nhrp.err.code 2> /dev/null |
  awk 'BEGIN { split("res-request res-reply reg-request reg-reply purge-request purge-reply error-ind traffic-ind", n, " ") }
       { printf "  %8.3f %-15s > %-15s %-13s %s > %s%s%s\n", $1, $2, $3, n[$4], $5, $6,
                ($7 != "" ? " code " $7 : ""), ($8 != "" ? " error " $8 : "") }'
}

# dmvpnd configs: write_cfg FILE NAME ROLE PORTS-YAML TUNNEL-ADDRESS TUNNEL-EXTRA ROUTES-YAML
write_cfg() {
  cat > "$1" << EOF
node:
  name: $2
  role: $3
lcores:
  main: 0
  workers: [1]
  poll-sleep-us: adaptive
eal:
  memory: no-huge
  size-mb: 256
  file-prefix: $NS_PREFIX-$2
  log-level: info
ports:
$4
tunnel:
  name: tunnel0
  address: $5
  gre-key: 42
  network-id: 1
  holdtime: 30
  phase: 3
$6
$7
cli:
  telnet:
    address: 127.0.0.1
    port: 2323
  users:
    - name: admin   # the demo user of configs/hub.yaml (password "dmvpnd")
      password-hash: "\$6\$v.GVuxiCVZSPfhZJ\$BJzaw0nPwRaLc1RXnKOQlStHF8wCIzaS1gGNb1DjEYmgfNZQjjBOKajH3DtMKT.ns.QMaX3a5/eo61M8Z05Zk1"
limits:
  max-peers: 1024
  max-routes: 1024
EOF
}
WAN_HUB='  - name: wan0
    devargs: "net_af_packet0,iface=prod0"
    role: wan
    address: 198.51.100.1/24'
# A dmvpnd spoke 198.51.100.13 / 10.255.0.13 with a LAN 10.13.0.0/23 on
# the veth lan13 (lan_host_up), the FRR hub 198.51.100.1 as its NHS.
WAN_SPOKE='  - name: wan0
    devargs: "net_af_packet0,iface=prod0"
    role: wan
    address: 198.51.100.13/24
  - name: lan0
    devargs: "net_af_packet1,iface=lan13"
    role: lan
    address: 10.13.0.1/23'
NHS='  nhs:
    - nbma: 198.51.100.1
      address: 10.255.0.1'
ROUTES='routes:
  - prefix: 10.0.0.0/8
    via: 10.255.0.1'
# The LAN host behind that spoke: netns <prefix>-lanh, 10.13.0.10 and
# 10.13.1.10, veth eth0 <-> lan13 in the oracle's netns.
lan_host_up() {
  netns_add lanh
  ip link add lan13 netns "$ONS" type veth peer name eth0 netns "$NS_PREFIX-lanh"
  onsx ip link set lan13 up
  nsx lanh ip link set eth0 up
  nsx lanh ip addr add 10.13.0.10/23 dev eth0
  nsx lanh ip addr add 10.13.1.10/23 dev eth0
  nsx lanh ip route add 10.0.0.0/8 via 10.13.0.1
}
check_cfgs() { # name... : each $work/NAME.yaml loads (dmvpnd --check)
  local f
  for f in "$@"; do
    "$DMVPND" --check -c "$work/$f.yaml" > /dev/null || { bad "config $f.yaml does not load"; summary; exit 1; }
  done
}

dmvpnd_start() { # config log
  local i
  ip netns exec "$ONS" "$DMVPND" -c "$1" > "$2" 2>&1 &   # not through a function: $! is dmvpnd
  DPID=$!
  for ((i = 0; i < 300; i++)); do
    grep -q ') running: ' "$2" && return 0
    kill -0 "$DPID" 2> /dev/null || break
    sleep 0.1
  done
  bad "dmvpnd did not start on $1"; tail -20 "$2"; return 1
}
dmvpnd_stop() { # what
  local rc=0
  [ -n "$DPID" ] || return 0
  node_stop "$DPID" 10 || rc=$?
  DPID=""
  check "$1 stopped cleanly" test "$rc" -eq 0
}
boot() { # name VAR=value... : boots one oracle node (IPSEC=0 unless given), log in $work/boot-NAME.log
  local n=$1; shift
  if env IPSEC=0 "$@" "$SV" start "$n" > "$work/boot-$n.log" 2>&1; then
    tail -1 "$work/boot-$n.log"
  else
    echo "boot of $n failed:"; tail -20 "$work/boot-$n.log"; return 1
  fi
}
boot_wait() { # pid name
  wait "$1"; check "oracle node $2 booted" test $? -eq 0
}

# ------------------------------------------------------------------ IPsec
# For the tests that key with IKE. ipsec_init (after oracle_init) sets
#   PSK, IKE_PROP   the DMVPN's key (>= 16 bytes: dmvpnd refuses shorter
#                   ones) and the oracle's IKE proposal;
#   ESPLOG, IKELOG  dmvpnd's esp.key-log (Wireshark esp_sa) and
#                   esp.ike.key-log (ikev2_decryption_table);
#   CAP             the capture of br-wan;
#   OIPSEC          the oracle nodes' settings: IPSEC_MODE=trap (a wildcard
#                   transport-mode trap policy for GRE), charon's keys logged;
#   ESP_YAML        dmvpnd's tunnel keys: ESP aes-gcm-256 without ESN (the
#                   oracle's aes256gcm16), keying: ike, both key logs.
ipsec_init() {
  PSK=dmvpnd-oracle-ipsec-psk-0123
  IKE_PROP=aes256gcm16-prfsha256-modp2048
  ESPLOG=$work/esp-keys.txt
  IKELOG=$work/ike-keys.txt
  CAP=$work/underlay.pcap
  OIPSEC=(IPSEC=1 IPSEC_MODE=trap PSK="$PSK" IKE_PROPOSALS="$IKE_PROP" ESP_PROPOSALS=aes256gcm16 KEYLOG=1)
  ESP_YAML="  protection: esp
  esp:
    algorithm: aes-gcm-256
    esn: false
    keying: ike
    key-log: $ESPLOG
    ike:
      psk: \"$PSK\"
      proposals: [$IKE_PROP]
      key-log: $IKELOG"
}

# Certificates instead of the PSK (after ipsec_init): a test CA and
# certificates made with openssl (tests/ike/make_pki.sh) in $PKI; dmvpnd
# signs with NAME.pem (ESP_YAML changed to auth: cert), trusts the CA and
# fragments large IKE messages (RFC 7383, as charon does by default).
ipsec_certs() { # NAME
  PKI=$work/pki
  sh "$src/tests/ike/make_pki.sh" "$PKI" || { bad "test PKI"; return 1; }
  ESP_YAML=${ESP_YAML/psk: \"$PSK\"/cert: $PKI/$1.pem
      key: $PKI/$1.key
      ca: $PKI/ca.pem}
}
# A booted guest's charon signs with the test CA's NAME.pem instead of the
# PSK (local and remote auth = pubkey; its ID becomes the subject DN) and
# trusts the CA; SAs it has keep going, new ones use the certificates.
oracle_certify() { # node NAME
  local b64c b64k b64a
  b64c=$(base64 -w0 "$PKI/$2.pem"); b64k=$(base64 -w0 "$PKI/$2.key"); b64a=$(base64 -w0 "$PKI/ca.pem")
  gx "$1" "cd /etc/swanctl && mkdir -p x509 x509ca private &&
    echo $b64c | base64 -d > x509/node.pem && echo $b64a | base64 -d > x509ca/ca.pem &&
    (umask 077; echo $b64k | base64 -d > private/node.key) &&
    sed -i 's/auth = psk/auth = pubkey/; 0,/auth = pubkey/s//auth = pubkey\n         certs = node.pem/' conf.d/dmvpn.conf &&
    swanctl --load-all --noprompt --uri unix:///run/charon.vici" > "$work/certify-$1.log" 2>&1
}

# A guest's charon has an ESTABLISHED IKE SA with PEER and an INSTALLED,
# TRANSPORT CHILD_SA under it (swanctl --list-sas).
sw_up() { # node peer-nbma
  gx "$1" 'swanctl --list-sas 2> /dev/null' |
    awk -v p="@ $2[" '/^[^ ]/ {e = /ESTABLISHED/; r = 0}
                      e && index($0, "remote ") && index($0, p) {r = 1}
                      r && /INSTALLED, TRANSPORT/ {ok = 1} END {exit !ok}'
}
ike_up() { # nbma... : dmvpnd's show crypto ikev2 sa lists each established
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
# Packets of the capture that match a display filter.
th() { local f=$1; shift; tshark -r "$CAP" "$@" -Y "$f" 2> /dev/null | wc -l; }   # th FILTER [options]
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
all_in() { # file-of-needles file-of-haystack : every line of the first is a line of the second
  [ -s "$1" ] && ! grep -vxFf "$2" "$1" | grep -q .
}
# K: the ESP keys dmvpnd logged for its SAs with NODE equal charon's there
# (in its log, and in the kernel's xfrm states unless an SA went since:
# pass "logged" to check only the log). Needs `spoke-vm.sh keys NODE
# $work/keys-NODE` first.
check_esp_keys() { # node nbma [logged]
  local n=$1 a=$2 k=$work/keys-$1
  charon_child_keys "$k/charon.log" > "$k/charon-child-keys.txt"
  grep -F "\"$a\"" "$ESPLOG" > "$k/dmvpnd-sas.txt"
  cut -d, -f6 "$k/dmvpnd-sas.txt" | tr -d '"' | sed 's/^0x//' > "$k/dmvpnd-keys.txt"
  echo "dmvpnd's ESP keys for its SAs with $n (esp.key-log):"; sed 's/^/  /' "$k/dmvpnd-keys.txt"
  echo "charon's CHILD_SA encryption keys ($n's charon.log):"; sed 's/^/  /' "$k/charon-child-keys.txt"
  check "K: dmvpnd logged an inbound and an outbound SA with $n ($(wc -l < "$k/dmvpnd-keys.txt") keys, 72 hex digits each)" \
    sh -c "[ \$(grep -cxE '[0-9a-f]{72}' '$k/dmvpnd-keys.txt') -ge 2 ]"
  check "K: every ESP key dmvpnd logged for $n is a CHILD_SA key charon logged" \
    all_in "$k/dmvpnd-keys.txt" "$k/charon-child-keys.txt"
  [ "${3:-}" = logged ] && return
  check "K: ... and equals the kernel's xfrm state on $n (same SPI, addresses, algorithm, key)" \
    all_in "$k/dmvpnd-sas.txt" "$k/esp_sa"
}
# "SPIi,SPIr,SK_ei,SK_er" (bare lowercase hex) of each IKE SA charon
# logged (ike = 4), as initiator or responder: a responder's lines carry
# no connection name yet ("<1>", not "<dmvpn|1>"), which keys2wireshark
# skips, so its ikev2_decryption_table misses those SAs.
charon_ike_keys() { # charon.log
  awk '$5 ~ /^<.*>$/ { u = $5; sub(/^<([^|>]*[|])?/, "", u); sub(/>$/, "", u) }
       ($6 == "Sk_ei" || $6 == "Sk_er") && $7 == "secret" { k = u SUBSEP $6; left = $9 + 0; next }
       left > 0 && $6 ~ /^[0-9]+:$/ {   # 16 bytes a line, then the ASCII column
         for (i = 7; i < 23 && left > 0; i++) { h[k] = h[k] $i; left-- } next }
       { left = 0 }
       / with SPIs [0-9a-f]+_i [0-9a-f]+_r/ {
         for (i = 1; i < NF; i++) if ($i == "SPIs") { si = $(i + 1); sr = $(i + 2) }
         id = $0; sub(/ with SPIs .*/, "", id); sub(/.*\[/, "", id); sub(/\].*/, "", id)
         sub(/_i$/, "", si); sub(/_r$/, "", sr)
         if (sr !~ /^0+$/) spi[id] = si "," sr }
       END { for (id in spi) if ((id SUBSEP "Sk_ei") in h && (id SUBSEP "Sk_er") in h)
               print spi[id] "," tolower(h[id SUBSEP "Sk_ei"]) "," tolower(h[id SUBSEP "Sk_er"]) }' "$1"
}
check_ike_keys() { # node : the SPIs and SK_e keys of one of dmvpnd's IKE SAs are charon's
  charon_ike_keys "$work/keys-$1/charon.log" > "$work/keys-$1/charon-ike-keys.txt"
  check "K: the IKE SA keys dmvpnd logged equal $1's charon's (SPIs, SK_ei, SK_er of one SA)" \
    sh -c "cut -d, -f1-4 '$IKELOG' | grep -qxFf '$work/keys-$1/charon-ike-keys.txt'"
}
# One line per IKE message on the wire: time, addresses, exchange type,
# response flag, payload types.
ike_summary() { # [tshark options...]
  tshark -r "$CAP" "$@" -Y isakmp -T fields -E separator=' ' -e frame.time_relative -e ip.src \
    -e ip.dst -e isakmp.exchangetype -e isakmp.flag_r -e isakmp.typepayload 2> /dev/null | head -40
}
# The first decrypted IKE_AUTH that matches FILTER, in one line: TS counts
# (TSi,TSr), protocols, start and end ports, notify types.
auth_ts() { # filter [tshark options...]
  local f=$1; shift
  tshark -r "$CAP" "$@" -Y "isakmp.exchangetype == 35 && isakmp.auth.method && $f" -T fields \
    -e isakmp.ts.number -e isakmp.ts.protoid -e isakmp.ts.start_port -e isakmp.ts.end_port \
    -e isakmp.notify.msgtype 2> /dev/null | head -1 | tr '\t' ' '
}
# The guests' keys (spoke-vm.sh keys: charon.log, ip xfrm state) into
# $work/keys-NODE; the capture ends and the guests stop (in the
# background: ipsec_end waits); DMVPND_O and ALL_O are the tshark options
# with dmvpnd's key logs alone and with every key; the IKE and NHRP on the
# wire, decrypted with every key.
ipsec_collect() { # node...
  local s
  say "--- keys: the guests' (spoke-vm.sh keys: charon.log, ip xfrm state)"
  for s in "$@"; do
    "$SV" keys "$s" "$work/keys-$s" 2>&1 | tail -1
  done
  "$SV" capture-stop
  STOPPING=()
  for s in "$@"; do
    "$SV" stop "$s" > "$work/stop-$s.log" 2>&1 &
    STOPPING+=($!)
  done
  mapfile -t DMVPND_O < <(key_opts "$ESPLOG" -- "$IKELOG")
  mapfile -t ALL_O < <(key_opts "$ESPLOG" "$work"/keys-*/esp_sa -- "$IKELOG" "$work"/keys-*/ikev2_decryption_table)
  say "IKE on the wire"
  ike_summary "${ALL_O[@]}"
  say "NHRP, decrypted with all keys"
  nhrp_summary "$CAP" "${ALL_O[@]}" | head -60
}
# The end of the test: the guests stopped, what failed explained, dmvpnd
# stopped, the tally.
ipsec_end() { # dmvpnd-log what node...
  local log=$1 what=$2; shift 2
  wait "${STOPPING[@]}"
  [ "$FAIL" -gt 0 ] && ipsec_dump "$log" "$@"
  dmvpnd_stop "$what"
  say "done in $(( $(date +%s) - T0 ))s"
  summary
}
# After a failure: dmvpnd's IKE view and log, the guests' charon logs, the
# IKE exchanges decrypted with every key.
ipsec_dump() { # dmvpnd-log node...
  local s log=$1; shift
  echo "--- dmvpnd's IKE view"
  cli 'show crypto ikev2 sa detail' 'show crypto ikev2 stats' 'show crypto ipsec sa' 'show interfaces'
  echo "--- dmvpnd log (IKE, ESP, NHRP, warnings; last 60)"
  grep -E 'ike|esp|nhrp|WARN|ERR' "$log" | tail -60
  for s in "$@"; do
    echo "--- $s charon.log (exchanges, errors; last 40)"
    grep -E 'generating|parsed|failed|error|NO_PROP|AUTHENTICATION|INVALID|retransmit|establish|install' \
      "$work/keys-$s/charon.log" 2> /dev/null | tail -40
  done
  echo "--- IKE on the wire, decrypted (all keys)"
  tshark -r "$CAP" "${ALL_O[@]}" -Y isakmp -V 2> /dev/null |
    grep -E '^Frame|Internet Protocol|Exchange type|Flags|Payload: |Notify Message Type|Protocol ID|Start Port|End Port' | head -120
}
