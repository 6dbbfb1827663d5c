#include "dataplane/packet_path.h"

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include <algorithm>
#include <cstring>

#include "common/lisp/data_header.h"
#include "common/lisp/ports.h"
#include "common/net/headers.h"

namespace lispmob::dataplane {
namespace {

constexpr uint8_t kProtoIcmp = 1;
constexpr uint8_t kProtoIcmp6 = 58;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = net::kIpProtocolUdp;
constexpr uint8_t kProtoSctp = 132;
constexpr uint16_t kLispDataPort = lisp::kDataPort;

// The inner packet's addresses and what the outer header copies from it.
struct InnerView {
  bool ipv6;
  const uint8_t* destination;  // 4 or 16 bytes
  uint8_t traffic_class;       // ToS / traffic class
  uint8_t ttl;                 // TTL / hop limit
};

// Sets an IP header's TTL (hop limit), updating an IPv4 header's checksum
// incrementally (RFC 1624).
[[gnu::always_inline]] inline void set_ttl(uint8_t* ip, bool ipv6, uint8_t ttl) {
  if (ipv6) {
    ip[7] = ttl;
    return;
  }
  uint16_t checksum;
  std::memcpy(&checksum, ip + 10, 2);
  uint32_t sum = static_cast<uint16_t>(~rte_be_to_cpu_16(checksum));
  sum += static_cast<uint16_t>(~(ip[8] << 8)) + static_cast<uint16_t>(ttl << 8);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  ip[8] = ttl;
  checksum = rte_cpu_to_be_16(static_cast<uint16_t>(~sum));
  std::memcpy(ip + 10, &checksum, 2);
}

// Checks the inner IP header fits; fills `view`.
[[gnu::always_inline]] inline bool parse_inner(const uint8_t* ip, uint32_t length,
                                               uint16_t ether_type, InnerView& view) {
  if (ether_type == RTE_ETHER_TYPE_IPV4) {
    if (length < sizeof(rte_ipv4_hdr) || (ip[0] >> 4) != 4 || (ip[0] & 0xf) < 5) return false;
    view = {false, ip + 16, ip[1], ip[8]};
    return true;
  }
  if (ether_type == RTE_ETHER_TYPE_IPV6) {
    if (length < sizeof(rte_ipv6_hdr) || (ip[0] >> 4) != 6) return false;
    view = {true, ip + 24, static_cast<uint8_t>((ip[0] << 4) | (ip[1] >> 4)), ip[7]};
    return true;
  }
  return false;
}

// CRC32-C over `length` bytes (a multiple of 4) loaded through memcpy:
// rte_hash_crc() dereferences unaligned uint64_t pointers, which is undefined
// behaviour and faults on strict-alignment CPUs.
uint32_t crc_words(const uint8_t* data, uint32_t length, uint32_t hash) {
  uint32_t i = 0;
  for (; i + 8 <= length; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, 8);
    hash = rte_hash_crc_8byte(word, hash);
  }
  if (i + 4 <= length) {
    uint32_t word;
    std::memcpy(&word, data + i, 4);
    hash = rte_hash_crc_4byte(word, hash);
  }
  return hash;
}

// Writes a 20-byte IPv4 header as five 32-bit words and computes its
// checksum from those values, not by reading back what was just stored
// (which stalls on store-to-load forwarding).
void write_ipv4_header(uint8_t* out, uint8_t tos, uint16_t total_length, uint16_t id, uint8_t ttl,
                       uint32_t source_be, uint32_t destination_be) {
  const uint32_t source = rte_be_to_cpu_32(source_be);
  const uint32_t destination = rte_be_to_cpu_32(destination_be);
  const uint32_t word0 = 0x45u << 24 | uint32_t{tos} << 16 | total_length;
  // DF, always: a router on the way never fragments our packets (which
  // would leave reassembly to the ETR) but reports the path's MTU with ICMP,
  // which lowers that RLOC's path MTU here (RFC 9300 §7.2); packets that no
  // longer fit are then fragmented before encapsulation, or answered with
  // ICMP to their source. Linux's IP tunnels default to the same (pmtudisc).
  const uint32_t word1 = uint32_t{id} << 16 | 0x4000;
  const uint32_t word2 = uint32_t{ttl} << 24 | uint32_t{kProtoUdp} << 16;
  uint64_t sum = (word0 >> 16) + (word0 & 0xffff) + (word1 >> 16) + (word1 & 0xffff) +
                 (word2 >> 16) + (source >> 16) + (source & 0xffff) + (destination >> 16) +
                 (destination & 0xffff);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  // One 32-bit store per word, straight into the packet: staging the words in
  // an array lets the compiler reload it with one wide load, which cannot be
  // forwarded from the narrower stores and stalls.
  const uint32_t checked = rte_cpu_to_be_32(word2 | static_cast<uint16_t>(~sum));
  const uint32_t word0_be = rte_cpu_to_be_32(word0);
  const uint32_t word1_be = rte_cpu_to_be_32(word1);
  std::memcpy(out, &word0_be, 4);
  std::memcpy(out + 4, &word1_be, 4);
  std::memcpy(out + 8, &checked, 4);
  std::memcpy(out + 12, &source_be, 4);
  std::memcpy(out + 16, &destination_be, 4);
}

// The local state keeps MACs as plain bytes (the plane contract has no DPDK).
inline void set_mac(rte_ether_addr& out, const MacAddress& mac) {
  std::memcpy(out.addr_bytes, mac.data(), mac.size());
}

uint32_t next_random(PathContext& context) {
  uint32_t x = context.random_state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  context.random_state = x;
  return x;
}

// Punts a missed destination unless it was punted within the interval.
void punt(PathContext& context, uint32_t instance_id, const InnerView& inner, uint32_t hash) {
  auto& recent = context.recent_punts[hash % context.recent_punts.size()];
  const uint32_t key = crc_words(inner.destination, inner.ipv6 ? 16 : 4, instance_id) | 1;
  if (recent.first == key && context.now_tsc - recent.second < context.punt_interval_tsc) {
    context.counters->punt_suppressed++;
    return;
  }
  if (context.punt_ring == nullptr) return;
  PuntRecord record{};
  record.instance_id = instance_id;
  record.ipv6 = inner.ipv6;
  std::memcpy(record.address, inner.destination, inner.ipv6 ? 16 : 4);
  if (rte_ring_mp_enqueue_elem(context.punt_ring, &record, sizeof(record)) != 0) {
    context.counters->punt_ring_full++;
    return;
  }
  if (context.punt_signal) context.punt_signal->notify();
  recent = {key, context.now_tsc};
  context.counters->punted++;
}

// Writes Ethernet + outer IP + UDP + LISP headers in front of the inner
// packet, which starts at the mbuf's data offset. Headroom was checked.
void write_outer(rte_mbuf* packet, PathContext& context, const MapEntry::Locator& locator,
                 const InnerView& inner, uint32_t hash, uint32_t instance_id) {
  const LocalState& local = *context.local;
  const uint32_t inner_length = rte_pktmbuf_pkt_len(packet);
  const uint16_t outer_size = locator.ipv6 ? kOuterV6Size : kOuterV4Size;
  auto* ether = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_prepend(packet, outer_size));
  set_mac(ether->src_addr, locator.ipv6 ? local.rloc_port_mac6 : local.rloc_port_mac4);
  uint8_t* ip = reinterpret_cast<uint8_t*>(ether + 1);
  uint8_t* udp_start;
  rte_ipv6_hdr* outer6 = nullptr;
  const uint16_t udp_length = static_cast<uint16_t>(inner_length + 8 + 8);
  if (locator.ipv6) {
    set_mac(ether->dst_addr, local.next_hop_mac6);
    ether->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
    auto* v6 = outer6 = reinterpret_cast<rte_ipv6_hdr*>(ip);
    v6->vtc_flow = rte_cpu_to_be_32(6u << 28 | static_cast<uint32_t>(inner.traffic_class) << 20);
    v6->payload_len = rte_cpu_to_be_16(udp_length);
    v6->proto = kProtoUdp;
    v6->hop_limits = inner.ttl;
    std::memcpy(ip + 8, local.rloc6.data(), 16);       // source address
    std::memcpy(ip + 24, locator.address.data(), 16);  // destination address
    udp_start = ip + sizeof(rte_ipv6_hdr);
  } else {
    set_mac(ether->dst_addr, local.next_hop_mac4);
    ether->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
    uint32_t source_be, destination_be;
    std::memcpy(&source_be, local.rloc4.data(), 4);
    std::memcpy(&destination_be, locator.address.data(), 4);
    write_ipv4_header(ip, inner.traffic_class, static_cast<uint16_t>(udp_length + 20),
                      context.ip_id++, inner.ttl, source_be, destination_be);
    udp_start = ip + sizeof(rte_ipv4_hdr);
  }
  auto* udp = reinterpret_cast<rte_udp_hdr*>(udp_start);
  // RFC 9300 §5.3: the source port comes from the inner flow, so receivers'
  // RSS spreads LISP flows over cores; 49152-65535 keeps it ephemeral.
  udp->src_port = rte_cpu_to_be_16(static_cast<uint16_t>(0xc000 | (hash & 0x3fff)));
  udp->dst_port = rte_cpu_to_be_16(kLispDataPort);
  udp->dgram_len = rte_cpu_to_be_16(udp_length);
  udp->dgram_cksum = 0;  // RFC 9300 §5.3: zero over IPv4
  lisp::DataHeader header;
  header.set_nonce(next_random(context));
  if (instance_id != 0) header.set_instance_id(instance_id);
  lisp::encode_data_header(header, reinterpret_cast<uint8_t*>(udp + 1));
  if (outer6 != nullptr) {
    // RFC 6935 lets a tunnel send zero over IPv6 only where RFC 6936's
    // conditions hold for every node on the path; middleboxes (and
    // Wireshark) that do not apply them drop or flag such packets. A full
    // checksum is always valid.
    udp->dgram_cksum = rte_ipv6_udptcp_cksum_mbuf(
        packet, outer6, static_cast<uint16_t>(RTE_ETHER_HDR_LEN + sizeof(rte_ipv6_hdr)));
  }
}

}  // namespace

