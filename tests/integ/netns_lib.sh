# Shared helpers for the namespace system tests (sourced, not run).
# Every namespace a test makes carries the run's prefix and is deleted by
# netns_cleanup, which the tests install as an EXIT trap.

NS_PREFIX=${NS_PREFIX:-dmt$$}
PASS=0
FAIL=0
FAILED=()

ok()   { PASS=$((PASS+1)); echo "PASS: $*"; }
bad()  { FAIL=$((FAIL+1)); FAILED+=("$*"); echo "FAIL: $*"; }
check() { # description, command...
  local what=$1; shift
  if "$@"; then ok "$what"; else bad "$what"; return 1; fi
}
nsx() { local ns=$1; shift; ip netns exec "$NS_PREFIX-$ns" "$@"; }

netns_add() { # name
  ip netns add "$NS_PREFIX-$1"
  nsx "$1" ip link set lo up
  nsx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# veth between two namespaces: ns_a if_a  <->  ns_b if_b. Transmit
# checksum offload off at both ends: a kernel would hand TCP and UDP with
# the checksum still to fill in to the node's af_packet port, which
# forwards the packet as it is, and the far host drops it.
veth_link() {
  ip link add "$2" netns "$NS_PREFIX-$1" type veth peer name "$4" netns "$NS_PREFIX-$3"
  nsx "$1" ip link set "$2" up
  nsx "$3" ip link set "$4" up
  nsx "$1" ethtool -K "$2" tx off > /dev/null 2>&1
  nsx "$3" ethtool -K "$4" tx off > /dev/null 2>&1
}

netns_cleanup() {
  local pids
  pids=$(for ns in $(ip netns list | awk '{print $1}' | grep "^$NS_PREFIX-"); do
           ip netns pids "$ns"; done)
  [ -n "$pids" ] && kill -9 $pids 2>/dev/null
  for ns in $(ip netns list | awk '{print $1}' | grep "^$NS_PREFIX-"); do
    ip netns del "$ns"
  done
  # The nodes' EAL runtime directories (their file prefixes are ours).
  rm -rf /var/run/dpdk/"$NS_PREFIX"-* 2>/dev/null || true
}

# A copy of a shipped config with a file prefix unique to this run.
# configs/node.yaml's world: the node between a LAN host (10.0.0.10) and a
# WAN host (192.0.2.10), each routed through it.
#   [lanhost] eth0 ──veth── lan0 [node] wan0 ──veth── eth0 [wanhost]
node_topology() {
  netns_add node; netns_add lanhost; netns_add wanhost
  veth_link node lan0 lanhost eth0
  veth_link node wan0 wanhost eth0
  nsx lanhost ip addr add 10.0.0.10/24 dev eth0
  nsx wanhost ip addr add 192.0.2.10/24 dev eth0
  nsx lanhost ip route add 192.0.2.0/24 via 10.0.0.1
  nsx wanhost ip route add 10.0.0.0/24 via 192.0.2.1
}

# node_start DMVPND CONFIG LOG: dmvpnd in the "node" namespace, its pid in
# $pid; fails (after printing the log) when it does not come up in 30 s.
node_start() {
  ip netns exec "$NS_PREFIX-node" "$1" -c "$2" > "$3" 2>&1 &
  pid=$!
  wait_for_log "$3" "running" 30 && return 0
  bad "dmvpnd did not start"; cat "$3"; return 1
}

config_for_run() { # src dst
  sed -E "s/^(\s*file-prefix:).*/\1 $NS_PREFIX-$(basename "$1" .yaml)/" "$1" > "$2"
  grep -q "file-prefix: $NS_PREFIX" "$2" || {
    printf 'eal:\n  file-prefix: %s\n' "$NS_PREFIX-$(basename "$1" .yaml)" >> "$2"; }
}

wait_for_log() { # file pattern seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# Stop a node with SIGTERM and wait for a clean exit; returns its status.
node_stop() { # pid seconds
  kill -TERM "$1" 2>/dev/null || return 1
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    kill -0 "$1" 2>/dev/null || { wait "$1"; return $?; }
    sleep 0.1
  done
  kill -9 "$1"; wait "$1"; return 124
}

summary() {
  local f
  for f in "${FAILED[@]}"; do echo "failed: $f"; done
  echo "$PASS passed, $FAIL failed"
  [ "$FAIL" -eq 0 ]
}
