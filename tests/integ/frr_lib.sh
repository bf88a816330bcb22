# FRR daemons (Debian's frr package) inside a test's namespaces, beside the
# dmvpnd node there (sourced after netns_lib.sh). Each node's daemons get a
# path space of their own (-N): sockets and pid files under
# /var/run/frr/$NS_PREFIX-NODE, its config and log in the test's WORK.

FRR_DIR=/usr/lib/frr
# ospfd keeps its graceful-restart state in one file outside any path
# space; a run that made it takes it away again.
FRR_GR=/var/run/frr/ospfd-gr.json
[ -e "$FRR_GR" ] && FRR_GR_KEEP=1 || FRR_GR_KEEP=0

# frr_start NODE CONFIG DAEMON...: zebra, then each daemon (bgpd, ospfd)
# on CONFIG; fails when one does not come up.
frr_start() {
  local n=$1 conf=$2 d ps="$NS_PREFIX-$1"
  shift 2
  mkdir -p "/var/run/frr/$ps"
  # The daemons run as the frr user: their config, the directory it is in
  # and the log the config names must be theirs to read and write.
  chmod 755 "$(dirname "$conf")"
  sed -n 's/^log file \([^ ]*\).*/\1/p' "$conf" | while read -r l; do touch "$l"; chown frr:frr "$l"; done
  chown frr:frr "/var/run/frr/$ps" "$conf"
  for d in zebra "$@"; do
    nsx "$n" "$FRR_DIR/$d" -d -N "$ps" -f "$conf" -i "/var/run/frr/$ps/$d.pid" \
      -A 127.0.0.1 -P 0 > "$(dirname "$conf")/frr-$n-$d.out" 2>&1 || return 1
  done
}

# vty NODE COMMAND...: vtysh in the node's path space, one -c per command.
vty() {
  local n=$1 c a=()
  shift
  for c in "$@"; do a+=(-c "$c"); done
  nsx "$n" vtysh -N "$NS_PREFIX-$n" "${a[@]}" 2> /dev/null
}

# frr_cleanup: every path space of this run (the daemons die with their
# namespaces' processes in netns_cleanup), and ospfd's state file.
frr_cleanup() {
  rm -rf /var/run/frr/"$NS_PREFIX"-* 2> /dev/null || true
  [ "$FRR_GR_KEEP" = 1 ] || rm -f "$FRR_GR"
}