uint32_t flow_hash(const uint8_t* ip, uint32_t length) {
  uint32_t hash = 0;
  uint8_t protocol = 0;
  uint32_t l4_offset = 0;
  if ((ip[0] >> 4) == 4 && length >= 20) {
    hash = crc_words(ip + 12, 8, 0);
    protocol = ip[9];
    l4_offset = (ip[0] & 0xf) * 4u;
    // A non-first fragment has no ports.
    if ((ip[6] & 0x1f) != 0 || ip[7] != 0) protocol = 0;
  } else if (length >= 40) {
    hash = crc_words(ip + 8, 32, 0);
    protocol = ip[6];
    l4_offset = 40;
  }
  hash = rte_hash_crc_4byte(protocol, hash);
  if ((protocol == kProtoTcp || protocol == kProtoUdp || protocol == kProtoSctp) &&
      length >= l4_offset + 4) {
    uint32_t ports;
    std::memcpy(&ports, ip + l4_offset, 4);
    hash = rte_hash_crc_4byte(ports, hash);
  }
  return hash;
}

namespace {

// What the first stage of encapsulation learns about a packet.
struct EncapWork {
  InnerView inner;
  uint32_t hash;
  const MapEntry* entry;
};

// Multicast, broadcast and link-local destinations: for the link, never
// routed.
[[gnu::always_inline]] inline bool is_local_scope(const InnerView& inner) {
  const uint8_t* destination = inner.destination;
  if (inner.ipv6) {
    return destination[0] == 0xff || (destination[0] == 0xfe && (destination[1] & 0xc0) == 0x80);
  }
  return (destination[0] & 0xf0) == 0xe0 || (destination[0] == 169 && destination[1] == 254) ||
         (destination[0] == 255 && destination[1] == 255 && destination[2] == 255 &&
          destination[3] == 255);
}

// Stage 1: the inner header. False (and counted) when the packet is dropped.
bool parse_for_encap(rte_mbuf* packet, EncapWork& work, LcoreCounters& counters) {
  if (rte_pktmbuf_data_len(packet) < RTE_ETHER_HDR_LEN) {
    counters.drop_malformed++;
    return false;
  }
  const auto* ether = rte_pktmbuf_mtod(packet, const rte_ether_hdr*);
  const uint16_t ether_type = rte_be_to_cpu_16(ether->ether_type);
  const uint8_t* ip = reinterpret_cast<const uint8_t*>(ether + 1);
  const uint32_t ip_length = rte_pktmbuf_data_len(packet) - RTE_ETHER_HDR_LEN;
  if (!parse_inner(ip, ip_length, ether_type, work.inner)) {
    if (ether_type == RTE_ETHER_TYPE_IPV4 || ether_type == RTE_ETHER_TYPE_IPV6) {
      counters.drop_malformed++;
    } else {
      counters.drop_not_ip++;
    }
    return false;
  }
  // Multicast, broadcast and link-local destinations stay on the link: the
  // host stack's neighbour discovery and the like must not reach the mapping system.
  if (is_local_scope(work.inner)) {
    counters.drop_local_scope++;
    return false;
  }
  work.hash = flow_hash(ip, ip_length);
  work.entry = nullptr;
  return true;
}

// ICMP errors to the host: at most kIcmpBurst per interval per worker.
bool take_icmp_token(PathContext& context) {
  if (context.icmp_tokens == 0) {
    if (context.now_tsc - context.icmp_refill_tsc < context.icmp_interval_tsc) return false;
    context.icmp_tokens = kIcmpBurst;
    context.icmp_refill_tsc = context.now_tsc;
  }
  context.icmp_tokens--;
  return true;
}

// RFC 1122 §3.2.2 and RFC 4443 §2.4: no ICMP error about an ICMP error or
// about a non-initial fragment.
bool may_send_icmp_error_about(const uint8_t* ip, uint32_t length, bool ipv6) {
  if (ipv6) {
    return !(length > 40 && ip[6] == kProtoIcmp6 && ip[40] < 128);
  }
  const uint32_t header = (ip[0] & 0xf) * 4u;
  if ((ip[6] & 0x1f) != 0 || ip[7] != 0) return false;
  if (ip[9] == kProtoIcmp && length > header) {
    const uint8_t type = ip[header];
    return type == 0 || type == 8 || type == 13 || type == 14;  // queries and replies only
  }
  return true;
}

// Turns the too-big packet, in place, into the ICMP error for its source
// (RFC 792 type 3 code 4 with the RFC 1191 next-hop MTU; RFC 4443 §3.2
// Packet Too Big), quoting as much of it as RFC 1812 §4.3.2.3 (576 bytes in
// all) and RFC 4443 §2.4 (1280) allow. The error comes from the packet's
// destination: the host routes that address through the EID port, so its
// reverse-path check passes, and it has no address of ours it would not
// take for a martian. False if the mbuf cannot hold it.
bool make_too_big_error(rte_mbuf* packet, bool ipv6, uint16_t mtu, const LocalState& local) {
  const uint16_t error_headers = ipv6 ? 40 + 8 : 20 + 8;
  const uint32_t limit = ipv6 ? 1280 : 576;
  uint32_t quoted =
      std::min<uint32_t>(rte_pktmbuf_pkt_len(packet) - RTE_ETHER_HDR_LEN, limit - error_headers);
  quoted = std::min<uint32_t>(quoted, rte_pktmbuf_data_len(packet) - RTE_ETHER_HDR_LEN);
  if (packet->next != nullptr) {
    rte_pktmbuf_free(packet->next);
    packet->next = nullptr;
    packet->nb_segs = 1;
  }
  packet->data_len = static_cast<uint16_t>(RTE_ETHER_HDR_LEN + quoted);
  packet->pkt_len = packet->data_len;
  const uint8_t* original = rte_pktmbuf_mtod_offset(packet, const uint8_t*, RTE_ETHER_HDR_LEN);
  // Back to the sender: on a LAN, the host whose frame it was.
  MacAddress host_mac = local.eid_port_host_mac;
  if (local.lan) std::memcpy(host_mac.data(), original - RTE_ETHER_HDR_LEN + 6, 6);
  const unsigned address_size = ipv6 ? 16 : 4;
  uint8_t source[16], destination[16];
  std::memcpy(source, original + (ipv6 ? 8 : 12), address_size);
  std::memcpy(destination, original + (ipv6 ? 24 : 16), address_size);
  rte_pktmbuf_adj(packet, RTE_ETHER_HDR_LEN);
  auto* ether = reinterpret_cast<rte_ether_hdr*>(
      rte_pktmbuf_prepend(packet, static_cast<uint16_t>(RTE_ETHER_HDR_LEN + error_headers)));
  if (ether == nullptr) return false;
  set_mac(ether->dst_addr, host_mac);
  set_mac(ether->src_addr, local.lan ? local.lan_port_mac : local.eid_port_gateway_mac);
  uint8_t* ip = reinterpret_cast<uint8_t*>(ether + 1);
  if (ipv6) {
    ether->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
    auto* header = reinterpret_cast<rte_ipv6_hdr*>(ip);
    header->vtc_flow = rte_cpu_to_be_32(6u << 28);
    header->payload_len = rte_cpu_to_be_16(static_cast<uint16_t>(8 + quoted));
    header->proto = kProtoIcmp6;
    header->hop_limits = 64;
    std::memcpy(ip + 8, destination, 16);
    std::memcpy(ip + 24, source, 16);
    uint8_t* icmp = ip + 40;
    const uint32_t mtu_be = rte_cpu_to_be_32(mtu);
    icmp[0] = 2;  // Packet Too Big
    icmp[1] = 0;
    icmp[2] = icmp[3] = 0;
    std::memcpy(icmp + 4, &mtu_be, 4);
    const uint16_t checksum = rte_ipv6_udptcp_cksum(header, icmp);
    std::memcpy(icmp + 2, &checksum, 2);
    return true;
  }
  ether->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  auto* header = reinterpret_cast<rte_ipv4_hdr*>(ip);
  header->version_ihl = 0x45;
  header->type_of_service = 0xc0;  // internetwork control, as routers send errors
  header->total_length = rte_cpu_to_be_16(static_cast<uint16_t>(error_headers + quoted));
  header->packet_id = 0;
  header->fragment_offset = 0;
  header->time_to_live = 64;
  header->next_proto_id = kProtoIcmp;
  header->hdr_checksum = 0;
  std::memcpy(&header->src_addr, destination, 4);
  std::memcpy(&header->dst_addr, source, 4);
  header->hdr_checksum = rte_ipv4_cksum(header);
  uint8_t* icmp = ip + 20;
  const uint16_t mtu_be = rte_cpu_to_be_16(mtu);
  icmp[0] = 3;  // destination unreachable
  icmp[1] = 4;  // fragmentation needed and DF set
  icmp[2] = icmp[3] = icmp[4] = icmp[5] = 0;
  std::memcpy(icmp + 6, &mtu_be, 2);
  const uint16_t checksum = static_cast<uint16_t>(~rte_raw_cksum(icmp, 8 + quoted));
  std::memcpy(icmp + 2, &checksum, 2);
  return true;
}

// RFC 9300 §7.1: an IPv4 packet without DF that does not fit is split
// into fragments that do (the inner packet, not the outer one: the ETR
// delivers each and the destination host reassembles, so no ETR keeps
// reassembly state for it), and each fragment is encapsulated. All take the
// original's flow hash, so they leave by one locator with one source port.
Verdict fragment_and_encapsulate(rte_mbuf* packet, const InnerView& inner, uint32_t hash,
                                 const MapEntry::Locator& locator, uint32_t instance_id,
                                 uint16_t mtu, PathContext& context);

// The locator's path MTU, or the egress link's: the largest outer packet
// that reaches it. 0: unknown.
uint32_t outer_mtu(const MapEntry::Locator& locator, const LocalState& local) {
  const uint32_t link = locator.ipv6 ? local.egress_mtu6 : local.egress_mtu4;
  if (locator.path_mtu != 0 && (link == 0 || locator.path_mtu < link)) return locator.path_mtu;
  return link;
}

// A packet that would not fit `mtu` (inner bytes) once encapsulated. Out
// of line and cold: the encapsulation loop stays as small as without it.
[[gnu::noinline, gnu::cold]] Verdict too_big(rte_mbuf* packet, const InnerView& inner,
                                             uint32_t hash, const MapEntry::Locator& locator,
                                             uint32_t instance_id, uint32_t mtu,
                                             PathContext& context) {
  LcoreCounters& counters = *context.counters;
  counters.too_big++;
  const uint8_t* ip = rte_pktmbuf_mtod_offset(packet, const uint8_t*, RTE_ETHER_HDR_LEN);
  const uint32_t length = rte_pktmbuf_data_len(packet) - RTE_ETHER_HDR_LEN;
  const uint32_t minimum = inner.ipv6 ? 1280 : 68;  // RFC 8200 §5, RFC 791
  if (!inner.ipv6 && (ip[6] & 0x40) == 0 && mtu >= minimum) {
    return fragment_and_encapsulate(packet, inner, hash, locator, instance_id,
                                    static_cast<uint16_t>(mtu), context);
  }
  if (!may_send_icmp_error_about(ip, length, inner.ipv6) || !take_icmp_token(context) ||
      !make_too_big_error(packet, inner.ipv6, static_cast<uint16_t>(std::max(mtu, minimum)),
                          *context.local)) {
    counters.drop_too_big++;
    return Verdict::kDrop;
  }
  counters.icmp_too_big_sent++;
  return Verdict::kToEidPort;
}

// Stage 3: act on the entry the lookup found (or its absence).
Verdict finish_encap(rte_mbuf* packet, const EncapWork& work, PathContext& context) {
  LcoreCounters& counters = *context.counters;
  const LocalState& local = *context.local;
  const InnerView& inner = work.inner;
  const MapEntry* entry = work.entry;
  const MapEntry::Locator* locator = nullptr;
  // In use, whatever its action: traffic still needs it refreshed.
  if (entry != nullptr && context.used != nullptr) context.used->mark(entry->slot);
  if (entry != nullptr && entry->action == MapAction::kEncapsulate && entry->has_usable_locator) {
    locator = &entry->pick(work.hash);
  } else if (entry != nullptr && entry->action == MapAction::kEncapsulate) {
    counters.drop_no_locator++;
    return Verdict::kDrop;
  } else if (entry != nullptr && entry->action == MapAction::kDrop) {
    counters.drop_negative++;
    return Verdict::kDrop;
  } else if (entry != nullptr && entry->action == MapAction::kNativelyForward &&
             (inner.ipv6 ? local.has_petr6 : local.has_petr4)) {
    // A non-LISP destination (a negative Map-Reply): through the PETR when
    // there is one (RFC 6832 §5, as LISPmob and OOR do), so that an EID
    // source never leaves natively where uRPF would drop it.
    locator = inner.ipv6 ? &local.petr6 : &local.petr4;
    counters.to_petr++;
  } else if (entry != nullptr && entry->action == MapAction::kNativelyForward) {
    counters.natively_forwarded++;
    rte_ether_hdr* out = rte_pktmbuf_mtod(packet, rte_ether_hdr*);
    set_mac(out->src_addr, inner.ipv6 ? local.rloc_port_mac6 : local.rloc_port_mac4);
    set_mac(out->dst_addr, inner.ipv6 ? local.next_hop_mac6 : local.next_hop_mac4);
    return Verdict::kToRlocPort;
  } else {
    // A miss, or an entry that says to ask: ask, and meanwhile use the PETR.
    if (entry == nullptr) counters.map_cache_miss++;
    punt(context, local.instance_id, inner, work.hash);
    const bool has_petr = inner.ipv6 ? local.has_petr6 : local.has_petr4;
    if (!has_petr) {
      counters.drop_miss++;
      return Verdict::kDrop;
    }
    locator = inner.ipv6 ? &local.petr6 : &local.petr4;
    counters.to_petr++;
  }
  if (locator->ipv6 ? !local.has_rloc6 : !local.has_rloc4) {
    counters.drop_no_local_rloc++;
    return Verdict::kDrop;
  }
  const uint16_t outer_size = locator->ipv6 ? kOuterV6Size : kOuterV4Size;
  if (rte_pktmbuf_headroom(packet) + RTE_ETHER_HDR_LEN < outer_size) {
    counters.drop_no_headroom++;
    return Verdict::kDrop;
  }
  const uint32_t instance_id = entry ? entry->instance_id : local.instance_id;
  const uint32_t overhead = locator->ipv6 ? kEncapOverheadV6 : kEncapOverheadV4;
  const uint32_t mtu = outer_mtu(*locator, local);
  if (mtu != 0 && rte_pktmbuf_pkt_len(packet) - RTE_ETHER_HDR_LEN + overhead > mtu) {
    return too_big(packet, inner, work.hash, *locator, instance_id,
                   mtu > overhead ? mtu - overhead : 0, context);
  }
  rte_pktmbuf_adj(packet, RTE_ETHER_HDR_LEN);
  write_outer(packet, context, *locator, inner, work.hash, instance_id);
  if (entry != nullptr) counters.encapsulated++;
  return Verdict::kToRlocPort;
}

Verdict fragment_and_encapsulate(rte_mbuf* packet, const InnerView& inner, uint32_t hash,
                                 const MapEntry::Locator& locator, uint32_t instance_id,
                                 uint16_t mtu, PathContext& context) {
  LcoreCounters& counters = *context.counters;
  const uint8_t* ip = rte_pktmbuf_mtod_offset(packet, const uint8_t*, RTE_ETHER_HDR_LEN);
  const uint16_t header_length = static_cast<uint16_t>((ip[0] & 0xf) * 4u);
  // Fragment payloads are multiples of 8 bytes (RFC 791).
  const uint16_t fragment_mtu =
      static_cast<uint16_t>(header_length + ((mtu - header_length) & ~7u));
  const uint16_t room = static_cast<uint16_t>(kMaxExtraPackets - context.extra_count);
  if (context.direct_pool == nullptr || context.indirect_pool == nullptr || mtu <= header_length ||
      room == 0) {
    counters.drop_fragmentation_failed++;
    return Verdict::kDrop;
  }
  rte_pktmbuf_adj(packet, RTE_ETHER_HDR_LEN);
  rte_mbuf** fragments = context.extra.data() + context.extra_count;
  const int made = rte_ipv4_fragment_packet(packet, fragments, room, fragment_mtu,
                                            context.direct_pool, context.indirect_pool);
  if (made <= 0) {
    counters.drop_fragmentation_failed++;
    return Verdict::kDrop;
  }
  const uint16_t outer_size = locator.ipv6 ? kOuterV6Size : kOuterV4Size;
  for (int i = 0; i < made; ++i) {
    rte_mbuf* fragment = fragments[i];
    // The library leaves each fragment's header checksum to the caller.
    auto* header = rte_pktmbuf_mtod(fragment, rte_ipv4_hdr*);
    header->hdr_checksum = 0;
    header->hdr_checksum = rte_ipv4_cksum(header);
    if (rte_pktmbuf_headroom(fragment) < outer_size) {
      // Cannot happen with pool mbufs (RTE_PKTMBUF_HEADROOM); never write past the buffer.
      for (int j = i; j < made; ++j) rte_pktmbuf_free(fragments[j]);
      rte_pktmbuf_free_bulk(fragments, static_cast<unsigned>(i));
      counters.drop_fragmentation_failed++;
      return Verdict::kDrop;
    }
    write_outer(fragment, context, locator, inner, hash, instance_id);
  }
  context.extra_count = static_cast<uint16_t>(context.extra_count + made);
  counters.fragmented++;
  counters.fragments_encapsulated += static_cast<uint64_t>(made);
  // The fragments hold references to the original's data.
  rte_pktmbuf_free(packet);
  return Verdict::kConsumed;
}

// An ICMP "fragmentation needed" or ICMPv6 "Packet Too Big" to one of our
// RLOCs that quotes a LISP data packet we sent (from our RLOC to UDP 4341):
// the path to that RLOC carries less than we sent. The control thread
// lowers that locator's path MTU (RFC 9300 §7.2); the message also goes on
// to the kernel, which ignores it (no socket sent the packet).
void report_path_mtu(const uint8_t* ip, uint32_t length, bool ipv6, PathContext& context) {
  const uint32_t icmp = ipv6 ? 40 : (ip[0] & 0xf) * 4u;
  const uint32_t quoted = icmp + 8;
  const uint32_t quoted_header = ipv6 ? 40 : 20;
  if (length < quoted + quoted_header + 4) return;
  const uint8_t* inner = ip + quoted;
  uint32_t mtu;
  uint32_t udp;
  if (ipv6) {
    if (ip[icmp] != 2 || ip[icmp + 1] != 0 || (inner[0] >> 4) != 6 || inner[6] != kProtoUdp ||
        !context.local->is_local_rloc6(inner + 8)) {
      return;
    }
    mtu = static_cast<uint32_t>(ip[icmp + 4]) << 24 | ip[icmp + 5] << 16 | ip[icmp + 6] << 8 |
          ip[icmp + 7];
    udp = 40;
  } else {
    if (ip[icmp] != 3 || ip[icmp + 1] != 4 || (inner[0] >> 4) != 4 || inner[9] != kProtoUdp ||
        !context.local->is_local_rloc4(inner + 12)) {
      return;
    }
    mtu = static_cast<uint32_t>(ip[icmp + 6]) << 8 | ip[icmp + 7];
    udp = (inner[0] & 0xf) * 4u;
  }
  if (length < quoted + udp + 4 || (inner[udp + 2] << 8 | inner[udp + 3]) != kLispDataPort) return;
  if (context.punt_ring == nullptr) return;
  PuntRecord record{};
  record.kind = PuntKind::kPathMtu;
  record.ipv6 = ipv6;
  record.mtu = static_cast<uint16_t>(std::min<uint32_t>(mtu, 0xffff));
  std::memcpy(record.address, inner + (ipv6 ? 24 : 16), ipv6 ? 16 : 4);
  if (rte_ring_mp_enqueue_elem(context.punt_ring, &record, sizeof(record)) != 0) {
    context.counters->punt_ring_full++;
    return;
  }
  if (context.punt_signal) context.punt_signal->notify();
  context.counters->path_mtu_reports++;
}

}  // namespace

