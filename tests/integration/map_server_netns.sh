#!/usr/bin/env bash
# lispd as Map-Server/Map-Resolver in one network namespace, its clients in
# another, joined by a veth pair; tshark captures between them.
#  - 2000 authenticated Map-Registers all get Map-Notify, and 2000 Map-Requests
#    for them all get proxy Map-Replies (bench/ms_load, no loss allowed);
#  - lig gets the registered mapping, and a negative reply for unregistered
#    and non-EID space;
#  - a Map-Register signed with a wrong key gets nothing;
#  - lispctl shows the sites, the registrations and the counters;
#  - tshark decodes every LISP packet on the link with no malformed packet
#    and no expert warning.
# Needs root (ip netns). Skipped (exit 77) without it.
set -euo pipefail
# Running, and not a zombie: a detached lispd's parent is PID 1, which may
# reap it only seconds after it exited.
alive() { [ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
lispd=$1 lig=$2 ms_load=$3 lispctl=$4
[ "$(id -u)" -eq 0 ] && command -v ip >/dev/null || { echo "needs root and iproute2"; exit 77; }
id=$$
ms=lm-ms-$id client=lm-cl-$id
work=$(mktemp -d)
cleanup() {
  ip netns pids "$ms" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns pids "$client" 2>/dev/null | xargs -r kill 2>/dev/null || true
  sleep 0.2
  ip netns del "$ms" 2>/dev/null || true
  ip netns del "$client" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ms"
ip netns add "$client"
ip link add "ms$id" netns "$ms" type veth peer name "cl$id" netns "$client"
ip -n "$ms" addr add 192.0.2.2/24 dev "ms$id"
ip -n "$ms" addr add 192.0.2.22/24 dev "ms$id"  # a second address the MS is asked on
ip -n "$client" addr add 192.0.2.5/24 dev "cl$id"
for ns in "$ms" "$client"; do ip -n "$ns" link set lo up; done
ip -n "$ms" link set "ms$id" up
ip -n "$client" link set "cl$id" up

cat > "$work/ms.conf" <<CONF
operating-mode = "MS"
log-file = "$work/lispd.log"
metrics-listen = "9142"
control-iface = "ms$id"
ms-replies-per-second = 0
lisp-site { eid-prefix = 10.0.0.0/8  key = "password"  accept-more-specifics = on  proxy-reply = on }
lisp-site { eid-prefix = 203.0.113.0/24  key-type = 2  key = "site2"  accept-more-specifics = on }
CONF
ip netns exec "$client" tshark -q -i "cl$id" -f "udp port 4342" -w "$work/link.pcap" 2>/dev/null &
# tshark is capturing once it has written its file's header (a fixed
# sleep was too short on a loaded machine).
for _ in $(seq 100); do [ -s "$work/link.pcap" ] && break; sleep 0.1; done
# The file is checked as nginx -t would, then lispd runs as an operator
# runs it: detached, with a pid file; -D returns once it serves.
"$lispd" --check-config "$work/ms.conf" | grep -q "ms.conf: ok (operating-mode MS)"
ip netns exec "$ms" "$lispd" -D -P "$work/ms.pid" -f "$work/ms.conf" -s "$work/lispd.sock"
ms_pid=$(cat "$work/ms.pid")
[ -S "$work/lispd.sock" ] && kill -0 "$ms_pid"
[ "$(stat -c %a "$work/lispd.sock")" = 600 ]  # the control socket is root's only

ip netns exec "$client" "$ms_load" 192.0.2.2 password 10.1.0.1 2000 64 | tee "$work/load.json"
grep -q '"registrations_lost": 0' "$work/load.json"
grep -q '"requests_lost": 0' "$work/load.json"

ip netns exec "$client" "$lig" -m 192.0.2.2 10.1.0.5 | tee "$work/lig1"
grep -q "^Send map-request to 192.0.2.2 for 10.1.0.5 ...$" "$work/lig1"
grep -Eq "^Received map-reply from 192.0.2.2 with rtt [0-9.]+ secs$" "$work/lig1"
grep -q "^Mapping entry for EID 10.1.0.5:$" "$work/lig1"
# A Map-Server's proxy reply is not authoritative (RFC 9301 §5.4: only an ETR sets A).
grep -q "^10.1.0.5/32, via map-reply, record ttl: 10 minutes, not auth, no-action$" "$work/lig1"
grep -Eq "^  192.0.2.5 +up +1/100$" "$work/lig1"
ip netns exec "$client" "$lig" -m 192.0.2.2 203.0.113.7 | tee "$work/lig2"
grep -Eq "^203.0.113.0/24, via map-reply, record ttl: 1 minute, (not )?auth, drop/no-reason$" "$work/lig2"
ip netns exec "$client" "$lig" -m 192.0.2.2 198.18.0.1 | tee "$work/lig3"
grep -q "record ttl: 15 minutes, .*natively-forward$" "$work/lig3"
# A prefix as the EID, a source EID, and a host name for the Map-Resolver.
ip netns exec "$client" "$lig" -m 192.0.2.2 -s 10.9.9.9 10.1.0.5/32 | tee "$work/lig4"
grep -q "^Send map-request to 192.0.2.2 for 10.1.0.5 ...$" "$work/lig4"
grep -Eq "^  192.0.2.5 +up +1/100$" "$work/lig4"
# Arguments out of range are refused, never wrapped (-i -1 was IID 4294967295).
for bad in "-i -1" "-i 16777216" "-c 0" "-t abc"; do
  # shellcheck disable=SC2086
  if "$lig" -m 192.0.2.2 $bad 10.1.0.5 2> "$work/lig-bad"; then echo "lig $bad was accepted"; exit 1; fi
  grep -q "Run lig --help" "$work/lig-bad"
done
if "$lig" -m no.such.host.invalid 10.1.0.5 2> "$work/lig-bad"; then echo "an unresolvable -m was accepted"; exit 1; fi
grep -q "not an address or a host name that resolves" "$work/lig-bad"
# The Map-Server answers from the address it was asked on, not from the
# one the kernel would pick (192.0.2.2, the interface's first).
ip netns exec "$client" "$lig" -m 192.0.2.22 10.1.0.5 | tee "$work/lig6"
grep -q "^Received map-reply from 192.0.2.22 with rtt" "$work/lig6"
# control-iface: UDP 4342 on ms$id only; its loopback is not answered.
if ip netns exec "$ms" "$lig" -t 300 -m 127.0.0.1 10.1.0.5 > "$work/lig7"; then
  echo "the Map-Server answered outside its control-iface"; exit 1
fi
# A host name for -m is resolved (localhost: nobody answers there).
if ip netns exec "$client" "$lig" -t 200 -m localhost 10.1.0.5 > "$work/lig5"; then echo "lig got a reply from nobody"; exit 1; fi
grep -q "^Send map-request to 127.0.0.1 for 10.1.0.5 ...$" "$work/lig5"
grep -q "^\*\*\* No map-reply received within 200 ms \*\*\*$" "$work/lig5"
# Wrong key: the register is dropped, so no Map-Notify comes back.
if ip netns exec "$client" "$ms_load" 192.0.2.2 not-the-key 10.2.0.1 5 5 > "$work/badkey.json"; then
  echo "a register with a wrong key was accepted"; exit 1
fi
grep -q '"registrations_lost": 5' "$work/badkey.json"
# ... and logged, once for the burst of 5 (at most one line a second).
grep "refused: authentication failed" "$work/lispd.log"
[ "$(grep -c "refused: authentication failed" "$work/lispd.log")" -le 2 ]

"$lispctl" -s "$work/lispd.sock" show sites | tee "$work/sites"
grep -Eq "^0 +10.0.0.0/8 +1 +yes +yes" "$work/sites"
"$lispctl" -s "$work/lispd.sock" show registrations > "$work/registrations"
[ "$(grep -c "192.0.2.5 (p1 w100)" "$work/registrations")" -eq 2000 ]
grep -E "^0 +10.1.0.5/32 " "$work/registrations"
"$lispctl" -s "$work/lispd.sock" show counters | tee "$work/counters"
grep -Eq "^registers_accepted +2000$" "$work/counters"
grep -Eq "^auth_failures +15$" "$work/counters"  # 5 registers, 3 tries each
grep -Eq "^proxy_replies +2003$" "$work/counters"  # 2000 + 3 lig
grep -Eq "^negative_replies +7$" "$work/counters"  # 2 lig + 5 from the wrong-key run
# The same counters as JSON and as Prometheus metrics, from one registry.
"$lispctl" -s "$work/lispd.sock" --json show counters | tee "$work/counters.json"
python3 -c 'import json,sys; c = json.load(open(sys.argv[1])); assert c["registers_accepted"] == 2000 and c["registrations"] == 2000, c' "$work/counters.json"
"$lispctl" -s "$work/lispd.sock" -j show registrations |
  python3 -c 'import json,sys; r = json.load(sys.stdin); assert len(r) == 2000 and r[0]["rlocs"][0]["rloc"] == "192.0.2.5", r[0]'
"$lispctl" -s "$work/lispd.sock" show metrics > "$work/metrics"
grep -q "^# TYPE lispmob_map_server_registers_accepted_total counter$" "$work/metrics"
grep -q "^lispmob_map_server_registers_accepted_total 2000$" "$work/metrics"
"$lispctl" -s "$work/lispd.sock" help | grep -q "^show registrations "
# lispctl's bash completion asks the running lispd for its commands.
completed=$(bash -c 'source "$1"; COMP_WORDS=("$2" -s "$3" show ""); COMP_CWORD=4; _lispctl; echo "${COMPREPLY[*]}"' \
  _ "$(dirname "$0")/../../tools/completion/lispctl" "$lispctl" "$work/lispd.sock")
[ "$completed" = "counters metrics registrations sites" ] || { echo "completion: $completed"; exit 1; }
if "$lispctl" -s "$work/lispd.sock" show nothing; then echo "an unknown command was accepted"; exit 1; fi

# Operators' habits: --help, bad arguments refused, one lispd per control
# socket and UDP port, SIGHUP reloads.
"$lispd" --help | grep -q "^usage: lispd -f CONFIG"
if "$lispd" -f "$work/ms.conf" -p abc 2> "$work/bad-port"; then echo "-p abc was accepted"; exit 1; fi
grep -q -- "--port: Value abc not in range 1 to 65535" "$work/bad-port"
if ip netns exec "$ms" "$lispd" -f "$work/ms.conf" -s "$work/lispd.sock" 2> "$work/second.log"; then
  echo "a second lispd started on the same control socket"; exit 1
fi
grep -q "another lispd is running" "$work/second.log"
grep -v metrics-listen "$work/ms.conf" > "$work/ms-no-metrics.conf"
if ip netns exec "$ms" "$lispd" -D -f "$work/ms-no-metrics.conf" -s "$work/other.sock" 2> "$work/third.log"; then
  echo "a second lispd started on the same UDP port"; exit 1
fi
grep -q "Address already in use (held by lispd, pid $ms_pid)" "$work/third.log"  # said where -D was run
sed "s|control-iface = .*|control-iface = \"nope0\"|" "$work/ms-no-metrics.conf" > "$work/ms-nope.conf"
if ip netns exec "$ms" "$lispd" -f "$work/ms-nope.conf" -s "$work/other.sock" 2> "$work/nope.log"; then
  echo "a control-iface that does not exist was accepted"; exit 1
fi
grep -q "control-iface nope0: no such interface on this host" "$work/nope.log"
if ip netns exec "$ms" "$lispd" -f "$work/ms.conf" -s "$work/other.sock" 2> "$work/fourth.log"; then
  echo "a second lispd started on the same metrics port"; exit 1
fi
grep -q "metrics-listen 127.0.0.1 port 9142: Address already in use" "$work/fourth.log"
if ip netns exec "$ms" "$lispd" -P "$work/ms.pid" -f "$work/ms.conf" -s "$work/other.sock" 2> "$work/fifth.log"; then
  echo "a second lispd took over the pid file"; exit 1
fi
grep -q "pid file $work/ms.pid names process $ms_pid" "$work/fifth.log"
[ "$(cat "$work/ms.pid")" = "$ms_pid" ] && [ ! -e "$work/other.sock" ]
# /metrics, scraped as Prometheus would, in a format promtool accepts.
ip netns exec "$ms" curl -sf http://127.0.0.1:9142/metrics > "$work/scrape"
promtool check metrics < "$work/scrape"
grep -q "^lispmob_map_server_registers_accepted_total 2000$" "$work/scrape"
"$lispctl" -s "$work/lispd.sock" metrics | cmp - "$work/scrape"  # the same from lispctl
# A bad file on SIGHUP: refused with its line, and everything stays.
cp "$work/ms.conf" "$work/ms.conf.good"
printf '%s\n' "# a comment" 'operating-mode = "MS"' 'lisp-site { eid-prefix = 10.0.0.0/40  key = "x" }' > "$work/ms.conf"
kill -HUP "$ms_pid"
for _ in $(seq 50); do grep -q "reload refused" "$work/lispd.log" && break; sleep 0.1; done
grep "reload refused" "$work/lispd.log"
grep -q "ms.conf:3: key 'eid-prefix'" "$work/lispd.log"  # the line, after a comment line
kill -0 "$ms_pid"
[ "$("$lispctl" -s "$work/lispd.sock" show registrations | grep -c "192.0.2.5 (p1 w100)")" -eq 2000 ]
# A good one: a new site comes, the registrations it still covers stay.
sed 's/^ms-replies-per-second = 0$/ms-replies-per-second = 500/' "$work/ms.conf.good" > "$work/ms.conf"
cat >> "$work/ms.conf" <<'CONF'
lisp-site { eid-prefix = 198.51.100.0/24  key = "site3" }
ms-static-registered-site {
  eid-prefix = 192.0.2.128/25
  rloc-address { address = 192.0.2.99  priority = 3  weight = 40 }
}
CONF
kill -HUP "$ms_pid"
for _ in $(seq 50); do grep -q "reload applied" "$work/lispd.log" && break; sleep 0.1; done
grep "reload applied" "$work/lispd.log"
grep -q "reload applied: 3 sites, 0 registrations outside them dropped, 1 static registrations, 500 replies/s per requester" "$work/lispd.log"
"$lispctl" -s "$work/lispd.sock" show sites | grep -Eq "^0 +198.51.100.0/24 "
"$lispctl" -s "$work/lispd.sock" show registrations > "$work/registrations"
[ "$(grep -c "192.0.2.5 (p1 w100)" "$work/registrations")" -eq 2000 ]
# ms-static-registered-site: held with no ETR behind it, answered by the MS.
grep -E "^0 +192.0.2.128/25 +never +static +192.0.2.99 \(p3 w40\)$" "$work/registrations"
ip netns exec "$client" "$lig" -m 192.0.2.2 192.0.2.200 | tee "$work/lig-static"
grep -q "^192.0.2.128/25, via map-reply, record ttl: 10 minutes, not auth, no-action$" "$work/lig-static"
grep -Eq "^  192.0.2.99 +up +3/40$" "$work/lig-static"
echo "operator: --help, -p abc refused, second lispd refused (socket, UDP port, metrics port, pid file), /metrics passes promtool, SIGHUP bad file refused, good file applied"

# SIGTERM: lispd stops and leaves no socket or pid file behind.
kill -TERM "$ms_pid"
for _ in $(seq 50); do alive "$ms_pid" || break; sleep 0.1; done
if alive "$ms_pid"; then echo "lispd did not stop on SIGTERM"; exit 1; fi
for left in "$work/ms.pid" "$work/lispd.sock"; do
  if [ -e "$left" ]; then echo "SIGTERM left $left behind"; exit 1; fi
done
grep -q "SIGTERM: stopping" "$work/lispd.log"

sleep 0.5
ip netns pids "$client" | xargs -r kill -INT
sleep 1
frames=$(tshark -r "$work/link.pcap" -Y lisp 2>/dev/null | wc -l)
bad=$(tshark -r "$work/link.pcap" -Y "_ws.malformed or _ws.expert.severity >= warning" 2>/dev/null | wc -l)
echo "tshark: $frames LISP packets on the link, $bad malformed or with expert warnings"
[ "$frames" -ge 8000 ] && [ "$bad" -eq 0 ]
