#!/usr/bin/env bash
# The shipped lispmob.conf.example starts as it is, in a network namespace
# holding the interface it names (veth-rloc): lispd -D returns once it
# serves, lispctl answers, the mobile node's EID is on lmn0, and SIGTERM
# stops it leaving no pid file or socket. (It once failed with "no memory
# for the mbuf pool": EAL's default memory did not hold the pools.)
# Needs root (ip netns). Skipped (exit 77) without it.
set -euo pipefail
# Running, and not a zombie: a detached lispd's parent is PID 1, which may
# reap it only seconds after it exited.
alive() { [ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
lispd=$1 lispctl=$2
[ "$(id -u)" -eq 0 ] && command -v ip >/dev/null || { echo "needs root and iproute2"; exit 77; }
example=$(dirname "$0")/../../lispmob.conf.example
ns=lm-ex-$$
work=$(mktemp -d)
cleanup() {
  ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
  sleep 0.3
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link add veth-rloc type veth peer name veth-peer
for link in lo veth-rloc veth-peer; do ip -n "$ns" link set "$link" up; done

"$lispd" --check-config "$example"
ip netns exec "$ns" "$lispd" -D -P "$work/lispd.pid" -f "$example" -s "$work/lispd.sock" 2> "$work/stderr" ||
  { cat "$work/stderr"; exit 1; }
pid=$(cat "$work/lispd.pid")
# Below -d 3, DPDK's start-up lines (EAL's, net_tap's multiq qdisc) stay out.
if grep -E "^EAL:|multiq" "$work/stderr"; then echo "DPDK's start-up noise reached the terminal"; exit 1; fi
"$lispctl" -s "$work/lispd.sock" show local | tee "$work/local"
grep -q "^eid  *\[0\]198.18.0.10/32$" "$work/local"
grep -q "inet 198.18.0.10/32" <<< "$(ip -n "$ns" addr show lmn0)"
# As shipped it can hold mappings (with -m 256 and 1M entries it could not
# create its FIBs: every install failed with "rte_fib_create failed").
added=$("$lispctl" -s "$work/lispd.sock" add static-mapping 203.0.113.0/24 rloc 192.0.2.4)
grep -q added <<< "$added"
added=$("$lispctl" -s "$work/lispd.sock" add static-mapping 2001:db8:9::/48 rloc 192.0.2.4)
grep -q added <<< "$added"
[ "$("$lispctl" -s "$work/lispd.sock" show map-cache | grep -c " static ")" -eq 2 ]
kill -TERM "$pid"
for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
if alive "$pid"; then echo "lispd did not stop"; exit 1; fi
for left in "$work/lispd.pid" "$work/lispd.sock"; do
  if [ -e "$left" ]; then echo "SIGTERM left $left"; exit 1; fi
done

# allowed-dst-eids (OOR's): only those destinations are routed into lmn0,
# from the EID; the host's own default route stays where it was.
ip -n "$ns" addr add 192.0.2.5/24 dev veth-peer
ip -n "$ns" route add default via 192.0.2.1 dev veth-peer
sed 's|^# allowed-dst-eids = .*|allowed-dst-eids = { 203.0.113.0/24, 198.51.100.0/24 }|' "$example" > "$work/allowed.conf"
grep -q "^allowed-dst-eids = " "$work/allowed.conf"
ip netns exec "$ns" "$lispd" -D -P "$work/lispd.pid" -f "$work/allowed.conf" -s "$work/lispd.sock" 2> "$work/stderr" ||
  { cat "$work/stderr"; exit 1; }
pid=$(cat "$work/lispd.pid")
ip -n "$ns" route | tee "$work/routes"
grep -q "^203.0.113.0/24 dev lmn0 .*src 198.18.0.10" "$work/routes"
grep -q "^198.51.100.0/24 dev lmn0 .*src 198.18.0.10" "$work/routes"
grep -q "^default via 192.0.2.1 dev veth-peer $" "$work/routes"
if grep -Eq "^(default|0.0.0.0/1|128.0.0.0/1) dev lmn0" "$work/routes"; then
  echo "allowed-dst-eids still sent everything into lmn0"; exit 1
fi
kill -TERM "$pid"
for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
if ip -n "$ns" route | grep "dev lmn0"; then echo "a route into lmn0 outlived lispd"; exit 1; fi
grep -q "^default via 192.0.2.1 dev veth-peer $" <<< "$(ip -n "$ns" route)"
echo "allowed-dst-eids: 2 routes into lmn0, the host's default route untouched, all undone at exit"

# Clear errors, one line each, before anything is set up.
start_refused() {  # config expected-message [prefix command...]
  local config=$1 expected=$2
  shift 2
  if ip netns exec "$ns" "$@" "$lispd" -f "$config" -s "$work/refused.sock" 2> "$work/refused"; then
    echo "lispd started with $config"; exit 1
  fi
  grep -q -- "$expected" "$work/refused" || { echo "expected: $expected"; cat "$work/refused"; exit 1; }
  grep "$expected" "$work/refused"
}
sed 's|iface=veth-rloc|iface=veth-missing|' "$example" > "$work/missing.conf"
start_refused "$work/missing.conf" "rloc-port net_af_packet0,iface=veth-missing,framecnt=4096: no interface veth-missing on this host"
sed 's|rloc-port = .*|rloc-port = "0000:7f:1f.7"|' "$example" > "$work/pci.conf"
start_refused "$work/pci.conf" "no PCI device 0000:7f:1f.7 on this host"
start_refused "$example" "needs root, or the capabilities CAP_NET_ADMIN" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all
sed 's|--no-huge ||; s| -m 512||' "$example" > "$work/huge.conf"
free_pages=$(cat /sys/kernel/mm/hugepages/*/free_hugepages 2>/dev/null | paste -sd+ | bc)
if [ "${free_pages:-0}" -eq 0 ]; then
  start_refused "$work/huge.conf" "no free hugepages: reserve some"
else
  echo "($free_pages hugepages free here: the no-hugepages message is not tried)"
fi
mkdir "$work/a-directory"
if "$lispd" -f "$work/a-directory" 2> "$work/refused"; then echo "a directory was run"; exit 1; fi
grep -q "a-directory: is a directory, not a config file" "$work/refused"
if "$lispd" -f "$work/nonexistent.conf" 2> "$work/refused"; then echo "a missing file was run"; exit 1; fi
grep -q "nonexistent.conf: No such file or directory" "$work/refused"
echo "example_config_netns: lispmob.conf.example started as shipped, answered, stopped clean; missing interface, PCI device, privilege, hugepages and config file each refused with one line"
