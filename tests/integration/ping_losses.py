#!/usr/bin/env python3
"""ping_losses.py PING_OUTPUT EVENTS

Names the echo requests of a `ping -D -i INTERVAL` stream that got no reply,
each with the time it was sent (estimated from its neighbours' replies) and
the last event of EVENTS ("<epoch seconds> <text>" lines) before it, so a
lost echo can be placed against what the lab did."""
import re
import sys


def main():
    replies = {}
    for line in open(sys.argv[1]):
        match = re.match(r"\[(\d+\.\d+)\].*icmp_seq=(\d+) .*time=([\d.]+) ms", line)
        if match:
            sent = float(match.group(1)) - float(match.group(3)) / 1000
            replies[int(match.group(2))] = sent
    sent_total = 0
    for line in open(sys.argv[1]):
        match = re.match(r"(\d+) packets transmitted", line)
        if match:
            sent_total = int(match.group(1))
    events = []
    for line in open(sys.argv[2]):
        stamp, _, text = line.strip().partition(" ")
        events.append((float(stamp), text))
    if not replies:
        print("no echo replies at all")
        return
    seqs = sorted(replies)
    for seq in range(1, sent_total + 1):
        if seq in replies:
            continue
        before = max((s for s in seqs if s < seq), default=None)
        after = min((s for s in seqs if s > seq), default=None)
        if before is not None and after is not None:
            at = replies[before] + (replies[after] - replies[before]) * (seq - before) / (after - before)
        else:
            at = replies[before if before is not None else after]
        last = [e for e in events if e[0] <= at]
        where = (f"{(at - last[-1][0]) * 1000:.1f} ms after '{last[-1][1]}'"
                 if last else "before the first event")
        print(f"echo {seq} lost: sent {where}")


if __name__ == "__main__":
    main()
