#!/usr/bin/env bash
# DMVPN end to end, for phases 3, 2 and 1 (PHASES="3" to pick), on the
# topology in dmvpn_topo.sh: both spokes register; the LAN hosts behind the
# spokes ping each other; a capture on the underlay bridge shows the path:
# first via the hub, then (phases 2 and 3) spoke to spoke, never in phase 1;
# tshark dissects every NHRP packet without a malformed one; multicast sent
# on the nodes' kernel tunnel interfaces is replicated hub -> spokes and
# spoke -> hub. Then spoke2 dies:
# its hub entry expires after the holdtime and spoke1's shortcut goes; it
# comes back, re-registers and traffic recovers. Needs root.
set -u
DMVPND=${1:?usage: test_dmvpn_netns.sh path/to/dmvpnd}
src=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/integ/netns_lib.sh"
. "$src/tests/integ/dmvpn_topo.sh"
HOLD=${HOLD:-8}
work=$(mktemp -d /tmp/dmvpn-test.XXXXXX)
trap 'netns_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
declare -A PID

ESP=${ESP:-0}   # ESP=1: the same test with protection esp (lab group key);
                # ESP=ike: keyed by IKE-lite (certificates and PSK),
                # spoke-to-spoke SAs on demand
[ "$ESP" = ike ] && { sh "$src/tests/ike/make_pki.sh" "$work/pki" || echo "FAIL: test PKI"; }
cli() { local n=$1; shift; nsx "$n" /usr/bin/python3 "$src/tests/integ/cli_client.py" "$@"; }
# tshark decrypting ESP with the keys the nodes logged (esp.key-log).
tshark_opts() {
  [ "$ESP" != 0 ] || return 0
  printf '%s\n' -o esp.enable_encryption_decode:TRUE -o esp.enable_authentication_check:TRUE
  sort -u "$work"/keys-*.txt 2> /dev/null | while read -r line; do printf '%s\n' -o "uat:esp_sa:$line"; done
}
count() {
  local -a o; mapfile -t o < <(tshark_opts)
  tshark -r "$work/cap.pcap" "${o[@]}" -Y "$1" 2>/dev/null | wc -l
}

# ESP=ike authenticates both ways: the hub and spoke1 by certificates (the
# hub's RSA-4096 IKE_AUTH in fragments), spoke2 by the PSK, which the hub
# and spoke1 give it by a peers entry.
ike_auth_lines() { # node
  local pk=$work/pki peer2="\n      peers:\n        - address: 192.0.2.12\n          auth: psk"
  case $1 in
  hub) printf '%s' "\n      cert: $pk/hub.pem\n      key: $pk/hub.key\n      ca: $pk/ca.pem\n      crl: $pk/crl.pem$peer2" ;;
  spoke1) printf '%s' "\n      cert: $pk/spoke.pem\n      key: $pk/spoke.key\n      ca: $pk/ca.pem$peer2" ;;
  esac
}

start_all() { # phase
  for n in $DMVPN_NODES; do
    config_for_dmvpn "$src/configs/$n.yaml" "$work/$n.yaml" "$1" "$HOLD"
    [ "$ESP" = 1 ] && config_add_esp "$work/$n.yaml" "$work/keys-$n.txt"
    [ "$ESP" = ike ] && IKE_CHILD_LIFE=4 IKE_LIFE=9 IKE_EXTRA=$(ike_auth_lines "$n") \
      config_add_esp_ike "$work/$n.yaml" "$work/keys-$n.txt" "$work/ike-$n.txt"
    if dmvpn_node_start "$n" "$work/$n.yaml" "$work/$n-p$1.log"; then PID[$n]=$NODE_PID
    else bad "$n did not start (phase $1)"; cat "$work/$n-p$1.log"; fi
  done
}

stop_all() {
  for n in $DMVPN_NODES; do
    [ -n "${PID[$n]:-}" ] && node_stop "${PID[$n]}" 10 > /dev/null
    PID[$n]=""
  done
}

