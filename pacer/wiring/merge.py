"""Record streams merged into one in time order (the sources' part of the drivers).

A source with several edges (a replay's fixes and accelerometer blocks, a simulation's
receiver bytes and sampler blocks) yields each edge's records in time order; the
Pipeline needs them as one stream in time order.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator

from pacer.runtime import Record, record_time_s


def merge_in_time(*streams: Iterable[Record]) -> Iterator[Record]:
    """Merge record streams that are each in time order into one stream in time order.

    Records with equal times come in the order of their streams (as ``heapq.merge``).
    """
    if len(streams) == 2:  # a replay: fixes and accelerometer blocks
        return _merge_two(iter(streams[0]), iter(streams[1]))
    return heapq.merge(*streams, key=record_time_s)


def _merge_two(a: Iterator[Record], b: Iterator[Record]) -> Iterator[Record]:
    """``heapq.merge(a, b, key=record_time_s)`` without the heap: one time per record."""
    key = record_time_s
    rb = next(b, None)
    if rb is None:
        yield from a
        return
    kb = key(rb)
    for ra in a:
        ka = key(ra)
        while kb < ka:  # equal times: ``a`` first
            yield rb
            rb = next(b, None)
            if rb is None:
                yield ra
                yield from a
                return
            kb = key(rb)
        yield ra
    yield rb
    yield from b
