#!/usr/bin/env bash
# Two lispmob xTRs for one site: both register 198.18.1.0/24, each with its
# own RLOC and xTR-ID, at a lispmob Map-Server whose site merges them. The
# mobile node (EID 198.18.0.10) resolves the site to both RLOCs and spreads
# its flows over them by weight (the outer UDP source port follows the inner
# flow). xTR 2's lispd is killed: the MN's RLOC probes find its locator down
# and every flow moves to xTR 1, whose registration keeps the site reachable.
#
#   mn:   lmn0 198.18.0.10 | rloc0 192.0.2.5
#   xtr1: rloc0 192.0.3.4 | lmn0 198.18.1.1/24 (the site's host, as seen by xTR 1)
#   xtr2: rloc0 192.0.9.4 | lmn0 198.18.1.1/24 (the same host, behind xTR 2)
#   core: routes between them | Map-Server 192.0.4.2 (lo)
#
# Printed: how the flows spread, and the time from the kill to the MN
# marking xTR 2's locator down (RLOC probing every 2 s, one retry after
# 1 s). Needs root; skipped (77) without it.
set -euo pipefail
lispd=$1 lispctl=$2
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] && command -v ip >/dev/null || { echo "needs root and iproute2"; exit 77; }
id=$$
mn=lm-sm-$id core=lm-sc-$id xtr1=lm-s1-$id xtr2=lm-s2-$id
work=$(mktemp -d)
lab_name=site_netns
lab_namespaces="$mn $core $xtr1 $xtr2"
lab_logs="mn xtr1 xtr2 ms"
# shellcheck source=tests/integration/lab.sh
. "$here/lab.sh"
lab_start
lab_link "$mn" "ma$id" "ca$id" 192.0.2.1/24
lab_link "$xtr1" "xa$id" "c1$id" 192.0.3.1/24
lab_link "$xtr2" "xb$id" "c2$id" 192.0.9.1/24
ip -n "$core" addr add 192.0.4.2/32 dev lo

probing='rloc-probing { rloc-probe-interval = 2  rloc-probe-retries = 1  rloc-probe-retries-interval = 1 }'
{
  lab_node_conf MN "ma$id" 198.18.0.10/32 mn-key
  echo "$probing"
} > "$work/mn.conf"
for n in 1 2; do
  veth=xa$id
  [ $n = 1 ] || veth=xb$id
  {
    lab_node_conf xTR "$veth" 198.18.1.0/24 site-key 50
    cat <<CONF
xtr-id = "0000000000000000000000000000000$n"
site-id = 7
$probing
CONF
  } > "$work/xtr$n.conf"
done
cat > "$work/ms.conf" <<CONF
operating-mode = "MS"
debug = 1
lisp-site { eid-prefix = 198.18.0.0/24  key-type = 2  key = "mn-key"  accept-more-specifics = on }
lisp-site { eid-prefix = 198.18.1.0/24  key-type = 2  key = "site-key"  merge = on }
CONF

lab_capture any control "udp port 4342"
ip netns exec "$core" "$lispd" -f "$work/ms.conf" -s "$work/ms.sock" 2> "$work/ms.log" &
ip netns exec "$mn" "$lispd" -f "$work/mn.conf" -s "$work/mn.sock" 2> "$work/mn.log" &
ip netns exec "$xtr1" "$lispd" -f "$work/xtr1.conf" -s "$work/xtr1.sock" 2> "$work/xtr1.log" &
ip netns exec "$xtr2" "$lispd" -f "$work/xtr2.conf" -s "$work/xtr2.sock" 2> "$work/xtr2.log" &
xtr2_pid=$!
lab_wait_lmn0 "$mn" "$xtr1" "$xtr2"
lab_rloc "$mn" 192.0.2.5/24 192.0.2.1
lab_rloc "$xtr1" 192.0.3.4/24 192.0.3.1
lab_rloc "$xtr2" 192.0.9.4/24 192.0.9.1
for ns in "$xtr1" "$xtr2"; do
  ip -n "$ns" addr add 198.18.1.1/24 dev lmn0
  ip -n "$ns" link set lmn0 arp off up
  ip -n "$ns" route add 198.18.0.0/24 dev lmn0 src 198.18.1.1
