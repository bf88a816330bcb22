#!/usr/bin/env bash
# Live configuration on the hub of the DMVPN topology (dmvpn_topo.sh, phase 1:
# every spoke-to-spoke packet crosses the hub) while lan1h pings lan2h at
# 100 packets/s: configure terminal (a static route added and removed, the
# NHRP holdtime, the log level; the hub's network-id and phase; an NHS
# added to spoke1 and removed again), write memory, SIGHUP with an edited
# file (a route), with a file that changes what cannot change live
# (refused, named), and with a broken file (refused with its
# file:line:col). The ping loses nothing through all of it. Then the hub restarts from the written
# file: show running-config is what it was. Needs root.
set -u
DMVPND=${1:?usage: test_config_live.sh path/to/dmvpnd}
src=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/integ/netns_lib.sh"
. "$src/tests/integ/dmvpn_topo.sh"
work=$(mktemp -d)
declare -A PID
pingpid=
trap '[ -n "$pingpid" ] && kill "$pingpid" 2> /dev/null; for p in "${PID[@]}"; do kill -9 "$p" 2> /dev/null; done
  netns_cleanup; rm -rf "$work"' EXIT
cli() { local n=$1; shift; nsx "$n" /usr/bin/python3 "$src/tests/integ/cli_client.py" "$@"; }
running() { cli hub 'show running-config' | tr -d '\r' | grep -v '^hub[#>(]'; }

dmvpn_topo_up
dmvpn_start_all "$work" 1 30 || { summary; exit 1; }
check "both spokes registered" dmvpn_wait_spokes
check "lan1 reaches lan2 through the hub" nsx lan1h ping -c 3 -i 0.2 -W 2 10.2.0.10

# 100 packets/s for about 35 s, while the configuration changes.
nsx lan1h ping -c 3500 -i 0.01 -W 1 10.2.0.10 > "$work/ping.txt" 2>&1 &
pingpid=$!
sleep 1

echo "--- configure terminal"
cli hub 'configure terminal' 'ip route 10.9.0.0/24 10.255.0.11' 'ip nhrp holdtime 45' \
  'logging level debug' 'ip route 10.9.0.0/24 192.0.2.99 bogus' 'ip route 10.8.0.0/24 198.51.100.7' \
  'end' 'show ip route 10.9.0.1' | tee "$work/conf.txt"
check "ip route added the route at once" grep -q '^S *10.9.0.0/24 via 10.255.0.11' "$work/conf.txt"
check "each change says what it did" \
  sh -c "grep -q 'routes: 1 added, 0 removed' $work/conf.txt && grep -q 'holdtime 30 -> 45 s' $work/conf.txt && grep -q 'log level info -> debug' $work/conf.txt"
check "a word too many is refused" grep -q '% Invalid input: ip route 10.9.0.0/24 192.0.2.99 bogus' "$work/conf.txt"
check "a next hop outside every subnet is refused by validation, with the reason" \
  grep -q '% route 10.8.0.0/24: next hop 198.51.100.7 is not inside' "$work/conf.txt"
check "the prompt shows the mode" grep -q '^hub(config)# ' "$work/conf.txt"
running > "$work/rc1.txt"
check "show running-config has the changes" \
  sh -c "grep -q 'prefix: 10.9.0.0/24' $work/rc1.txt && grep -q 'holdtime: 45' $work/rc1.txt && grep -q 'log-level: debug' $work/rc1.txt"
check "the change is in the audit log" grep -q 'admin@127.0.0.1:[0-9]*: ip route 10.9.0.0/24 10.255.0.11' "$work/hub.log"
cli hub 'configure terminal' 'no ip route 10.9.0.0/24' 'logging level info' 'logging level ike debug' 'end' \
  'show ip route 10.9.0.1' 'show logging' > "$work/conf2.txt"
check "show logging has the levels, one subsystem apart, and the last lines" \
  sh -c "grep -q '^Logging to stderr, the last 1000 lines kept' $work/conf2.txt && grep -q 'Levels: main info ctl info dp info arp info mgmt info ike debug nhrp info' $work/conf2.txt && grep -q 'dmvpnd: configured: ip route 10.9.0.0/24 10.255.0.11' $work/conf2.txt"
check "the kept lines carry their UTC time" grep -q '^20[0-9-]*T[0-9:.]*Z mgmt: login: admin' "$work/conf2.txt"
check "no ip route removed it" sh -c "grep -q 'routes: 0 added, 1 removed' $work/conf2.txt && ! grep -q '^S *10.9.0.0/24' $work/conf2.txt"

echo "--- debug ip packet"
cli hub 'debug ip packet' > "$work/dbg.txt"
nsx lan1h ping -c 2 -i 0.2 -W 2 10.255.0.1 > /dev/null
cli hub 'no debug ip packet' >> "$work/dbg.txt"
grep 'ctl: IP: ' "$work/hub.log" | head -4
check "debug ip packet logs the hub's own packets, in (with why) and out (with where)" \
  sh -c "grep -q 'IP packet debugging is on' $work/dbg.txt && grep -Eq 'ctl: IP: local [a-z0-9]+: s=10.1.0.10 d=10.255.0.1, len 84, proto 1' $work/hub.log && grep -q 'ctl: IP: sent tunnel: s=10.255.0.1 d=10.1.0.10, len 84, proto 1' $work/hub.log"

echo "--- configure terminal: network-id and phase on the hub"
cli hub 'configure terminal' 'ip nhrp network-id 7' 'ip nhrp redirect' 'no ip nhrp redirect' \
  'ip nhrp shortcut' 'ip nhrp phase 1' 'end' | tee "$work/conf3.txt"
