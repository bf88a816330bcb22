#!/usr/bin/env bash
# Telemetry on one node (configs/node.yaml, DPDK telemetry on, Prometheus
# on 127.0.0.1:9550): after a bounded ping through the node, the same
# counters read three ways agree — the CLI's show interfaces, DPDK's own
# client (dpdk-telemetry.py, /dmvpn/ports) and the Prometheus endpoint,
# parsed by the Prometheus project's Python parser. /ethdev/ commands still
# answer beside ours; a wrong path gets 404; the endpoint follows the
# naming conventions (promtool's rules: _total counters, HELP and TYPE).
# Needs root. Namespaces are removed on any exit.
set -u
dmvpnd=${1:?usage: test_telemetry.sh path/to/dmvpnd}
src=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/integ/netns_lib.sh"
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2> /dev/null; netns_cleanup; rm -rf "$work"' EXIT

node_topology

config_for_run "$src/configs/node.yaml" "$work/node.yaml"
printf 'telemetry:\n  dpdk: true\n  prometheus:\n    port: 9550\n' >> "$work/node.yaml"
prefix=$(sed -n 's/^ *file-prefix: *//p' "$work/node.yaml")
node_start "$dmvpnd" "$work/node.yaml" "$work/node.log" || { summary; exit 1; }
ok "dmvpnd started"
grep -E 'prometheus|telemetry' "$work/node.log"

check "LAN host pings the WAN host through the node" nsx lanhost ping -c 20 -i 0.05 -W 2 192.0.2.10
sleep 0.5

tel() { echo "$1" | nsx node timeout 10 /usr/bin/python3 /usr/bin/dpdk-telemetry.py -f "$prefix" 2>&1; }
scrape() { nsx node timeout 10 /usr/bin/python3 -c '
import sys, urllib.request
r = urllib.request.urlopen("http://127.0.0.1:9550/metrics", timeout=5)
sys.stdout.write(r.read().decode())' 2>&1; }

cli_rx=$(nsx node /usr/bin/python3 "$src/tests/integ/cli_client.py" 'show interfaces lan0' |
  awk '/packets input/ {print $1; exit}')
tel '/dmvpn/ports' > "$work/tel-ports.json"
scrape > "$work/metrics.txt"
cat "$work/tel-ports.json"
tel_rx=$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["/dmvpn/ports"]["port_rx_packets_total"]["lan0"])' "$work/tel-ports.json" 2>&1)
prom_rx=$(/usr/bin/python3 - "$work/metrics.txt" << 'EOF' 2>&1
import sys
from prometheus_client.parser import text_string_to_metric_families
for fam in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in fam.samples:
        if s.name == 'dmvpnd_port_rx_packets_total' and s.labels.get('port') == 'lan0':
            print(int(s.value))
EOF
)
echo "lan0 packets received: CLI $cli_rx, telemetry $tel_rx, prometheus $prom_rx"
check "the CLI counted the pings (>= 20)" test "${cli_rx:-0}" -ge 20
check "telemetry's /dmvpn/ports equals the CLI" test "$tel_rx" = "$cli_rx"
check "the Prometheus endpoint equals the CLI" test "$prom_rx" = "$cli_rx"

/usr/bin/python3 - "$work/metrics.txt" << 'EOF' > "$work/lint.txt" 2>&1
import sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
fams = list(text_string_to_metric_families(text))
bad = []
for f in fams:
    if not f.name.startswith('dmvpnd_'):
        bad.append('no dmvpnd_ prefix: ' + f.name)
    if f.type == 'counter' and not any(l.startswith('# TYPE %s_total counter' % f.name) or
                                       l.startswith('# TYPE %s counter' % f.name) for l in text.splitlines()):
        bad.append('counter without TYPE: ' + f.name)
    if not f.documentation:
        bad.append('no HELP: ' + f.name)
    for s in f.samples:
        if f.type == 'counter' and not s.name.endswith('_total'):
            bad.append('counter sample without _total: ' + s.name)
print('%d families' % len(fams))
print('\n'.join(bad))
sys.exit(1 if bad else 0)
EOF
rc=$?
cat "$work/lint.txt"
check "every family has HELP and TYPE, the dmvpnd_ prefix, _total counters" test $rc -eq 0
check "the endpoint has per-worker series" grep -q '^dmvpnd_worker_packets_total{worker="0"' "$work/metrics.txt"
check "dmvpnd_info names the build" grep -q '^dmvpnd_info{version="[0-9.]* (' "$work/metrics.txt"

out=$(tel '/dmvpn/workers')
echo "$out"
check "/dmvpn/workers answers" sh -c "echo '$out' | grep -q worker_packets_total"
out=$(tel '/ethdev/list')
check "DPDK's own /ethdev/list still answers" sh -c "echo '$out' | grep -q '\[0, 1'"
out=$(tel '/dmvpn/peer,10.0.0.1')
echo "$out"
check "/dmvpn/peer with an address that is no peer answers empty" sh -c "echo '$out' | grep -q '\"/dmvpn/peer\": {}'"
code=$(nsx node /usr/bin/python3 -c '
import urllib.request, urllib.error
try:
    urllib.request.urlopen("http://127.0.0.1:9550/nope", timeout=5)
except urllib.error.HTTPError as e:
    print(e.code)')
check "a path other than /metrics gets 404" test "$code" = 404

node_stop "$pid" 20 > /dev/null
check "the node stopped cleanly" test $? -eq 0
pid=
summary
