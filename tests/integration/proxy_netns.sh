#!/usr/bin/env bash
# A LISP site and the non-LISP Internet through a lispmob Proxy-ETR (RFC
# 9300 §4.1, operating-mode "PETR") and Proxy-ITR (RFC 6832, "PITR").
# The mobile node (EID 198.18.0.10) sends a UDP stream to a host with no
# mapping (192.0.7.10, "inet"): the Map-Server answers negatively, the MN
# encapsulates to its proxy-etr (192.0.6.2), and the PETR decapsulates for
# that inner destination (no EID of its own) and its host forwards the
# packets natively. The Internet host then pings the MN's EID: the router
# sends 198.18.0.0/24 to the PITR (a static route, as an advertised one
# would), whose host routes it into lmn0 (lispd's route, from
# allowed-dst-eids); the PITR resolves the EID (a Map-Request with no
# source EID) and encapsulates to the MN, whose replies go back through
# the PETR.
#
#   mn:   lmn0 198.18.0.10 | rloc0 192.0.2.5 (twin of net_af_packet on ma)
#   core: 192.0.2.1 (ca) | 192.0.6.1 (cp) | 192.0.7.1 (ci) | 192.0.8.1 (cq)
#         | Map-Server 192.0.4.2 (lo)
#   petr: rloc0 192.0.6.2 (twin of net_af_packet on pa) | lmn0 up, forwarding on
#   pitr: rloc0 192.0.8.2 (twin of net_af_packet on qa) | lmn0, forwarding on
#   inet: 192.0.7.10
#
# Checked: every datagram reaches the Internet host, every echo comes back;
# tshark on the router sees LISP only on the LISP boxes' links and native IP
# on the Internet's, nothing malformed; the proxies' counters and the MN's
# map-cache (negative entry) show the path.
# Needs root; skipped (77) without it.
set -euo pipefail
lispd=$1 lispctl=$2
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] && command -v ip >/dev/null || { echo "needs root and iproute2"; exit 77; }
id=$$
mn=lm-pm-$id core=lm-pc-$id petr=lm-pp-$id pitr=lm-pq-$id inet=lm-pi-$id
work=$(mktemp -d)
lab_name=proxy_netns
lab_namespaces="$mn $core $petr $pitr $inet"
lab_logs="mn petr pitr ms"
# shellcheck source=tests/integration/lab.sh
. "$here/lab.sh"
lab_start
lab_link "$mn" "ma$id" "ca$id" 192.0.2.1/24
lab_link "$petr" "pa$id" "cp$id" 192.0.6.1/24
lab_link "$inet" "ia$id" "ci$id" 192.0.7.1/24
lab_link "$pitr" "qa$id" "cq$id" 192.0.8.1/24
# The PITR attracts the site's EID-prefix (an advertised route, in the field).
ip -n "$core" route add 198.18.0.0/24 via 192.0.8.2
ip -n "$inet" addr add 192.0.7.10/24 dev "ia$id"
ip -n "$inet" route add default via 192.0.7.1
ip -n "$core" addr add 192.0.4.2/32 dev lo

{
  lab_node_conf MN "ma$id" 198.18.0.10/32 mn-key
  echo 'proxy-etr { address = 192.0.6.2  priority = 1  weight = 100 }'
} > "$work/mn.conf"
lab_dataplane_conf PETR "pa$id" > "$work/petr.conf"
{
  lab_dataplane_conf PITR "qa$id"
  echo 'map-resolver = { 192.0.4.2 }'
  echo 'allowed-dst-eids = { 198.18.0.0/24 }'
} > "$work/pitr.conf"
cat > "$work/ms.conf" <<CONF
operating-mode = "MS"
debug = 1
lisp-site { eid-prefix = 198.18.0.0/24  key-type = 2  key = "mn-key"  accept-more-specifics = on }
CONF
"$lispd" --check-config "$work/petr.conf" | grep -q "ok (operating-mode PETR)"
"$lispd" --check-config "$work/pitr.conf" | grep -q "ok (operating-mode PITR)"

lab_capture "ca$id" site "udp"
lab_capture "ci$id" inet "udp or icmp"
lab_capture "cq$id" pitr "udp or icmp"
ip netns exec "$core" "$lispd" -f "$work/ms.conf" -s "$work/ms.sock" 2> "$work/ms.log" &
ip netns exec "$mn" "$lispd" -f "$work/mn.conf" -s "$work/mn.sock" 2> "$work/mn.log" &
ip netns exec "$petr" "$lispd" -f "$work/petr.conf" -s "$work/petr.sock" 2> "$work/petr.log" &
ip netns exec "$pitr" "$lispd" -f "$work/pitr.conf" -s "$work/pitr.sock" 2> "$work/pitr.log" &
lab_wait_lmn0 "$mn" "$petr" "$pitr"
lab_rloc "$mn" 192.0.2.5/24 192.0.2.1
# The PETR's host forwards what lmn0 hands it (the operator's part, as for
# any router; lispd warns when forwarding is off).
ip netns exec "$petr" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$petr" sysctl -qw net.ipv4.conf.all.rp_filter=0
ip netns exec "$petr" sysctl -qw net.ipv4.conf.lmn0.rp_filter=0
lab_rloc "$petr" 192.0.6.2/24 192.0.6.1
ip -n "$petr" link set lmn0 arp off up
grep -q "net.ipv4.ip_forward is 0: this host drops" "$work/petr.log" ||
  fail "no warning that the PETR's host did not forward at start"
