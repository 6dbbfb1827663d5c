// The plane contract (no DPDK): the data plane's counters, declared once
// here (name and help text); summed over the workers into DataplaneCounters.
#pragma once

#include <cstdint>

namespace lispmob::dataplane {

#define LISPMOB_DATAPLANE_COUNTERS(X)                                                    \
  X(rx_packets, "packets received on any port")                                          \
  X(tx_packets, "packets handed to a port's TX queue")                                   \
  X(tx_dropped, "packets a full TX queue refused")                                       \
  X(tx_port_errors, "packets a port failed to send (from the port stats)")               \
  X(rx_nombuf, "receive failures for want of mbufs (from the port stats)")               \
  X(rx_missed, "frames a port's receive ring had no room for (port stats, af_packet's)") \
  X(encapsulated, "EID packets encapsulated towards an RLOC")                            \
  X(decapsulated, "LISP packets decapsulated to a local EID")                            \
  X(to_kernel, "RLOC-port packets for the kernel twin (ARP, ICMP, control)")             \
  X(map_cache_miss, "EID packets with no map-cache entry")                               \
  X(punted, "destinations punted to the control thread")                                 \
  X(punt_suppressed, "punts skipped: same destination punted a moment ago")              \
  X(punt_ring_full, "punts lost to a full punt ring")                                    \
  X(to_petr, "EID packets encapsulated to the Proxy-ETR")                                \
  X(natively_forwarded, "EID packets sent without encapsulation (ACT 1)")                \
  X(drop_negative, "EID packets dropped by a negative entry")                            \
  X(drop_miss, "EID packets dropped on a miss (no Proxy-ETR)")                           \
  X(drop_no_locator, "EID packets whose entry has no reachable locator")                 \
  X(drop_no_local_rloc, "EID packets with no local RLOC of the locator's family")        \
  X(drop_no_headroom, "packets without headroom for the outer headers")                  \
  X(too_big, "EID packets too big for the path once encapsulated")                       \
  X(icmp_too_big_sent, "ICMP frag-needed / ICMPv6 Packet Too Big sent to the host")      \
  X(drop_too_big, "too-big packets dropped without ICMP (rate limit, no room)")          \
  X(fragmented, "IPv4 EID packets without DF fragmented before encapsulation")           \
  X(fragments_encapsulated, "fragments of those encapsulated")                           \
  X(drop_fragmentation_failed, "too-big packets lost for want of mbufs or room")         \
  X(path_mtu_reports, "ICMP too-big reports about our LISP packets, punted")             \
  X(host_offloaded, "TCP super-packets the host left lmn0 to segment (TSO)")             \
  X(host_segments, "TCP segments made of them")                                          \
  X(host_trains, "TCP segment trains to the host, each one super-packet (GRO)")          \
  X(host_train_segments, "segments in them")                                             \
  X(drop_host_frame, "lmn0 frames refused: offload header or length not usable")         \
  X(drop_not_ip, "EID-port frames that are neither IPv4 nor IPv6")                       \
  X(drop_local_scope, "EID packets to multicast or link-local destinations")             \
  X(drop_malformed, "packets with a bad IP, UDP or LISP header")                         \
  X(drop_fragment, "IP fragments to our RLOC with no reassembly table")                  \
  X(reassembled, "packets to our RLOC reassembled from IP fragments")                    \
  X(drop_reassembly, "fragments refused or timed out (table full, overlap, lapse)")      \
  X(drop_not_local_eid, "decapsulated packets not for a local EID")                      \
  X(drop_not_served, "LISP data to a Proxy-ETR from a source it does not serve")         \
  X(drop_wrong_instance, "LISP packets with an instance-id we do not serve")             \
  X(lan_received, "frames from the LAN port (a site gateway's hosts)")                   \
  X(lan_to_kernel, "LAN frames for the LAN twin: ARP/ND, the gateway's own, TTL 1")      \
  X(lan_not_ours, "LAN frames to another host's MAC (flooded), dropped")                 \
  X(to_lan_host, "decapsulated packets sent to a LAN host by its adjacency")             \
  X(adjacency_miss, "decapsulated packets for a LAN host not yet resolved, to the kernel")

struct DataplaneCounters {
#define LISPMOB_DECLARE_COUNTER(name, help) uint64_t name = 0;
  LISPMOB_DATAPLANE_COUNTERS(LISPMOB_DECLARE_COUNTER)
#undef LISPMOB_DECLARE_COUNTER

  DataplaneCounters& operator+=(const DataplaneCounters& other) {
#define LISPMOB_ADD_COUNTER(name, help) name += other.name;
    LISPMOB_DATAPLANE_COUNTERS(LISPMOB_ADD_COUNTER)
#undef LISPMOB_ADD_COUNTER
    return *this;
  }
};

}  // namespace lispmob::dataplane