done

# Both xTRs merged into one registration.
for _ in $(seq 50); do
  "$lispctl" -s "$work/ms.sock" show registrations | grep -q "198.18.1.0/24 .*192.0.3.4.*192.0.9.4\|198.18.1.0/24 .*192.0.9.4.*192.0.3.4" && break
  sleep 0.1
done
"$lispctl" -s "$work/ms.sock" show registrations | tee "$work/registered"
grep -Eq "198.18.1.0/24 .*192.0.(3|9).4:4342 192.0.(3|9).4:4342 .*192.0.(3|9).4 \(p1 w50\), 192.0.(3|9).4 \(p1 w50\)" "$work/registered" ||
  fail "the two xTRs are not merged into one registration"

# The MN resolves the site to both RLOCs.
for _ in $(seq 10); do ip netns exec "$mn" ping -c 1 -W 1 198.18.1.1 >/dev/null && break; done
"$lispctl" -s "$work/mn.sock" show map-cache | tee "$work/mn-cache"
grep -Eq "^0 +198.18.1.0/24 +encapsulate +reply .*192.0.(3|9).4 \(p1 w50\) 192.0.(3|9).4 \(p1 w50\)" "$work/mn-cache" ||
  fail "the MN did not get both xTRs' locators"

# 16 flows (16 source ports), 100 datagrams a second each for 2 s.
streams() {
  local pids=""
  for _ in $(seq 16); do
    ip netns exec "$mn" python3 "$here/udp_stream.py" 198.18.1.1 9000 100 2 > /dev/null &
    pids="$pids $!"
  done
  # shellcheck disable=SC2086
  wait $pids
}
sinks() {
  ip netns exec "$xtr1" python3 "$here/udp_sink.py" 9000 5 2 > "$work/sink1-$1" &
  sink1=$!
  ip netns exec "$xtr2" python3 "$here/udp_sink.py" 9000 5 2 > "$work/sink2-$1" &
  sink2=$!
  sleep 0.3
}
decapsulated() { "$lispctl" -s "$work/$1.sock" show counters | awk '$1 == "decapsulated" {print $2}'; }
before1=$(decapsulated xtr1) before2=$(decapsulated xtr2)
sinks spread
streams
wait "$sink1" "$sink2" || true
spread1=$(($(decapsulated xtr1) - before1)) spread2=$(($(decapsulated xtr2) - before2))
echo "16 flows over the two xTRs (weights 50/50): xTR 1 decapsulated $spread1, xTR 2 $spread2"
[ "$spread1" -gt 0 ] && [ "$spread2" -gt 0 ] || fail "the flows did not use both xTRs"
[ $((spread1 + spread2)) -ge 3150 ] || fail "$((spread1 + spread2)) of 3200 datagrams arrived"

# xTR 2 dies: the MN's probes find its locator down, and every flow moves
# to xTR 1.
kill -9 "$xtr2_pid"
killed_at=$(date +%s.%N)
detected=""
for _ in $(seq 150); do
  if "$lispctl" -s "$work/mn.sock" show map-cache | grep -q "192.0.9.4 (p1 w50 down"; then
    detected=$(echo "$(date +%s.%N) - $killed_at" | bc | xargs printf "%.1f")
    break
  fi
  sleep 0.1
done
"$lispctl" -s "$work/mn.sock" show map-cache | tee "$work/mn-cache-after"
[ -n "$detected" ] || fail "the MN never marked xTR 2's locator down"
echo "xTR 2 killed: the MN marked its locator down after $detected s (probes every 2 s, one retry after 1 s)"
before1=$(decapsulated xtr1)
sinks survivor
streams
wait "$sink1" || true
moved=$(($(decapsulated xtr1) - before1))
echo "after: xTR 1 decapsulated $moved of 3200"
[ "$moved" -ge 3150 ] || fail "only $moved of 3200 datagrams reached the surviving xTR"
"$lispctl" -s "$work/ms.sock" show registrations | grep -q "198.18.1.0/24 .*192.0.3.4" ||
  fail "the surviving xTR's registration is gone"

lab_stop_captures
lab_no_malformed control
echo "site_netns: ok"
