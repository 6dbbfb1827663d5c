#!/usr/bin/env bash
# lispd as a mobile node in one network namespace: lmn0 (net_tap) carries
# its EID 198.18.0.10 to the host stack, the RLOC port is net_af_packet on a
# veth, and the kernel twin rloc0 holds the RLOC 192.0.2.5. In the other
# namespace a peer xTR (192.0.2.4, a small Python program) answers pings
# inside LISP. The host pings 203.0.113.10 through lmn0: the requests must
# leave as LISP data (tshark on the peer's side decodes them, nothing
# malformed) and the encapsulated replies must reach the pinging host.
# The MN registers its EID with lispmob's own Map-Server in the peer's
# namespace (through the kernel twin). Then the RLOC moves (192.0.2.5 ->
# 192.0.2.6) under a 10 ms ping stream: traffic must resume from the new
# RLOC and the Map-Server must hold the new RLOC; the gap and the time to
# re-register are printed (figures for the record, not pass/fail timings).
# Needs root; skipped (77) without it.
set -euo pipefail
lispd=$1 lispctl=$2
[ "$(id -u)" -eq 0 ] && command -v ip >/dev/null || { echo "needs root and iproute2"; exit 77; }
id=$$
mn=lm-mn-$id peer=lm-pe-$id
work=$(mktemp -d)
cleanup() {
  status=$?
  [ $status -eq 0 ] || { echo "--- lispd log"; cat "$work/lispd.log" 2>/dev/null; }
  for ns in "$mn" "$peer"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true; done
  sleep 0.5
  for ns in "$mn" "$peer"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$mn"
ip netns add "$peer"
ip link add "va$id" netns "$mn" type veth peer name "vb$id" netns "$peer"
ip netns exec "$mn" sysctl -qw "net.ipv6.conf.va$id.disable_ipv6=1"
ip -n "$mn" link set "va$id" up
ip -n "$mn" link set lo up
ip -n "$peer" addr add 192.0.2.4/24 dev "vb$id"
ip -n "$peer" link set "vb$id" up
ip netns exec "$peer" ethtool -K "vb$id" tx off >/dev/null  # full checksums, as on a wire
ip -n "$peer" link set lo up

cat > "$work/mn.conf" <<CONF
operating-mode = "MN"
debug = 1
host-setup = off  # this test sets lmn0 up by hand
tap-iface = "lmn0"
map-cache-max-entries = 1024
dpdk {
  eal-args = "--no-huge --no-pci --no-shconf --no-telemetry -m 512 --log-level=lib.eal:error"
  worker-lcores = "1"
  rloc-port = "net_af_packet_rloc,iface=va$id"
  rloc-twin = "rloc0"
  mbufs = 4095
}
database-mapping {
  eid-prefix = 198.18.0.10/32
  rloc-iface { interface = "rloc0" }
}
static-map-cache {
  eid-prefix = 203.0.113.0/24
  rloc-address { address = 192.0.2.4 }
}
map-server { address = 192.0.2.4  key-type = 2  key = "mn-key" }
CONF
cat > "$work/ms.conf" <<CONF
operating-mode = "MS"
lisp-site { eid-prefix = 198.18.0.0/24  key-type = 2  key = "mn-key"  accept-more-specifics = on }
CONF

cat > "$work/peer.py" <<'PY'
# A peer xTR for the test: decapsulates LISP data on UDP 4341, answers ICMP
# echo requests to 203.0.113.10 inside LISP.
import socket, struct, sys
def checksum(data):
    if len(data) % 2: data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("192.0.2.4", 4341))
while True:
    data, (source, _) = sock.recvfrom(65535)
    inner = data[8:]
    if len(inner) < 28 or inner[0] >> 4 != 4 or inner[9] != 1: continue
    length = (inner[0] & 15) * 4
    icmp = inner[length:]
    if icmp[0] != 8: continue
    reply = bytearray(b"\0\0\0\0" + icmp[4:])
    reply[2:4] = struct.pack("!H", checksum(bytes(reply)))
    header = bytearray(inner[:length])
    header[12:16], header[16:20] = inner[16:20], inner[12:16]
    header[8], header[10:12] = 64, b"\0\0"
    header[10:12] = struct.pack("!H", checksum(bytes(header)))
    sock.sendto(bytes([0x80, 0, 0, 1, 0, 0, 0, 0]) + bytes(header) + bytes(reply), (source, 4341))
PY

ip netns exec "$peer" python3 "$work/peer.py" &
ip netns exec "$peer" "$lispd" -f "$work/ms.conf" -s "$work/ms.sock" 2> "$work/ms.log" &
ip netns exec "$peer" tshark -q -i "vb$id" -f "udp port 4341" -w "$work/lisp.pcap" 2>/dev/null &
ip netns exec "$mn" "$lispd" -f "$work/mn.conf" -s "$work/lispd.sock" 2> "$work/lispd.log" &
for _ in $(seq 50); do
  ip -n "$mn" link show rloc0 >/dev/null 2>&1 && ip -n "$mn" link show lmn0 >/dev/null 2>&1 && break
  sleep 0.2
