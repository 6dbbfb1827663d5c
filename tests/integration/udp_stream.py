#!/usr/bin/env python3
"""A steady stream of small UDP datagrams, EID to EID, for handover figures.

  udp_stream.py ADDRESS PORT RATE SECONDS

Sends RATE datagrams a second (paced on the monotonic clock, not by
sleeping a fixed time per packet) to ADDRESS:PORT for SECONDS and prints
how many it sent. Nothing needs to answer: the test captures where the
stream arrives. ping is no good for this: iputils' ping holds back its next
request for about 10 ms when a reply is missing, which hides whatever the
handover itself takes.
"""
import socket
import sys
import time


def main():
    address, port, rate, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    start = time.monotonic()
    sent = 0
    while True:
        now = time.monotonic()
        if now - start >= seconds:
            break
        due = start + sent / rate
        if now < due:
            time.sleep(min(due - now, 0.0002))
            continue
        try:
            sock.sendto(sent.to_bytes(8, "big"), (address, port))
        except OSError:
            pass  # no route for a moment: the stream goes on
        sent += 1
    print("sent %d datagrams in %.1f s" % (sent, time.monotonic() - start))


if __name__ == "__main__":
    main()