wait_registered() { # spoke-overlay... : until the hub lists them all
  local i ov missing
  for ((i = 0; i < 100; i++)); do
    missing=0
    out=$(cli hub 'show dmvpn' 2>/dev/null)
    for ov in "$@"; do echo "$out" | grep -q " $ov " || missing=1; done
    [ $missing -eq 0 ] && return 0
    sleep 0.2
  done
  return 1
}

wait_gone() { # node command pattern seconds
  local i
  for ((i = 0; i < $4 * 5; i++)); do
    cli "$1" "$2" 2>/dev/null | grep -q "$3" || return 0
    sleep 0.2
  done
  return 1
}

mcast_send() { # node source-address text
  nsx "$1" /usr/bin/python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton('$2'))
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
s.sendto(b'$3', ('224.0.0.251', 5555))"
}

# Multicast on the tunnel, through each node's kernel interface (tunnel0):
# the hub's reaches both spokes, a spoke's reaches the hub only.
check_multicast() {
  local n mcpids=()
  for n in hub spoke1 spoke2; do
    nsx "$n" timeout 5 tcpdump -lni tunnel0 -Q in udp port 5555 > "$work/$n.mc" 2>/dev/null &
    mcpids+=($!)
  done
  sleep 1
  mcast_send hub 10.255.0.1 from-hub
  mcast_send spoke1 10.255.0.11 from-spoke1
  sleep 1; wait "${mcpids[@]}" 2> /dev/null
  check "phase $1: hub multicast reached spoke1" grep -q '10.255.0.1\.[0-9]* > 224.0.0.251' "$work/spoke1.mc"
  check "phase $1: hub multicast reached spoke2" grep -q '10.255.0.1\.[0-9]* > 224.0.0.251' "$work/spoke2.mc"
  check "phase $1: spoke1 multicast reached the hub" grep -q '10.255.0.11\.[0-9]* > 224.0.0.251' "$work/hub.mc"
  check "phase $1: spoke1 multicast did not reach spoke2" sh -c "! grep -q '10.255.0.11' $work/spoke2.mc"
}

# A TCP stream and a UDP datagram from lan1h to an echo server on lan2h.
tcp_udp() { # lan2h-address
  nsx lan2h /usr/bin/python3 "$src/tests/integ/tcp_udp_echo.py" serve "$1" 7007 &
  local srv=$!
  sleep 0.5
  nsx lan1h /usr/bin/python3 "$src/tests/integ/tcp_udp_echo.py" check "$1" 7007
  local rc=$?
  kill "$srv" 2> /dev/null; wait "$srv" 2> /dev/null
  return $rc
}

clear_checks() { # phase
  local p=$1 hubcli="ip netns exec $NS_PREFIX-hub /usr/bin/python3 $src/tests/integ/cli_client.py"
  check "phase $p: show ip nhrp A.B.C.D shows that entry only" \
    sh -c "$hubcli 'show ip nhrp 10.255.0.11' > $work/one.txt; grep -q '^10.255.0.11/32' $work/one.txt && ! grep -q '^10.255.0.12/32' $work/one.txt"
  check "phase $p: clear ip nhrp A.B.C.D clears that entry, not the others" \
    sh -c "$hubcli 'clear ip nhrp 10.255.0.12' 'show ip nhrp' > $work/clr.txt; grep -q 'cleared the NHRP entry for 10.255.0.12' $work/clr.txt && grep -q '^10.255.0.11/32' $work/clr.txt"
  check "phase $p: clear ip nhrp counters zeroes them" \
    sh -c "$hubcli 'clear ip nhrp counters' 'show nhrp stats' | awk '\$1 == \"registration-request\" {f = 1; if (\$3 > 1) bad = 1} END {exit !(f && !bad)}'"
  check "phase $p: show interfaces tunnel0 shows the tunnel's interface only; a stray word is refused" \
    sh -c "$hubcli 'show interfaces tunnel0' 'show dmvpn bogus' > $work/if.txt; [ \$(grep -c '^[a-z0-9]* is ' $work/if.txt) = 1 ] && grep -q '% Invalid input: show dmvpn bogus' $work/if.txt"
  check "phase $p: show ip route A.B.C.D gives the route to it, the longest match" \
    sh -c "$hubcli 'show ip route 10.1.0.5' 'show ip route 10.255.0.11' > $work/rt.txt; grep -q '^S *10.1.0.0/24 via 10.255.0.11' $work/rt.txt && [ \$(grep -c '^[A-Z] ' $work/rt.txt) = 2 ]"
  check "phase $p: spoke2 registers again after its entry was cleared" wait_registered 10.255.0.12
}

