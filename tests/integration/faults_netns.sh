#!/usr/bin/env bash
# Faults at running lispds, all lispmob (issue #13's fault scenarios): a
# mobile node (EID 198.18.0.10, RLOC 192.0.2.5) and an xTR (EID-prefix
# 198.18.1.0/24, its host 198.18.1.1, RLOC 192.0.3.4) on either side of a
# router, and two Map-Server/Resolvers, each in a namespace of its own
# behind the router: ms1 192.0.4.2 and ms2 192.0.4.6.
#
# Throughout, the MN sends a UDP stream (200 datagrams a second) to the
# xTR's host, and each scenario reports what it cost the stream (received,
# lost, longest gap) with the figures of the fault itself:
#   1. ms1 is killed and restarted empty: both nodes register again within
#      their register interval (60 s) and lookups through it work again.
#   2. Map-Notifies are dropped for 30 s (nftables on the router) from a
#      registration on (lispctl re-register): the nodes retransmit, the registrations never lapse at the
#      Map-Server, and the first Map-Notify after the loss is accepted
#      within the 10 s retransmission cap.
#   3. SIGHUP with a bad config under traffic: the error names file:line,
#      nothing of the stream is lost, the running state stays.
#   8. The MN's RLOC link goes down (link state) for 3 s: nothing is sent
#      toward it after 0.5 s (its RLOC is taken out of use, the stream's
#      packets counted), and at link-up the MN registers and sends SMRs
#      at once and the stream resumes.
#   9. A Map-Resolver that answers with a wrong nonce, with a record that
#      does not cover the EID, with a TTL of 0 and of 2^32-1 minutes: none
#      is installed as if valid, and each has its counter.
#   4. A reload adds ms2; ms1 is then blackholed: resolution goes on
#      through ms2 and, from the next registration on (lispctl
#      re-register), ms2 is the active Map-Server; ms1 is active again
#      within the 10 s retransmission cap once it returns.
#   5. 100,000 hostile packets each at the MN and at ms1 (hostile.py: the
#      fuzz corpora, mutated, nested LCAFs, bad LISP data, fragments, bad
#      UDP lengths): all still register, resolve and forward, each kind of
#      refusal is counted, RSS stays within 32 MB of where it was.
#   6. 10k Map-Registers a second with bad HMACs at ms1 for 30 s: a valid
#      register and a lookup are answered meanwhile, at most about a log
#      line a second, CPU per refused register reported.
#   7. The MN's host sends to 1M distinct unknown destinations in 60 s with
#      the Map-Resolver answering nothing: at most map-requests-per-second
#      (100) Map-Requests a second reach it, RSS stays bounded.
# Needs root; skipped (77) without it.
set -euo pipefail
lispd=$1 lispctl=$2
here=$(dirname "$0")
# shellcheck source=tests/integration/lab.sh
. "$here/lab.sh"  # its lab_dataplane_conf only: this lab keeps its own set-up
[ "$(id -u)" -eq 0 ] && command -v ip >/dev/null && command -v nft >/dev/null ||
  { echo "needs root, iproute2 and nftables"; exit 77; }
