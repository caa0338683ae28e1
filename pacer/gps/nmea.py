"""NMEA 0183 sentences to :class:`~pacer.models.Fix` records, one per receiver epoch.

Pure: standard library only, no clock reads, no IO. Time arrives as data (the ``t_s``
stamped on the bytes each line came in). Each line is first turned into the update it
makes (:func:`pacer.gps.sentence.parse_sentence`: checksum and split by pynmea2's rules,
then our own typed field conversions); this module groups those updates into epochs. A
line repeated verbatim (GSA, GSV every epoch) reuses its parse.

Epochs
------
A receiver sends a burst of sentences per navigation epoch (RMC, VTG, GGA, GSA, GSV, ...
in a vendor-specific order). Sentences are grouped by the UTC time-of-day they carry;
sentences without a time (GSA, GSV, VTG) join the epoch in progress. An epoch closes when

* a sentence carries a different time of day,
* a fix sentence (RMC, GGA, GLL, GNS, VTG, ZDA, GST) of the same talker repeats without
  a time (receivers that send empty no-fix sentences at start-up), or
* the sentence that ended each of the last two epochs arrives (the *cycle ender*, learned
  the way gpsd learns it), so a 5 Hz receiver's fix is not held back until the next
  epoch starts. A sentence that still carries the time of an epoch already emitted is
  dropped and counted as ``late`` (and the learned ender is forgotten).

``Fix.t_s`` is the ``t_s`` of the epoch's first sentence: the receiver sends its burst
right after computing the solution, so the first line is the closest to the epoch.

Date: from RMC or ZDA; receivers that send GGA without RMC carry the last known date,
advanced by a day when the time of day wraps past midnight. Like gpsd, an epoch whose
date was never known has ``utc=None`` (its time of day is still kept, see
:class:`Epoch`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass

from pacer.gps.epoch import EpochBuilder, Parsed
from pacer.gps.fields import MALFORMED, UNKNOWN
from pacer.gps.sentence import (
    BAD_CHECKSUM,
    GARBAGE,
    NO_CHECKSUM,
    parse_checked,
    parse_sentence,
)
from pacer.models import Fix, SkipCounters
from pacer.units import KMH_TO_MPS as KMH_MPS
from pacer.units import KNOTS_TO_MPS as KNOT_MPS

__all__ = ["KMH_MPS", "KNOT_MPS", "Epoch", "EpochAssembler"]

_DAY_S = 86400.0
_PARSED_CACHE_SIZE = 64
# Lines of these types (``$ttTTT,...``) are not looked up in the parse cache: their time
# of day changes every epoch, so the lookup would only cost (hashing the line).
_TIMED_TYPES = frozenset({"RMC", "GGA", "GNS", "GLL", "ZDA", "GST"})


@dataclass(frozen=True, slots=True)
class Epoch:
    """A completed epoch: the Fix plus the receiver's UTC time of day in seconds.

    ``time_of_day_s`` is known whenever any sentence of the epoch carried a time, even
    when the date (and so ``fix.utc``) is not; replay uses it to build a timeline.
    """

    fix: Fix
    time_of_day_s: float | None


class EpochAssembler:
    """Merge a stream of NMEA lines into one :class:`Fix` per receiver epoch.

    Parameters
    ----------
    counters : SkipCounters, optional
        Tally of lines seen and skipped (``bad_checksum``, ``unknown`` sentence types,
        ``garbage``, ``malformed`` fields; ``extra['no_checksum']``, ``extra['late']``).

    timeline : callable, optional
        ``timeline(time_of_day_s, valid) -> t_s``: the ``Fix.t_s`` of an epoch that
        carries a time of day, asked once per emitted epoch in order (file replay builds
        its timeline from the receiver's clock this way, so each Fix is built once).
        Default: the ``t_s`` of the epoch's first line.

    Notes
    -----
    Checksums are enforced: a sentence without ``*hh`` or with a wrong one never
    contributes to a Fix (a line cut mid-field would otherwise parse with wrong data).
    """

    def __init__(
        self,
        counters: SkipCounters | None = None,
        *,
        timeline: Callable[[float, bool], float] | None = None,
    ) -> None:
        self.counters = counters if counters is not None else SkipCounters()
        self._timeline = timeline
        self._cur: EpochBuilder | None = None
        self._date: _dt.date | None = None
        self._midnight_date: _dt.date | None = None  # one datetime per day, not per epoch
        self._midnight_utc = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
        self._last_tod_s: float | None = None
        self._last_emitted_tod_s: float | None = None
        self._last_seen: set[tuple[str, str]] = set()
        self._closed_by_ender = False
        self._ender: tuple[str, str] | None = None
        self._ender_candidate: tuple[str, str] | None = None
        # line -> its parse: receivers repeat GSA/GSV (and, standing, VTG) lines verbatim
        # (a pure function of the line, so which lines are kept changes no result)
        self._parsed: dict[str, Parsed | str] = {}

    # ----------------------------------------------------------------- public

    def push(self, t_s: float, line: str) -> list[Fix]:
        """Feed one line received at ``t_s``; return the Fix(es) it completed."""
        epochs = self.push_epochs(t_s, line)
        return [e.fix for e in epochs] if epochs else []

    def flush(self) -> list[Fix]:
        """Emit the epoch in progress (end of stream)."""
        return [e.fix for e in self.flush_epochs()]

    def flush_epochs(self) -> list[Epoch]:
        out = self._close(boundary=False)
        return [out] if out is not None else []

    def push_epochs(self, t_s: float, line: str, checked: bool = False) -> list[Epoch]:
        """Like :meth:`push`, returning :class:`Epoch` (Fix plus time of day).

        ``checked``: the line is known to have the usual shape and a right checksum
        (:func:`pacer.gps.precheck.usual_and_valid`, file replay), so they are not tested
        again.
        """
        c = self.counters
        c.lines += 1
        parsed = self._parse(line, checked)
        if isinstance(parsed, str):
            self._count_outcome(parsed)
            return []
        c.sentences += 1
        # ------------------------------------------------------------ epoch logic
        key, tod_s, last_key, is_fix_type = parsed[:4]  # the fields every record starts with
        out: list[Epoch] = []
        cur = self._cur
        if (
            self._closed_by_ender
            and tod_s is not None
            and tod_s == self._last_emitted_tod_s
            and (cur is None or cur.tod_s is None)
            and key not in self._last_seen
        ):  # the learned ender was not the last sentence of the cycle after all
            c.extra["late"] = c.extra.get("late", 0) + 1
            self._ender = self._ender_candidate = None
            return out
        if cur is not None and (
            (tod_s is not None and cur.tod_s is not None and tod_s != cur.tod_s)
            or (is_fix_type and key in cur.seen)
        ):
            closed = self._close(boundary=True)
            if closed is not None:
                out.append(closed)
            cur = None
        if cur is None:
            cur = self._cur = EpochBuilder(t_s)
        if tod_s is not None:
            cur.tod_s = tod_s
        parsed.apply_to(cur)
        if is_fix_type:
            cur.seen.add(key)
        cur.last_key = last_key
        if last_key is not None and last_key == self._ender:
            closed = self._close(boundary=False)
            if closed is not None:
                out.append(closed)
        return out

    def _parse(self, line: str, checked: bool) -> Parsed | str:
        """The line's parse (or outcome string), from the cache of untimed lines."""
        # a line that carries the time of day is never the same twice: not looked up
        timed = line[3:6] in _TIMED_TYPES
        parsed = None if timed else self._parsed.get(line)
        if parsed is None:
            if checked:
                parsed = parse_checked(line)
            else:  # from the last '$' (what the framer left before it is noise)
                start = line.rfind("$")
                parsed = GARBAGE if start < 0 else parse_sentence(line[start:].strip())
            if not timed:
                if len(self._parsed) >= _PARSED_CACHE_SIZE:
                    self._parsed.clear()
                self._parsed[line] = parsed
        return parsed

    def _count_outcome(self, outcome: str) -> None:
        """Count a line that changes no epoch (see :mod:`pacer.gps.sentence`)."""
        c = self.counters
        if outcome == MALFORMED:
            c.sentences += 1
            c.malformed += 1
        elif outcome == UNKNOWN:
            c.sentences += 1
            c.unknown += 1
        elif outcome == BAD_CHECKSUM:
            c.bad_checksum += 1
        elif outcome == NO_CHECKSUM:
            c.extra["no_checksum"] = c.extra.get("no_checksum", 0) + 1
        else:  # GARBAGE
            c.garbage += 1

    def _close(self, boundary: bool) -> Epoch | None:
        cur, self._cur = self._cur, None
        if cur is None:
            return None
        self._closed_by_ender = not boundary
        self._last_seen = cur.seen
        if boundary:  # learn the cycle ender: the same last sentence twice in a row
            if cur.last_key is not None and cur.last_key == self._ender_candidate:
                self._ender = cur.last_key
            self._ender_candidate = cur.last_key
        if not cur.any_position_sentence:
            return None  # satellites/status only: not a navigation epoch
        if cur.tod_s is not None:
            self._last_emitted_tod_s = cur.tod_s
        t_s = cur.t_s
        if self._timeline is not None and cur.tod_s is not None:
            t_s = self._timeline(cur.tod_s, cur.pos is not None)
        return Epoch(self._fix(cur, t_s), cur.tod_s)

    def _fix(self, b: EpochBuilder, t_s: float) -> Fix:
        date = b.date
        if date is None and self._date is not None and b.tod_s is not None:
            date = self._date
            if self._last_tod_s is not None and b.tod_s < self._last_tod_s - _DAY_S / 2:
                date = date + _dt.timedelta(days=1)  # GGA-only stream crossed midnight
        if date is not None:
            self._date = date
        if b.tod_s is not None:
            self._last_tod_s = b.tod_s
        utc = None
        if date is not None and b.tod_s is not None:
            if self._midnight_date != date:
                self._midnight_date = date
                self._midnight_utc = _dt.datetime(date.year, date.month, date.day, tzinfo=_dt.UTC)
            utc = self._midnight_utc + _dt.timedelta(0, b.tod_s)  # (days, seconds)
        pos = b.pos
        sats = b.sats
        if sats is None and b.gsa_used:
            used = {talker + sat for talker, sats_ in b.gsa_used for sat in sats_ if sat}
            if used:
                sats = len(used)
        in_view = b.gsv_in_view
        if pos is None:
            return Fix(
                t_s, utc, False, None, None, None, None, None, 0, b.hdop, sats, b.pdop,
                b.vdop, sum(in_view.values()) if in_view else None, b.lat_err_m,
                b.lon_err_m, b.alt_err_m, b.invalid_talker,
            )
        return Fix(
            t_s, utc, True, pos[1], pos[2], b.alt_m, b.speed_mps, b.course_deg, b.quality,
            b.hdop, sats, b.pdop, b.vdop, sum(in_view.values()) if in_view else None,
            b.lat_err_m, b.lon_err_m, b.alt_err_m, pos[3],
        )
