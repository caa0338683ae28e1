"""Receiver bytes with a time stamp to :class:`~pacer.models.Fix` records: the one GPS intake.

Every source delivers the bytes a receiver sent, stamped with when they arrived
(:class:`~pacer.models.NmeaBytes`): the serial reader thread, the simulated receiver, a
session's raw log replayed, an NMEA log file read in 1 MiB chunks. :class:`NmeaDecoder`
takes them through one path::

    bytes --LineFramer--> lines --[precheck: files]--> EpochAssembler --> Epoch / Fix

:class:`~pacer.gps.framer.LineFramer` cuts lines, :class:`~pacer.gps.nmea.EpochAssembler`
parses each line (:func:`~pacer.gps.sentence.parse_sentence`, one checksum) and merges
sentences into one Fix per receiver epoch. Garbage, bad checksums, truncated lines and
binary noise are skipped and counted in one :class:`~pacer.models.SkipCounters`, never
fatal. Pure: no clock, no IO, no threads; the caller owns the bytes and the times.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import count, repeat

from pacer.gps.framer import LineFramer
from pacer.gps.nmea import Epoch, EpochAssembler
from pacer.gps.precheck import usual_and_valid
from pacer.models import Fix, SkipCounters


class NmeaDecoder:
    """Frame and parse a receiver's byte stream into Fix records.

    Parameters
    ----------
    counters : SkipCounters, optional
        Tally of lines seen and skipped, shared by the framer and the parser.
    skip_comments : bool
        Drop lines starting with ``#`` (log files).
    timeline : callable, optional
        ``timeline(time_of_day_s, valid) -> t_s`` for the epochs that carry a time of day
        (file replay: ``Fix.t_s`` from the receiver's clock); see
        :class:`~pacer.gps.nmea.EpochAssembler`.
    precheck : bool
        In :meth:`epochs_of`, check shape and checksum of all the lines of a chunk at once
        with numpy (:mod:`pacer.gps.precheck`) before parsing them: it pays for large
        chunks (1 MiB reads of a file), not for a serial read of a few lines.

    Notes
    -----
    A line is stamped with the ``t_s`` of the bytes that completed it; a Fix with the
    ``t_s`` of its epoch's first line.
    """

    def __init__(
        self,
        counters: SkipCounters | None = None,
        *,
        skip_comments: bool = False,
        timeline: Callable[[float, bool], float] | None = None,
        precheck: bool = False,
    ) -> None:
        self.counters = counters if counters is not None else SkipCounters()
        self.framer = LineFramer(self.counters, skip_comments=skip_comments)
        self.assembler = EpochAssembler(self.counters, timeline=timeline)
        self._precheck = precheck

    def feed(self, t_s: float, data: bytes) -> list[Fix]:
        """Add bytes that arrived at ``t_s``; return the Fixes they completed."""
        out: list[Fix] = []
        push = self.assembler.push_epochs
        for line in self.framer.feed(data):
            epochs = push(t_s, line)
            if epochs:  # most lines complete no epoch
                out += [e.fix for e in epochs]
        return out

    def flush(self, t_s: float) -> list[Fix]:
        """End of stream: the buffered partial line, then the epoch in progress."""
        out: list[Fix] = []
        for line in self.framer.flush():
            out += self.assembler.push(t_s, line)
        return out + self.assembler.flush()

    def end_epoch(self) -> list[Fix]:
        """The epoch in progress (a live session's end: an unfinished line is dropped)."""
        return self.assembler.flush()

    def epochs_of(self, chunks: Iterable[bytes]) -> Iterator[Epoch]:
        """Epochs of a byte stream without arrival times (a log file read in chunks).

        Yields each :class:`~pacer.gps.nmea.Epoch` as soon as it is complete, then the one
        in progress at the end. A line is stamped with its index in the stream (the
        ``Fix.t_s`` of epochs the timeline gives no time).
        """
        push = self.assembler.push_epochs
        stamps = map(float, count())  # shared by the reads; zip takes one per line
        for lines in self._lines_of(chunks):
            checked: Iterable[bool] = usual_and_valid(lines) if self._precheck else repeat(False)
            for line, stamp, ok in zip(lines, stamps, checked, strict=False):  # (endless ones)
                epochs = push(stamp, line, ok)
                if epochs:  # most lines complete no epoch
                    yield from epochs
        yield from self.assembler.flush_epochs()

    def _lines_of(self, chunks: Iterable[bytes]) -> Iterator[list[str]]:
        for chunk in chunks:
            yield self.framer.feed(chunk)
        yield self.framer.flush()
