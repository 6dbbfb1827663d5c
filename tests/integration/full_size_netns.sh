#!/usr/bin/env bash
# Full-size packets through lispmob (RFC 9300 §7), all lispmob: a mobile
# node (EID 198.18.0.10) and an xTR (its host 198.18.1.1), each lispd on
# DPDK with default MTU settings, and lispmob's Map-Server/Resolver on the
# first router, over 1500-byte links and two routers. With "xtr" as the
# third argument the first node is an xTR too (its lmn0 set up by hand):
# TCP between two lispmob xTRs.
#
#   mn:   lmn0 198.18.0.10 | rloc0 192.0.2.5, 2001:db8:2::5 (twin of ma)
#   core: 192.0.2.1 / 2001:db8:2::1 (ca) | 192.0.9.1 / 2001:db8:9::1 (cm) | MS 192.0.4.2
#   mid:  192.0.9.2 / 2001:db8:9::2 (mc) | 192.0.3.1 / 2001:db8:3::1 (mx)
#   xtr:  lmn0 198.18.1.1/24 | rloc0 192.0.3.4, 2001:db8:3::4 (twin of xa)
#
# Checked, in order:
#  1. lispd sets each lmn0 to the RLOC link's MTU less the encapsulation
#     (1500 - 56 = 1444: both nodes have an IPv6 RLOC), and says why in
#     `lispctl show local`.
#  2. 20 MB over TCP, EID to EID, each way, arrive whole (SHA-256) in
#     bounded time; nothing is lost at a port (tx_port_errors 0). lmn0
#     takes the host's TSO: super-packets arrive and the data plane
#     segments them. The throughput is printed for the record.
#  3. The MN's network becomes a 1400-byte one during a TCP transfer: lmn0
#     follows (1344) and the transfer arrives whole; its longest stall is
#     printed.
#  3b. (MN) 10 moves of the MN's RLOC under a paced TCP transfer from the
#     xTR's host: whole, no reset, no stall over 1 s; the dip per move printed.
#  4. A 1400-byte link in the middle (core-mid; the nodes' own links stay
#     at 1500): the routers' ICMP reaches the sending lispd, which lowers that RLOC's path MTU and
#     answers the host's too-big packets with ICMP (path MTU discovery
#     through the tunnel); 20 MB each way arrive whole.
# Needs root; skipped (77) without it.
set -euo pipefail
lispd=$1 lispctl=$2 first_role=${3:-mn}
transfer=$(dirname "$0")/tcp_transfer.py
[ "$(id -u)" -eq 0 ] && command -v ip >/dev/null || { echo "needs root and iproute2"; exit 77; }
id=$$
mn=lf-mn-$id xtr=lf-xt-$id core=lf-co-$id mid=lf-mi-$id
work=$(mktemp -d)
failed_at_line=""
trap 'failed_at_line="line $LINENO: $BASH_COMMAND"' ERR
cleanup() {
  status=$?
  if [ $status -ne 0 ]; then
    for log in mn xtr ms; do echo "--- $log.log"; tail -n 25 "$work/$log.log" 2>/dev/null; done
    for node in mn xtr; do
      echo "--- $node counters"; "$lispctl" -s "$work/$node.sock" show counters 2>/dev/null | grep -v " 0$"
    done
    echo "full_size_netns FAILED at $failed_at_line"
  fi
  for ns in "$mn" "$xtr" "$core" "$mid"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true; done
  sleep 0.5
  for ns in "$mn" "$xtr" "$core" "$mid"; do ip netns del "$ns" 2>/dev/null || true; done
  [ -z "${LISPMOB_KEEP_LOGS:-}" ] || cp -r "$work" "$LISPMOB_KEEP_LOGS"
  rm -rf "$work"
}
trap cleanup EXIT
for ns in "$mn" "$xtr" "$core" "$mid"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
ip link add "ma$id" netns "$mn" type veth peer name "ca$id" netns "$core"
ip link add "cm$id" netns "$core" type veth peer name "mc$id" netns "$mid"
ip link add "xa$id" netns "$xtr" type veth peer name "mx$id" netns "$mid"
ip netns exec "$mn" sysctl -qw "net.ipv6.conf.ma$id.disable_ipv6=1"
ip netns exec "$xtr" sysctl -qw "net.ipv6.conf.xa$id.disable_ipv6=1"
ip -n "$mn" link set "ma$id" up
ip -n "$xtr" link set "xa$id" up
for router in "$core" "$mid"; do
  ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1
  ip netns exec "$router" sysctl -qw net.ipv6.conf.all.forwarding=1
