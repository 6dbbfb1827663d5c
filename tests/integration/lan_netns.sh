#!/usr/bin/env bash
# lispmob as a site gateway: an xTR whose EID side is a LAN port (DPDK
# net_af_packet on a veth into a bridge) with two ordinary hosts behind it,
# a lispmob Map-Server, and the lab's mobile node elsewhere.
#
#   h1:  eth 10.1.0.5/24, 2001:db8:a::5/64, default via the gateway
#   h2:  eth 10.1.0.6/24, 2001:db8:a::6/64
#   lan: bridge br0 joining h1, h2 and the gateway's LAN port
#   gw:  lan0 (the LAN twin) 10.1.0.1/24, 2001:db8:a::1/64 | rloc0 192.0.3.4
#        two workers, each polling its own queue of every port
#        registers 10.1.0.0/24 and 2001:db8:a::/64
#   mn:  lmn0 198.18.0.10, 2001:db8:3::10 | rloc0 192.0.2.5
#   core: routes between them | Map-Server 192.0.4.2 (lo); 10.1.0.0/24 via the PITR
#   petr: a lispmob Proxy-ETR, rloc0 192.0.6.2
#   pitr: a lispmob Proxy-ITR for 10.1.0.0/24, rloc0 192.0.8.2
#   inet: a non-LISP host 192.0.7.10
#
# Checked, with cold ARP/ND caches on every side: each host pings the MN's
# EIDs and the MN pings each host (IPv4 and IPv6), and the gateway answers
# as a router (Time Exceeded, fragmentation needed); the MN's first packets
# to a host the gateway has not resolved yet reach it through the kernel,
# and later ones by the adjacency; the hosts reach the non-LISP host
# through the PETR (which serves only the site: the MN is refused) and it
# reaches them through the PITR (LISP between the
# LISP boxes, native IP elsewhere); a 5 MB TCP transfer each way between h1
# and the MN arrives whole (sha256); host-to-host traffic on the LAN never
# reaches lispd (its LAN counters); the core sees LISP only between the
# gateway and the MN, none malformed. Needs root; skipped (77) without it.
set -euo pipefail
lispd=$1 lispctl=$2
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] && command -v ip >/dev/null || { echo "needs root and iproute2"; exit 77; }
id=$$
mn=lm-lm-$id core=lm-lc-$id gw=lm-lg-$id lan=lm-ll-$id h1=lm-l1-$id h2=lm-l2-$id
petr=lm-lp-$id pitr=lm-lq-$id inet=lm-li-$id
work=$(mktemp -d)
lab_name=lan_netns
lab_namespaces="$mn $core $gw $lan $h1 $h2 $petr $pitr $inet"
lab_logs="mn gw ms petr pitr"
# shellcheck source=tests/integration/lab.sh
. "$here/lab.sh"
lab_start
lab_link "$mn" "ma$id" "ca$id" 192.0.2.1/24
lab_link "$gw" "ga$id" "cg$id" 192.0.3.1/24
lab_link "$petr" "pa$id" "cp$id" 192.0.6.1/24
lab_link "$inet" "ia$id" "ci$id" 192.0.7.1/24
lab_link "$pitr" "qa$id" "cq$id" 192.0.8.1/24
ip -n "$core" addr add 192.0.4.2/32 dev lo
# The PITR attracts the site's traffic from the Internet (in the field by
# the route it advertises).
ip -n "$core" route add 10.1.0.0/24 via 192.0.8.2
ip -n "$inet" addr add 192.0.7.10/24 dev "ia$id"
ip -n "$inet" route add default via 192.0.7.1

# The LAN: a bridge and three veths into it.
ip -n "$lan" link add br0 type bridge
ip -n "$lan" link set br0 up
ip link add "gl$id" netns "$gw" type veth peer name "bg$id" netns "$lan"
ip netns exec "$gw" sysctl -qw "net.ipv6.conf.gl$id.disable_ipv6=1"
ip -n "$gw" link set "gl$id" up
for n in 1 2; do
  ns=$h1
  [ $n = 1 ] || ns=$h2
  ip link add eth0 netns "$ns" type veth peer name "b$n$id" netns "$lan"
  ip -n "$ns" addr add "10.1.0.$((n + 4))/24" dev eth0
  ip -n "$ns" addr add "2001:db8:a::$((n + 4))/64" dev eth0 nodad
  ip -n "$ns" link set eth0 up
  # A wire's full checksums, not veth's partial ones: net_af_packet hands
  # the gateway a TCP segment as the host's veth left it.
  ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null
  ip -n "$ns" route add default via 10.1.0.1
  ip -n "$ns" route add default via 2001:db8:a::1
  ip -n "$lan" link set "b$n$id" master br0 up
