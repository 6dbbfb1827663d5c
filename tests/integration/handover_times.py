#!/usr/bin/env python3
"""Handover times from a namespace test's records.

  handover_times.py MOVES EVENTS ARRIVALS

MOVES: one line per move, "EPOCH NEW_RLOC", EPOCH taken just before the
address was added. EVENTS: `ip -ts monitor address` in the mobile node's
namespace, whose timestamp for "inet NEW_RLOC/" is when the kernel added
the address (the shell's fork and exec of ip, about 2 ms here, do not
count). ARRIVALS: "EPOCH IP_DST" per captured LISP data packet, as tshark's
fields frame.time_epoch and ip.dst print them.

Prints one line per move, the milliseconds from the address change to the
first packet for the new RLOC; exits 1 if one never came.
"""
import datetime
import sys


def added_at(events, rloc, after):
    """The kernel's time of the first addition of `rloc` after `after`."""
    for line in events:
        if not line.startswith("[") or "Deleted" in line or " inet %s/" % rloc not in line:
            continue
        stamp = datetime.datetime.strptime(line[1:line.index("]")], "%Y-%m-%dT%H:%M:%S.%f")
        at = stamp.timestamp()  # ip prints local time, as this does
        if at >= after:
            return at
    return after


def main():
    moves = [line.split() for line in open(sys.argv[1]) if line.strip()]
    events = open(sys.argv[2]).read().splitlines()
    arrivals = [line.split() for line in open(sys.argv[3]) if line.strip()]
    for before, rloc in moves:
        moved = added_at(events, rloc, float(before))
        first = [float(t) for t, dst in arrivals if dst.split(",")[0] == rloc and float(t) > moved]
        if not first:
            sys.exit("nothing reached the new RLOC %s after the move at %.3f" % (rloc, moved))
        print("%.1f" % ((min(first) - moved) * 1000))


if __name__ == "__main__":
    main()