id=$$
mn=lf-mn-$id xtr=lf-xt-$id core=lf-co-$id ms1=lf-m1-$id ms2=lf-m2-$id
work=$(mktemp -d)
failed_at_line=""
fail() { failed_at_line="$*"; exit 1; }
trap 'failed_at_line="line $LINENO: $BASH_COMMAND"' ERR
cleanup() {
  status=$?
  if [ $status -ne 0 ]; then
    for log in mn xtr ms1 ms2; do echo "--- $log.log"; tail -n 15 "$work/$log.log" 2>/dev/null; done
    echo "faults_netns FAILED at $failed_at_line"
  fi
  [ -z "${LISPMOB_KEEP_LOGS:-}" ] || cp -r "$work" "$LISPMOB_KEEP_LOGS"
  for ns in "$mn" "$xtr" "$core" "$ms1" "$ms2"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
  done
  sleep 0.5
  for ns in "$mn" "$xtr" "$core" "$ms1" "$ms2"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
for ns in "$mn" "$xtr" "$core" "$ms1" "$ms2"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
# veth pairs: (namespace, its end, router's end, its address, router's address, prefix length)
link() {
  ip link add "$2" netns "$1" type veth peer name "$3" netns "$core"
  ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
  ip -n "$core" addr add "$5/$6" dev "$3"
  ip -n "$1" link set "$2" up
  ip -n "$core" link set "$3" up
  # A wire's full UDP checksums, not veth's partial ones (net_af_packet
  # hands those to the twin as they are).
  ip netns exec "$core" ethtool -K "$3" tx off >/dev/null
}
link "$mn" "ma$id" "ca$id" 192.0.2.5 192.0.2.1 24
link "$xtr" "xa$id" "cx$id" 192.0.3.4 192.0.3.1 24
link "$ms1" "sa$id" "c1$id" 192.0.4.2 192.0.4.1 30
link "$ms2" "sb$id" "c2$id" 192.0.4.6 192.0.4.5 30
ip -n "$ms1" addr add 192.0.4.2/30 dev "sa$id"
ip -n "$ms1" route add default via 192.0.4.1
ip -n "$ms2" addr add 192.0.4.6/30 dev "sb$id"
ip -n "$ms2" route add default via 192.0.4.5
ip netns exec "$core" sysctl -qw net.ipv4.ip_forward=1

node_conf() {  # mode eid-prefix key veth map-servers...
  local mode=$1 eid=$2 key=$3 veth=$4
  shift 4
  lab_dataplane_conf "$mode" "$veth"
  cat <<CONF
database-mapping {
  eid-prefix = $eid
  rloc-iface { interface = "rloc0"  ip_version = 4  priority = 1 }
}
CONF
  local servers=""
  for server in "$@"; do
    echo "map-server { address = $server  key-type = 2  key = \"$key\" }"
    servers="$servers${servers:+, }$server"
  done
  echo "map-resolver = { $servers }"
}
write_confs() {  # map-servers...
  node_conf MN 198.18.0.10/32 mn-key "ma$id" "$@" > "$work/mn.conf"
  node_conf xTR 198.18.1.0/24 xtr-key "xa$id" "$@" > "$work/xtr.conf"
}
write_confs 192.0.4.2
cat > "$work/ms.conf" <<CONF
operating-mode = "MS"
debug = 1
lisp-site { eid-prefix = 198.18.0.0/24  key-type = 2  key = "mn-key"  accept-more-specifics = on }
lisp-site { eid-prefix = 198.18.1.0/24  key-type = 2  key = "xtr-key" }
CONF
start_ms() {  # 1 or 2
  local ns=$ms1
  [ "$1" = 1 ] || ns=$ms2
  ip netns exec "$ns" "$lispd" -f "$work/ms.conf" -s "$work/ms$1.sock" 2>> "$work/ms$1.log" &
  eval "ms$1_pid=$!"
  for _ in $(seq 50); do [ -S "$work/ms$1.sock" ] && return; sleep 0.1; done
  fail "ms$1 did not start"
}
start_ms 1
start_ms 2
ip netns exec "$mn" "$lispd" -f "$work/mn.conf" -s "$work/mn.sock" 2> "$work/mn.log" &
mn_pid=$!
ip netns exec "$xtr" "$lispd" -f "$work/xtr.conf" -s "$work/xtr.sock" 2> "$work/xtr.log" &
xtr_pid=$!
for ns in "$mn" "$xtr"; do
  for _ in $(seq 50); do ip -n "$ns" link show lmn0 >/dev/null 2>&1 && break; sleep 0.2; done
  ip -n "$ns" link show lmn0 >/dev/null
done
ip -n "$mn" addr add 192.0.2.5/24 dev rloc0
ip -n "$mn" link set rloc0 up
ip -n "$mn" route replace default via 192.0.2.1 dev rloc0
ip -n "$xtr" addr add 192.0.3.4/24 dev rloc0
ip -n "$xtr" link set rloc0 up
ip -n "$xtr" route add default via 192.0.3.1 dev rloc0
ip -n "$xtr" addr add 198.18.1.1/24 dev lmn0
ip -n "$xtr" link set lmn0 arp off up
ip -n "$xtr" route add 198.18.0.0/24 dev lmn0 src 198.18.1.1

# Seconds since $1 (a date +%s.%N), to a tenth.
since() { echo "$(date +%s.%N) - $1" | bc | xargs printf "%.1f"; }
# Both registered with ms$1 within $2 seconds; prints how long it took.
registered_at() {
  local started
  started=$(date +%s.%N)
  for _ in $(seq $(($2 * 10))); do
    [ "$("$lispctl" -s "$work/ms$1.sock" show registrations | grep -c "198.18.[01]")" -ge 2 ] && {
      since "$started"
      return
    }
    sleep 0.1
  done
  "$lispctl" -s "$work/ms$1.sock" show registrations
  fail "not registered with ms$1 within $2 s"
}
# Both nodes show Map-Server $1 as active and registered within $2
# seconds; else fail, saying $3.
active_map_server() {
  local node
  for node in mn xtr; do
    for _ in $(seq $(($2 * 10))); do
      "$lispctl" -s "$work/$node.sock" show map-servers | grep -Eq "^\* +$1 +yes " && break
      sleep 0.1
    done
    "$lispctl" -s "$work/$node.sock" show map-servers | grep -Eq "^\* +$1 +yes " ||
      { "$lispctl" -s "$work/$node.sock" show map-servers; fail "$node: $3"; }
  done
}
# The Map-Notifies the MN accepted from its first Map-Server.
mn_notifies() {
  "$lispctl" -s "$work/mn.sock" --json show map-servers |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["notifies"])'
}
# The MN registers now and a Map-Notify answers within 3 s; from an empty
# map-cache it resolves and reaches the xTR's host. Else fail, saying $1.
registers_and_resolves() {
  local before
  before=$(mn_notifies)
  "$lispctl" -s "$work/mn.sock" re-register > /dev/null
  for _ in $(seq 30); do [ "$(mn_notifies)" -gt "$before" ] && break; sleep 0.1; done
  [ "$(mn_notifies)" -gt "$before" ] || fail "no Map-Notify $1"
  "$lispctl" -s "$work/mn.sock" clear map-cache > /dev/null
  for _ in $(seq 5); do ip netns exec "$mn" ping -c 1 -W 1 198.18.1.1 >/dev/null && break; done
  ip netns exec "$mn" ping -c 3 -i 0.2 -W 2 198.18.1.1 | grep -q " 3 received" ||
    fail "no resolution or forwarding $1"
}
registered_at 1 10 >/dev/null
for _ in $(seq 10); do ip netns exec "$mn" ping -c 1 -W 1 198.18.1.1 >/dev/null && break; done
ip netns exec "$mn" ping -c 3 -i 0.2 -W 2 198.18.1.1 | grep -q " 3 received"