done
ip -n "$core" addr add 192.0.2.1/24 dev "ca$id"
ip -n "$core" addr add 2001:db8:2::1/64 dev "ca$id" nodad
ip -n "$core" addr add 192.0.9.1/24 dev "cm$id"
ip -n "$core" addr add 2001:db8:9::1/64 dev "cm$id" nodad
ip -n "$core" addr add 192.0.4.2/32 dev lo
ip -n "$mid" addr add 192.0.9.2/24 dev "mc$id"
ip -n "$mid" addr add 2001:db8:9::2/64 dev "mc$id" nodad
ip -n "$mid" addr add 192.0.3.1/24 dev "mx$id"
ip -n "$mid" addr add 2001:db8:3::1/64 dev "mx$id" nodad
for veth in "ca$id" "cm$id"; do ip -n "$core" link set "$veth" up; done
for veth in "mc$id" "mx$id"; do ip -n "$mid" link set "$veth" up; done
ip -n "$core" route add 192.0.3.0/24 via 192.0.9.2
ip -n "$core" -6 route add 2001:db8:3::/64 via 2001:db8:9::2
ip -n "$mid" route add default via 192.0.9.1
ip -n "$mid" -6 route add default via 2001:db8:9::1
# Full checksums and no segmentation offloads toward the nodes, as on a wire.
ip netns exec "$core" ethtool -K "ca$id" tx off tso off gso off >/dev/null
ip netns exec "$mid" ethtool -K "mx$id" tx off tso off gso off >/dev/null

node_conf() {  # mode eid-prefix key veth ipv4-priority ipv6-priority worker-lcores
  cat <<CONF
operating-mode = "$1"
debug = 0
map-cache-max-entries = 1024
dpdk {
  eal-args = "--no-huge --no-pci --no-shconf --no-telemetry -m 512 --log-level=lib.eal:error"
  worker-lcores = "$7"
  rloc-port = "net_af_packet_rloc,iface=$4"
  rloc-twin = "rloc0"
  mbufs = 8191
  idle-sleep-us = 200
}
database-mapping {
  eid-prefix = $2
  rloc-iface { interface = "rloc0"  ip_version = 4  priority = $5 }
  rloc-iface { interface = "rloc0"  ip_version = 6  priority = $6 }
}
map-server { address = 192.0.4.2  key-type = 2  key = "$3" }
map-resolver = { 192.0.4.2 }
CONF
}
# The MN prefers its IPv4 RLOC, the xTR its IPv6 one: MN -> xTR is LISP
# over IPv6, xTR -> MN LISP over IPv4.
if [ "$first_role" = xtr ]; then first_mode=xTR; else first_mode=MN; fi
# Each node's worker on a CPU of its own (lcore 1 on CPU 0 for the first),
# as on two machines: with both on CPU 1 they would share one core, and the
# transfer measures that (961 against 1572 Mbit/s on this 2-CPU VM).
node_conf "$first_mode" 198.18.0.10/32 mn-key "ma$id" 1 3 1@0 > "$work/mn.conf"
node_conf xTR 198.18.1.0/24 xtr-key "xa$id" 2 1 1 > "$work/xtr.conf"
cat > "$work/ms.conf" <<CONF
operating-mode = "MS"
lisp-site { eid-prefix = 198.18.0.0/24  key-type = 2  key = "mn-key"  accept-more-specifics = on }
lisp-site { eid-prefix = 198.18.1.0/24  key-type = 2  key = "xtr-key" }
CONF
ip netns exec "$core" "$lispd" -f "$work/ms.conf" -s "$work/ms.sock" 2> "$work/ms.log" &
ip netns exec "$mn" "$lispd" -f "$work/mn.conf" -s "$work/mn.sock" 2> "$work/mn.log" &
ip netns exec "$xtr" "$lispd" -f "$work/xtr.conf" -s "$work/xtr.sock" 2> "$work/xtr.log" &
for ns in "$mn" "$xtr"; do
  for _ in $(seq 50); do
    ip -n "$ns" link show lmn0 >/dev/null 2>&1 && break
    sleep 0.2
  done
  ip -n "$ns" link show lmn0 >/dev/null
