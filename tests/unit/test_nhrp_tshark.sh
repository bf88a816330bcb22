#!/bin/sh
# Independent oracle for the NHRP encoder. nhrp_gen encodes one packet of
# every type (all extensions, GRE key 42) into a pcap and prints the field
# values it meant to send; tshark must dissect exactly those, with no
# malformed packet, no expert warning and every NHRP checksum good.
#
# Usage: tests/unit/test_nhrp_tshark.sh [path/to/nhrp_gen]
#   Without an argument nhrp_gen is compiled into a temporary directory.
#   Ends with "N passed, N failed"; exits 1 on any failure.
set -eu

srcdir=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

command -v tshark >/dev/null 2>&1 || { echo "tshark not found (scripts/setup installs it)"; exit 1; }

gen=${1:-}
if [ -z "$gen" ]; then
	gen=$tmp/nhrp_gen
	${CC:-gcc} -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -O1 \
		-I"$srcdir/common" -I"$srcdir/control" \
		"$srcdir/control/nhrp/nhrp_msg.c" -I"$srcdir/control/nhrp" "$srcdir/tests/unit/nhrp_gen.c" \
		-o "$gen"
fi
"$gen" "$tmp/gen.pcap" >"$tmp/expect.tsv"
nframes=$(($(wc -l <"$tmp/expect.tsv") - 1))

# 1. Field by field: tshark -T fields, hex (0x...) turned to decimal.
set -- -e frame.number
for f in $(head -n 1 "$tmp/expect.tsv" | cut -f 2-); do
	set -- "$@" -e "$f"
done
tshark -r "$tmp/gen.pcap" -Y nhrp -T fields -E separator=/t "$@" \
	>"$tmp/actual.tsv" 2>"$tmp/tshark.err"
awk -F '\t' -v out="$tmp/results" '
function hex2dec(s,   i, v) {
	v = 0
	s = tolower(substr(s, 3))
	for (i = 1; i <= length(s); i++)
		v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}
function norm(s,   n, a, i, r) {
	n = split(s, a, ",")
	r = ""
	for (i = 1; i <= n; i++) {
		if (a[i] ~ /^0x[0-9a-fA-F]+$/)
			a[i] = hex2dec(a[i])
		r = r (i > 1 ? "," : "") a[i]
	}
	return r
}
FNR == NR {
	if (FNR == 1) { for (i = 2; i <= NF; i++) name[i] = $i; next }
	for (i = 2; i <= NF; i++) want[$1, i] = $i
	nf = NF
	frames[$1] = 1
	next
}
{
	seen[$1] = 1
	for (i = 2; i <= nf; i++) {
		got = norm($i)
		if (got == want[$1, i])
			print "ok" > out
		else
			printf "FAIL: frame %s %s: want \"%s\" got \"%s\"\n", \
			    $1, name[i], want[$1, i], got > out
	}
}
END {
	for (f in frames)
		if (!(f in seen))
			printf "FAIL: frame %s not dissected as NHRP\n", f > out
}' "$tmp/expect.tsv" "$tmp/actual.tsv"
pass=$((pass + $(grep -c '^ok$' "$tmp/results" || true)))
nbad=$(grep -c '^FAIL' "$tmp/results" || true)
fail=$((fail + nbad))
grep '^FAIL' "$tmp/results" || true
if [ -s "$tmp/tshark.err" ] && grep -qiv 'running as user' "$tmp/tshark.err"; then
	bad "tshark stderr: $(cat "$tmp/tshark.err")"
else
	ok
fi

# 2. The whole dissection: nothing malformed, no expert info at all, a
#    good checksum for every NHRP packet (the Error Indication's quoted
#    Resolution Request included), and the quoted data where we put it.
tshark -r "$tmp/gen.pcap" -V >"$tmp/verbose.txt" 2>/dev/null
if grep -qi -e malformed -e 'expert info' "$tmp/verbose.txt"; then
	bad "tshark -V flags: $(grep -i -e malformed -e 'expert info' \
		"$tmp/verbose.txt" | head -n 3)"
else
	ok
fi
good=$(grep -c 'NHRP Packet Checksum Status: Good' "$tmp/verbose.txt" || true)
if [ "$good" -eq $((nframes + 1)) ]; then ok; else
	bad "$good good NHRP checksums, want $((nframes + 1))"
fi
if [ "$(grep -c 'Packet Causing Indication' "$tmp/verbose.txt")" -eq 2 ]; then
	ok
else
	bad "expected 2 quoted packets (Error and Traffic Indication)"
fi
if grep -q 'Internet Control Message Protocol' "$tmp/verbose.txt"; then ok
else bad "Traffic Indication quote not dissected as the ICMP echo"; fi

# 3. tshark's expert summary at warning level and above must be empty.
tshark -r "$tmp/gen.pcap" -q -z expert,warn >"$tmp/expert.txt" 2>/dev/null
if grep -q -e '^Errors' -e '^Warns' "$tmp/expert.txt"; then
	bad "expert warnings:"
	cat "$tmp/expert.txt"
else
	ok
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