# The stream for one scenario: $1 seconds from the MN to the xTR's host.
stream_start() {  # seconds [sink's idle timeout]
  ip netns exec "$xtr" python3 "$here/udp_sink.py" 9000 "$(($1 + 2))" "${2:-3}" > "$work/sink" &
  sink=$!
  sleep 0.3
  ip netns exec "$mn" python3 "$here/udp_stream.py" 198.18.1.1 9000 200 "$1" > /dev/null &
  stream=$!
}
# Sets $stream_line to what the sink saw (not in $(...): a subshell cannot
# wait for the stream and the sink).
stream_result() {
  wait "$stream" "$sink" || true
  stream_line=$(cat "$work/sink")
}
counter() {  # socket command name
  "$lispctl" -s "$1" show "$2" | awk -v name="$3" '$1 == name {print $2}'
}
# Drops what the rule matches on the router, until the table is deleted.
nft_drop() {  # table name, rule
  ip netns exec "$core" nft -f - <<NFT
table inet $1 {
  chain forward {
    type filter hook forward priority 0;
    $2
  }
}
NFT
}
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }  # kB
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # clock ticks
: > "$work/results"
result() { echo "$*" | tee -a "$work/results"; }

# --- 1. ms1 killed and restarted empty --------------------------------------
stream_start 75
sleep 1
kill -9 "$ms1_pid"
wait "$ms1_pid" 2>/dev/null || true
rm -f "$work/ms1.sock"
start_ms 1
"$lispctl" -s "$work/ms1.sock" show registrations | grep -q "198.18" && fail "restarted ms1 not empty"
again=$(registered_at 1 70)
# Lookups through it work again: the MN forgets the xTR and asks ms1.
"$lispctl" -s "$work/mn.sock" clear map-cache > /dev/null
ip netns exec "$mn" ping -c 2 -i 0.2 -W 2 198.18.1.1 | grep -q " [12] received" ||
  fail "no resolution through the restarted Map-Server"
