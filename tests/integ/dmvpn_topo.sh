# The hub-and-two-spokes topology shared by the DMVPN system test and the
# demo (sourced after netns_lib.sh):
#
#  [lan0h] 10.0.0.10 ── lan0 [hub] wan0 192.0.2.1 ──┐
#                                                  [inet: bridge br0] (capture here)
#  [lan1h] 10.1.0.10 ── lan0 [spoke1] wan0 192.0.2.11 ─┤
#  [lan2h] 10.2.0.10 ── lan0 [spoke2] wan0 192.0.2.12 ─┘
#  overlay 10.255.0.0/24: hub .1, spoke1 .11, spoke2 .12
#
# No namespace has a route out: hosts only know 10.0.0.0/8 via their node.

DMVPN_NODES="hub spoke1 spoke2"

dmvpn_topo_up() {
  local n i=0
  topo_inet_up
  for n in $DMVPN_NODES; do
    topo_node_up "$n" "$( [ "$n" = hub ] && echo lan0h || echo "lan${n#spoke}h" )" "10.$i.0"
    i=$((i+1))
  done
}

# topo_inet_up: the "internet" namespace and its bridge br0.
topo_inet_up() {
  netns_add inet
  nsx inet ip link add br0 type bridge
  nsx inet ip link set br0 up
}

# topo_node_up NODE HOST LAN: NODE's wan0 on br0, its lan0 to the
# namespace HOST, which has LAN.10/24 and routes 10.0.0.0/8 via LAN.1.
topo_node_up() {
  netns_add "$1"; netns_add "$2"
  veth_link "$1" wan0 inet "$1-wan"
  nsx inet ip link set "$1-wan" master br0
  veth_link "$1" lan0 "$2" eth0
  nsx "$2" ip addr add "$3.10/24" dev eth0
  nsx "$2" ip route add 10.0.0.0/8 via "$3.1"
}

# config_for_dmvpn SRC DST PHASE HOLDTIME: a shipped config with a unique
# file prefix, the phase and holdtime under test, and for phase 2 spokes a
# route to the other spoke's LAN via its overlay address.
config_for_dmvpn() {
  local src=$1 dst=$2 phase=$3 hold=$4 name
  name=$(basename "$src" .yaml)
  config_for_run "$src" "$dst"
  sed -i -E "s/^(\s*phase:).*/\1 $phase/; s/^(\s*holdtime:)\s*[0-9]+/\1 $hold/" "$dst"
  if [ "$phase" = 2 ] && [ "$name" = spoke1 ]; then
    sed -i '/^routes:/a\  - prefix: 10.2.0.0/24\n    via: 10.255.0.12' "$dst"
  elif [ "$phase" = 2 ] && [ "$name" = spoke2 ]; then
    sed -i '/^routes:/a\  - prefix: 10.1.0.0/24\n    via: 10.255.0.11' "$dst"
  fi
}

# config_add_esp CONFIG KEYLOG: protection esp with the lab group key (no
# ESN: tshark 4.0 decrypts ESP without it only) and a Wireshark key log.
DMVPN_TEST_GROUP_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
config_add_esp() {
  sed -i "/^  nhrp-authentication:/a\\  protection: esp\n  esp:\n    algorithm: aes-gcm-128\n    esn: false\n    keying: group-key\n    group-key: \"$DMVPN_TEST_GROUP_KEY\"\n    key-log: $2" "$1"
}

# config_add_esp_ike CONFIG ESP-KEYLOG IKE-KEYLOG: protection esp keyed by
# IKE-lite with a PSK (ESP AES-GCM-128 without ESN, which tshark 4.0
# decrypts), the ESP and IKE keys in Wireshark's key tables. IKE_EXTRA:
# more esp.ike keys, each line "\n      key: value" (certificates, peers).
DMVPN_TEST_PSK=dmvpnd-test-psk-0123456789
config_add_esp_ike() { # CONFIG ESP-KEYLOG IKE-KEYLOG
  sed -i "/^  nhrp-authentication:/a\\  protection: esp\n  esp:\n    algorithm: aes-gcm-128\n    esn: false\n    keying: ike\n    key-log: $2\n    ike:\n      psk: \"$DMVPN_TEST_PSK\"\n      key-log: $3\n      child-lifetime: ${IKE_CHILD_LIFE:-3600}\n      lifetime: ${IKE_LIFE:-14400}${IKE_EXTRA:-}" "$1"
}

# dmvpn_start_all WORK PHASE HOLD [HOOK]: every node from its shipped config
# (in WORK, logs there too), pids in the caller's PID array; HOOK NODE
# CONFIG may edit a config first. Fails when a node does not come up.
dmvpn_start_all() {
  local n
  for n in $DMVPN_NODES; do
    config_for_dmvpn "$src/configs/$n.yaml" "$1/$n.yaml" "$2" "$3"
    [ -n "${4:-}" ] && "$4" "$n" "$1/$n.yaml"
    if dmvpn_node_start "$n" "$1/$n.yaml" "$1/$n.log"; then PID[$n]=$NODE_PID
    else bad "$n did not start"; cat "$1/$n.log"; return 1; fi
  done
}

# dmvpn_wait_spokes: until the hub lists both spokes (20 s at most).
dmvpn_wait_spokes() {
  local i out
  for ((i = 0; i < 100; i++)); do
    out=$(nsx hub /usr/bin/python3 "$src/tests/integ/cli_client.py" 'show dmvpn' 2> /dev/null)
    echo "$out" | grep -q ' 10.255.0.11 ' && echo "$out" | grep -q ' 10.255.0.12 ' && return 0
    sleep 0.2
  done
  return 1
}

# dmvpn_node_start NODE CONFIG LOG -> pid in $NODE_PID
dmvpn_node_start() {
  ip netns exec "$NS_PREFIX-$1" "$DMVPND" -c "$2" > "$3" 2>&1 &
  NODE_PID=$!
  wait_for_log "$3" "running" 30
}

# ---- several hubs (test_dual_hub.sh, test_hub_scaleout.sh): the caller
# fills WAN, OV and LAN (arrays by node name) and sets work.

# topo_node_cli NODE COMMAND...: the node's CLI.
topo_node_cli() { local n=$1; shift; nsx "$n" /usr/bin/python3 "$src/tests/integ/cli_client.py" "$@"; }
# topo_wait SECONDS COMMAND...: until COMMAND succeeds, polled every 0.2 s.
topo_wait() {
  local i n=$(( $1 * 5 )); shift
  for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.2; done
  return 1
}
# topo_received PING-OUTPUT: how many replies ping counted.
topo_received() { sed -n 's/.* \([0-9]*\) received.*/\1/p' <<< "$1" | head -1; }

# topo_node_yaml NODE: $work/NODE.yaml from the shipped hub or spoke1
# config with NODE's addresses and no static routes.
topo_node_yaml() {
  local n=$1 base=hub
  [ "${n#spoke}" != "$n" ] && base=spoke1
  sed -E -e "s/^(\s*name:) (hub|spoke1)$/\1 $n/" \
    -e "s/^(\s*file-prefix:).*/\1 $NS_PREFIX-$n/" \
    -e "s#address: 192\.0\.2\.1?1?/24#address: ${WAN[$n]}/24#" \
    -e "s#address: 10\.[01]\.0\.1/24#address: ${LAN[$n]}.1/24#" \
    -e "s#address: 10\.255\.0\.1?1?/24#address: ${OV[$n]}/24#" \
    -e '/^routes:/,/^$/d' "$src/configs/$base.yaml" > "$work/$n.yaml"
}

# topo_node_run NODE: dmvpnd on $work/NODE.yaml, logging to $work/NODE.log,
# its pid in PID[NODE]; fails when it does not come up.
topo_node_run() {
  ip netns exec "$NS_PREFIX-$1" "$DMVPND" -c "$work/$1.yaml" >> "$work/$1.log" 2>&1 &
  PID[$1]=$!
  wait_for_log "$work/$1.log" "running" 30
}
