#!/usr/bin/env python3
"""A Map-Resolver that answers wrongly, for the fault tests.

  fake_map_resolver.py ADDRESS MODE SECONDS

Listens on ADDRESS:4342 for Encapsulated Map-Requests (RFC 9301 §5.8) and
answers each, to the first IPv4 ITR-RLOC on UDP 4342, with a Map-Reply
that is wrong as MODE says:
  wrong-nonce     the nonce plus one
  not-covering    a record for 203.0.113.0/24, whatever was asked
  ttl-zero        a record covering the EID with a TTL of 0 (not to be cached)
  ttl-max         a record covering the EID with a TTL of 2^32-1 minutes
Each record maps to RLOC 192.0.3.4. Prints how many it answered.
"""
import socket
import struct
import sys
import time


def parse_request(data):
    """(nonce, [ITR-RLOCs], EID, mask) of an ECM's Map-Request, or None."""
    if len(data) < 4 or data[0] >> 4 != 8:
        return None
    inner = data[4:]
    if len(inner) < 28 or inner[0] >> 4 != 4:
        return None
    ihl = (inner[0] & 0xF) * 4
    request = inner[ihl + 8:]
    if len(request) < 12 or request[0] >> 4 != 1:
        return None
    irc = (request[2] & 0x1F) + 1
    nonce = struct.unpack("!Q", request[4:12])[0]
    at = 12
    afi = struct.unpack("!H", request[at:at + 2])[0]
    at += 2 + {0: 0, 1: 4, 2: 16}.get(afi, 0)
    rlocs = []
    for _ in range(irc):
        afi = struct.unpack("!H", request[at:at + 2])[0]
        if afi == 1:
            rlocs.append(socket.inet_ntoa(request[at + 2:at + 6]))
        at += 2 + {1: 4, 2: 16}.get(afi, 0)
    mask = request[at + 1]
    eid = socket.inet_ntoa(request[at + 4:at + 8])
    return nonce, rlocs, eid, mask


def reply(nonce, eid, mask, ttl):
    header = struct.pack("!BBBBQ", 0x20, 0, 0, 1, nonce)
    record = struct.pack("!IBBHHH4s", ttl, 1, mask, 0x1000, 0, 1, socket.inet_aton(eid))
    locator = struct.pack("!BBBBHH4s", 1, 100, 255, 0, 0x0005, 1, socket.inet_aton("192.0.3.4"))
    return header + record + locator


def main():
    address, mode, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, 4342))
    end = time.monotonic() + seconds
    answered = 0
    while time.monotonic() < end:
        sock.settimeout(max(0.01, end - time.monotonic()))
        try:
            data, _ = sock.recvfrom(2048)
        except socket.timeout:
            break
        parsed = parse_request(data)
        if parsed is None or not parsed[1]:
            continue
        nonce, rlocs, eid, mask = parsed
        if mode == "wrong-nonce":
            message = reply(nonce + 1, eid, 32, 10)
        elif mode == "not-covering":
            message = reply(nonce, "203.0.113.0", 24, 10)
        elif mode == "ttl-zero":
            message = reply(nonce, eid, 32, 0)
        else:
            message = reply(nonce, eid, 32, 0xFFFFFFFF)
        sock.sendto(message, (rlocs[0], 4342))
        answered += 1
    print("answered %d" % answered)


if __name__ == "__main__":
    main()