"$lispctl" -s "$work/mn.sock" show map-cache | grep -Eq "198.18.1.0/24 +encapsulate +reply" ||
  fail "the MN did not resolve the xTR again"
kill "$stream" 2>/dev/null || true
stream_result
result "1 ms1 restarted empty: both registered again after $again s; stream $stream_line"

# --- 2. Map-Notifies dropped for 30 s ----------------------------------------
registers_before=$(counter "$work/ms1.sock" counters registers_accepted)
stream_start 45
# LISP type 4 (Map-Notify) in the first nibble after the UDP header.
nft_drop notify_loss 'udp sport 4342 @th,64,4 4 counter drop'
# A registration the loss meets from its start (as after an RLOC change).
for node in mn xtr; do "$lispctl" -s "$work/$node.sock" re-register > /dev/null; done
lapsed=0
for second in $(seq 30); do
  sleep 1
  [ "$("$lispctl" -s "$work/ms1.sock" show registrations | grep -c "198.18.[01]")" -ge 2 ] ||
    lapsed=$((lapsed + 1))
done
dropped=$(ip netns exec "$core" nft list table inet notify_loss | grep -o "packets [0-9]*" | awk '{print $2}')
ip netns exec "$core" nft delete table inet notify_loss
passed_at=$(date +%s.%N)
registers_during=$(($(counter "$work/ms1.sock" counters registers_accepted) - registers_before))
[ "$lapsed" -eq 0 ] || fail "a registration lapsed at ms1 during the Map-Notify loss ($lapsed s)"
[ "$dropped" -ge 4 ] || fail "only $dropped Map-Notifies dropped: the nodes did not retransmit"
# Registered again: each node's Map-Server line says so.
active_map_server 192.0.4.2 12 "not registered 12 s after the loss"
recovered=$(since "$passed_at")
kill "$stream" 2>/dev/null || true
stream_result
result "2 Map-Notifies dropped 30 s: $dropped dropped, $registers_during Map-Registers accepted, registrations lapsed 0 s, registered again $recovered s after; stream $stream_line"

# --- 3. SIGHUP with a bad config, then a good one, under traffic ------------
# The bad file changes nothing; the good one (a second Map-Server and
# Map-Resolver, used in scenario 4) is applied without losing a datagram.
echo 'map-resolver = { 192.0.4.6 }  # set twice' >> "$work/mn.conf"
bad_line=$(grep -n "set twice" "$work/mn.conf" | cut -d: -f1)
stream_start 5
sleep 1
kill -HUP "$mn_pid"
sleep 1
write_confs 192.0.4.2 192.0.4.6
kill -HUP "$mn_pid"
stream_result
line=$stream_line
grep -q "mn.conf:$bad_line" "$work/mn.log" || fail "the reload's error does not name mn.conf:$bad_line"
"$lispctl" -s "$work/mn.sock" show map-servers | grep -q "192.0.4.6" ||
  fail "the good reload did not add ms2"