check "network-id and phase change live, IOS's redirect switch too, each said" \
  sh -c "grep -q 'network-id 1 -> 7' $work/conf3.txt && grep -q 'phase 1 -> 3' $work/conf3.txt && grep -q 'phase 3 -> 2' $work/conf3.txt && grep -q 'phase 2 -> 1' $work/conf3.txt"
check "a spoke's switch is refused on a hub" grep -q '% ip nhrp shortcut is for a spoke' "$work/conf3.txt"
running > "$work/rc3.txt"
check "show running-config has them" \
  sh -c "grep -q 'network-id: 7' $work/rc3.txt && grep -q 'phase: 1' $work/rc3.txt"

echo "--- configure terminal: an NHS added to spoke1, then removed"
cli spoke1 'configure terminal' 'ip nhrp nhs 10.255.0.2 nbma 192.0.2.2 priority 10' 'end' \
  | tee "$work/nhs1.txt"
check "the NHS is added at once" grep -q 'NHSes: 1 added, 0 removed' "$work/nhs1.txt"
sleep 3
cli spoke1 'show ip nhrp nhs' | tee "$work/nhs2.txt"
check "spoke1 registers with the new NHS (it never answers) and stays up with the hub" \
  sh -c "grep -Eq '^10.255.0.2 +192.0.2.2 +(probing|down) .* [1-9][0-9]* +0 +0' $work/nhs2.txt && grep -Eq '^10.255.0.1 +192.0.2.1 +up ' $work/nhs2.txt"
cli spoke1 'configure terminal' 'no ip nhrp nhs 10.255.0.2' 'end' 'show ip nhrp nhs' \
  | tee "$work/nhs3.txt"
check "no ip nhrp nhs removes it; the hub is kept as it was" \
  sh -c "grep -q 'NHSes: 0 added, 1 removed' $work/nhs3.txt && ! grep -q '^10.255.0.2 ' $work/nhs3.txt && grep -Eq '^10.255.0.1 +192.0.2.1 +up ' $work/nhs3.txt"

echo "--- write memory"
cli hub 'write memory' | tee "$work/wr.txt"
check "write memory wrote the file and kept the old one" \
  sh -c "grep -q 'wrote $work/hub.yaml' $work/wr.txt && [ -s $work/hub.yaml.bak ] && grep -q 'holdtime: 45' $work/hub.yaml"
check "the written file passes --check" "$DMVPND" --check -c "$work/hub.yaml"
cli hub 'show startup-config' | tr -d '\r' | grep -v '^hub[#>(]' > "$work/startup.txt"
running > "$work/rc2.txt"
check "show startup-config, read back from the written file, equals show running-config" \
  sh -c "grep -q 'holdtime: 45' $work/startup.txt && diff $work/startup.txt $work/rc2.txt"

echo "--- SIGHUP with an edited file"
sed -i 's/^routes:/routes:\n  - prefix: 10.7.0.0\/24\n    via: 10.255.0.12/' "$work/hub.yaml"
kill -HUP "${PID[hub]}"
wait_for_log "$work/hub.log" "SIGHUP: routes: 1 added" 10
check "SIGHUP applied the added route" sh -c "ip netns exec $NS_PREFIX-hub /usr/bin/python3 $src/tests/integ/cli_client.py 'show ip route 10.7.0.1' | grep -q '^S *10.7.0.0/24 via 10.255.0.12'"

echo "--- SIGHUP with a change that needs a restart"
cp "$work/hub.yaml" "$work/hub.good"
sed -i 's/^  mtu: 1400$/  mtu: 1300/' "$work/hub.yaml"
kill -HUP "${PID[hub]}"
wait_for_log "$work/hub.log" "cannot change while the node runs" 10
grep 'SIGHUP' "$work/hub.log" | tail -2
check "an MTU change is refused, named, and the node keeps its config" \
  sh -c "grep -q \"SIGHUP: tunnel cannot change while the node runs (now '  mtu: 1400', asked '  mtu: 1300'): restart to apply; still running\" $work/hub.log && ip netns exec $NS_PREFIX-hub /usr/bin/python3 $src/tests/integ/cli_client.py 'show running-config' | grep -q 'mtu: 1400'"

echo "--- SIGHUP with a broken file"
printf 'routes:\n  - prefix: 10.6.0.0/33\n' >> "$work/hub.yaml"
kill -HUP "${PID[hub]}"
wait_for_log "$work/hub.log" "SIGHUP: $work/hub.yaml:[0-9]*:[0-9]*:" 10
grep 'SIGHUP' "$work/hub.log" | tail -1
check "a broken file is refused with its file:line:col; the node keeps running" \
  sh -c "grep -q 'SIGHUP: $work/hub.yaml:[0-9]*:[0-9]*: .*still running on the previous configuration' $work/hub.log && kill -0 ${PID[hub]}"
cp "$work/hub.good" "$work/hub.yaml"

wait "$pingpid"
pingpid=
tail -3 "$work/ping.txt"
check "the ping through the hub lost nothing (3500 of 3500)" grep -q '3500 packets transmitted, 3500 received' "$work/ping.txt"

echo "--- restart from the written file"
running > "$work/before.txt"
cli hub 'write memory' > /dev/null
node_stop "${PID[hub]}" 10 > /dev/null
PID[hub]=
if dmvpn_node_start hub "$work/hub.yaml" "$work/hub2.log"; then PID[hub]=$NODE_PID
else bad "the hub did not start from the written file"; tail -5 "$work/hub2.log"; fi
running > "$work/after.txt"
check "show running-config is the same after the restart ($(wc -l < "$work/after.txt") lines)" \
  sh -c "[ -s $work/after.txt ] && diff $work/before.txt $work/after.txt"

for n in $DMVPN_NODES; do [ -n "${PID[$n]:-}" ] && node_stop "${PID[$n]}" 10 > /dev/null; done
PID=()
summary
