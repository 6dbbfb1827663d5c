#!/usr/bin/env bash
# Every message type our encoders produce is decoded by Wireshark's own LISP
# dissector with no malformed packet and no expert warning or error.
set -euo pipefail
emit=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
count=$("$emit" "$work/ours.pcap" "$work/dataplane.pcap")

lisp_frames=$(tshark -r "$work/ours.pcap" -Y "lisp or lisp-data" 2>/dev/null | wc -l)
bad=$(tshark -r "$work/ours.pcap" -Y "_ws.malformed or _ws.expert.severity >= warning" 2>/dev/null | wc -l)
echo "emitted $count frames, tshark decoded $lisp_frames as LISP, $bad malformed or with expert warnings/errors"
tshark -r "$work/ours.pcap" 2>/dev/null | sed 's/^/  /'
if [ "$bad" -ne 0 ] || [ "$lisp_frames" -ne "$count" ]; then
  tshark -r "$work/ours.pcap" -q -z expert 2>/dev/null
  tshark -r "$work/ours.pcap" -V -Y "_ws.malformed or _ws.expert.severity >= warning" 2>/dev/null | head -150
  exit 1
fi
# What the data plane sends (its golden frames): encapsulated packets,
# fragments, ICMP "fragmentation needed" and ICMPv6 "Packet Too Big".
frames=$(tshark -r "$work/dataplane.pcap" 2>/dev/null | wc -l)
bad=$(tshark -r "$work/dataplane.pcap" -Y "_ws.malformed or _ws.expert.severity >= warning" 2>/dev/null | wc -l)
echo "data plane: $frames frames, $bad malformed or with expert warnings/errors"
tshark -r "$work/dataplane.pcap" 2>/dev/null | sed 's/^/  /'
if [ "$bad" -ne 0 ] || [ "$frames" -ne 9 ]; then
  tshark -r "$work/dataplane.pcap" -V -Y "_ws.malformed or _ws.expert.severity >= warning" 2>/dev/null | head -150
  exit 1
fi
# The capture must also go through our own decoder unchanged.
"$LISPDUMP" "$work/ours.pcap" > /dev/null