ip netns exec "$pitr" sysctl -qw net.ipv4.ip_forward=1
lab_rloc "$pitr" 192.0.8.2/24 192.0.8.1
# lispd routes the EID-prefix it serves into lmn0.
for _ in $(seq 50); do ip -n "$pitr" route | grep -q "^198.18.0.0/24 dev lmn0" && break; sleep 0.1; done
ip -n "$pitr" route | grep -q "^198.18.0.0/24 dev lmn0" || fail "no route into the PITR's lmn0"

for _ in $(seq 50); do
  "$lispctl" -s "$work/ms.sock" show registrations | grep -q "198.18.0.10/32" && break
  sleep 0.1
done
"$lispctl" -s "$work/ms.sock" show registrations | grep -q "198.18.0.10/32"
"$lispctl" -s "$work/petr.sock" show local | tee "$work/petr-local"
grep -q "192.0.6.2" "$work/petr-local"

ip netns exec "$inet" python3 "$here/udp_sink.py" 9000 6 2 > "$work/sink" &
sink=$!
sleep 0.3
ip netns exec "$mn" python3 "$here/udp_stream.py" 192.0.7.10 9000 200 3 > /dev/null
wait "$sink" || true
echo "Internet host: $(cat "$work/sink")"
received=$(awk '{print $2}' "$work/sink")
[ "$received" -ge 590 ] || fail "the Internet host got $received of 600 datagrams"
"$lispctl" -s "$work/mn.sock" show map-cache | tee "$work/mn-cache"
grep -Eq "^0 +192.0.[0-9.]+/[0-9]+ +(natively-forward|native-forward)" "$work/mn-cache" ||
  fail "no negative map-cache entry for the Internet host"
decapsulated=$("$lispctl" -s "$work/petr.sock" show counters | awk '$1 == "decapsulated" {print $2}')
echo "PETR decapsulated $decapsulated"
[ "$decapsulated" -ge "$received" ] || fail "the PETR decapsulated $decapsulated"

# The Internet host reaches the MN's EID through the PITR (the first echo
# waits for the PITR's Map-Reply), and the MN's replies come back through
# the PETR.
for _ in $(seq 10); do ip netns exec "$inet" ping -c 1 -W 1 198.18.0.10 >/dev/null && break; done
ip netns exec "$inet" ping -c 20 -i 0.05 -W 1 198.18.0.10 | tee "$work/ping"
grep -q " 20 received" "$work/ping" || fail "the Internet host's echoes through the PITR were lost"
"$lispctl" -s "$work/pitr.sock" show map-cache | tee "$work/pitr-cache"
grep -Eq "^0 +198.18.0.10/32 +encapsulate +reply .*192.0.2.5" "$work/pitr-cache" ||
  fail "the PITR did not resolve the MN's EID"
encapsulated=$("$lispctl" -s "$work/pitr.sock" show counters | awk '$1 == "encapsulated" {print $2}')
echo "PITR encapsulated $encapsulated"
[ "$encapsulated" -ge 20 ] || fail "the PITR encapsulated $encapsulated"

sleep 1
lab_stop_captures
# On the site's side: the stream is LISP data to the PETR, never native.
lisp_to_petr=$(tshark -r "$work/site.pcap" -Y "ip.dst == 192.0.6.2 && udp.dstport == 4341 && lisp-data" 2>/dev/null | wc -l)
native_site=$(tshark -r "$work/site.pcap" -Y "ip.dst == 192.0.7.10 && !lisp-data && !lisp" 2>/dev/null | wc -l)
# On the Internet's side: native UDP from the EID, no LISP.
native_inet=$(tshark -r "$work/inet.pcap" -Y "ip.src == 198.18.0.10 && udp.dstport == 9000" 2>/dev/null | wc -l)
lisp_inet=$(tshark -r "$work/inet.pcap" -Y "udp.port == 4341 || udp.port == 4342" 2>/dev/null | wc -l)
echo "site link: $lisp_to_petr LISP data to the PETR, $native_site native; Internet link: $native_inet native from the EID, $lisp_inet LISP"
[ "$lisp_to_petr" -ge "$received" ] && [ "$native_site" -eq 0 ] &&
  [ "$native_inet" -ge "$received" ] && [ "$lisp_inet" -eq 0 ] || fail "LISP where it should not be"
# The echoes: native from the Internet host to the PITR, LISP from the PITR
# to the MN (no source EID in the PITR's Map-Request), native replies on
# the Internet's link.
native_to_pitr=$(tshark -r "$work/pitr.pcap" -Y "icmp.type == 8 && ip.dst == 198.18.0.10 && !lisp-data" 2>/dev/null | wc -l)
lisp_from_pitr=$(tshark -r "$work/site.pcap" -Y "ip.src == 192.0.8.2 && lisp-data && icmp.type == 8" 2>/dev/null | wc -l)
replies_inet=$(tshark -r "$work/inet.pcap" -Y "icmp.type == 0 && ip.src == 198.18.0.10 && !lisp-data" 2>/dev/null | wc -l)
no_source_eid=$(tshark -r "$work/pitr.pcap" -Y "lisp.type == 1 && lisp.mreq.srceid.afi == 0 && lisp.mreq.flags.pitr == 1" 2>/dev/null | wc -l)
echo "PITR link: $native_to_pitr native echo requests in, $no_source_eid Map-Requests with no source EID and the p bit; site link: $lisp_from_pitr LISP echo requests from the PITR; Internet link: $replies_inet native echo replies"
[ "$native_to_pitr" -ge 20 ] && [ "$lisp_from_pitr" -ge 20 ] && [ "$replies_inet" -ge 20 ] &&
  [ "$no_source_eid" -ge 1 ] || fail "the echoes did not take the PITR and the PETR"
lab_no_malformed site inet pitr
echo "proxy_netns: ok"
