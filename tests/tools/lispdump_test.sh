#!/usr/bin/env bash
# lispdump decodes every capture, prints a line per LISP packet, and its
# --reencode output is byte-identical to the input; a corrupted capture makes
# it exit non-zero.
set -euo pipefail
lispdump=$1
captures=${LISPMOB_CAPTURES:-$LISPMOB_SOURCE_ROOT/tests/data/captures}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

shopt -s nullglob
files=("$captures"/*.pcap)
[ ${#files[@]} -gt 0 ] || { echo "no captures in $captures"; exit 1; }
for capture in "${files[@]}"; do
  "$lispdump" "$capture" --reencode "$work/out.pcap" > "$work/lines"
  frames=$(tshark -r "$capture" 2>/dev/null | wc -l)
  lines=$(wc -l < "$work/lines")
  [ "$lines" -eq "$frames" ] || { echo "$capture: $lines lines for $frames frames"; exit 1; }
  grep -q "Map-Register want-map-notify nonce 0x" "$work/lines"
  grep -q "ECM .* Map-Request" "$work/lines"
  cmp "$capture" "$work/out.pcap"
done

# Corrupt the first Map-Register's record count (frame 1, LISP byte 3) to 9:
# its records then run past the end and lispdump must say so and fail.
python3 - "${files[0]}" "$work/bad.pcap" <<'PY'
import sys
data = bytearray(open(sys.argv[1], 'rb').read())
offset = 24 + 16 + 14 + 20 + 8 + 3   # pcap header, record header, Ethernet, IPv4, UDP
data[offset] = 9
open(sys.argv[2], 'wb').write(data)
PY
if "$lispdump" "$work/bad.pcap" > "$work/bad.lines"; then
  echo "lispdump accepted a corrupted Map-Register"; exit 1
fi
grep -q "^1 .*MALFORMED" "$work/bad.lines"
echo "lispdump: ${#files[@]} capture(s) round-trip"
