#!/usr/bin/env bash
# lispdump decodes every capture, prints a line per LISP packet with its
# time of day, and its --reencode output is byte-identical to the input; it
# reads pcapng and standard input (libpcap) and takes a BPF filter; a
# corrupted capture makes it exit non-zero.
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
  # Each line: frame number, UTC time of day (tshark's), endpoints.
  first_time=$(TZ=UTC tshark -r "$capture" -c 1 -T fields -e frame.time 2>/dev/null | sed -E 's/.* ([0-9:]+\.[0-9]{6}).*/\1/')
  grep -q "^1 $first_time [0-9.]*\.[0-9]* > " "$work/lines" || { head -1 "$work/lines"; echo "time: $first_time"; exit 1; }
  # pcapng, and standard input, as tshark -w - | lispdump - would give it.
  editcap -F pcapng "$capture" "$work/capture.pcapng"
  "$lispdump" "$work/capture.pcapng" > "$work/ng.lines"
  cmp "$work/lines" "$work/ng.lines"
  tshark -r "$capture" -w - 2>/dev/null | "$lispdump" - > "$work/stdin.lines"
  cmp "$work/lines" "$work/stdin.lines"
  # A BPF filter: the data packets only, as many as tshark counts.
  "$lispdump" "$capture" udp port 4341 > "$work/data.lines"
  data=$(tshark -r "$capture" -Y "udp.port == 4341" 2>/dev/null | wc -l)
  [ "$(wc -l < "$work/data.lines")" -eq "$data" ] && [ "$data" -gt 0 ]
  if grep -q "Map-Register" "$work/data.lines"; then echo "the filter let control through"; exit 1; fi
  if "$lispdump" "$capture" udp portt 4341 2> "$work/bad-filter"; then echo "a bad filter was accepted"; exit 1; fi
  grep -q "filter 'udp portt 4341'" "$work/bad-filter"
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
echo "lispdump: ${#files[@]} capture(s) round-trip; pcapng, standard input and a BPF filter read"