run_phase() {
  local p=$1 direct via_hub
  echo "=============== phase $p"
  start_all "$p"
  check "phase $p: both spokes registered with the hub" wait_registered 10.255.0.11 10.255.0.12
  cli hub 'show dmvpn'
  nsx inet tcpdump -i br0 -U -w "$work/cap.pcap" 2> /dev/null &
  local cap=$!
  sleep 1
  cli spoke1 "monitor capture start port tunnel match 10.2.0.10 count 6 file $work/tun-p$p.pcapng" > /dev/null
  cli hub 'debug nhrp' > /dev/null
  check "phase $p: lan1 pings lan2 across the DMVPN" \
    nsx lan1h ping -c 12 -i 0.25 -W 2 10.2.0.10
  check "phase $p: lan2 pings lan0 behind the hub" nsx lan2h ping -c 2 -i 0.25 -W 2 10.0.0.10
  sleep 0.5; kill "$cap"; wait "$cap" 2> /dev/null
  cli hub 'no debug nhrp' > /dev/null
  check "phase $p: debug nhrp logged the hub's NHRP messages, one line each" \
    grep -q 'nhrp: received registration-request from NBMA 192.0.2.1[12]: src 10.255.0.1[12] dst 10.255.0.1, id [0-9]*' "$work/hub-p$p.log"
  # spoke1's own capture of the tunnel: the inner packets, in the clear
  # whatever the protection, requests in and replies out.
  check "phase $p: spoke1's tunnel capture has the inner echo requests out and replies in" \
    sh -c "tshark -r $work/tun-p$p.pcapng -T fields -e ip.src -e icmp.type -e frame.packet_flags_direction 2> /dev/null > $work/tun-p$p.txt; grep -q '^10.1.0.10	8	0x00000002' $work/tun-p$p.txt && grep -q '^10.2.0.10	0	0x00000001' $work/tun-p$p.txt && [ \$(wc -l < $work/tun-p$p.txt) = 6 ]"
  cli spoke1 'show dmvpn' 'show ip nhrp' 'show ip nhrp nhs detail' 'show ip route' 'show nhrp stats'
  # The shortcut lives one holding time (8 s): read it now, check it below.
  nsx spoke1 /usr/bin/python3 "$src/tests/integ/cli_client.py" 'show ip route' > "$work/s1-routes.txt"
  nsx spoke1 /usr/bin/python3 "$src/tests/integ/cli_client.py" 'show dmvpn' > "$work/s1-dmvpn.txt"
  cli spoke1 'show dmvpn path 10.2.0.10' 'show dmvpn detail' 'show ip nhrp brief' \
    'ping 10.255.0.1 repeat 3' 'traceroute 10.2.0.10 max-ttl 4' | tee "$work/s1-path.txt"
  check "phase $p: spoke1 pings the hub's tunnel address across the overlay" \
    grep -q 'Success rate is 100 percent (3/3)' "$work/s1-path.txt"
  # phase 1: through the hub, then spoke2; else on the shortcut to spoke2
  local first=10.255.0.12 nhops=1
  [ "$p" = 1 ] && first=10.255.0.1 nhops=2
  check "phase $p: traceroute from spoke1: $first first, lan2's host at hop $((nhops + 1)), which says so" \
    sh -c "grep -Eq '^ 1 $first [0-9.]+ ms' $work/s1-path.txt && grep -Eq '^ $((nhops + 1)) (\\* )*10.2.0.10 [0-9.]+ ms' $work/s1-path.txt && ! grep -q '^ $((nhops + 2)) ' $work/s1-path.txt"
  check "phase $p: show dmvpn detail has the NHS's block" \
    grep -q '^Peer 10.255.0.1, NBMA 192.0.2.1: static, UP for' "$work/s1-path.txt"
  check "phase $p: show ip nhrp brief lists the NHS on one line" \
    grep -Eq '^10.255.0.1/32 +10.255.0.1 +192.0.2.1 +static' "$work/s1-path.txt"
  if [ "$p" = 1 ]; then
    check "phase 1: show dmvpn path says through the hub" \
      grep -q "to the hub (an NHS), which forwards it" "$work/s1-path.txt"
  else
    check "phase $p: show dmvpn path says spoke to spoke, on the shortcut, and its NBMA" \
      sh -c "grep -q 'NHRP        10.255.0.12 is at NBMA 192.0.2.12 (shortcut' $work/s1-path.txt && grep -q 'spoke to spoke: a shortcut (phase $p)' $work/s1-path.txt"
  fi
  check "phase $p: spoke1 shows its NHS up, answered" \
    sh -c "ip netns exec $NS_PREFIX-spoke1 /usr/bin/python3 $src/tests/integ/cli_client.py 'show ip nhrp nhs' | awk '\$1==\"10.255.0.1\" && \$3==\"up\" && \$7 > 0 {f=1} END {exit !f}'"
  # Each argument is honoured or refused: one entry shown, one cleared,
  # counters zeroed, an interface by name, a word no command takes. Not
  # with the lab group key: its SAs are the same after the clear, their
  # sequence numbers start again and the spoke drops them as replays.
  [ "$ESP" != 1 ] && clear_checks "$p"
  check "phase $p: spoke1's show dmvpn has the NHS in state UP" \
    sh -c "ip netns exec $NS_PREFIX-spoke1 /usr/bin/python3 $src/tests/integ/cli_client.py 'show dmvpn' | awk '\$2==\"10.255.0.1\" && \$3==\"UP\" {f=1} END {exit !f}'"
  check "phase $p: show ip nhrp nhs refuses a word it does not know" \
    sh -c "ip netns exec $NS_PREFIX-spoke1 /usr/bin/python3 $src/tests/integ/cli_client.py 'show ip nhrp nhs bogus' | grep -q '% Invalid input'"
  direct=$(count "ip.src==192.0.2.11 && ip.dst==192.0.2.12 && gre.proto==0x0800")
  via_hub=$(count "ip.src==192.0.2.11 && ip.dst==192.0.2.1 && gre.proto==0x0800 && icmp")
  echo "capture: spoke1->spoke2 direct GRE/IPv4 $direct, spoke1->hub GRE/ICMP $via_hub"
  if [ "$p" = 1 ]; then
    check "phase 1: no spoke-to-spoke packet on the wire" test "$direct" -eq 0
  else
    check "phase $p: first packets went via the hub" test "$via_hub" -ge 1
    check "phase $p: later packets went spoke to spoke" test "$direct" -ge 5
    check "phase $p: spoke1 counts packets to 10.255.0.12" \
      awk '$2=="10.255.0.12" {f = $6 > 0} END {exit !f}' "$work/s1-dmvpn.txt"
  fi
  if [ "$p" = 3 ]; then
    out=$(nsx lan1h ping -c 1 -M do -s 1450 -W 2 10.2.0.10 2>&1)
    echo "$out"
    check "phase 3: a DF packet over the tunnel MTU gets frag-needed (mtu 1400)" \
      sh -c "echo '$out' | grep -q 'Frag needed and DF set (mtu = 1400)'"
    check "phase 3: the hub sent a Traffic Indication" \
      test "$(count 'nhrp.hdr.op.type == 8 && ip.src == 192.0.2.1 && nhrp.dst.prot.addr == 10.255.0.11')" -ge 1
    # Keyed by IKE, spoke2 has no SA with spoke1 when it answers (its
    # answer starts one): the answer goes back through the hub instead.
    from=192.0.2.12 how=directly
    [ "$ESP" = ike ] && from=192.0.2.1 how="back through the hub"
    check "phase 3: spoke1 resolved 10.2.0.10 and spoke2 answered $how with 10.2.0.0/24" \
      test "$(count "nhrp.hdr.op.type == 2 && ip.src == $from && ip.dst == 192.0.2.11 && nhrp.prefix == 24 && nhrp.client.prot.addr == 10.255.0.12 && nhrp.client.nbma.addr == 192.0.2.12")" -ge 1
    check "phase 3: spoke1 installed an NHRP route to 10.2.0.0/24" \
      grep -q '^H *10.2.0.0/24 via 10.255.0.12' "$work/s1-routes.txt"
  fi
  # tshark as an independent decoder of what we send: a registration from
  # spoke1 with its addresses, the unique and NAT flags, our holdtime, the
  # GRE key, and the extensions in Cisco's order (3 4 5 7 9 0).
  local -a topts; mapfile -t topts < <(tshark_opts)
  fields=$(tshark -r "$work/cap.pcap" "${topts[@]}" -Y "nhrp.hdr.op.type == 3 && ip.src == 192.0.2.11" \
    -T fields -E separator=' ' -e gre.key -e nhrp.hdr.hopcnt -e nhrp.src.nbma.addr -e nhrp.src.prot.addr \
    -e nhrp.dst.prot.addr -e nhrp.flag.u -e nhrp.flag.nat -e nhrp.htime -e nhrp.ext.type 2> /dev/null | head -1)
  echo "tshark: registration request: $fields"
  check "phase $p: tshark decodes spoke1's registration as intended" \
    sh -c "echo '$fields' | grep -Eq '^0x0*2a 255 192.0.2.11 10.255.0.11 10.255.0.1 (True|1) (True|1) $HOLD(,[0-9]+)* 0x0*3,0x0*4,0x0*5,0x0*7,0x0*9,0x0*0'"
  check "phase $p: the hub's replies carry success and its responder address" \
    test "$(count "nhrp.hdr.op.type == 4 && nhrp.code == 0 && ip.src == 192.0.2.1")" -ge 1
  check "phase $p: no malformed NHRP in the capture" test "$(count 'nhrp && _ws.malformed')" -eq 0
  if [ "$ESP" = ike ]; then
    cli hub 'show crypto ikev2 sa' 'show crypto ikev2 stats'
    cli spoke1 'show crypto ikev2 sa detail'
    check "phase $p (ike): the hub has an established IKE SA with each spoke" \
      sh -c "ip netns exec $NS_PREFIX-hub /usr/bin/python3 $src/tests/integ/cli_client.py 'show crypto ikev2 sa' | grep -c '^192.0.2.1[12] *established' | grep -qx 2"
    check "phase $p (ike): the hub knows spoke1 by its certificate (fragments), spoke2 by the PSK" \
      sh -c "ip netns exec $NS_PREFIX-hub /usr/bin/python3 $src/tests/integ/cli_client.py 'show crypto ikev2 sa detail' > $work/detail-hub.txt; grep -q 'remote id O=dmvpnd test, CN=spoke1, auth certificate, fragmentation' $work/detail-hub.txt && grep -q 'local id 192.0.2.1, remote id 192.0.2.12, auth psk' $work/detail-hub.txt"
    # Rekeys under traffic (child-lifetime 4 s, IKE SA 9 s: several of
    # each during 8 s of pings at 100 per second): make before break, so
    # not one packet may be lost.
    out=$(nsx lan1h ping -c 800 -i 0.01 -W 1 -q 10.2.0.10 2>&1 | grep 'packets transmitted')
    rekeys=$(cli spoke1 'show crypto ikev2 sa detail' | grep -o '[0-9]* rekeys' | awk '{s += $1} END {print s + 0}')
    echo "ping at 100/s across rekeys: $out; spoke1's SAs report $rekeys rekeys"
    check "phase $p (ike): rekeys during a ping at 100 packets/s lose none" \
      sh -c "echo '$out' | grep -q ' 0% packet loss' && [ $rekeys -ge 2 ]"
    # clear crypto session peer: the SA with the hub goes (with a Delete)
    # and, as the NHS still needs it, a new one comes at once.
    local spi0 spi1 i
    spi0=$(cli spoke1 'show crypto ikev2 sa' | awk '$1 == "192.0.2.1" && $2 == "established" {print $3}')
    cli spoke1 'debug crypto ikev2'
    check "phase $p (ike): clear crypto session peer 192.0.2.1 deletes one IKE SA" \
      sh -c "ip netns exec $NS_PREFIX-spoke1 /usr/bin/python3 $src/tests/integ/cli_client.py 'clear crypto session peer 192.0.2.1' | grep -q 'cleared 1 IKE SAs'"
    for ((i = 0; i < 50; i++)); do
      spi1=$(cli spoke1 'show crypto ikev2 sa' | awk '$1 == "192.0.2.1" && $2 == "established" {print $3}')
      [ -n "$spi1" ] && [ "$spi1" != "$spi0" ] && break
      sleep 0.2
    done
    echo "spoke1's IKE SA with the hub: $spi0 before the clear, $spi1 after"
    check "phase $p (ike): a new IKE SA with the hub within 10 s of the clear" \
      sh -c "[ -n '$spi1' ] && [ '$spi1' != '$spi0' ]"
    cli spoke1 'show crypto session'
    check "phase $p (ike): show crypto session lists the hub UP-ACTIVE" \
      sh -c "ip netns exec $NS_PREFIX-spoke1 /usr/bin/python3 $src/tests/integ/cli_client.py 'show crypto session' | grep -A1 '^Peer: 192.0.2.1 ' | grep -q 'UP-ACTIVE'"
    check "phase $p (ike): the hub logged the spoke's Delete" \
      sh -c "grep -q 'ike: SA with 192.0.2.11 gone: deleted_by_peer' $work/hub-p$p*.log"
    check "phase $p (ike): debug crypto ikev2 logs the messages sent and received" \
      sh -c "grep -q 'ike: send 192.0.2.11:[0-9]* -> 192.0.2.1:[0-9]* INFORMATIONAL request' $work/spoke1-p$p.log && grep -q 'ike: recv 192.0.2.1:500 -> 192.0.2.11:500 IKE_SA_INIT response' $work/spoke1-p$p.log"
    cli spoke1 'no debug crypto ikev2'
    check "phase $p (ike): traffic crosses the new SA" nsx lan1h ping -c 3 -i 0.25 -W 2 10.2.0.10
    if [ "$p" != 1 ]; then
      # The hub's SAs came before the capture; the spokes' one on demand.
      check "phase $p (ike): the spokes' IKE_SA_INIT and IKE_AUTH on the wire" \
        sh -c "[ \$(tshark -r '$work/cap.pcap' -Y 'isakmp.exchangetype == 34 && ip.src == 192.0.2.0/24 && !(ip.addr == 192.0.2.1)' 2>/dev/null | wc -l) -ge 2 ] && [ \$(tshark -r '$work/cap.pcap' -Y 'isakmp.exchangetype == 35 && !(ip.addr == 192.0.2.1)' 2>/dev/null | wc -l) -ge 2 ]"
      # tshark opens the spokes' IKE_AUTH with the keys they logged.
      local -a iopts=(); local l
      while read -r l; do iopts+=(-o "uat:ikev2_decryption_table:$l"); done < <(sort -u "$work"/ike-*.txt)
      check "phase $p (ike): tshark decrypts the spokes' IKE_AUTH with the IKE key log" \
        sh -c "tshark -r '$work/cap.pcap' \"\$@\" -V -Y 'isakmp.exchangetype == 35' 2>/dev/null | grep -q 'Payload: Traffic Selector - Responder'" sh "${iopts[@]}"
      check "phase $p (ike): spoke1 keyed the shortcut to spoke2 with its own IKE SA" \
        sh -c "ip netns exec $NS_PREFIX-spoke1 /usr/bin/python3 $src/tests/integ/cli_client.py 'show crypto ikev2 sa' | grep -q '^192.0.2.12 *established'"
      # Both spokes may start one at once: the one spoke2 (the higher
      # address) started goes, and both keep the other.
      check "phase $p (ike): one IKE SA between the spokes, on both" \
        sh -c "[ \$(ip netns exec $NS_PREFIX-spoke1 /usr/bin/python3 $src/tests/integ/cli_client.py 'show crypto ikev2 sa' | grep -c '^192.0.2.12 *established') = 1 ] && [ \$(ip netns exec $NS_PREFIX-spoke2 /usr/bin/python3 $src/tests/integ/cli_client.py 'show crypto ikev2 sa' | grep -c '^192.0.2.11 *established') = 1 ]"
    fi
    if [ "$p" = 3 ]; then
      # A new PSK on the hub, live: spoke2's SA stays; a new one with the
      # old PSK is refused; with spoke2's PSK changed too, one comes.
      local newpsk=live-psk-0123456789 hub_sa pp
      # lan1 to lan2 at 100 packets/s across the change (the shortcut)
      nsx lan1h ping -c 300 -i 0.01 -W 1 10.2.0.10 > "$work/psk-ping.txt" 2>&1 & pp=$!
      sleep 1
      cli hub 'configure terminal' "crypto ikev2 psk $newpsk" 'end' > "$work/psk1.txt"
      wait "$pp"
      check "phase $p (ike): a ping at 100 packets/s across the PSK change loses nothing" \
        grep -q '300 packets transmitted, 300 received' "$work/psk-ping.txt"
      check "phase $p (ike): crypto ikev2 psk changes the hub's PSK live; the logs hide it" \
        sh -c "grep -q 'IKE: new exchanges use the new settings' $work/psk1.txt && grep -q 'crypto ikev2 psk <hidden>' $work/hub-p$p.log && ! grep -q $newpsk $work/hub-p$p.log"
      check "phase $p (ike): spoke2's established SA with the hub still carries traffic" \
        nsx lan2h ping -c 3 -i 0.25 -W 2 10.0.0.10
      cli spoke2 'clear crypto session peer 192.0.2.1' > /dev/null
      wait_for_log "$work/hub-p$p.log" "ike: SA with 192.0.2.12 gone: authentication_failed" 10
      check "phase $p (ike): a new SA with the old PSK is refused by the hub" \
        grep -q 'ike: SA with 192.0.2.12 gone: authentication_failed' "$work/hub-p$p.log"
      cli spoke2 'configure terminal' "crypto ikev2 psk $newpsk" 'end'
      for ((i = 0; i < 75; i++)); do
        hub_sa=$(cli spoke2 'show crypto ikev2 sa' | awk '$1 == "192.0.2.1" && $2 == "established" {print $3}')
        [ -n "$hub_sa" ] && break
        sleep 0.2
      done
      [ -n "$hub_sa" ] || grep "ike:" "$work/spoke2-p$p.log" | tail -8
      check "phase $p (ike): with the new PSK on spoke2 too, an IKE SA with the hub within 15 s" \
        test -n "$hub_sa"
      # the children come a moment after the IKE SA
      for ((i = 0; i < 10; i++)); do nsx lan2h ping -c 1 -W 1 10.0.0.10 > /dev/null && break; done
      check "phase $p (ike): traffic crosses it" nsx lan2h ping -c 3 -i 0.25 -W 2 10.0.0.10
      # spoke2 comes back below from its file: the new PSK has to be there
      cli spoke2 'write memory' > /dev/null
      check "phase $p (ike): write memory keeps the new PSK in the file, show running-config hides it" \
        sh -c "grep -q 'psk: \"$newpsk\"' $work/spoke2.yaml && ip netns exec $NS_PREFIX-spoke2 /usr/bin/python3 $src/tests/integ/cli_client.py 'show running-config' | grep -q 'psk: \"<hidden>\"'"
    fi
  fi
  if [ "$ESP" != 0 ]; then
    # Without keys nothing on the wire may be GRE; with them, every ESP
    # packet decrypts to GRE (NHRP or IPv4 inside).
    check "phase $p (esp): no cleartext GRE on the underlay" \
      test "$(tshark -r "$work/cap.pcap" -Y gre 2> /dev/null | wc -l)" -eq 0
    total=$(count esp); undecrypted=$(count 'esp && !gre')
    echo "capture: $total ESP packets, $undecrypted not decrypted to GRE by tshark with the key log"
    check "phase $p (esp): tshark decrypts every ESP packet with the key log" \
      sh -c "[ $total -gt 20 ] && [ $undecrypted -eq 0 ]"
    check "phase $p (esp): NHRP and ICMP inside the ESP" \
      sh -c "[ $(count 'esp && nhrp') -gt 0 ] && [ $(count 'esp && icmp') -gt 0 ]"
    cli spoke1 'show crypto ipsec sa'
  fi
  tshark -r "$work/cap.pcap" "${topts[@]}" -Y nhrp 2> /dev/null | head -20

  check "phase $p: the hub's kernel pings spoke1 over its tunnel interface" \
    nsx hub ping -c 2 -i 0.25 -W 2 10.255.0.11
  # After the MTU checks: the TCP stream teaches lan1h the path MTU.
  check "phase $p: TCP (64 KiB) and UDP from lan1 to lan2 come back whole" tcp_udp 10.2.0.10
  check_multicast "$p"

  echo "--- spoke2 dies; its registration must expire after ${HOLD}s"
  kill -9 "${PID[spoke2]}"; wait "${PID[spoke2]}" 2> /dev/null; PID[spoke2]=""
  check "phase $p: hub entry for spoke2 expired" wait_gone hub 'show dmvpn' ' 10.255.0.12 ' $((HOLD + 5))
  if [ "$p" != 1 ]; then
    check "phase $p: spoke1's binding for spoke2 went away" \
      wait_gone spoke1 'show ip nhrp' '^10.255.0.12/32' $((HOLD + 5))
  fi
  echo "--- spoke2 comes back"
  local t0 t1
  t0=$(date +%s%N)
  if dmvpn_node_start spoke2 "$work/spoke2.yaml" "$work/spoke2-p$p-again.log"; then PID[spoke2]=$NODE_PID; fi
  check "phase $p: spoke2 registered again" wait_registered 10.255.0.12
  t1=$(date +%s%N)
  # From the start of the process (EAL, ports, IKE SA, registration) to the
  # hub's show dmvpn listing it again.
  echo "spoke2 back in $(( (t1 - t0) / 1000000 )) ms after its restart"
  check "phase $p: spoke2 back within 10 s of its restart" test $(( (t1 - t0) / 1000000 )) -le 10000
  check "phase $p: traffic recovers" nsx lan1h ping -c 6 -i 0.25 -W 2 10.2.0.10
  stop_all
  check "phase $p: nodes stopped cleanly" sh -c "! grep -q 'ERROR\|Sanitizer' $work/*-p$p*.log"
  if [ "$ESP" = ike ]; then
    # The hub stops first and tells each spoke with a Delete.
    check "phase $p (ike): the stopping hub's Delete reached spoke1" \
      sh -c "grep -q 'ike: stopping: told [0-9]* peers' $work/hub-p$p.log && grep -q 'ike: SA with 192.0.2.1 gone: deleted_by_peer' $work/spoke1-p$p.log"
  fi
}

dmvpn_topo_up
for phase in ${PHASES:-3 2 1}; do run_phase "$phase"; done
echo "--- hub log (last phase)"; cat "$work"/hub-p*.log | tail -n 20
summary
