# Shared by the system tests against the FRR/strongSwan interop oracle
# (shared/oracle: Linux mGRE + FRR nhrpd + strongSwan in QEMU guests on the
# bridge br-wan in netns oracle-wan): test_frr_oracle.sh (cleartext GRE)
# and test_frr_oracle_ipsec.sh (IKEv2 + ESP). Sourced, not run.
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