void encapsulate_burst(rte_mbuf** packets, uint16_t count, Verdict* verdicts,
                       PathContext& context) {
  EncapWork work[kMaxBurst];
  uint32_t v4_addresses[kMaxBurst];
  const uint8_t* v6_addresses[kMaxBurst];
  uint16_t v4_index[kMaxBurst], v6_index[kMaxBurst];
  const MapEntry* found[kMaxBurst];
  uint16_t v4_count = 0, v6_count = 0;
  count = std::min<uint16_t>(count, kMaxBurst);
  for (uint16_t i = 0; i < count; ++i) {
    if (!parse_for_encap(packets[i], work[i], *context.counters)) {
      verdicts[i] = Verdict::kDrop;
      continue;
    }
    verdicts[i] = Verdict::kToRlocPort;  // provisional: stage 3 decides
    if (work[i].inner.ipv6) {
      v6_addresses[v6_count] = work[i].inner.destination;
      v6_index[v6_count++] = i;
    } else {
      uint32_t destination_be;
      std::memcpy(&destination_be, work[i].inner.destination, 4);
      v4_addresses[v4_count] = rte_be_to_cpu_32(destination_be);
      v4_index[v4_count++] = i;
    }
  }
  // Stage 2: all lookups of the burst back to back (their memory accesses
  // overlap), each found entry prefetched for stage 3.
  const int instance = context.cache->instance_index(context.local->instance_id);
  if (instance >= 0) {
    context.cache->lookup_v4_bulk(instance, v4_addresses, v4_count, found);
    for (uint16_t k = 0; k < v4_count; ++k) work[v4_index[k]].entry = found[k];
    context.cache->lookup_v6_bulk(instance, v6_addresses, v6_count, found);
    for (uint16_t k = 0; k < v6_count; ++k) work[v6_index[k]].entry = found[k];
  }
  for (uint16_t i = 0; i < count; ++i) {
    if (verdicts[i] != Verdict::kDrop) verdicts[i] = finish_encap(packets[i], work[i], context);
  }
}

