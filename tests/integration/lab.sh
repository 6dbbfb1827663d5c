# Sourced by the network-namespace labs built around one router ("core"):
# namespaces made and removed, veth links to the router, lispd configs on
# DPDK. The lab sets: id, work, core, lab_name, lab_namespaces (all of them,
# core included) and lab_logs (the log names, in $work/<name>.log, shown
# when it fails). It calls lab_start after setting them.

failed_at_line=""
set -o errtrace  # a failing command inside a function names its line too
fail() { failed_at_line="$*"; exit 1; }
trap 'failed_at_line="line $LINENO: $BASH_COMMAND"' ERR

lab_cleanup() {
  local status=$?
  if [ $status -ne 0 ]; then
    for log in $lab_logs; do echo "--- $log.log"; tail -n 15 "$work/$log.log" 2>/dev/null; done
    echo "$lab_name FAILED at $failed_at_line"
  fi
  for ns in $lab_namespaces; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
  done
  sleep 0.5
  for ns in $lab_namespaces; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}

lab_start() {
  trap lab_cleanup EXIT
  for ns in $lab_namespaces; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
  ip netns exec "$core" sysctl -qw net.ipv4.ip_forward=1
}

# A veth from a namespace to the router: (namespace, its end, router's end,
# router's address/len).
lab_link() {
  ip link add "$2" netns "$1" type veth peer name "$3" netns "$core"
  ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
  ip -n "$core" addr add "$4" dev "$3"
  ip -n "$1" link set "$2" up
  ip -n "$core" link set "$3" up
  # A wire's full UDP checksums, not veth's partial ones (net_af_packet
  # hands those to the twin as they are).
  ip netns exec "$core" ethtool -K "$3" tx off >/dev/null
}

# The head of a lispd config on the DPDK data plane: (mode, RLOC veth).
lab_dataplane_conf() {
  cat <<CONF
operating-mode = "$1"
debug = 1
tap-iface = "lmn0"
map-cache-max-entries = 1024
dpdk {
  eal-args = "--no-huge --no-pci --no-shconf --no-telemetry -m 512 --log-level=lib.eal:error"
  worker-lcores = "1"
  rloc-port = "net_af_packet_rloc,iface=$2"
  rloc-twin = "rloc0"
  mbufs = 4095
  idle-sleep-us = 200
}
CONF
}

# A node with an EID-prefix on its twin's IPv4 RLOC, registered with and
# resolving through the router's Map-Server 192.0.4.2: (mode, RLOC veth,
# EID-prefix, site key, [weight]).
lab_node_conf() {
  lab_dataplane_conf "$1" "$2"
  cat <<CONF
database-mapping {
  eid-prefix = $3
  rloc-iface { interface = "rloc0"  ip_version = 4  priority = 1  weight = ${5:-100} }
}
map-server { address = 192.0.4.2  key-type = 2  key = "$4" }
map-resolver = { 192.0.4.2 }
CONF
}

# The RLOC on a lispd's twin, and its gateway: (namespace, address/len, gateway).
lab_rloc() {
  ip -n "$1" addr add "$2" dev rloc0
  ip -n "$1" link set rloc0 up
  ip -n "$1" route replace default via "$3" dev rloc0
}

# Waits for lmn0 in each namespace given (lispd made it).
lab_wait_lmn0() {
  for ns in "$@"; do
    for _ in $(seq 50); do ip -n "$ns" link show lmn0 >/dev/null 2>&1 && break; sleep 0.2; done
    ip -n "$ns" link show lmn0 >/dev/null
  done
}

# Starts tshark on the router's interface into $work/<name>.pcap and waits
# until it captures: (interface, name, capture filter). Its pid joins
# $lab_captures.
lab_capture() {
  ip netns exec "$core" tshark -q -i "$1" -f "$3" -w "$work/$2.pcap" 2>/dev/null &
  lab_captures="${lab_captures:-} $!"
  for _ in $(seq 100); do [ -s "$work/$2.pcap" ] && return; sleep 0.1; done
}

# Stops the captures, so their files are complete.
lab_stop_captures() {
  # shellcheck disable=SC2086
  kill -INT $lab_captures 2>/dev/null || true
  # shellcheck disable=SC2086
  wait $lab_captures 2>/dev/null || true
}

# Fails when a capture holds a malformed packet or an expert warning: (names...).
# TCP's sequence analysis is left out: a segment the loaded lab lost or
# delayed is the transport's business, not a fault of any packet's format.
# So is a D-SACK (RFC 2883: the receiver got a segment twice, a spurious
# retransmission), which Wireshark flags as a warning outside
# tcp.analysis.flags (lan_netns saw one in about one run of three).
# TCP payloads are not reassembled: across a frame the capture missed (a
# loaded lab's tshark drops some of a 5 MB transfer), a "reassembled PDU"
# can read as too short, which says nothing of any packet we sent. Each
# frame is checked on its own. A lab adds its own options here (decoding
# its transfers' ports as data).
lab_bad_packets="_ws.malformed || (_ws.expert.severity >= warning && !tcp.analysis.flags \
  && !tcp.options.sack.dsack)"
lab_tshark_options=(-o tcp.desegment_tcp_streams:FALSE)
lab_no_malformed() {
  for capture in "$@"; do
    local bad
    bad=$(tshark "${lab_tshark_options[@]}" -r "$work/$capture.pcap" -Y "$lab_bad_packets" 2>/dev/null | wc -l)
    if [ "$bad" -ne 0 ]; then
      tshark "${lab_tshark_options[@]}" -r "$work/$capture.pcap" -Y "$lab_bad_packets" 2>/dev/null | head -5
      tshark "${lab_tshark_options[@]}" -r "$work/$capture.pcap" -q -z expert,warn 2>/dev/null | head -20
      # The first of them in the failure line itself: CI shows only a log's tail.
      fail "$bad malformed or expert-warning packets in $capture.pcap, first: $(tshark "${lab_tshark_options[@]}" -r \
        "$work/$capture.pcap" -Y "$lab_bad_packets" -T fields -e frame.number -e _ws.col.Info \
        -e _ws.expert.message 2>/dev/null | head -1)"
    fi
  done
}