done
ip -n "$mn" link show lmn0 >/dev/null || { cat "$work/lispd.log"; exit 1; }
# Host set-up as LISPmob users know it (the control plane will do this itself).
# Deleting a primary address keeps the secondary one (the new RLOC below).
ip netns exec "$mn" sysctl -qw net.ipv4.conf.rloc0.promote_secondaries=1
ip -n "$mn" addr add 192.0.2.5/24 dev rloc0
ip -n "$mn" link set rloc0 up
ip -n "$mn" addr add 198.18.0.10/32 dev lmn0
ip -n "$mn" link set lmn0 arp off up
ip -n "$mn" route add 203.0.113.0/24 dev lmn0 src 198.18.0.10
sleep 1
# The RLOC's own traffic goes through the kernel twin (and resolves the peer's MAC).
ip netns exec "$mn" ping -c 2 -i 0.2 -W 2 -I rloc0 192.0.2.4
sleep 0.5
ip netns exec "$mn" ping -c 5 -i 0.2 -W 2 203.0.113.10 | tee "$work/ping"
received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$work/ping")

# Registered with the Map-Server, with the current RLOC.
for _ in $(seq 30); do
  "$lispctl" -s "$work/ms.sock" show registrations | grep "198.18.0.10/32 .*192.0.2.5 (p1 w100)" >/dev/null && break
  sleep 0.1
done
"$lispctl" -s "$work/ms.sock" show registrations | tee "$work/registered"
grep -q "198.18.0.10/32 .*192.0.2.5 (p1 w100)" "$work/registered"
"$lispctl" -s "$work/lispd.sock" show map-servers | tee "$work/map-servers"
grep -Eq "^\* +192.0.2.4 +yes" "$work/map-servers"

# lispctl's view of the data plane.
"$lispctl" -s "$work/lispd.sock" show map-cache | tee "$work/map-cache"
grep -Eq "^0 +203.0.113.0/24 +encapsulate +static +never +192.0.2.4 \(p1 w100\)" "$work/map-cache"
"$lispctl" -s "$work/lispd.sock" lookup 203.0.113.77 | grep "203.0.113.0/24" >/dev/null
"$lispctl" -s "$work/lispd.sock" show local | tee "$work/local"
grep -q "^rloc       192.0.2.5" "$work/local"
grep -q "^eid        \[0\]198.18.0.10/32" "$work/local"
"$lispctl" -s "$work/lispd.sock" show counters > "$work/counters"
[ "$(awk '$1 == "encapsulated" {print $2}' "$work/counters")" -ge 5 ]
[ "$(awk '$1 == "decapsulated" {print $2}' "$work/counters")" -ge 5 ]

# Handover: a new RLOC on the twin, the old one removed, mid-stream.
ip netns exec "$mn" ping -D -i 0.01 -c 300 -W 1 203.0.113.10 > "$work/stream" &
stream=$!
sleep 1
moved_at=$(date +%s.%N)
ip -n "$mn" addr add 192.0.2.6/24 dev rloc0
ip -n "$mn" addr del 192.0.2.5/24 dev rloc0
for i in $(seq 100); do
  if "$lispctl" -s "$work/ms.sock" show registrations | grep "192.0.2.6 (p1 w100)" >/dev/null; then
    reregistered=$(echo "$(date +%s.%N) - $moved_at" | bc -l)
    break
  fi
  sleep 0.01
done
wait $stream || true
echo "re-registered the new RLOC $(printf '%.0f' "$(echo "${reregistered:-99} * 1000" | bc -l)") ms after the move"
"$lispctl" -s "$work/ms.sock" show registrations | grep "198.18.0.10/32 .*192.0.2.6 (p1 w100)" >/dev/null
after=$(awk -v t="$moved_at" -F'[][]' '/bytes from/ && $2 > t {n++} END {print n+0}' "$work/stream")
gap=$(awk -v t="$moved_at" -F'[][]' '/bytes from/ {if ($2 <= t) last=$2; else if (!first) first=$2}
      END {if (first && last) printf "%.0f", (first-last)*1000; else print "none"}' "$work/stream")
echo "RLOC move: $after replies after the move; largest gap around it ${gap} ms"
sleep 1
ip netns pids "$peer" | xargs -r kill -INT
sleep 1
cat "$work/lispd.log"
lisp=$(tshark -r "$work/lisp.pcap" -Y "lisp-data" 2>/dev/null | wc -l)
pings=$(tshark -r "$work/lisp.pcap" -Y "lisp-data and icmp.type == 8 and ip.dst == 203.0.113.10" 2>/dev/null | wc -l)
moved=$(tshark -r "$work/lisp.pcap" -Y "lisp-data and ip.src == 192.0.2.6" 2>/dev/null | wc -l)
bad=$(tshark -r "$work/lisp.pcap" -Y "_ws.malformed or _ws.expert.severity >= warning" 2>/dev/null | wc -l)
echo "ping replies $received/5; on the peer's link: $lisp LISP data packets, $pings encapsulated echo requests ($moved from the new RLOC), $bad malformed"
[ "${received:-0}" -ge 4 ] && [ "$pings" -ge 5 ] && [ "$bad" -eq 0 ] && [ "$moved" -ge 100 ] && [ "$after" -ge 100 ]
