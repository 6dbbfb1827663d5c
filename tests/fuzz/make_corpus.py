#!/usr/bin/env python3
"""Writes the seed corpus under tests/fuzz/corpus/<target>/ from the captures
in tests/data/captures (real OOR traffic) and, for what the captures lack
(Map-Referral, Info, LCAF types), from the golden bytes of the unit tests;
the config corpus starts from lispmob.conf.example.
Run it again when captures are added; its output is committed.

usage: make_corpus.py [CAPTURES_DIR]
"""
import glob
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CAPTURES = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "data", "captures")

TYPE_TARGET = {1: "map_request", 2: "map_reply", 3: "map_register", 4: "map_notify",
               5: "map_notify", 6: "map_referral", 7: "info"}

# Golden bytes from tests/common/lisp/{address,messages}_test.cc.
GOLDEN = {
    "address": [
        "00 00", "00 01 c0 00 02 01", "00 11 6c 69 73 70 00",
        "00 02 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01",
        "40 03 00 00 02 18 00 0a 00 00 00 07 00 01 0a 00 00 00",
        "40 03 00 00 01 00 00 18 00 01 c0 00 02 01 00 02 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01",
        "40 03 00 00 0c 00 00 10 00 00 18 10 00 01 0a 01 02 00 00 01 0a 02 00 00",
        "40 03 00 00 0a 00 00 10 00 05 00 01 c0 00 02 01 00 02 00 01 c0 00 02 02",
        "40 03 00 00 07 00 00 18 10 f6 10 f5 00 01 cb 00 71 05 00 01 c0 00 02 02 00 00 00 01 c0 00 02 07",
    ],
    "map_referral": [
        "60 00 00 01 00 00 00 00 00 00 00 05 00 00 05 a0 01 10 48 00 10 00 00 01 0a 01 00 00 "
        "01 64 ff 00 00 01 00 01 c0 00 02 09 00 00 05 a0 00 00 00 10 00 00 00 01 12 34 00 04 "
        "01 00 00 00 de ad be ef",
    ],
    "info": [
        "70 00 00 00 00 00 00 00 00 00 00 0b 00 01 00 14 " + "00 " * 20 +
        "00 00 00 00 00 20 00 01 0a 00 00 01 00 00",
        "78 00 00 00 00 00 00 00 00 00 00 0b 00 01 00 14 " + "22 " * 20 +
        "00 00 05 a0 00 20 00 01 0a 00 00 01 40 03 00 00 07 00 00 18 10 f6 10 f5 00 01 cb 00 71 05 "
        "00 01 c0 00 02 02 00 00 00 01 c0 00 02 07",
    ],
    "map_notify": [
        "50 00 00 00 00 00 00 00 00 00 00 09 00 00 00 00",
        "44 00 00 00 00 00 00 00 00 00 00 09 00 01 00 00 00 01 00 02 ab cd",
    ],
    # From tests/kni/host_offload_test.cc: virtio-net header + frame.
    "host_offload": [
        "01 01 00 00 04 00 22 00 10 00"
        "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 32 12 34 40 00 40 06 00 00 c6 12 00 0a"
        "c6 12 01 01 9c 40 13 89 01 00 00 00 02 00 00 00 50 19 ff ff be ef 00 00 61 62 63 64 65 66"
        "67 68 69 6a",
        "01 04 00 00 05 00 36 00 10 00"
        "02 00 00 00 00 01 02 00 00 00 00 02 86 dd 60 00 00 00 00 1b 06 40 20 01 0d b8 00 00 00 00"
        "00 00 00 00 00 00 00 01 20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 02 9c 40 13 89 ff ff"
        "ff fe 02 00 00 00 50 98 ff ff 00 00 00 00 30 31 32 33 34 35 36",
        "01 00 00 00 00 00 22 00 06 00"
        "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 21 00 01 00 00 40 11 ed 9b c6 12 00 0a"
        "c6 12 01 01 10 f5 10 f6 00 0d 8d 4e 68 65 6c 6c 6f",
        # A segment to the host that starts a TCP train.
        "00 00 00 00 00 00 00 00 00 00"
        "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 2c 12 34 40 00 40 06 9b 68 c6 12 00 0a"
        "c6 12 01 01 9c 40 13 89 01 00 00 00 02 00 00 00 50 10 ff ff ab 10 00 00 61 62 63 64",
    ],
    "data_packet": [
        "c8 ab cd ef 00 00 07 01 45 00 00 14 00 00 00 00 40 01 00 00 c6 33 64 0a cb 00 71 0a",
        "0c 00 00 01 00 00 2a 00 45 00 00 14 00 00 00 00 40 01 00 00 c6 33 64 0a cb 00 71 0a",
        "10 00 10 02 00 00 00 00",
    ],
}


