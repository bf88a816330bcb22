#!/usr/bin/python3
"""A wire that reorders, for the fault and flood suite (the kernel here has
no netem).

    reorder.py IF-A IF-B [--share PERCENT] [--delay-ms MIN MAX]
               [--seconds N]

Forwards every Ethernet frame between IF-A and IF-B (AF_PACKET sockets,
both ways) for --seconds, holding back --share percent of them, picked at
random, for a random --delay-ms each while the others pass at once: those
arrive after frames sent later. Ends by sending what it still holds, then
prints one line: "frames N delayed N overtaken N", where overtaken counts,
over the frames that passed at once, the held frames each went ahead of.
"""

import argparse
import heapq
import random
import select
import socket
import time

PACKET_OUTGOING = 4


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('a')
    p.add_argument('b')
    p.add_argument('--share', type=float, default=25.0)
    p.add_argument('--delay-ms', type=float, nargs=2, default=(20.0, 60.0))
    p.add_argument('--seconds', type=float, default=10.0)
    o = p.parse_args()

    socks = {}
    for name in (o.a, o.b):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        s.bind((name, 0))
        s.setblocking(False)
        socks[name] = s
    other = {socks[o.a]: socks[o.b], socks[o.b]: socks[o.a]}
    held = []  # (due, seq, out socket, frame)
    seq = frames = delayed = overtaken = 0
    end = time.monotonic() + o.seconds
    while True:
        now = time.monotonic()
        while held and held[0][0] <= now:
            _, n, out, frame = heapq.heappop(held)
            out.send(frame)
        if now >= end:
            break
        wait = end - now
        if held:
            wait = min(wait, max(0.0, held[0][0] - now))
        ready, _, _ = select.select(list(other), [], [], wait)
        for s in ready:
            while True:
                try:
                    frame, addr = s.recvfrom(65535)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue  # what we sent ourselves
                frames += 1
                seq += 1
                if random.uniform(0, 100) < o.share:
                    delayed += 1
                    ms = random.uniform(*o.delay_ms)
                    heapq.heappush(held, (time.monotonic() + ms / 1000, seq, other[s], frame))
                else:
                    overtaken += len(held)
                    other[s].send(frame)
    for _, _, out, frame in sorted(held):
        out.send(frame)
    print(f'frames {frames} delayed {delayed} overtaken {overtaken}')


if __name__ == '__main__':
    main()