namespace {

bool is_broadcast_or_multicast(const rte_ether_addr& mac) { return (mac.addr_bytes[0] & 1) != 0; }

// Two loads and compares, not a call to memcmp.
[[gnu::always_inline]] inline bool same_mac(const rte_ether_addr& a, const MacAddress& b) {
  uint32_t a_head, b_head;
  uint16_t a_tail, b_tail;
  std::memcpy(&a_head, a.addr_bytes, 4);
  std::memcpy(&b_head, b.data(), 4);
  std::memcpy(&a_tail, a.addr_bytes + 4, 2);
  std::memcpy(&b_tail, b.data() + 4, 2);
  return ((a_head ^ b_head) | static_cast<uint32_t>(a_tail ^ b_tail)) == 0;
}

// What a site gateway does with a host's frame, before encapsulation:
// true if it is routed (unicast IP to the gateway's MAC, for a destination
// beyond the site, with a hop left), its TTL then one less. Otherwise
// `verdict` says where it goes: the LAN twin for what the kernel answers
// (ARP/ND, broadcasts, link-local destinations, the gateway's own
// addresses, the site's other hosts, the last hop of a TTL), nowhere for a
// frame to another host's MAC that a switch flooded to us.
bool route_from_lan(rte_mbuf* packet, Verdict& verdict, PathContext& context) {
  LcoreCounters& counters = *context.counters;
  const LocalState& local = *context.local;
  const uint32_t length = rte_pktmbuf_data_len(packet);
  if (length < RTE_ETHER_HDR_LEN) {
    counters.drop_malformed++;
    verdict = Verdict::kDrop;
    return false;
  }
  const auto* ether = rte_pktmbuf_mtod(packet, const rte_ether_hdr*);
  verdict = Verdict::kToKernel;
  if (is_broadcast_or_multicast(ether->dst_addr)) {
    counters.lan_to_kernel++;
    return false;
  }
  if (!same_mac(ether->dst_addr, local.lan_port_mac)) {
    counters.lan_not_ours++;
    verdict = Verdict::kDrop;
    return false;
  }
  InnerView inner;
  uint8_t* ip = rte_pktmbuf_mtod_offset(packet, uint8_t*, RTE_ETHER_HDR_LEN);
  if (!parse_inner(ip, length - RTE_ETHER_HDR_LEN, rte_be_to_cpu_16(ether->ether_type), inner) ||
      inner.ttl <= 1 || is_local_scope(inner) ||
      local.is_local_eid(inner.destination, inner.ipv6) ||
      (local.lan_address_count != 0 && local.is_lan_address(inner.destination, inner.ipv6))) {
    counters.lan_to_kernel++;
    return false;
  }
  set_ttl(ip, inner.ipv6, static_cast<uint8_t>(inner.ttl - 1));
  return true;
}

}  // namespace

