#!/usr/bin/env bash
# The CLI over ssh, with OpenSSH's own client, on one node in a namespace
# (configs/node.yaml with this cli section):
#
#   admin (privilege 15): an Ed25519 key and the password "dmvpnd"
#   oper  (privilege 1):  an ECDSA key only
#
# Logins with a key and with a password; commands run without a shell
# (ssh node 'show version') and in an interactive one (ssh -tt); wrong
# passwords refused, each later attempt from the same address slower; a
# read-only user refused clear and debug; telnet and ssh print the same;
# 50 connections that never log in do not keep the operator out; the host
# key is made 0600 at the first start and the same after a restart, when
# telnet is switched off. Needs root. Namespaces are removed on any exit.
set -u
dmvpnd=${1:?usage: test_cli_ssh.sh path/to/dmvpnd}
src=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/integ/netns_lib.sh"
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2> /dev/null; netns_cleanup; rm -rf "$work"' EXIT

command -v ssh > /dev/null || { echo "FAIL: no ssh client (scripts/setup installs openssh-client)"; exit 1; }

node_topology

ssh-keygen -q -t ed25519 -N '' -C admin@test -f "$work/admin_key"
ssh-keygen -q -t ecdsa -b 256 -N '' -C oper@test -f "$work/oper_key"
printf '#!/bin/sh\necho "${ASKPASS_PW:-dmvpnd}"\n' > "$work/askpass"; chmod 755 "$work/askpass"

write_config() { # telnet-port
  config_for_run "$src/configs/node.yaml" "$work/full.yaml"
  sed '/^cli:/,$d' "$work/full.yaml" > "$work/node.yaml"
  cat >> "$work/node.yaml" << EOF
cli:
  telnet:
    port: $1
  ssh:
    port: 2222
    host-key: $work/state/ssh_host_ed25519_key
  idle-timeout: 120
  users:
    - name: admin
      password-hash: "\$6\$v.GVuxiCVZSPfhZJ\$BJzaw0nPwRaLc1RXnKOQlStHF8wCIzaS1gGNb1DjEYmgfNZQjjBOKajH3DtMKT.ns.QMaX3a5/eo61M8Z05Zk1"
      ssh-keys:
        - "$(cat "$work/admin_key.pub")"
    - name: oper
      privilege: 1
      ssh-keys:
        - "$(cat "$work/oper_key.pub")"
EOF
}


SSH_OPTS=(-F /dev/null -p 2222 -o UserKnownHostsFile="$work/known_hosts" -o ConnectTimeout=10
  -o ServerAliveInterval=0)
ssh_key() { # user command...
  local u=$1; shift
  nsx node timeout 20 ssh "${SSH_OPTS[@]}" -o LogLevel="${SSH_LOG:-ERROR}" \
    -o StrictHostKeyChecking=accept-new -o BatchMode=yes \
    -o PreferredAuthentications=publickey -i "$work/${u}_key" "$u@127.0.0.1" "$@"
}
ssh_pw() { # password command...
  local pw=$1; shift
  ASKPASS_PW=$pw SSH_ASKPASS="$work/askpass" SSH_ASKPASS_REQUIRE=force \
    nsx node timeout 60 ssh "${SSH_OPTS[@]}" -o LogLevel=ERROR -o StrictHostKeyChecking=accept-new \
    -o PreferredAuthentications=password -o PubkeyAuthentication=no \
    -o NumberOfPasswordPrompts=1 admin@127.0.0.1 "$@" < /dev/null
}

write_config 2323
mkdir -p "$work/state"
node_start "$dmvpnd" "$work/node.yaml" "$work/node.log" || { summary; exit 1; }
ok "dmvpnd started with ssh on 127.0.0.1:2222"
grep 'mgmt' "$work/node.log"
check "the host key was made, mode 0600" \
  test "$(stat -c %a "$work/state/ssh_host_ed25519_key" 2> /dev/null)" = 600
fp=$(ssh-keygen -lf "$work/state/ssh_host_ed25519_key" | awk '{print $2}')
check "the log names the host key's fingerprint ($fp)" grep -q "host key $fp" "$work/node.log"

echo "--- a key login, commands without a shell"
out=$(ssh_key admin 'show version')
rc=$?
echo "$out"
check "admin logs in with its key; show version answers" \
  sh -c "[ $rc = 0 ] && echo '$out' | grep -q '^dmvpnd '"
check "the log has the login with its method" \
  grep -q "login: admin from 127.0.0.1:[0-9]* over ssh (public key ssh-keys\[0\], privilege 15)" "$work/node.log"
ssh_key admin 'show arp; show bogus' > "$work/two.txt"
rc=$?
cat "$work/two.txt"
check "two commands on one line; an unknown one makes ssh exit 1" \
  sh -c "[ $rc = 1 ] && grep -q '^Address' $work/two.txt"

