#!/usr/bin/env python3
"""The receiving end of udp_stream.py: what arrived, what was lost, and the
longest silence.

  udp_sink.py PORT SECONDS [IDLE]

Listens on UDP PORT (IPv4) for SECONDS, or until IDLE seconds (default 3)
pass without a datagram once some came, and prints one line:
  received N lost M longest-gap G ms at T s ended E
where lost counts the sequence numbers (the stream's 8-byte counters) below
the highest one that never came, and the longest gap is the longest time
between two datagrams received, T seconds after the first; E is the wall
clock (epoch seconds) when the datagram that ended it arrived.
"""
import socket
import sys
import time


def main():
    port, seconds = int(sys.argv[1]), float(sys.argv[2])
    idle = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.bind(("0.0.0.0", port))
    end = time.monotonic() + seconds
    seen = set()
    first = last = None
    gap, gap_at, gap_end = 0.0, 0.0, 0.0
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(min(left, idle) if first is not None else left)
        try:
            data = sock.recv(64)
        except socket.timeout:
            break
        now = time.monotonic()
        if len(data) >= 8:
            seen.add(int.from_bytes(data[:8], "big"))
        if first is None:
            first = now
        elif now - last > gap:
            gap, gap_at, gap_end = now - last, last - first, time.time()
        last = now
    highest = max(seen) if seen else -1
    print("received %d lost %d longest-gap %.1f ms at %.1f s ended %.3f"
          % (len(seen), highest + 1 - len(seen), gap * 1000, gap_at, gap_end))


if __name__ == "__main__":
    main()
