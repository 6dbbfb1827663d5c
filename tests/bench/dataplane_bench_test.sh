#!/usr/bin/env bash
# dataplane_bench's cases do the work they report: every packet of the input
# forwarded (no drops), the cycle measurement complete (it exits 2
# otherwise), and the JSON carries each figure bench/run reads. Short runs
# on --no-huge memory; the figures themselves are not checked (no timing
# assertions): bench/run reports them.
#   1. decap6: LISP over IPv6 (checksummed outer UDP) to an IPv6 EID.
#   2. More flows than prefixes (each flow its own destination).
#   3. Two workers, each on its own queue of both ports, oversubscribed on
#      one CPU, while the control thread changes the map-cache.
#   4. Options it does not know, and more workers than lcores, are refused.
set -euo pipefail
bench=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
eal=(--no-huge -m 1500 --no-pci --no-shconf --no-telemetry --log-level=lib.eal:error
  "--file-prefix=bench$$")

check() {  # json, python expression over c, what it means
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
c = json.loads(sys.argv[1])
if not eval(sys.argv[2]):
    sys.exit(f"FAIL: {sys.argv[3]}: {sys.argv[2]} on {sys.argv[1]}")
print(f"ok: {sys.argv[3]}")
PY
}

"$bench" traffic decap6 1000 "$work/decap6.pcap"
json=$("$bench" run decap6 1000 "$work/decap6.pcap" 1 -- -l 0-1 "${eal[@]}")
echo "$json"
check "$json" 'c["mode"] == "decap6" and c["mpps"] > 0 and c["drops"] == 0 and c["cycles_per_packet"] > 0' \
  "decap6 forwards every packet"

"$bench" traffic encap4 1000 "$work/encap4_flows.pcap" 64 4096
json=$("$bench" run encap4 1000 "$work/encap4_flows.pcap" 1 -- -l 0-1 "${eal[@]}")
echo "$json"
check "$json" 'c["flows"] == 4096 and c["drops"] == 0 and c["lookup_cycles_per_packet"] > 0' \
  "4096 flows over 1000 prefixes, lookup measured alone"

"$bench" traffic encap4 1000 "$work/encap4.pcap"
json=$("$bench" run encap4 1000 "$work/encap4.pcap" 1 workers=2 updates -- --lcores '0,(1-2)@1' "${eal[@]}")
echo "$json"
check "$json" 'c["workers"] == 2 and c["mpps"] > 0 and c["drops"] == 0' "two workers forward every packet"
check "$json" 'c["map_cache_updates_per_second"] > 0 and c["mpps_during_updates"] > 0 and c["longest_poll_us_during_updates"] > 0' \
  "the map-cache changes while the workers forward"

if "$bench" run encap4 1000 "$work/encap4.pcap" 1 wrokers=2 -- -l 0-1 "${eal[@]}" 2> "$work/err"; then
  echo "FAIL: a misspelt option was accepted"; exit 1
fi
grep -q "unknown option wrokers=2" "$work/err"
if "$bench" run encap4 1000 "$work/encap4.pcap" 1 workers=2 -- -l 0-1 "${eal[@]}" 2> "$work/err"; then
  echo "FAIL: two workers ran on one worker lcore"; exit 1
fi
grep -q "2 workers need 3 EAL lcores" "$work/err"
echo "ok: refusals"