done
ip -n "$lan" link set "bg$id" master br0 up
ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$gw" sysctl -qw net.ipv6.conf.all.forwarding=1

{
  lab_dataplane_conf MN "ma$id"
  cat <<CONF
database-mapping {
  eid-prefix = 198.18.0.10/32
  rloc-iface { interface = "rloc0"  ip_version = 4  priority = 1  weight = 100 }
}
database-mapping {
  eid-prefix = 2001:db8:3::10/128
  rloc-iface { interface = "rloc0"  ip_version = 4  priority = 1  weight = 100 }
}
map-server { address = 192.0.4.2  key-type = 2  key = "mn-key" }
map-resolver = { 192.0.4.2 }
proxy-etr { address = 192.0.6.2  priority = 1  weight = 100 }
CONF
} > "$work/mn.conf"
{
  # Two workers (both on CPU 1 here: correctness, not speed), each with
  # its own queue pair on every port.
  lab_dataplane_conf xTR "ga$id" | sed -e 's|worker-lcores = "1"|worker-lcores = "1,2@1"|' \
    -e "s|^}|  lan-port = \"net_af_packet_lan,iface=gl$id\"\n  lan-twin = \"lan0\"\n}|"
  cat <<CONF
database-mapping {
  eid-prefix = 10.1.0.0/24
  rloc-iface { interface = "rloc0"  ip_version = 4  priority = 1  weight = 100 }
}
database-mapping {
  eid-prefix = 2001:db8:a::/64
  rloc-iface { interface = "rloc0"  ip_version = 4  priority = 1  weight = 100 }
}
map-server { address = 192.0.4.2  key-type = 2  key = "site-key" }
map-resolver = { 192.0.4.2 }
proxy-etr { address = 192.0.6.2  priority = 1  weight = 100 }
CONF
} > "$work/gw.conf"
{
  lab_dataplane_conf PETR "pa$id"
  echo 'proxy-etr-sources = { 10.1.0.0/24, 2001:db8:a::/64 }'  # the site it serves
} > "$work/petr.conf"
{
  lab_dataplane_conf PITR "qa$id"
  echo 'map-resolver = { 192.0.4.2 }'
  echo 'allowed-dst-eids = { 10.1.0.0/24 }'
} > "$work/pitr.conf"
grep -q "lan-port" "$work/gw.conf" || fail "the gateway's config has no lan-port"
grep -q 'worker-lcores = "1,2@1"' "$work/gw.conf" || fail "the gateway's config has one worker"
cat > "$work/ms.conf" <<CONF
operating-mode = "MS"
debug = 1
lisp-site { eid-prefix = 198.18.0.0/24  key-type = 2  key = "mn-key"  accept-more-specifics = on }
lisp-site { eid-prefix = 2001:db8:3::/64  key-type = 2  key = "mn-key"  accept-more-specifics = on }
lisp-site { eid-prefix = 10.1.0.0/24  key-type = 2  key = "site-key" }
lisp-site { eid-prefix = 2001:db8:a::/64  key-type = 2  key = "site-key" }
CONF

lab_capture "ca$id" mn-side "udp or icmp or icmp6"
lab_capture "cg$id" gw-side "udp or icmp or icmp6"
lab_capture "ci$id" inet "udp or icmp"
ip netns exec "$core" "$lispd" -f "$work/ms.conf" -s "$work/ms.sock" 2> "$work/ms.log" &
ip netns exec "$mn" "$lispd" -f "$work/mn.conf" -s "$work/mn.sock" 2> "$work/mn.log" &
ip netns exec "$gw" "$lispd" -f "$work/gw.conf" -s "$work/gw.sock" 2> "$work/gw.log" &
ip netns exec "$petr" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$pitr" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$petr" "$lispd" -f "$work/petr.conf" -s "$work/petr.sock" 2> "$work/petr.log" &
ip netns exec "$pitr" "$lispd" -f "$work/pitr.conf" -s "$work/pitr.sock" 2> "$work/pitr.log" &
lab_wait_lmn0 "$mn" "$petr" "$pitr"
ip netns exec "$petr" sysctl -qw net.ipv4.conf.all.rp_filter=0
ip netns exec "$petr" sysctl -qw net.ipv4.conf.lmn0.rp_filter=0
lab_rloc "$petr" 192.0.6.2/24 192.0.6.1
ip -n "$petr" link set lmn0 arp off up
lab_rloc "$pitr" 192.0.8.2/24 192.0.8.1
for _ in $(seq 50); do ip -n "$gw" link show lan0 >/dev/null 2>&1 && break; sleep 0.2; done
ip -n "$gw" link show lan0 >/dev/null || fail "lispd made no LAN twin lan0"
ip -n "$gw" link show lmn0 >/dev/null 2>&1 && fail "a gateway with a LAN port made lmn0 too"
lab_rloc "$mn" 192.0.2.5/24 192.0.2.1
lab_rloc "$gw" 192.0.3.4/24 192.0.3.1
ip -n "$gw" addr add 10.1.0.1/24 dev lan0
ip -n "$gw" addr add 2001:db8:a::1/64 dev lan0 nodad
ip -n "$gw" link set lan0 up

