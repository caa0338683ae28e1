"""The serial reader wakes for bursts, not bytes: a receiver's epoch written in many
small pieces (as a UART delivers it) reaches the sink in a few chunks, every byte
once, in order, stamped with the burst's first byte."""

from __future__ import annotations

import os
import queue
import time
import tty

import pytest

from pacer.gps.reader import SerialReader
from pacer.models import NmeaBytes

pytest.importorskip("serial")


def test_an_epoch_in_small_pieces_comes_in_a_few_reads() -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    port = os.ttyname(slave)
    out: queue.Queue = queue.Queue()
    reader = SerialReader(port, 9600, out.put, gather_s=0.1)
    reader.start()
    try:
        pieces = [f"$GPXXX,{k:03d},piece*00\r\n".encode() for k in range(20)]
        time.sleep(0.2)  # the reader is asleep on the descriptor
        t0 = time.monotonic()
        for piece in pieces:  # 20 pieces within ~40 ms: one UART burst
            os.write(master, piece)
            time.sleep(0.002)
        chunks: list[NmeaBytes] = []
        deadline = time.monotonic() + 5.0
        while sum(len(c.data) for c in chunks) < sum(map(len, pieces)):
            assert time.monotonic() < deadline
            item = out.get(timeout=5.0)
            if isinstance(item, NmeaBytes):
                chunks.append(item)
    finally:
        reader.stop()
        os.close(master)
        os.close(slave)
    assert b"".join(c.data for c in chunks) == b"".join(pieces)
    assert len(chunks) <= 4  # not one read per piece
    assert chunks[0].t_s >= t0  # stamped when its first byte was seen, not before
    assert all(a.t_s <= b.t_s for a, b in zip(chunks, chunks[1:], strict=False))
