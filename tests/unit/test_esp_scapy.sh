#!/bin/sh
# scapy's ESP as an independent oracle for ours, both directions, every
# algorithm, with and without ESN and UDP 4500, in transport and tunnel mode
# (test_esp_scapy.py says how).
#
# Usage: tests/unit/test_esp_scapy.sh [path/to/esp_tool]
#   Without an argument esp_tool is compiled into a temporary directory.
#   Ends with "N passed, N failed"; exits 1 on any failure, 77 to skip.
set -eu

srcdir=${DMVPND_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
py=/usr/bin/python3

"$py" -c 'import scapy.layers.ipsec' 2>/dev/null || { echo "python3-scapy not found (scripts/setup installs it)"; exit 1; }

tool=${1:-}
if [ -z "$tool" ]; then
	tool=$tmp/esp_tool
	# shellcheck disable=SC2046
	${CC:-gcc} -std=gnu11 -Wall -Wextra -Werror -Wvla -Wshadow -Wstrict-prototypes \
		-Wno-missing-field-initializers -DALLOW_EXPERIMENTAL_API -D_GNU_SOURCE \
		-march=native -O1 -include rte_config.h \
		$(pkg-config --cflags-only-I libdpdk | sed 's/-I/-isystem /g') \
		-I"$srcdir/common" -I"$srcdir/dataplane" -I"$srcdir/tests/unit" \
		"$srcdir/dataplane/crypto_mb.c" "$srcdir/dataplane/esp_out.c" \
		"$srcdir/dataplane/esp_in.c" "$srcdir/tests/unit/esp_tool.c" \
		-o "$tool" $(pkg-config --libs libdpdk) -lIPSec_MB
fi
"$py" "$srcdir/tests/unit/test_esp_scapy.py" "$tool" "$tmp"