echo "$line" | grep -q " lost 0 " || fail "the reloads lost datagrams: $line"
kill -0 "$mn_pid"
result "3 bad config, then a good one, on SIGHUP: $(grep "mn.conf:$bad_line" "$work/mn.log" | tail -n 1 | cut -d' ' -f4-); then ms2 added; stream $line"

# --- 4. A second Map-Server; the first blackholed, then back ------------------
write_confs 192.0.4.2 192.0.4.6
kill -HUP "$mn_pid" "$xtr_pid"
registered_at 2 15 >/dev/null
stream_start 40
nft_drop blackhole 'ip daddr 192.0.4.2 counter drop
    ip saddr 192.0.4.2 counter drop'
blackholed_at=$(date +%s.%N)
# Resolution goes on: the MN forgets the xTR and asks (ms1 first, then ms2).
"$lispctl" -s "$work/mn.sock" clear map-cache > /dev/null
for _ in $(seq 10); do ip netns exec "$mn" ping -c 1 -W 1 198.18.1.1 >/dev/null && break; done
resolved=$(since "$blackholed_at")
"$lispctl" -s "$work/mn.sock" show map-cache | grep -Eq "198.18.1.0/24 +encapsulate +reply" ||
  fail "no resolution with ms1 blackholed"
# Registration goes on: each Map-Register goes to both; ms1 misses 3 in a
# row (1, 2 and 4 s apart) and ms2 becomes the active Map-Server. The next
# registration comes now, not with the minute's refresh.
for node in mn xtr; do "$lispctl" -s "$work/$node.sock" re-register > /dev/null; done
active_map_server 192.0.4.6 30 "did not move to ms2"
moved=$(since "$blackholed_at")
ip netns exec "$core" nft delete table inet blackhole
back_at=$(date +%s.%N)
active_map_server 192.0.4.2 15 "did not go back to ms1"
returned=$(since "$back_at")
kill "$stream" 2>/dev/null || true
stream_result
result "4 ms1 blackholed: resolved through ms2 after $resolved s, ms2 active after $moved s, ms1 active again $returned s after it returned; stream $stream_line"

# --- 9. A Map-Resolver that answers wrongly ---------------------------------
# fake_map_resolver.py on 192.0.4.10 (the router's) answers each request
# in one wrong way; the MN asks it alone (a reload), then ms1 again.
ip -n "$core" addr add 192.0.4.10/32 dev lo
cp "$work/mn.conf" "$work/mn.conf.before"
sed -i 's/^map-resolver = .*/map-resolver = { 192.0.4.10 }/' "$work/mn.conf"
kill -HUP "$mn_pid"
for _ in $(seq 30); do
  "$lispctl" -s "$work/mn.sock" show map-resolvers | grep -q "192.0.4.10" && break
  sleep 0.1
done
wrong="" counts=""
for mode in wrong-nonce:replies_unknown_nonce not-covering:replies_not_covering \
  ttl-zero:ttl_zero ttl-max:ttl_clamped; do
  name=${mode#*:} mode=${mode%%:*}
  # The last mode's request (retried while unanswered) ends first.
  for _ in $(seq 100); do
    [ "$(counter "$work/mn.sock" control outstanding_requests)" -eq 0 ] && break
    sleep 0.1
  done
  before=$(counter "$work/mn.sock" control "$name")
  ip netns exec "$core" python3 "$here/fake_map_resolver.py" 192.0.4.10 "$mode" 4 > "$work/fake" &
  fake=$!
  for _ in $(seq 50); do
    ip netns exec "$core" ss -Hlun "sport = :4342" | grep -q 192.0.4.10 && break
    sleep 0.1
  done
  "$lispctl" -s "$work/mn.sock" clear map-cache > /dev/null
  ip netns exec "$mn" ping -c 1 -W 2 198.18.1.1 > /dev/null || true
  wait "$fake"
  grep -q "answered [1-9]" "$work/fake" || fail "$mode: the fake Map-Resolver was never asked"
  "$lispctl" -s "$work/mn.sock" show map-cache > "$work/cache-$mode"
  case $mode in
    ttl-max)
      expires=$(awk '$2 == "198.18.1.1/32" {print $5}' "$work/cache-$mode" | tr -d s)
      [ -n "$expires" ] && [ "$expires" -le 86400 ] ||
        { cat "$work/cache-$mode"; fail "a TTL of 2^32-1 minutes was not cut to a day"; } ;;
    *)
      if grep -q "198.18.1" "$work/cache-$mode"; then
        cat "$work/cache-$mode"; fail "$mode: installed as if valid"
      fi ;;
  esac
  after=$(counter "$work/mn.sock" control "$name")
  [ "$after" -gt "$before" ] || fail "$mode: $name not counted"
  wrong="$wrong $mode: $(cat "$work/fake"),"
  counts="$counts $name +$((after - before))"