# Both registered.
for _ in $(seq 100); do
  registered=$("$lispctl" -s "$work/ms.sock" show registrations 2>/dev/null || true)
  [ "$(grep -cE "^0 +(198.18.0.10/32|2001:db8:3::10/128|10.1.0.0/24|2001:db8:a::/64) " <<< "$registered")" -eq 4 ] && break
  sleep 0.1
done
echo "$registered"
[ "$(grep -cE "^0 +(198.18.0.10/32|2001:db8:3::10/128|10.1.0.0/24|2001:db8:a::/64) " <<< "$registered")" -eq 4 ] ||
  fail "not all four EID-prefixes registered"

counter() { "$lispctl" -s "$work/$1.sock" show counters | awk -v name="$2" '$1 == name {print $2}'; }
# Pings until one is answered (the first ones wait for the mapping), then
# 20 that must all be.
reaches() {
  local ns=$1 target=$2
  for _ in $(seq 15); do ip netns exec "$ns" ping -c 1 -W 1 "$target" >/dev/null 2>&1 && break; done
  local replies
  replies=$(ip netns exec "$ns" ping -c 20 -i 0.05 -W 1 "$target" | awk '/received/ {print $4}' || true)
  echo "$ns -> $target: $replies of 20"
  if [ "$replies" != 20 ]; then
    echo "--- gateway counters"; "$lispctl" -s "$work/gw.sock" show counters | grep -v " 0$" || true
    echo "--- gateway neighbours"; ip -n "$gw" neigh show || true
    fail "$ns -> $target: $replies of 20 echo replies"
  fi
}

# Cold caches on every side: the MN pings the hosts first, so the
# gateway's first packets to each host go through its kernel, which
# resolves the host.
for ns in "$h1" "$h2" "$gw"; do ip -n "$ns" neigh flush all; done
misses_before=$(counter gw adjacency_miss)
reaches "$mn" 10.1.0.5
reaches "$mn" 2001:db8:a::6
misses=$(($(counter gw adjacency_miss) - misses_before))
to_hosts=$(counter gw to_lan_host)
echo "gateway: $misses packets reached a host through the kernel while it was resolved, $to_hosts by adjacency"
[ "$misses" -ge 1 ] || fail "no packet to an unresolved host went through the kernel"
[ "$to_hosts" -ge 30 ] || fail "only $to_hosts packets went to the hosts by their adjacencies"
"$lispctl" -s "$work/gw.sock" show local | grep "^lan" | tee "$work/gw-local"
grep -qE "lan +port .*, [2-9] adjacencies" "$work/gw-local" || fail "the gateway holds no adjacencies"

for ns in "$h1" "$h2" "$gw"; do ip -n "$ns" neigh flush all; done
reaches "$h1" 198.18.0.10
reaches "$h2" 2001:db8:3::10
reaches "$h2" 198.18.0.10
reaches "$mn" 10.1.0.6
reaches "$mn" 2001:db8:a::5

# A non-LISP host: the site's hosts reach it through the PETR (the
# gateway's Map-Request is answered natively-forward), and it reaches them
# through the PITR.
reaches "$h1" 192.0.7.10
reaches "$inet" 10.1.0.6
petr_decapsulated=$(counter petr decapsulated) pitr_encapsulated=$(counter pitr encapsulated)
echo "PETR decapsulated $petr_decapsulated, PITR encapsulated $pitr_encapsulated"
[ "$petr_decapsulated" -ge 40 ] && [ "$pitr_encapsulated" -ge 20 ] || fail "the proxies were bypassed"
# The PETR serves the site only: the MN's packets to the Internet host,
# sent to it all the same, are refused.
not_served=$(counter petr drop_not_served)
mn_native=$(ip netns exec "$mn" ping -c 5 -i 0.2 -W 1 192.0.7.10 | awk '/received/ {print $4}' || true)
not_served=$(($(counter petr drop_not_served) - not_served))
echo "MN -> 192.0.7.10 through the PETR that does not serve it: $mn_native of 5 answered, $not_served refused"
[ "$mn_native" = 0 ] && [ "$not_served" -ge 5 ] || fail "the PETR decapsulated for a source it does not serve"

