#!/usr/bin/env bash
# `meson install --destdir` puts the daemon, the systemd unit, the man page,
# the example configurations and the docs in place; systemd-analyze accepts
# the unit where it will live (the staged tree bind-mounted over the prefix
# in a private mount namespace, so the host's own /usr/local is untouched);
# man renders the page; the examples pass --check; and the unit's readiness
# rule holds: dmvpnd sends READY=1 on $NOTIFY_SOCKET once it runs.
# Needs root (mount namespace, the node in a network namespace).
set -u
builddir=${1:?usage: test_install.sh BUILDDIR}
src=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/integ/netns_lib.sh"
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2> /dev/null; netns_cleanup; rm -rf "$work"' EXIT

stage=$work/stage
prefix=$(meson introspect --buildoptions "$builddir" |
  python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')
if meson install -C "$builddir" --destdir "$stage" --no-rebuild --quiet > "$work/install.log" 2>&1; then
  ok "meson install --destdir (prefix $prefix)"
else
  bad "meson install failed"; cat "$work/install.log"; summary; exit 1
fi
root=$stage$prefix
etc=$root/etc
[ "$prefix" = /usr ] && etc=$stage/etc
for f in "$root/bin/dmvpnd" "$root/lib/systemd/system/dmvpnd.service" \
  "$root/share/man/man8/dmvpnd.8" "$etc/dmvpnd/examples/hub.yaml" \
  "$etc/dmvpnd/examples/spoke1.yaml" "$etc/dmvpnd/examples/frr/bgp/hub.conf" \
  "$root/share/doc/dmvpnd/operations.md" "$root/share/doc/dmvpnd/routing.md"; do
  check "installed: ${f#"$stage"}" test -s "$f"
done
check "the unit runs the installed binary with the installed config" \
  grep -q "^ExecStart=$prefix/bin/dmvpnd -c .*/dmvpnd/dmvpnd.yaml$" "$root/lib/systemd/system/dmvpnd.service"
for y in "$etc"/dmvpnd/examples/*.yaml; do
  check "the installed binary accepts $(basename "$y")" "$root/bin/dmvpnd" --check -c "$y"
done
check "dmvpnd --version names the release and the revision" \
  sh -c "'$root/bin/dmvpnd' --version | head -1 | grep -Eq '^dmvpnd [0-9]+\.[0-9]+\.[0-9]+ \(.+\)$'"
MANWIDTH=80 man -l "$root/share/man/man8/dmvpnd.8" > "$work/man.txt" 2> "$work/man.err"
check "man renders dmvpnd(8) without warnings" \
  sh -c "grep -q '^NAME' '$work/man.txt' && grep -q 'dmvpnd --check' '$work/man.txt' && [ ! -s '$work/man.err' ]"
if unshare -m sh -c "mount --bind '$root' '$prefix' && MANPATH='$prefix/share/man' \
    systemd-analyze verify '$prefix/lib/systemd/system/dmvpnd.service'" > "$work/verify.log" 2>&1; then
  ok "systemd-analyze verify accepts the unit in place"
else
  bad "systemd-analyze verify refused the unit"; cat "$work/verify.log"
fi

echo "--- readiness: READY=1 on \$NOTIFY_SOCKET once the node runs"
node_topology
config_for_run "$src/configs/node.yaml" "$work/node.yaml"
python3 - "$work/notify.sock" > "$work/notify.txt" << 'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(40)
try:
    while True:
        msg = s.recv(4096).decode()
        print(msg.replace('\n', ' '), flush=True)
        if 'STOPPING=1' in msg:
            break
except socket.timeout:
    pass
EOF
listener=$!
for _ in $(seq 50); do [ -S "$work/notify.sock" ] && break; sleep 0.1; done
NOTIFY_SOCKET=$work/notify.sock ip netns exec "$NS_PREFIX-node" "$root/bin/dmvpnd" -c "$work/node.yaml" \
  > "$work/node.log" 2>&1 &
pid=$!
for _ in $(seq 300); do grep -q READY=1 "$work/notify.txt" && break; sleep 0.1; done
check "READY=1 arrived" grep -q 'READY=1' "$work/notify.txt"
check "READY=1 came after the CLI listened and the node ran" \
  sh -c "grep -q 'telnet listening' '$work/node.log' && grep -q 'running' '$work/node.log'"
check "the CLI answers once ready" \
  nsx node /usr/bin/python3 "$src/tests/integ/cli_client.py" 'show version'
node_stop "$pid" 20 > /dev/null
check "the node stopped cleanly" test $? -eq 0
pid=
wait "$listener" 2> /dev/null
check "STOPPING=1 arrived at the stop" grep -q 'STOPPING=1' "$work/notify.txt"
cat "$work/notify.txt"
summary