done
ip -n "$mn" addr add 192.0.2.5/24 dev rloc0
ip -n "$mn" link set rloc0 up
ip -n "$mn" route replace default via 192.0.2.1 dev rloc0
ip -n "$mn" addr add 2001:db8:2::5/64 dev rloc0 nodad
ip -n "$mn" -6 route add default via 2001:db8:2::1 dev rloc0
ip -n "$xtr" addr add 192.0.3.4/24 dev rloc0
ip -n "$xtr" link set rloc0 up
ip -n "$xtr" route add default via 192.0.3.1 dev rloc0
ip -n "$xtr" addr add 2001:db8:3::4/64 dev rloc0 nodad
ip -n "$xtr" -6 route add default via 2001:db8:3::1 dev rloc0
ip -n "$xtr" addr add 198.18.1.1/24 dev lmn0
ip -n "$xtr" link set lmn0 arp off up
ip -n "$xtr" route add 198.18.0.0/24 dev lmn0 src 198.18.1.1
if [ "$first_role" = xtr ]; then
  ip -n "$mn" addr add 198.18.0.10/32 dev lmn0
  ip -n "$mn" link set lmn0 arp off up
  ip -n "$mn" route add 198.18.1.0/24 dev lmn0 src 198.18.0.10
fi

lmn0_mtu() { ip -n "$1" -o link show lmn0 | sed -n 's/.* mtu \([0-9]*\) .*/\1/p'; }
wait_mtu() {  # namespace mtu
  for _ in $(seq 50); do [ "$(lmn0_mtu "$1")" = "$2" ] && return 0; sleep 0.1; done
  echo "lmn0 in $1 has MTU $(lmn0_mtu "$1"), not $2"; return 1
}
counter() { "$lispctl" -s "$work/$1.sock" show "$2" | awk -v k="$3" '$1 == k {print $2}'; }

# 1. The EID port's MTU, chosen by lispd.
wait_mtu "$mn" 1444
wait_mtu "$xtr" 1444
"$lispctl" -s "$work/mn.sock" show local | tee "$work/mn-local"
grep -q "^eid-mtu    1444 (RLOC link 0 MTU 1500 less 56 for IPv6 encapsulation)" "$work/mn-local"

# Registered, and each has resolved the other.
for _ in $(seq 50); do
  [ "$("$lispctl" -s "$work/ms.sock" show registrations | grep -c "198.18.[01]")" -ge 2 ] && break
  sleep 0.1
done
for _ in $(seq 10); do
  ip netns exec "$mn" ping -c 1 -W 1 198.18.1.1 >/dev/null && break
done
ip netns exec "$mn" ping -c 3 -i 0.2 -W 2 198.18.1.1 | grep -q " 3 received"