void from_lan_burst(rte_mbuf** packets, uint16_t count, Verdict* verdicts, PathContext& context) {
  rte_mbuf* routed[kMaxBurst];
  Verdict routed_verdicts[kMaxBurst];
  uint16_t routed_index[kMaxBurst];
  uint16_t routed_count = 0;
  count = std::min<uint16_t>(count, kMaxBurst);
  context.counters->lan_received += count;
  for (uint16_t i = 0; i < count; ++i) {
    if (route_from_lan(packets[i], verdicts[i], context)) {
      routed_index[routed_count] = i;
      routed[routed_count++] = packets[i];
    }
  }
  encapsulate_burst(routed, routed_count, routed_verdicts, context);
  for (uint16_t k = 0; k < routed_count; ++k) verdicts[routed_index[k]] = routed_verdicts[k];
}

Verdict encapsulate(rte_mbuf* packet, PathContext& context) {
  Verdict verdict;
  encapsulate_burst(&packet, 1, &verdict, context);
  return verdict;
}

namespace {

// Hands a fragment to the worker's reassembly table. Until the packet is
// whole the fragment is held (kConsumed); then the whole packet, chained
// from the fragments' mbufs, replaces it and is decapsulated.
Verdict reassemble_and_decapsulate(rte_mbuf*& packet, uint32_t header_length,
                                   PathContext& context) {
  LcoreCounters& counters = *context.counters;
  rte_ip_frag_death_row& death_row = *context.death_row;
  // One call puts at most a whole packet's fragments on the death row.
  if (death_row.cnt + RTE_LIBRTE_IP_FRAG_MAX_FRAG + 1 > RTE_IP_FRAG_DEATH_ROW_MBUF_LEN) {
    rte_ip_frag_free_death_row(&death_row, 0);
  }
  packet->l2_len = RTE_ETHER_HDR_LEN;
  packet->l3_len = header_length;
  auto* header = rte_pktmbuf_mtod_offset(packet, rte_ipv4_hdr*, RTE_ETHER_HDR_LEN);
  const uint32_t refused_before = death_row.cnt;
  rte_mbuf* whole = rte_ipv4_frag_reassemble_packet(context.reassembly, &death_row, packet,
                                                    context.now_tsc, header);
  counters.drop_reassembly += death_row.cnt - refused_before;
  if (whole == nullptr) return Verdict::kConsumed;
  counters.reassembled++;
  // The library leaves the whole packet's header checksum to the caller.
  header = rte_pktmbuf_mtod_offset(whole, rte_ipv4_hdr*, RTE_ETHER_HDR_LEN);
  header->hdr_checksum = 0;
  header->hdr_checksum = rte_ipv4_cksum(header);
  packet = whole;
  return decapsulate(packet, context);
}

}  // namespace

