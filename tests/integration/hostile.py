#!/usr/bin/env python3
"""Hostile packets at a running lispd, from spoofed sources (raw IPv4).

  hostile.py replay TARGET COUNT CORPUS_DIR
      COUNT packets at TARGET, round robin over these kinds: the fuzz
      corpora's control messages as they are (UDP 4342); mutations of them
      (bit flips, truncations, garbage appended, record counts of 255,
      length fields past the end, AFIs and LCAF types that do not exist);
      Map-Requests whose source EID nests AFI-list LCAFs 1 to 40 deep; LISP
      data packets (UDP 4341), whole and mutated; IP fragments that never
      complete and fragments past 65535 bytes; UDP headers whose length
      claims more than the datagram holds. Prints how many of each kind.

  hostile.py register-flood TARGET RATE SECONDS EID-PREFIX
      Map-Registers for EID-PREFIX (an IPv4 /24) with a random 32-byte
      HMAC (HMAC-SHA-256-128), RATE a second for SECONDS, each from a
      random source in 10.0.0.0/8. Prints how many were sent.

  hostile.py scan FIRST RATE SECONDS
      Ordinary UDP datagrams (no raw socket) to FIRST, FIRST+1, ... (IPv4),
      one per destination, RATE a second for SECONDS: a host reaching out
      to as many unknown destinations. Prints how many destinations.

Sources are random addresses in 10.0.0.0/8: nothing lispd sends back in
answer reaches anyone. The generator is seeded: the same run sends the same
packets.
"""
import os
import random
import socket
import struct
import sys
import time

CONTROL_PORT, DATA_PORT = 4342, 4341
CONTROL_CORPORA = ("message", "map_request", "map_reply", "map_register", "map_notify",
                   "map_referral", "info", "address")


def raw_socket():
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
    return sock


def spoofed(rng):
    return socket.inet_aton("10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256),
                                              rng.randrange(1, 255)))


def ipv4(rng, target, payload, flags_fragment=0, proto=17):
    # The kernel fills in the header checksum (IP_HDRINCL).
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), rng.randrange(1, 65536),
                         flags_fragment, 64, proto, 0, spoofed(rng), target)
    return header + payload


def udp(rng, dport, payload, claimed_length=None):
    length = 8 + len(payload) if claimed_length is None else claimed_length
    return struct.pack("!HHHH", rng.choice((CONTROL_PORT, rng.randrange(1024, 65536))), dport,
                       length & 0xffff, 0) + payload


def load(corpus_dir, names):
    out = []
    for name in names:
        folder = os.path.join(corpus_dir, name)
        if not os.path.isdir(folder):
            continue
        for entry in sorted(os.listdir(folder)):
            with open(os.path.join(folder, entry), "rb") as f:
                data = f.read()
            if 0 < len(data) <= 1400:
                out.append(data)
    return out


def mutate(rng, data):
    data = bytearray(data)
    how = rng.randrange(7)
    if how == 0:  # bit flips
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
    elif how == 1:  # truncation
        del data[rng.randrange(len(data)):]
    elif how == 2:  # garbage after the message
        data += rng.randbytes(rng.randint(1, 64))
    elif how == 3 and len(data) > 3:  # record count 255
        data[3] = 255
    elif how == 4 and len(data) > 2:  # a length field past the end
        i = rng.randrange(len(data) - 1)
        data[i:i + 2] = b"\xff\xff"
    elif how == 5 and len(data) > 2:  # an AFI that does not exist
        i = rng.randrange(len(data) - 1) & ~1
        data[i:i + 2] = b"\x77\x77"
    elif how == 6:  # an LCAF type that does not exist, after an LCAF AFI
        i = data.find(b"\x40\x03")
        if 0 <= i and i + 4 < len(data):
            data[i + 4] = 200
        else:
            data[rng.randrange(len(data))] ^= 0xff
    return bytes(data)


def nested_lcaf_request(rng, depth):
    """A Map-Request whose source EID is AFI-list LCAFs nested `depth` deep."""
    eid = struct.pack("!H4s", 1, socket.inet_aton("198.18.0.99"))
    for _ in range(depth):
        eid = struct.pack("!HBBBBH", 16387, 0, 0, 1, 0, len(eid)) + eid
    header = struct.pack("!BBBBQ", 0x10, 0, 0, 1, rng.getrandbits(64))
    itr_rloc = struct.pack("!H4s", 1, socket.inet_aton("10.9.9.9"))
    record = struct.pack("!BBH4s", 0, 32, 1, socket.inet_aton("198.18.0.10"))
    return header + eid + itr_rloc + record


