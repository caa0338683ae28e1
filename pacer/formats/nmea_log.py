"""Replay NMEA log files as :class:`~pacer.models.Fix` records.

The file's bytes go through the same :class:`~pacer.gps.decoder.NmeaDecoder` as live
bytes (read in 1 MiB chunks, ``#`` comment lines dropped, shape and checksum of each
read prechecked at once), so garbage, bad checksums, truncated lines and binary noise
are skipped and counted exactly as on the wire.

Timeline
--------
``Fix.t_s`` is seconds since the first epoch that carried a UTC time, built from the
receivers' time of day (so GGA-only logs without any date replay too):

* the time of day advancing gives the step; a wrap past midnight adds a day;
* a time that does not advance (a receiver reset, a duplicated epoch, a cold boot with
  a stale clock) re-anchors the timeline one typical epoch interval after the last
  fix, so ``t_s`` never goes backwards;
* epochs without any time (no timed sentence at all) are skipped and counted as
  ``extra['untimed_epochs']`` -- they carry no position either in any log we have.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from pacer.errors import InputError
from pacer.formats.safe_read import open_regular
from pacer.gps.decoder import NmeaDecoder
from pacer.gps.nmea import Epoch
from pacer.models import Fix, SkipCounters

_CHUNK_BYTES = 1 << 20  # the framer cost per line falls with the read size
#: the largest NMEA log replayed (streamed: the bound is on time, not memory; ~70 hours
#: of a 5 Hz receiver with satellites in view)
MAX_LOG_BYTES = 512 * 1024 * 1024
_DAY_S = 86400.0


def _open(path: str | Path) -> BinaryIO:
    """The log opened through :mod:`~pacer.formats.safe_read`: a FIFO, a device node
    (``/dev/zero``) or a file over :data:`MAX_LOG_BYTES` is refused in one line."""
    return open_regular(path, max_bytes=MAX_LOG_BYTES, what="NMEA log")


def _chunks(path: str | Path) -> Iterator[bytes]:
    """The bytes of a log in 1 MiB reads (opened at the call: a missing file raises there)."""
    f = _open(path)

    def gen() -> Iterator[bytes]:
        with f:
            while True:
                try:
                    chunk = f.read(_CHUNK_BYTES)
                except OSError as e:
                    raise InputError(f"{path}: read failed: {e.strerror or e}") from None
                if not chunk:
                    return
                yield chunk

    return gen()


def _epochs(
    path: str | Path, counters: SkipCounters, timeline: Callable[[float, bool], float] | None
) -> Iterator[Epoch]:
    """The epochs of a log through the one decoder (the file is opened at the call)."""
    chunks = _chunks(path)
    decoder = NmeaDecoder(counters, skip_comments=True, timeline=timeline, precheck=True)
    return decoder.epochs_of(chunks)  # no arrival times in a file


def _check_some_sentences(path: str | Path, counters: SkipCounters) -> None:
    if counters.lines == 0:
        raise InputError(f"{path}: no NMEA sentences in the file (is it an NMEA log?)")


def epochs_from_nmea_file(
    path: str | Path,
    counters: SkipCounters | None = None,
    *,
    timeline: Callable[[float, bool], float] | None = None,
) -> Iterator[Epoch]:
    """Yield the receiver epochs of a log, untouched (``fix.t_s`` is the line index).

    ``timeline``: see :class:`~pacer.gps.nmea.EpochAssembler` (``fix.t_s`` of the
    epochs with a time of day then comes from it).
    """
    counters = counters if counters is not None else SkipCounters()
    epochs = _epochs(path, counters, timeline)

    def gen() -> Iterator[Epoch]:
        yield from epochs
        _check_some_sentences(path, counters)

    return gen()


#: a forward jump of the receiver's clock larger than this, next to an epoch without a
#: fix, is a clock being set, not time passing
_MAX_UNFIXED_JUMP_S = 30.0


class _Timeline:
    """Replay time (``Fix.t_s``) of each timed epoch from the receiver's clock.

    Called by the assembler once per emitted epoch that has a time of day, in order,
    with that time of day and whether the epoch has a fix (see module notes).
    """

    def __init__(self, counters: SkipCounters) -> None:
        self._counters = counters
        self._t_s = 0.0
        self._last_tod_s: float | None = None
        self._last_valid = False
        self._step_s = 1.0  # typical epoch interval, learned from the log

    def __call__(self, tod_s: float, valid: bool) -> float:
        extra = self._counters.extra
        if self._last_tod_s is not None:
            dt_s = tod_s - self._last_tod_s
            if dt_s < -_DAY_S / 2:
                dt_s += _DAY_S  # midnight
            if dt_s > _MAX_UNFIXED_JUMP_S and not (valid and self._last_valid):
                # a receiver without a fix reports a clock it has not set yet (cold
                # starts: 1980, 1999, 2008...): its jumps are not elapsed time
                self._t_s += self._step_s
                extra["clock_jumps"] = extra.get("clock_jumps", 0) + 1
            elif dt_s > 0.0:
                self._t_s += dt_s
                if dt_s <= 10.0:
                    self._step_s = dt_s
            else:
                self._t_s += self._step_s
                extra["time_steps"] = extra.get("time_steps", 0) + 1
        self._last_tod_s = tod_s
        self._last_valid = valid
        return self._t_s


def fixes_from_nmea_file(path: str | Path, counters: SkipCounters | None = None) -> Iterator[Fix]:
    """Yield one Fix per receiver epoch of an NMEA log, ``t_s`` from the receiver's UTC.

    Parameters
    ----------
    path : str or Path
        The log: the bytes a receiver emits; ``#`` lines are comments.
    counters : SkipCounters, optional
        Filled with what was skipped (see module notes for ``untimed_epochs``).

    Raises
    ------
    InputError
        ``FILE: ...`` when the file cannot be read (raised at the call) or holds no
        line that looks like an NMEA sentence (``$...``) at all (raised when iteration
        reaches the end).
    """
    counters = counters if counters is not None else SkipCounters()
    epochs = _epochs(path, counters, _Timeline(counters))

    def gen() -> Iterator[Fix]:
        extra = counters.extra
        for ep in epochs:
            if ep.time_of_day_s is None:
                extra["untimed_epochs"] = extra.get("untimed_epochs", 0) + 1
            else:
                yield ep.fix  # t_s from _Timeline (asked while building)
        _check_some_sentences(path, counters)

    return gen()
