#!/usr/bin/env bash
# The baseline for the TCP figure of tests/integration/full_size_netns.sh:
# the same namespaces, veths and routers (mn - core - mid - xtr, 1500-byte
# links, routers' offloads off as there), the same EIDs and the same 20 MB
# transfer with tests/integration/tcp_transfer.py, but the EIDs routed
# natively by the kernels, no lispd. Prints Mbit/s each way.
# usage (root): bench/tcp_kernel_baseline.sh
set -euo pipefail
cd "$(dirname "$0")/.."
transfer=tests/integration/tcp_transfer.py
id=$$
mn=kb-mn-$id core=kb-co-$id mid=kb-mi-$id xtr=kb-xt-$id
cleanup() { for ns in "$mn" "$core" "$mid" "$xtr"; do ip netns del "$ns" 2>/dev/null || true; done; }
trap cleanup EXIT
for ns in "$mn" "$core" "$mid" "$xtr"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip link add "ma$id" netns "$mn" type veth peer name "ca$id" netns "$core"
ip link add "cm$id" netns "$core" type veth peer name "mc$id" netns "$mid"
ip link add "xa$id" netns "$xtr" type veth peer name "mx$id" netns "$mid"
for router in "$core" "$mid"; do ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1; done
ip -n "$mn" addr add 192.0.2.5/24 dev "ma$id"
ip -n "$mn" addr add 198.18.0.10/32 dev lo
ip -n "$core" addr add 192.0.2.1/24 dev "ca$id"
ip -n "$core" addr add 192.0.9.1/24 dev "cm$id"
ip -n "$mid" addr add 192.0.9.2/24 dev "mc$id"
ip -n "$mid" addr add 192.0.3.1/24 dev "mx$id"
ip -n "$xtr" addr add 192.0.3.4/24 dev "xa$id"
ip -n "$xtr" addr add 198.18.1.1/32 dev lo
for pair in "$mn:ma" "$core:ca" "$core:cm" "$mid:mc" "$mid:mx" "$xtr:xa"; do
  ip -n "${pair%%:*}" link set "${pair##*:}$id" up
done
ip netns exec "$core" ethtool -K "ca$id" tx off tso off gso off >/dev/null
ip netns exec "$mid" ethtool -K "mx$id" tx off tso off gso off >/dev/null
ip -n "$mn" route add default via 192.0.2.1 src 198.18.0.10
ip -n "$core" route add 198.18.0.10/32 via 192.0.2.5
ip -n "$core" route add default via 192.0.9.2
ip -n "$mid" route add 198.18.1.1/32 via 192.0.3.4
ip -n "$mid" route add default via 192.0.9.1
ip -n "$xtr" route add default via 192.0.3.1 src 198.18.1.1
one_way() {  # from-ns to-ns to-address label
  ip netns exec "$2" timeout 60 python3 "$transfer" receive "$3" 5001 > /tmp/kb-received-$id &
  sleep 0.3
  ip netns exec "$1" timeout 60 python3 "$transfer" send "$3" 5001 20000000 > /dev/null
  wait $!
  python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print("%s: %.0f Mbit/s" % (sys.argv[2], r["bytes"] * 8 / r["seconds"] / 1e6))' \
    /tmp/kb-received-$id "$4"
  rm -f /tmp/kb-received-$id
}
one_way "$mn" "$xtr" 198.18.1.1 "kernel forwarding, MN -> xTR host"
one_way "$xtr" "$mn" 198.18.0.10 "kernel forwarding, xTR host -> MN"