void maintain_reassembly(PathContext& context) {
  if (context.reassembly == nullptr) return;
  const uint32_t before = context.death_row->cnt;
  rte_ip_frag_table_del_expired_entries(context.reassembly, context.death_row, context.now_tsc);
  context.counters->drop_reassembly += context.death_row->cnt - before;
  rte_ip_frag_free_death_row(context.death_row, 3);
}

namespace {

// A site gateway delivers a decapsulated packet to its LAN host as a
// router does: one hop less, to the host's MAC from the adjacencies.
// Without an adjacency (a host not yet resolved), or with no hop left, the
// packet goes to the kernel through the twin of the RLOC link it arrived
// on (a frame for the twin's MAC, which is the port's): the kernel
// forwards it to the LAN, resolving the host with ARP/ND on the way (the
// frame comes back through the LAN twin), or answers Time Exceeded. The
// twin rather than the LAN twin, so the kernel sends no redirect for a
// packet leaving by the interface it came in on.
Verdict to_lan_host(rte_mbuf* packet, uint32_t inner_offset, uint8_t* inner_ip,
                    const InnerView& inner, uint16_t inner_type, uint8_t ttl,
                    PathContext& context) {
  const LocalState& local = *context.local;
  const MacAddress* host =
      ttl > 1 ? local.adjacencies.find(inner.destination, inner.ipv6) : nullptr;
  MacAddress twin_mac;
  std::memcpy(twin_mac.data(), rte_pktmbuf_mtod(packet, const uint8_t*), 6);
  if (host != nullptr) ttl--;
  if (ttl != inner.ttl) set_ttl(inner_ip, inner.ipv6, ttl);
  rte_pktmbuf_adj(packet, static_cast<uint16_t>(inner_offset));
  auto* out = rte_pktmbuf_mtod(packet, rte_ether_hdr*);
  out->ether_type = rte_cpu_to_be_16(inner_type);
  set_mac(out->src_addr, local.lan_port_mac);
  if (host == nullptr) {
    set_mac(out->dst_addr, twin_mac);
    context.counters->adjacency_miss++;
    return Verdict::kToKernel;
  }
  set_mac(out->dst_addr, *host);
  context.counters->to_lan_host++;
  return Verdict::kToEidPort;
}

// Inlined into the burst loop below (one call per burst, not per packet);
// decapsulate() is the same for one packet and for a reassembled one.
[[gnu::always_inline]] inline Verdict decapsulate_one(rte_mbuf*& packet, PathContext& context) {
  LcoreCounters& counters = *context.counters;
  const LocalState& local = *context.local;
  const uint32_t length = rte_pktmbuf_data_len(packet);
  if (length < RTE_ETHER_HDR_LEN) {
    counters.drop_malformed++;
    return Verdict::kDrop;
  }
  auto* ether = rte_pktmbuf_mtod(packet, rte_ether_hdr*);
  const uint16_t ether_type = rte_be_to_cpu_16(ether->ether_type);
  const uint8_t* ip = reinterpret_cast<const uint8_t*>(ether + 1);
  const uint32_t ip_length = length - RTE_ETHER_HDR_LEN;
  uint32_t udp_offset = 0;
  uint8_t outer_ttl = 0;
  if (ether_type == RTE_ETHER_TYPE_IPV4) {
    if (ip_length < 20 || (ip[0] >> 4) != 4 || (ip[0] & 0xf) < 5) return Verdict::kToKernel;
    if (!local.is_local_rloc4(ip + 16) || ip[9] != kProtoUdp) {
      if (ip[9] == kProtoIcmp && local.is_local_rloc4(ip + 16)) {
        report_path_mtu(ip, ip_length, false, context);
      }
      return Verdict::kToKernel;
    }
    udp_offset = (ip[0] & 0xf) * 4u;
    outer_ttl = ip[8];
    if ((ip[6] & 0x3f) != 0 || ip[7] != 0) {
      // A fragment of something for us (LISP data a router fragmented, a
      // large control message): reassembled here, then handled whole.
      if (context.reassembly == nullptr) {
        counters.drop_fragment++;
        return Verdict::kDrop;
      }
      return reassemble_and_decapsulate(packet, udp_offset, context);
    }
  } else if (ether_type == RTE_ETHER_TYPE_IPV6) {
    if (ip_length < 40 || (ip[0] >> 4) != 6) return Verdict::kToKernel;
    if (!local.is_local_rloc6(ip + 24) || ip[6] != kProtoUdp) {
      if (ip[6] == kProtoIcmp6 && local.is_local_rloc6(ip + 24)) {
        report_path_mtu(ip, ip_length, true, context);
      }
      return Verdict::kToKernel;
    }
    udp_offset = 40;
    outer_ttl = ip[7];
  } else {
    return Verdict::kToKernel;  // ARP and anything else
  }
  if (ip_length < udp_offset + 8) {
    counters.drop_malformed++;
    return Verdict::kDrop;
  }
  const uint8_t* udp = ip + udp_offset;
  if ((udp[2] << 8 | udp[3]) != kLispDataPort) return Verdict::kToKernel;  // control, DHCP...

  const uint32_t lisp_offset = udp_offset + 8;
  lisp::DataHeader header;
  if (lisp::decode_data_header(ip + lisp_offset, ip_length - lisp_offset, header) !=
      lisp::DataHeaderStatus::kOk) {
    counters.drop_malformed++;
    return Verdict::kDrop;
  }
  const uint32_t instance_id =
      header.has(lisp::DataHeader::kInstanceIdPresent) ? header.instance_id() : 0;
  if (instance_id != local.instance_id) {
    counters.drop_wrong_instance++;
    return Verdict::kDrop;
  }
  const uint32_t inner_offset = lisp_offset + lisp::kDataHeaderSize;
  uint8_t* inner_ip = const_cast<uint8_t*>(ip) + inner_offset;
  const uint32_t inner_length = ip_length - inner_offset;
  // The inner protocol: the IP version, or LISP-GPE's Next Protocol (RFC 9305).
  uint16_t inner_type = 0;
  if (inner_length > 0) {
    const unsigned version = inner_ip[0] >> 4;
    inner_type = version == 4 ? RTE_ETHER_TYPE_IPV4 : version == 6 ? RTE_ETHER_TYPE_IPV6 : 0;
  }
  if (header.has(lisp::DataHeader::kNextProtocol)) {
    const uint8_t next = header.next_protocol();
    const uint16_t declared = next == 1 ? RTE_ETHER_TYPE_IPV4 : next == 2 ? RTE_ETHER_TYPE_IPV6 : 0;
    if (declared != inner_type) inner_type = 0;
  }
  InnerView inner;
  if (inner_type == 0 || !parse_inner(inner_ip, inner_length, inner_type, inner)) {
    counters.drop_malformed++;
    return Verdict::kDrop;
  }
  if (!local.decapsulate_any && !local.is_local_eid(inner.destination, inner.ipv6)) {
    counters.drop_not_local_eid++;
    return Verdict::kDrop;
  }
  if (local.decapsulate_any && !local.serves_source(inner_ip + (inner.ipv6 ? 8 : 12), inner.ipv6)) {
    counters.drop_not_served++;
    return Verdict::kDrop;
  }
  // RFC 9300 §5.3: the inner TTL takes the outer one when that is lower.
  const uint8_t ttl = std::min(outer_ttl, inner.ttl);
  counters.decapsulated++;
  if (local.lan)
    return to_lan_host(packet, inner_offset, inner_ip, inner, inner_type, ttl, context);
  if (ttl != inner.ttl) set_ttl(inner_ip, inner.ipv6, ttl);
  rte_pktmbuf_adj(packet, static_cast<uint16_t>(inner_offset));
  auto* out = rte_pktmbuf_mtod(packet, rte_ether_hdr*);
  set_mac(out->dst_addr, local.eid_port_host_mac);
  set_mac(out->src_addr, local.eid_port_gateway_mac);
  out->ether_type = rte_cpu_to_be_16(inner_type);
  return Verdict::kToEidPort;
}

}  // namespace

Verdict decapsulate(rte_mbuf*& packet, PathContext& context) {
  return decapsulate_one(packet, context);
}

void decapsulate_burst(rte_mbuf** packets, uint16_t count, Verdict* verdicts,
                       PathContext& context) {
  for (uint16_t i = 0; i < count; ++i) {
    // The next packet's headers are on their way while this one is handled.
    if (i + 1 < count) rte_prefetch0(rte_pktmbuf_mtod(packets[i + 1], const void*));
    verdicts[i] = decapsulate_one(packets[i], context);
  }
}

}  // namespace lispmob::dataplane