echo "--- the same answer over telnet and ssh"
nsx node /usr/bin/python3 "$src/tests/integ/cli_client.py" 'show running-config' |
  grep -v '^node[#>] ' | tr -d '\r' > "$work/rc-telnet.txt"
ssh_key admin 'show running-config' > "$work/rc-ssh.txt"
check "show running-config is the same over telnet and ssh ($(wc -l < "$work/rc-ssh.txt") lines)" \
  sh -c "[ -s $work/rc-ssh.txt ] && diff $work/rc-telnet.txt $work/rc-ssh.txt"

echo "--- an interactive shell"
out=$(printf 'show version\nexit\n' | ssh_key admin -tt 2>&1 | tr -d '\r')
echo "$out"
check "ssh -tt: the admin's prompt is node#, and commands answer" \
  sh -c "echo '$out' | grep -q '^node# show version' && echo '$out' | grep -q '^dmvpnd '"

echo "--- a read-only user"
out=$(ssh_key oper 'show version; clear ip nhrp; debug crypto ikev2')
echo "$out"
check "oper (privilege 1) runs show commands" sh -c "echo '$out' | grep -q '^dmvpnd '"
check "oper is refused clear and debug" \
  test "$(echo "$out" | grep -c "% Access denied: '.*' needs privilege 15, oper has 1")" -eq 2
check "the refusals are in the log" grep -q "oper@127.0.0.1:[0-9]*: refused (privilege 1): clear ip nhrp" "$work/node.log"
out=$(printf 'show version\nexit\n' | ssh_key oper -tt 2>&1 | tr -d '\r')
check "oper's prompt is node>" sh -c "echo '$out' | grep -q '^node> show version'"

echo "--- passwords"
out=$(ssh_pw dmvpnd 'show version')
check "admin logs in with its password" sh -c "echo '$out' | grep -q '^dmvpnd '"
declare -a took
for i in 1 2 3; do
  t0=$(date +%s%N)
  ssh_pw wrong 'show version' > /dev/null 2>&1
  rc=$?
  took[$i]=$((($(date +%s%N) - t0) / 1000000))
  echo "wrong password $i: ssh exit $rc after ${took[$i]} ms"
  [ "$rc" = 255 ] || bad "wrong password $i was not refused (exit $rc)"
done
check "each wrong password from the same address waits longer (${took[1]}, ${took[2]}, ${took[3]} ms)" \
  sh -c "[ ${took[2]} -ge 400 ] && [ ${took[3]} -ge 900 ] && [ ${took[3]} -gt ${took[1]} ]"
check "the refusals are in the log, without the password" \
  sh -c "grep -q \"login refused: user 'admin' from 127.0.0.1:[0-9]* over ssh (try 1, password)\" $work/node.log && ! grep -q wrong $work/node.log"
out=$(ssh_key admin 'show version')
check "a key login is not slowed by password failures" sh -c "echo '$out' | grep -q '^dmvpnd '"

echo "--- 50 connections that never log in"
nsx node /usr/bin/python3 - << 'EOF' &
import socket, time
socks = []
for _ in range(50):
    try:
        socks.append(socket.create_connection(('127.0.0.1', 2222), timeout=2))
    except OSError:
        pass
time.sleep(8)
EOF
hog=$!
sleep 2
out=$(SSH_LOG=VERBOSE ssh_key admin 'show version' 2> "$work/hog-ssh.err")
if ! check "the operator still logs in" sh -c "echo '$out' | grep -q '^dmvpnd '"; then
  tail -5 "$work/hog-ssh.err"; grep mgmt "$work/node.log" | tail -25
fi
kill "$hog" 2> /dev/null; wait "$hog" 2> /dev/null
check "idle connections were closed to make room" grep -q "ssh: 8 connections still logging in: closing the oldest idle one" "$work/node.log"

echo "--- restart with telnet off"
node_stop "$pid" 20 > /dev/null; pid=
write_config 0
node_start "$dmvpnd" "$work/node.yaml" "$work/node.log" && ok "dmvpnd started again, telnet off"
out=$(nsx node timeout 20 ssh "${SSH_OPTS[@]}" -o StrictHostKeyChecking=yes -o BatchMode=yes \
  -i "$work/admin_key" admin@127.0.0.1 'show version' 2>&1)
check "the host key is the same after a restart (strict host key checking)" \
  sh -c "echo '$out' | grep -q '^dmvpnd '"
check "telnet is off" sh -c "! ip netns exec $NS_PREFIX-node /usr/bin/python3 $src/tests/integ/cli_client.py 'show version' > /dev/null 2>&1"
node_stop "$pid" 20 > /dev/null
check "the node stopped cleanly" test $? -eq 0
pid=
summary