# One transfer of $3 bytes from namespace $1 to address $2 (optionally
# paced at $4 bytes/s); checks the checksum and prints the figures.
run_transfer() {
  local from=$1 to_ns=$2 to=$3 bytes=$4 rate=${5:-} label=$6
  ip netns exec "$to_ns" timeout 130 python3 "$transfer" receive "$to" 5001 > "$work/received" &
  local receiver=$!
  sleep 0.3
  ip netns exec "$from" timeout 130 python3 "$transfer" send "$to" 5001 "$bytes" $rate > "$work/sent"
  wait $receiver
  python3 - "$work/sent" "$work/received" "$label" <<'PY'
import json, sys
sent, received = (json.load(open(p)) for p in sys.argv[1:3])
if sent["sha256"] != received["sha256"] or sent["bytes"] != received["bytes"]:
    sys.exit("%s: sent %d bytes, received %d, checksums %s" % (sys.argv[3], sent["bytes"],
             received["bytes"], "differ" if sent["sha256"] != received["sha256"] else "match"))
rate = received["bytes"] * 8 / max(received["seconds"], 1e-3) / 1e6
print("%s: %d bytes whole (SHA-256 match) in %.2f s, %.0f Mbit/s, longest stall %.3f s"
      % (sys.argv[3], received["bytes"], received["seconds"], rate, received["longest_stall"]))
PY
}

# 2. TCP at full size, both ways.
run_transfer "$mn" "$xtr" 198.18.1.1 20000000 "" "TCP $first_mode -> xTR (LISP over IPv6)"
run_transfer "$xtr" "$mn" 198.18.0.10 20000000 "" "TCP xTR -> $first_mode (LISP over IPv4)"
for node in mn xtr; do
  [ "$(counter $node counters tx_port_errors)" -eq 0 ]
  [ "$(counter $node counters tx_dropped)" -eq 0 ]
  [ "$(counter $node counters too_big)" -eq 0 ]
done
echo "$first_mode: $(counter mn counters encapsulated) encapsulated, $(counter mn counters too_big) too big"
# lmn0 takes the host's offloads: the host's TCP handed each node
# super-packets that the data plane segmented, and none it refused.
for node in mn xtr; do
  ns=$mn; [ $node = xtr ] && ns=$xtr
  ip netns exec "$ns" ethtool -k lmn0 | grep -q "^tcp-segmentation-offload: on"
  [ "$(counter $node counters host_offloaded)" -gt 0 ]
  [ "$(counter $node counters host_segments)" -gt "$(counter $node counters host_offloaded)" ]
  [ "$(counter $node counters drop_host_frame)" -eq 0 ]
  echo "$node: $(counter $node counters host_offloaded) TCP super-packets from the host," \
    "$(counter $node counters host_segments) segments; to the host" \
    "$(counter $node counters host_train_segments) segments in $(counter $node counters host_trains) trains;" \
    "$(ip netns exec "$ns" nstat -az TcpRetransSegs | awk '/TcpRetransSegs/ {print $2}') TCP retransmissions"
done

# 3. The MN's network becomes a 1400-byte one under a running transfer
# (paced to last about 4 s); lmn0 follows it.
ip netns exec "$xtr" timeout 130 python3 "$transfer" receive 198.18.1.1 5001 > "$work/received" &
receiver=$!
sleep 0.3
ip netns exec "$mn" timeout 130 python3 "$transfer" send 198.18.1.1 5001 20000000 5000000 > "$work/sent" &
sender=$!
sleep 1.5
ip -n "$mn" link set "ma$id" mtu 1400
ip -n "$core" link set "ca$id" mtu 1400
wait_mtu "$mn" 1344
wait $sender
wait $receiver
python3 - "$work/sent" "$work/received" <<'PY'
import json, sys
sent, received = (json.load(open(p)) for p in sys.argv[1:3])
assert sent["sha256"] == received["sha256"] and sent["bytes"] == received["bytes"], (sent, received)
print("move to a 1400-byte network under TCP: %d bytes whole, longest stall %.3f s"
      % (received["bytes"], received["longest_stall"]))
PY
grep -q "^eid-mtu    1344 (RLOC link 0 MTU 1400 less 56" <("$lispctl" -s "$work/mn.sock" show local)
ip -n "$mn" link set "ma$id" mtu 1500
ip -n "$core" link set "ca$id" mtu 1500
wait_mtu "$mn" 1444