done
cp "$work/mn.conf.before" "$work/mn.conf"
kill -HUP "$mn_pid"
result "9 wrong Map-Replies:$wrong none installed as valid (the 2^32-1 minutes TTL cut to ${expires} s);$counts"

# --- 5. Hostile packets at the MN and at ms1 ------------------------------
mn_rss=$(rss "$mn_pid") ms_rss=$(rss "$ms1_pid")
malformed_before=$(counter "$work/mn.sock" control malformed)
drop_before=$(counter "$work/mn.sock" counters drop_malformed)
ms_malformed_before=$(counter "$work/ms1.sock" counters malformed)
# DPDK's net_af_packet joins its socket to a fanout group with
# PACKET_FANOUT_FLAG_DEFRAG: the MN's kernel reassembles IP fragments before
# the port sees them, and holds (then drops) those that never complete, in
# its own bounded queue (ipfrag_high_thresh). The data plane's reassembly
# (bounded, drop_reassembly) is for ports that pass fragments (PCI NICs) and
# is tested in packet_path_test. Here the kernel's counter shows where the
# fragments went.
reasm_before=$(ip netns exec "$mn" nstat -saz IpReasmReqds | awk '$1 == "IpReasmReqds" {print $2}')
ip netns exec "$core" python3 "$here/hostile.py" replay 192.0.2.5 100000 "$here/../fuzz/corpus" > "$work/replay-mn"
reasm=$(($(ip netns exec "$mn" nstat -saz IpReasmReqds | awk '$1 == "IpReasmReqds" {print $2}') - reasm_before))
fragments=$(($(sed -n 's/.*fragment \([0-9]*\) fragment-oversized \([0-9]*\).*/\1 + \2/p' "$work/replay-mn")))
[ "$reasm" -ge "$fragments" ] ||
  fail "$fragments fragments sent to the MN, its kernel took $reasm for reassembly"
ip netns exec "$core" python3 "$here/hostile.py" replay 192.0.4.2 100000 "$here/../fuzz/corpus" > "$work/replay-ms"
sleep 1
kill -0 "$mn_pid" "$xtr_pid" "$ms1_pid" || fail "a lispd died of the hostile packets"
# Still registers, resolves and forwards.
registers_and_resolves "after the hostile packets"
malformed=$(($(counter "$work/mn.sock" control malformed) - malformed_before))
dropped=$(($(counter "$work/mn.sock" counters drop_malformed) - drop_before))
ms_malformed=$(($(counter "$work/ms1.sock" counters malformed) - ms_malformed_before))
[ "$malformed" -gt 0 ] && [ "$dropped" -gt 0 ] && [ "$ms_malformed" -gt 0 ] ||
  fail "refusals not counted: MN malformed $malformed, drop_malformed $dropped, MS malformed $ms_malformed"
mn_growth=$(($(rss "$mn_pid") - mn_rss)) ms_growth=$(($(rss "$ms1_pid") - ms_rss))
# The bounded tables of either (the data plane's are preallocated) hold
# far less than this; an unbounded one fills it.
[ "$mn_growth" -lt 32768 ] && [ "$ms_growth" -lt 32768 ] ||
  fail "RSS grew by $mn_growth kB (MN), $ms_growth kB (MS)"
