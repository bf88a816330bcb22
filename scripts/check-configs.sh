#!/usr/bin/env bash
# `dmvpnd --check` on every shipped config: configs/*.yaml print OK, each
# configs/bad/*.yaml prints exactly the error its first line promises.
set -u
dmvpnd=${1:?usage: check-configs.sh path/to/dmvpnd}
cd "${DMVPND_SRCDIR:-.}"
pass=0 fail=0
for f in configs/*.yaml; do
  out=$("$dmvpnd" --check -c "$f" 2>&1); rc=$?
  if [ $rc -eq 0 ] && [ "$out" = "$f: OK" ]; then pass=$((pass+1)); echo "ok   $out"
  else fail=$((fail+1)); echo "FAIL $f: rc=$rc: $out"; fi
done
for f in configs/bad/*.yaml; do
  want=$(head -n1 "$f" | sed -n 's/^# expect: //p')
  out=$("$dmvpnd" --check -c "$f" 2>&1); rc=$?
  if [ $rc -eq 1 ] && [ -n "$want" ] && [ "$out" = "$want" ]; then pass=$((pass+1)); echo "ok   $out"
  else fail=$((fail+1)); echo "FAIL $f: rc=$rc"; echo "     want: $want"; echo "     got:  $out"; fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