# 3b. A mobile node's TCP session survives its moves: 10 moves of the MN's
# RLOC (192.0.2.5 <-> 192.0.2.6) during a paced transfer from the xTR's
# host; it arrives whole, with no reset and no stall over 1 s. The dip per
# move: what the receiver got in the half second after each move, against
# the pace.
if [ "$first_role" = mn ]; then
  ip netns exec "$mn" timeout 130 python3 "$transfer" receive 198.18.0.10 5001 "$work/timeline" > "$work/received" &
  receiver=$!
  sleep 0.3
  ip netns exec "$xtr" timeout 130 python3 "$transfer" send 198.18.0.10 5001 24000000 2000000 > "$work/sent" &
  sender=$!
  sleep 1
  # The new address stays when the old (primary) one goes, as in the lab.
  ip netns exec "$mn" sysctl -qw net.ipv4.conf.rloc0.promote_secondaries=1
  old=192.0.2.5 new=192.0.2.6
  : > "$work/tcp-moves"
  for move in $(seq 10); do
    date +%s.%N >> "$work/tcp-moves"
    ip -n "$mn" addr add "$new/24" dev rloc0
    ip -n "$mn" addr del "$old/24" dev rloc0
    sleep 1
    tmp=$old; old=$new; new=$tmp
  done
  wait $sender
  wait $receiver
  python3 - "$work/sent" "$work/received" "$work/timeline" "$work/tcp-moves" <<'PY'
import json, sys
sent, received = (json.load(open(p)) for p in sys.argv[1:3])
if sent["sha256"] != received["sha256"] or sent["bytes"] != received["bytes"]:
    sys.exit("TCP across 10 moves: sent %d bytes, received %d" % (sent["bytes"], received["bytes"]))
timeline = [tuple(map(float, line.split())) for line in open(sys.argv[3])]
moves = [float(line) for line in open(sys.argv[4])]
def bytes_at(t):
    got = 0
    for at, total in timeline:
        if at > t:
            break
        got = total
    return got
pace = 2000000 * 0.5
dips = ["%.0f%%" % (100 * (bytes_at(m + 0.5) - bytes_at(m)) / pace) for m in moves]
print("TCP across 10 moves: %d bytes whole, longest stall %.3f s; received in the 0.5 s after each move, of the pace: %s"
      % (received["bytes"], received["longest_stall"], " ".join(dips)))
if received["longest_stall"] > 1.0:
    sys.exit("a stall over 1 s")
PY
  ip -n "$mn" addr add 192.0.2.5/24 dev rloc0 2>/dev/null || true
  ip -n "$mn" addr del 192.0.2.6/24 dev rloc0 2>/dev/null || true
  ip -n "$mn" route replace default via 192.0.2.1 dev rloc0
fi

# 4. A 1400-byte link in the middle, between the two routers; the nodes'
# links are still 1500. Only the routers' ICMP tells the sending lispd.
ip -n "$core" link set "cm$id" mtu 1400
ip -n "$mid" link set "mc$id" mtu 1400
# Each host's cached path MTU (from an earlier ICMP of ours) would shrink
# the MSS it advertises and hide the other direction: flushed first.
flush_path_mtus() {
  for ns in "$mn" "$xtr"; do
    ip -n "$ns" route flush cache
    ip -n "$ns" -6 route flush cache
  done
}
flush_path_mtus
run_transfer "$xtr" "$mn" 198.18.0.10 20000000 "" "TCP xTR -> $first_mode, 1400-byte link in the middle"
flush_path_mtus
run_transfer "$mn" "$xtr" 198.18.1.1 20000000 "" "TCP $first_mode -> xTR, 1400-byte link in the middle"
for node in mn xtr; do
  learned=$(counter $node control path_mtu_learned)
  icmp=$(counter $node counters icmp_too_big_sent)
  reports=$(counter $node counters path_mtu_reports)
  echo "$node: $reports ICMP reports from the routers, path MTU learned $learned time(s), $icmp ICMP too-big sent to the host"
  [ "$learned" -ge 1 ]
  [ "$icmp" -ge 1 ]
done
[ "$(lmn0_mtu "$mn")" = 1444 ] && [ "$(lmn0_mtu "$xtr")" = 1444 ]
echo "full_size_netns: ok"
