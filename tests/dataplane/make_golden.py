#!/usr/bin/env python3
"""Writes tests/dataplane/golden_packets.h: the input frames and the exact
frames the data plane must produce, built here with Python's struct and an
RFC 1071 checksum, independently of the C++ code under test. The outer UDP
source port (from the flow hash) is written as 0000 (and an IPv6 outer UDP
checksum computed with that port) and the LISP nonce is
the one the tests seed (xorshift32 from 1: 0x042021)."""
import ipaddress
import struct

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff

def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))

def v4(a):
    return ipaddress.IPv4Address(a).packed

def v6(a):
    return ipaddress.IPv6Address(a).packed

def ipv4(src, dst, proto, payload, ttl=64, ident=1, flags=0x4000, tos=0):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(payload), ident, flags, ttl, proto, 0, v4(src), v4(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload

def ipv6(src, dst, nh, payload, hop=64, tc=0):
    return struct.pack("!IHBB16s16s", 6 << 28 | tc << 20, len(payload), nh, hop, v6(src), v6(dst)) + payload

def icmp4():
    body = struct.pack("!BBHHH", 8, 0, 0, 1, 0) + b"lispmob!"
    return body[:2] + struct.pack("!H", csum(body)) + body[4:]

def icmp6(src, dst):
    body = struct.pack("!BBHHH", 128, 0, 0, 1, 0) + b"lispmob!"
    pseudo = v6(src) + v6(dst) + struct.pack("!IxxxB", len(body), 58)
    return body[:2] + struct.pack("!H", csum(pseudo + body)) + body[4:]

HOST = mac("02:00:00:00:00:01")
GATEWAY = mac("02:00:00:00:00:ee")
RLOC_MAC = mac("02:00:00:00:00:05")
NEXT_HOP = mac("02:00:00:00:00:aa")
LISP = bytes.fromhex("80042021") + bytes(4)     # N, nonce 0x042021, no instance-id
LISP_IID = bytes.fromhex("88042021") + struct.pack("!I", 7 << 8)

inner4 = ipv4("198.18.0.10", "203.0.113.10", 1, icmp4())
inner6 = ipv6("2001:db8:3::10", "2001:db8:2::10", 58, icmp6("2001:db8:3::10", "2001:db8:2::10"))
# Coming back: from the peer's EID to ours.
reply4 = ipv4("203.0.113.10", "198.18.0.10", 1, icmp4())
reply6 = ipv6("2001:db8:2::10", "2001:db8:3::10", 58, icmp6("2001:db8:2::10", "2001:db8:3::10"))

def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload

# Leaving: from our RLOC (.5) to the peer's (.4). Arriving: the other way.
def outer4(inner, lisp=LISP, ttl=64, ident=0, arriving=False):
    udp = struct.pack("!HHHH", 0, 4341, 8 + len(lisp) + len(inner), 0) + lisp + inner
    src, dst = ("192.0.2.4", "192.0.2.5") if arriving else ("192.0.2.5", "192.0.2.4")
    macs = (RLOC_MAC, NEXT_HOP) if arriving else (NEXT_HOP, RLOC_MAC)
    # Ours leave with DF (path MTU discovery through the tunnel); arriving
    # ones come without, as other ITRs send them.
    return eth(*macs, 0x0800, ipv4(src, dst, 17, udp, ttl=ttl, ident=ident,
                                   flags=0 if arriving else 0x4000))

def outer6(inner, lisp=LISP, hop=64, arriving=False):
    src, dst = ("2001:db8:ff::4", "2001:db8:ff::5") if arriving else ("2001:db8:ff::5", "2001:db8:ff::4")
    length = 8 + len(lisp) + len(inner)
    # The UDP checksum over IPv6 (RFC 8200 §8.1 pseudo-header), with source
    # port 0 like the rest; the tests adjust it with the real port (RFC 1624).
    pseudo = v6(src) + v6(dst) + struct.pack("!IxxxB", length, 17)
    checksum = csum(pseudo + struct.pack("!HHHH", 0, 4341, length, 0) + lisp + inner) or 0xffff
    udp = struct.pack("!HHHH", 0, 4341, length, checksum) + lisp + inner
    macs = (RLOC_MAC, NEXT_HOP) if arriving else (NEXT_HOP, RLOC_MAC)
    return eth(*macs, 0x86dd, ipv6(src, dst, 17, udp, hop=hop))

# Full-size packets (RFC 9300 §7). The tests give each egress link an MTU of
# 1500: the largest inner packet is 1464 bytes under an IPv4 outer header,
# 1444 under an IPv6 one.
def pattern(n):
    return bytes(i % 251 for i in range(n))

def udp4(src, dst, payload, sport=4000, dport=5001):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload

def udp6(src, dst, payload, sport=4000, dport=5001):
    length = 8 + len(payload)
    pseudo = v6(src) + v6(dst) + struct.pack("!IxxxB", length, 17)
    checksum = csum(pseudo + struct.pack("!HHHH", sport, dport, length, 0) + payload) or 0xffff
    return struct.pack("!HHHH", sport, dport, length, checksum) + payload

def big4(total, flags):
    return ipv4("198.18.0.10", "203.0.113.10", 17,
                udp4("198.18.0.10", "203.0.113.10", pattern(total - 28)), flags=flags)

def big6(total):
    return ipv6("2001:db8:3::10", "2001:db8:2::10", 17,
                udp6("2001:db8:3::10", "2001:db8:2::10", pattern(total - 48)))

# One byte too big, with DF: ICMP "fragmentation needed" (RFC 792, next-hop
# MTU of RFC 1191) from the packet's destination back to its source, tos
# 0xc0, quoting the first 548 bytes (576 in all, RFC 1812 §4.3.2.3).
too_big4 = big4(1465, 0x4000)
def frag_needed(original, mtu):
    quoted = original[:548]
    body = struct.pack("!BBHHH", 3, 4, 0, 0, mtu) + quoted
    body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
    return ipv4("203.0.113.10", "198.18.0.10", 1, body, ident=0, flags=0, tos=0xc0)

# IPv6, one byte too big for an IPv6 outer header: Packet Too Big (RFC 4443
# §3.2) quoting 1232 bytes (1280 in all).
too_big6 = big6(1445)
def packet_too_big(original, mtu):
    quoted = original[:1232]
    src, dst = "2001:db8:2::10", "2001:db8:3::10"
    body = struct.pack("!BBHI", 2, 0, 0, mtu) + quoted
    pseudo = v6(src) + v6(dst) + struct.pack("!IxxxB", len(body), 58)
    body = body[:2] + struct.pack("!H", csum(pseudo + body) or 0xffff) + body[4:]
    return ipv6(src, dst, 58, body)

# Without DF, 1600 bytes: the inner packet is fragmented (RFC 9300 §7.1) at
# 1460 bytes (20 + 1440, a multiple of 8 that fits 1464), and each fragment
# encapsulated: outer IP ids 0 and 1, LISP nonces the next two xorshift32
# values from the tests' seed.
def xorshift(x):
    x ^= (x << 13) & 0xffffffff
    x ^= x >> 17
    x ^= (x << 5) & 0xffffffff
    return x

nonce1 = xorshift(1)
nonce2 = xorshift(nonce1)
unfragmented4 = big4(1600, 0)
def fragment(original, offset, length, more):
    header = bytearray(original[:20])
    payload = original[20 + offset:20 + offset + length]
    struct.pack_into("!H", header, 2, 20 + len(payload))
    struct.pack_into("!H", header, 6, (0x2000 if more else 0) | offset // 8)
    struct.pack_into("!H", header, 10, 0)
    struct.pack_into("!H", header, 10, csum(bytes(header)))
    return bytes(header) + payload

fragment1 = fragment(unfragmented4, 0, 1440, True)
fragment2 = fragment(unfragmented4, 1440, 1580 - 1440, False)
def lisp_nonce(n):
    return struct.pack("!I", 0x80000000 | (n & 0xffffff)) + bytes(4)

# An ICMP "fragmentation needed" from a router (192.0.2.1) to our RLOC,
# quoting the start of a LISP packet we sent to 192.0.2.4: next-hop MTU 1400.
sent = outer4(inner4)[14:]
report_body = struct.pack("!BBHHH", 3, 4, 0, 0, 1400) + sent[:28 + 8]
report_body = report_body[:2] + struct.pack("!H", csum(report_body)) + report_body[4:]
path_mtu_report4 = eth(RLOC_MAC, NEXT_HOP, 0x0800,
                       ipv4("192.0.2.1", "192.0.2.5", 1, report_body, flags=0))
sent6 = outer6(inner6)[14:]
report6_body = struct.pack("!BBHI", 2, 0, 0, 1280) + sent6[:48 + 8]
pseudo6 = v6("2001:db8:ff::1") + v6("2001:db8:ff::5") + struct.pack("!IxxxB", len(report6_body), 58)
report6_body = report6_body[:2] + struct.pack("!H", csum(pseudo6 + report6_body)) + report6_body[4:]
path_mtu_report6 = eth(RLOC_MAC, NEXT_HOP, 0x86dd,
                       ipv6("2001:db8:ff::1", "2001:db8:ff::5", 58, report6_body))

# A LISP packet a router fragmented on the way to us: 1836 bytes of outer IP
# (an 1800-byte inner UDP packet) in three fragments of 680, 680 and 456
# payload bytes. Reassembled, it is delivered like any other.
big_reply4 = ipv4("203.0.113.10", "198.18.0.10", 17,
                  udp4("203.0.113.10", "198.18.0.10", pattern(1800 - 28), sport=5001, dport=4000))
big_arriving = outer4(big_reply4, ttl=200, arriving=True)
big_outer_ip = big_arriving[:14], big_arriving[14:]
def outer_fragment(offset, length, more):
    return big_outer_ip[0] + fragment(big_outer_ip[1], offset, length, more)

packets = {
    "kInner4Frame": eth(GATEWAY, HOST, 0x0800, inner4),
    "kInner6Frame": eth(GATEWAY, HOST, 0x86dd, inner6),
    "kEncap4in4": outer4(inner4),
    "kEncap6in4": outer4(inner6),
    "kEncap4in6": outer6(inner4),
    "kEncap6in6": outer6(inner6),
    "kEncap4in4Iid7": outer4(inner4, lisp=LISP_IID),
    # Decapsulation: the same packets arriving (outer TTL 200 > inner 64).
    "kArriving4in4": outer4(reply4, ttl=200, arriving=True),
    "kArriving6in6": outer6(reply6, hop=200, arriving=True),
    # Outer TTL 5 < inner 64: the inner TTL becomes 5 (checksum updated).
    "kArriving4in4Ttl5": outer4(reply4, ttl=5, arriving=True),
    "kDelivered4": eth(HOST, GATEWAY, 0x0800, reply4),
    "kDelivered6": eth(HOST, GATEWAY, 0x86dd, reply6),
    "kDelivered4Ttl5": eth(HOST, GATEWAY, 0x0800, ipv4("203.0.113.10", "198.18.0.10", 1, icmp4(), ttl=5)),
    "kTooBig4Frame": eth(GATEWAY, HOST, 0x0800, too_big4),
    "kFragNeeded4": eth(HOST, GATEWAY, 0x0800, frag_needed(too_big4, 1464)),
    "kTooBig6Frame": eth(GATEWAY, HOST, 0x86dd, too_big6),
    "kPacketTooBig6": eth(HOST, GATEWAY, 0x86dd, packet_too_big(too_big6, 1444)),
    "kNoDf4Frame": eth(GATEWAY, HOST, 0x0800, unfragmented4),
    "kFragment1Encap4in4": outer4(fragment1, lisp=lisp_nonce(nonce1), ident=0),
    "kFragment2Encap4in4": outer4(fragment2, lisp=lisp_nonce(nonce2), ident=1),
    "kPathMtuReport4": path_mtu_report4,
    "kPathMtuReport6": path_mtu_report6,
    "kArrivingFragment1": outer_fragment(0, 680, True),
    "kArrivingFragment2": outer_fragment(680, 680, True),
    "kArrivingFragment3": outer_fragment(1360, 1816 - 1360, False),
    # Overlapping the first: bytes 600-1279 again.
    "kArrivingFragmentOverlap": outer_fragment(600, 680, True),
    "kDeliveredBig4": eth(HOST, GATEWAY, 0x0800, big_reply4),
}

with open("golden_packets.h", "w") as f:
    f.write("// Generated by make_golden.py: do not edit.\n#pragma once\n\n#include <cstdint>\n#include <vector>\n\n")
    f.write("namespace lispmob::dataplane::golden {\n\n")
    for name, data in packets.items():
        f.write("inline const std::vector<uint8_t> %s = {\n" % name)
        for i in range(0, len(data), 12):
            f.write("    " + ", ".join("0x%02x" % b for b in data[i:i + 12]) + ",\n")
        f.write("};\n\n")
    f.write("}  // namespace lispmob::dataplane::golden\n")