def netlink_message(kind, header, attributes):
    """One rtnetlink message (host byte order, little-endian here): nlmsghdr,
    the fixed header, then (type, payload) attributes, 4-byte aligned."""
    body = header
    for attribute_type, payload in attributes:
        body += struct.pack("<HH", 4 + len(payload), attribute_type) + payload
        body += b"\0" * (-len(body) % 4)
    return struct.pack("<IHHII", 16 + len(body), kind, 0, 0, 0) + body


def netlink_seeds():
    """What a kernel tells lispd about an RLOC link: the link (RTM_NEWLINK
    with IFLA_IFNAME, IFLA_MTU), its address, its default route and its
    gateway's neighbour entry, and the same removed."""
    link = netlink_message(16, struct.pack("<BBHiII", 0, 0, 1, 10, 1, 0),
                           [(3, b"rloc0\0"), (4, struct.pack("<I", 1500))])
    address = netlink_message(20, struct.pack("<BBBBI", 2, 24, 0, 0, 10),
                              [(1, bytes([192, 0, 2, 5])), (2, bytes([192, 0, 2, 5]))])
    route = netlink_message(24, struct.pack("<BBBBBBBBI", 2, 0, 0, 0, 254, 4, 0, 1, 0),
                            [(15, struct.pack("<I", 254)), (5, bytes([192, 0, 2, 1])),
                             (4, struct.pack("<I", 10)), (6, struct.pack("<I", 100))])
    neighbour = netlink_message(28, struct.pack("<BBHiHBB", 2, 0, 0, 10, 2, 0, 0),
                                [(1, bytes([192, 0, 2, 1])), (2, bytes([2, 0, 0, 0, 0, 1]))])
    yield link + address + route + neighbour
    yield address[:4] + struct.pack("<H", 21) + address[6:]  # RTM_DELADDR
    yield route[:4] + struct.pack("<H", 25) + route[6:]  # RTM_DELROUTE
    yield neighbour


COMMANDS = ["show map-cache", "json show map-cache", "lookup 198.18.1.7", "json lookup 198.18.1.7 0",
            "show counters", "json show control", "show metrics", "help", "json help", "show local",
            "lookup", "show map-servers"]


def write(target, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def udp_payloads(path):
    data = open(path, "rb").read()
    endian = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" or data[:4] == b"\x4d\x3c\xb2\xa1" else ">"
    offset = 24
    while offset + 16 <= len(data):
        captured = struct.unpack(endian + "I", data[offset + 8:offset + 12])[0]
        frame = data[offset + 16:offset + 16 + captured]
        offset += 16 + captured
        ether_type = struct.unpack(">H", frame[12:14])[0]
        if ether_type == 0x0800:
            ihl = (frame[14] & 0x0f) * 4
            udp = 14 + ihl
        elif ether_type == 0x86dd:
            udp = 14 + 40
        else:
            continue
        ports = struct.unpack(">HH", frame[udp:udp + 4])
        yield ports, frame[udp + 8:]


def main():
    write("config", open(os.path.join(ROOT, "lispmob.conf.example"), "rb").read())
    for target, items in GOLDEN.items():
        for text in items:
            write(target, bytes.fromhex(text))
    for capture in sorted(glob.glob(os.path.join(CAPTURES, "*.pcap"))):
        write("pcap", open(capture, "rb").read())
        for ports, payload in udp_payloads(capture):
            if 4342 in ports:
                write("message", payload)
                write("map_server", payload)
                write("xtr_control", payload)
                kind = payload[0] >> 4
                if kind == 8:
                    write("ip_udp", payload[4:])
                    inner_udp = 4 + ((payload[4] & 0x0f) * 4 if payload[4] >> 4 == 4 else 40)
                    inner = payload[inner_udp + 8:]
                    write(TYPE_TARGET.get(inner[0] >> 4, "message"), inner)
                elif kind in TYPE_TARGET:
                    write(TYPE_TARGET[kind], payload)
            elif 4341 in ports:
                write("data_packet", payload)
    # A Map-Reply answering the request xtr_control_fuzz makes at start
    # (nonce 1, 203.0.113.10): the install path.
    write("xtr_control", bytes.fromhex(
        "20 00 00 01 00 00 00 00 00 00 00 01 00 00 00 0a 01 18 10 00 00 00 00 01 cb 00 71 00"
        " 01 64 ff 00 00 05 00 01 c0 00 02 04"))
    for seed in netlink_seeds():
        write("netlink", seed)
    for command in COMMANDS:
        write("commands", command.encode())
    for request in (b"GET /metrics HTTP/1.1\r\nHost: lispd\r\n\r\n", b"HEAD /metrics?x HTTP/1.0\n\n",
                    b"POST / HTTP/1.1\r\n\r\n", b"GET /metrics HTTP/1.1\r\nHost:"):
        write("metrics_http", request)
    for target in ("map_referral", "info"):
        for text in GOLDEN[target]:
            write("message", bytes.fromhex(text))


if __name__ == "__main__":
    main()
