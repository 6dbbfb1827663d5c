#!/usr/bin/env python3
"""One TCP transfer for the namespace tests, EID to EID.

  tcp_transfer.py receive ADDRESS PORT [TIMELINE]
      accepts one connection, reads to the end and prints one JSON line:
      bytes, sha256, seconds (first byte to last), longest_stall (seconds
      between two reads after the first byte). With TIMELINE, also writes
      there one line per read: the wall-clock time and the bytes so far.
  tcp_transfer.py send ADDRESS PORT BYTES [RATE]
      connects (retrying for up to 10 s while the mapping resolves), sends
      BYTES of random data, at most RATE bytes per second if given, and
      prints the same JSON line for what it sent.
Both give up after 120 s, so a stalled tunnel fails the test, not hangs it.
"""
import hashlib
import json
import os
import socket
import sys
import time

CHUNK = 64 * 1024


def receive(address, port, timeline_path=None):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    server = socket.socket(family, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((address, port))
    server.listen(1)
    server.settimeout(120)
    connection, _ = server.accept()
    connection.settimeout(120)
    digest = hashlib.sha256()
    total = 0
    first = last = None
    stall = 0.0
    timeline = []
    while True:
        data = connection.recv(CHUNK)
        if not data:
            break
        now = time.monotonic()
        if timeline_path:
            timeline.append((time.time(), total + len(data)))
        if first is None:
            first = now
        elif now - last > stall:
            stall = now - last
        last = now
        total += len(data)
        digest.update(data)
    seconds = (last - first) if first is not None else 0.0
    if timeline_path:
        with open(timeline_path, "w") as out:
            out.writelines("%.6f %d\n" % entry for entry in timeline)
    print(json.dumps({"bytes": total, "sha256": digest.hexdigest(), "seconds": round(seconds, 3),
                      "longest_stall": round(stall, 3)}), flush=True)


def send(address, port, count, rate):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    deadline = time.monotonic() + 10
    while True:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(2)
        try:
            sock.connect((address, port))
            break
        except OSError:
            sock.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    sock.settimeout(120)
    digest = hashlib.sha256()
    started = time.monotonic()
    sent = 0
    block = os.urandom(CHUNK)
    while sent < count:
        # A fresh block now and then: the checksum covers varied data.
        if sent % (CHUNK * 16) == 0:
            block = os.urandom(CHUNK)
        piece = block[:min(CHUNK, count - sent)]
        sock.sendall(piece)
        digest.update(piece)
        sent += len(piece)
        if rate:
            ahead = sent / rate - (time.monotonic() - started)
            if ahead > 0:
                time.sleep(ahead)
    sock.shutdown(socket.SHUT_WR)
    sock.recv(1)  # the receiver closes once it has read everything
    print(json.dumps({"bytes": sent, "sha256": digest.hexdigest(),
                      "seconds": round(time.monotonic() - started, 3)}), flush=True)


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "receive":
        receive(sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else None)
    elif len(sys.argv) >= 5 and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
             float(sys.argv[5]) if len(sys.argv) > 5 else 0)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