result "5 200,000 hostile packets (MN: $(cat "$work/replay-mn"); MS the same): all still register, resolve and forward; MN malformed +$malformed, drop_malformed +$dropped, MN kernel IpReasmReqds +$reasm, MS malformed +$ms_malformed; RSS MN ${mn_rss} kB +${mn_growth} kB, MS ${ms_rss} kB +${ms_growth} kB"

# --- 6. Map-Registers with bad HMACs at ms1, 10k a second for 30 s ---------
failures_before=$(counter "$work/ms1.sock" counters auth_failures)
cpu_before=$(cpu "$ms1_pid")
log_before=$(grep -c "refused: authentication failed" "$work/ms1.log" || true)
ip netns exec "$core" python3 "$here/hostile.py" register-flood 192.0.4.2 10000 30 198.18.1.0/24 > "$work/flood" &
flood=$!
sleep 10
# Valid registrations and lookups go on meanwhile.
registers_and_resolves "during the flood"
wait "$flood"
sleep 0.5
failures=$(($(counter "$work/ms1.sock" counters auth_failures) - failures_before))
cpu_ticks=$(($(cpu "$ms1_pid") - cpu_before))
log_lines=$(($(grep -c "refused: authentication failed" "$work/ms1.log" || true) - log_before))
[ "$log_lines" -le 32 ] || fail "$log_lines log lines for 30 s of refused registers"
[ "$failures" -gt 0 ] || fail "no authentication failure counted"
result "6 register flood: $(cat "$work/flood"); auth_failures +$failures, ms1 CPU $cpu_ticks ticks ($(echo "$cpu_ticks * 10000 / $failures" | bc) us per refused register), $log_lines log lines; valid register and lookup answered during it"

# --- 7. A host reaching 1M unknown destinations for 60 s --------------------
# The Map-Resolver answers none (its ECMs are dropped and counted on the
# router), so every miss would become a Map-Request without the limit.
mn_rss=$(rss "$mn_pid")
limited_before=$(counter "$work/mn.sock" control miss_rate_limited)
nft_drop scan 'ip daddr { 192.0.4.2, 192.0.4.6 } udp dport 4342 @th,64,4 8 counter drop'
scan_started=$(date +%s.%N)
ip netns exec "$mn" python3 "$here/hostile.py" scan 10.0.0.1 17000 60 > "$work/scan"
sleep 1
ecms=$(ip netns exec "$core" nft list table inet scan | grep -o "packets [0-9]*" | awk '{print $2}')
ip netns exec "$core" nft delete table inet scan
# The rate over the time the rule counted, and the bucket's burst of 100.
limit=$(echo "100 * ($(date +%s.%N) - $scan_started) + 100" | bc | cut -d. -f1)
[ "$ecms" -le "$limit" ] || fail "$ecms Map-Requests reached the Map-Resolver in 60 s (limit $limit)"
[ "$ecms" -ge 1000 ] || fail "only $ecms Map-Requests: the scan did not reach lispd"
mn_growth=$(($(rss "$mn_pid") - mn_rss))
[ "$mn_growth" -lt 32768 ] || fail "the MN's RSS grew by $mn_growth kB during the scan"
kill -0 "$mn_pid"
result "7 scan: $(cat "$work/scan"): $ecms Map-Requests reached the Map-Resolver ($(echo "$ecms / 60" | bc)/s, map-requests-per-second 100), miss_rate_limited +$(($(counter "$work/mn.sock" control miss_rate_limited) - limited_before)), pending_table_full $(counter "$work/mn.sock" control pending_table_full); MN RSS ${mn_rss} kB +${mn_growth} kB"