# As a router: the last hop of a TTL is answered by the gateway's kernel,
# a packet too big for the tunnel with DF by the data plane's ICMP.
expired=$(ip netns exec "$h1" ping -c 1 -W 1 -t 1 198.18.0.10 || true)
grep -q "From 10.1.0.1 .*Time to live exceeded" <<< "$expired" || fail "no Time Exceeded from the gateway: $expired"
too_big=$(ip netns exec "$h1" ping -c 1 -W 1 -M do -s 1472 198.18.0.10 || true)
grep -q "Frag needed and DF set (mtu = 1464)" <<< "$too_big" || fail "no fragmentation needed: $too_big"
ip netns exec "$h1" ping -c 1 -W 1 -M do -s 1436 198.18.0.10 > /dev/null || fail "1464 bytes with DF did not pass"
echo "TTL 1: Time Exceeded from 10.1.0.1; DF 1500 bytes: fragmentation needed, mtu 1464; 1464 bytes pass"

# Host to host: switched by the bridge, never seen by lispd.
lan_before=$(counter gw lan_received)
ip netns exec "$h1" ping -c 300 -i 0.005 -q 10.1.0.6 > /dev/null
ip netns exec "$h2" ping -c 300 -i 0.005 -q 2001:db8:a::5 > /dev/null
lan_seen=$(($(counter gw lan_received) - lan_before))
echo "host to host: 1200 frames on the LAN, $lan_seen of them reached lispd"
[ "$lan_seen" -le 10 ] || fail "$lan_seen host-to-host frames reached lispd"

# TCP each way, IPv4 h1 <- MN and IPv6 MN <- h1, 5 MB, whole.
transfer() {
  local from=$1 to=$2 address=$3 port=$4
  ip netns exec "$to" python3 "$here/tcp_transfer.py" receive "$address" "$port" > "$work/received" &
  local receiver=$!
  sleep 0.3
  ip netns exec "$from" python3 "$here/tcp_transfer.py" send "$address" "$port" 5000000 > "$work/sent"
  wait "$receiver"
  local sent received
  sent=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sha256"])' "$work/sent")
  received=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["sha256"], d["bytes"], round(d["seconds"], 2))' "$work/received")
  echo "TCP to $address: $received"
  [ "${received%% *}" = "$sent" ] || fail "TCP to $address: the file arrived damaged or short"
}
transfer "$mn" "$h1" 10.1.0.5 5001
transfer "$h1" "$mn" 2001:db8:3::10 5002

lab_stop_captures
# The transfers' random bytes as plain data: a heuristic dissector (Thrift's,
# in about one run of seven) otherwise takes some segment for its protocol
# and reports it short.
lab_tshark_options+=(-d tcp.port==5001,data -d tcp.port==5002,data)
lab_no_malformed mn-side gw-side inet
# The Internet host's link: native only.
lisp_inet=$(tshark -r "$work/inet.pcap" -Y "udp.port == 4341 || udp.port == 4342" 2>/dev/null | wc -l)
native_inet=$(tshark -r "$work/inet.pcap" -Y "ip.addr == 10.1.0.0/24 && icmp" 2>/dev/null | wc -l)
echo "Internet link: $native_inet native ICMP of the site's hosts, $lisp_inet LISP"
[ "$lisp_inet" -eq 0 ] && [ "$native_inet" -ge 80 ] || fail "LISP on the Internet link, or the hosts' packets missing"
# LISP between the gateway and the MN only; the hosts' addresses never
# on the wire natively.
native=$(tshark -r "$work/gw-side.pcap" -Y "(ip.addr == 10.1.0.0/24 || ipv6.addr == 2001:db8:a::/64) && !lisp-data && !lisp" 2>/dev/null | wc -l)
[ "$native" -eq 0 ] || fail "$native packets of the site's hosts left the gateway natively"
lisp=$(tshark -r "$work/gw-side.pcap" -Y "lisp-data" 2>/dev/null | wc -l)
echo "gateway's RLOC link: $lisp LISP data packets, 0 native from the site, 0 malformed"
"$lispctl" -s "$work/gw.sock" show counters | grep -E "^(lan_|to_lan_host|adjacency_miss|encapsulated|decapsulated)"
# Both workers carried traffic (the af_packet ports' sockets and the taps'
# queues spread flows by hash).
"$lispctl" -s "$work/gw.sock" show workers | tee "$work/workers"
[ "$(awk 'NR > 1 && $2 > 0' "$work/workers" | wc -l)" -eq 2 ] || fail "not both workers received packets"
echo "lan_netns passed"