def replay(target, count, corpus_dir):
    rng = random.Random(4342)
    sock = raw_socket()
    dest = socket.inet_aton(target)
    control = load(corpus_dir, CONTROL_CORPORA)
    data = load(corpus_dir, ("data_packet",))
    if not control or not data:
        sys.exit("no corpus under " + corpus_dir)
    kinds = ["control", "control-mutated", "lcaf-nested", "data", "data-mutated", "fragment",
             "fragment-oversized", "udp-length"]
    sent = dict.fromkeys(kinds, 0)
    for n in range(count):
        kind = kinds[n % len(kinds)]
        if kind == "control":
            packet = ipv4(rng, dest, udp(rng, CONTROL_PORT, rng.choice(control)))
        elif kind == "control-mutated":
            packet = ipv4(rng, dest, udp(rng, CONTROL_PORT, mutate(rng, rng.choice(control))))
        elif kind == "lcaf-nested":
            packet = ipv4(rng, dest, udp(rng, CONTROL_PORT, nested_lcaf_request(rng, 1 + n % 40)))
        elif kind == "data":
            packet = ipv4(rng, dest, udp(rng, DATA_PORT, rng.choice(data)))
        elif kind == "data-mutated":
            packet = ipv4(rng, dest, udp(rng, DATA_PORT, mutate(rng, rng.choice(data))))
        elif kind == "fragment":  # one piece of a datagram that never completes
            payload = udp(rng, rng.choice((CONTROL_PORT, DATA_PORT)), rng.choice(control))
            offset = rng.randrange(0, 1000)
            packet = ipv4(rng, dest, payload[:max(8, len(payload) // 8 * 8)], 0x2000 | offset)
        elif kind == "fragment-oversized":  # the last piece past 65535 bytes
            packet = ipv4(rng, dest, bytes(64), 8189)
        else:  # the UDP header claims more than the datagram holds
            payload = rng.choice(control)
            packet = ipv4(rng, dest, udp(rng, rng.choice((CONTROL_PORT, DATA_PORT)), payload,
                                         claimed_length=len(payload) + 8 + rng.randint(1, 4000)))
        try:
            sock.sendto(packet, (target, 0))
            sent[kind] += 1
        except OSError:
            time.sleep(0.001)  # the queue is full: a moment, and on
    print(" ".join("%s %d" % item for item in sent.items()))


def paced(rate, seconds, send):
    """Calls send(n) for n = 0, 1, ... at `rate` a second for `seconds`
    (caught up in bursts on the monotonic clock); returns how many and the
    time taken. A send the kernel refuses (a full queue) is counted all the
    same: the rate is what was attempted."""
    start = time.monotonic()
    sent = 0
    while True:
        now = time.monotonic()
        if now - start >= seconds:
            break
        while sent < int((now - start) * rate):
            try:
                send(sent)
            except OSError:
                pass
            sent += 1
        time.sleep(0.0005)
    return sent, time.monotonic() - start


def register_flood(target, rate, seconds, eid_prefix):
    rng = random.Random(4343)
    sock = raw_socket()
    dest = socket.inet_aton(target)
    network, length = eid_prefix.split("/")
    record = struct.pack("!IBBHHH4s", 10, 1, int(length), 0, 0, 1, socket.inet_aton(network))
    locator = struct.pack("!BBBBHH4s", 1, 100, 255, 0, 0x0005, 1, socket.inet_aton("10.0.0.1"))

    def send(_):
        # Type 3, want-map-notify (M), one record; key-id 0, HMAC-SHA-256-128, 32 bytes.
        header = struct.pack("!BBBBQBBH", 0x30, 0, 0x01, 1, rng.getrandbits(64), 0, 2, 32)
        message = header + rng.randbytes(32) + record + locator
        sock.sendto(ipv4(rng, dest, udp(rng, CONTROL_PORT, message)), (target, 0))

    print("sent %d Map-Registers with bad HMACs in %.1f s" % paced(rate, seconds, send))


def scan(first, rate, seconds):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    address = struct.unpack("!I", socket.inet_aton(first))[0]

    def send(n):
        sock.sendto(b"scan", (socket.inet_ntoa(struct.pack("!I", address + n)), 9))

    print("sent to %d destinations in %.1f s" % paced(rate, seconds, send))


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "replay":
        replay(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) == 6 and sys.argv[1] == "register-flood":
        register_flood(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
    elif len(sys.argv) == 5 and sys.argv[1] == "scan":
        scan(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