# --- 8. The MN's RLOC link goes down for 3 s, then up ----------------------
# (link state: its address stays on the twin). lispd takes the RLOC out of
# use: nothing more is encapsulated toward the dead link, the stream's
# packets are dropped and counted; at link-up it registers and tells its
# peers (SMR) at once, and the stream resumes.
registers_before=$(counter "$work/ms1.sock" counters registers_accepted)
smrs_before=$(counter "$work/mn.sock" control smr_sent)
stream_start 8 6
sleep 1
ip -n "$mn" link set "ma$id" down
down_at=$(date +%s.%N)
sleep 0.5
encapsulated_down=$(counter "$work/mn.sock" counters encapsulated)
no_rloc_down=$(counter "$work/mn.sock" counters drop_no_local_rloc)
sleep 2.5
encapsulated_later=$(counter "$work/mn.sock" counters encapsulated)
no_rloc_later=$(counter "$work/mn.sock" counters drop_no_local_rloc)
"$lispctl" -s "$work/mn.sock" show local > "$work/mn-local-down"
ip -n "$mn" link set "ma$id" up
up_at=$(date +%s.%N)
[ "$encapsulated_later" -eq "$encapsulated_down" ] ||
  fail "$((encapsulated_later - encapsulated_down)) packets encapsulated toward a link that is down"
[ "$no_rloc_later" -gt "$no_rloc_down" ] || fail "the stream's packets were not counted while the link was down"
grep -q "192.0.2.5" "$work/mn-local-down" && { cat "$work/mn-local-down"; fail "192.0.2.5 still in use with its link down"; }
for _ in $(seq 50); do
  [ "$(counter "$work/ms1.sock" counters registers_accepted)" -gt "$registers_before" ] && break
  sleep 0.1
done
[ "$(counter "$work/ms1.sock" counters registers_accepted)" -gt "$registers_before" ] ||
  fail "no Map-Register after link-up"
registered=$(echo "$(date +%s.%N) - $up_at" | bc | xargs printf "%.2f")
smrs=$(($(counter "$work/mn.sock" control smr_sent) - smrs_before))
[ "$smrs" -gt 0 ] || fail "no SMR after link-up"
stream_result
# The stream's longest gap is the link's down time; it ends when the first
# datagram after link-up arrives. Resuming is the behaviour checked; within
# 2 s leaves room for a next hop the kernel must resolve again (1 s ARP
# retransmission) on a loaded machine. The time is reported.
# A stream that never resumed has its longest gap before the link went
# down. (The first datagram after link-up may come before up_at is read.)
resumed_at=$(echo "$stream_line" | awk '{print $NF}')
resumed=$(echo "$resumed_at - $up_at" | bc | xargs printf "%.2f")
if [ "$(echo "$resumed_at > $down_at && $resumed < 2" | bc)" -ne 1 ]; then
  echo "--- the MN after link-up"
  "$lispctl" -s "$work/mn.sock" show local
  "$lispctl" -s "$work/mn.sock" show counters | grep -E "encapsulated|drop_|punted|map_cache_miss"
  "$lispctl" -s "$work/mn.sock" show map-cache
  ip -n "$mn" neigh
  ip -n "$mn" link show "ma$id"
  grep -A30 "$(date -u -d "@${down_at%.*}" +%H:%M:%S)" "$work/mn.log" | grep -v "Map-Request nonce\|Map-Reply nonce" | head -40
  fail "the stream did not resume within 2 s of link-up (longest gap ended $resumed s after it): $stream_line"
fi
result "8 RLOC link down 3 s: 0 packets encapsulated toward it after 0.5 s, $((no_rloc_later - no_rloc_down)) dropped as drop_no_local_rloc; registered ${registered} s after link-up, $smrs SMRs; stream resumed ${resumed} s after link-up, $stream_line (the link was down $(echo "$up_at - $down_at" | bc | xargs printf "%.1f") s)"

echo "--- faults"
cat "$work/results"
for node in mn xtr; do
  [ "$(counter "$work/$node.sock" control resolver_failovers)" -ge 1 ] || [ $node = xtr ] ||
    fail "$node: no resolver failover counted"
done
echo "counters: mn drop_reassembly $(counter "$work/mn.sock" counters drop_reassembly), drop_fragment $(counter "$work/mn.sock" counters drop_fragment)"
echo "counters: mn resolver_failovers $(counter "$work/mn.sock" control resolver_failovers), given_up $(counter "$work/mn.sock" control given_up)"
kill -0 "$mn_pid" "$xtr_pid"
