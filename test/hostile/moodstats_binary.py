#!/usr/bin/env python3
"""test/hostile/moodstats_binary.py — mutated binary COPY files of moodstats.

Usage: moodstats_binary.py HEX_OF_A_VALID_SEND OUTDIR COUNT

Writes COUNT files OUTDIR/NNNN.copy, each a binary COPY stream of one row
with one moodstats column whose bytes are the valid send() output mutated
with a fixed seed: bytes flipped, the value cut short or extended, a field
set to an extreme (NaN, infinities, the largest integers, 0, -1), or the
version byte changed.  moodstats_recv must turn every one of them into a
value or a clean error.
"""
import os
import random
import struct
import sys

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
EXTREMES = [
    struct.pack(">d", float("nan")), struct.pack(">d", float("inf")),
    struct.pack(">d", float("-inf")), struct.pack(">d", -0.0),
    struct.pack(">d", 1.7976931348623157e308), struct.pack(">d", 5e-324),
    struct.pack(">q", -(1 << 63)), struct.pack(">q", (1 << 63) - 1),
    struct.pack(">q", 0), struct.pack(">q", -1),
]


def mutate(rng, value):
    v = bytearray(value)
    how = rng.randrange(6)
    if how == 0:
        for _ in range(rng.randint(1, 3)):
            v[rng.randrange(len(v))] ^= 1 << rng.randrange(8)
    elif how == 1:
        del v[rng.randrange(len(v)):]
    elif how == 2:
        v += bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    elif how == 3:
        at = 1 + 8 + 8 * rng.randrange((len(v) - 9) // 8)
        v[at:at + 8] = rng.choice(EXTREMES)
    elif how == 4:
        at = 1 + 4 * rng.randrange(2)
        v[at:at + 4] = struct.pack(">i", rng.choice([-(1 << 31), (1 << 31) - 1, 0, -1, 2147483494]))
    else:
        v[0] = rng.choice([0, 2, 255])
    return bytes(v)


def main():
    value = bytes.fromhex(sys.argv[1])
    outdir, count = sys.argv[2], int(sys.argv[3])
    rng = random.Random(20251122)
    for i in range(count):
        v = mutate(rng, value)
        row = struct.pack(">hi", 1, len(v)) + v
        with open(os.path.join(outdir, "%04d.copy" % i), "wb") as f:
            f.write(HEADER + row + struct.pack(">h", -1))


if __name__ == "__main__":
    main()
