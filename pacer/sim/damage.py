"""Damage a receiver byte stream the way a bad UART line does, reproducibly.

Used by the NMEA benchmarks and tests to check that the parser never crashes, never
accepts a damaged sentence, and gives the same fixes and counters as another version
of itself on the same damaged bytes.
"""

from __future__ import annotations

import random


def damage_bytes(data: bytes, rng: random.Random, n_ops: int) -> bytes:
    """``data`` after ``n_ops`` random edits drawn from ``rng``.

    Each edit is one of: a flipped bit, a 20-byte cut, 1-5 inserted noise bytes, or a
    lost line end (the next ``\\n`` at or after a random position).
    """
    b = bytearray(data)
    for _ in range(n_ops):
        if not b:
            break
        pos, op = rng.randrange(len(b)), rng.randrange(4)
        if op == 0:
            b[pos] ^= 1 << rng.randrange(8)
        elif op == 1:
            del b[pos : pos + 20]
        elif op == 2:
            b[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 6)))
        else:
            nl = b.find(b"\n", pos)
            if nl >= 0:
                del b[nl]
    return bytes(b)
