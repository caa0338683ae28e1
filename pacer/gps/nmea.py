"""NMEA 0183 sentences to :class:`~pacer.models.Fix` records, one per receiver epoch.

Pure: standard library and pynmea2 only, no clock reads, no IO. Time arrives as data
(the ``t_s`` that the reader stamped on each line). Checksum verification and the
talker/type/field split are :func:`pacer.gps.sentence.split_sentence` (pynmea2's rules,
with a fast path for the usual shape); fields are converted here with our own typed
helpers, because pynmea2's conversions return mixed types and report a void fix as
latitude 0.0.

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
import functools
from collections.abc import Callable
from dataclasses import dataclass

from pacer.gps.sentence import BAD_CHECKSUM, NO_CHECKSUM, UNKNOWN, split_sentence
from pacer.models import Fix, SkipCounters

KNOT_MPS = 1852.0 / 3600.0
KMH_MPS = 1.0 / 3.6
_DAY_S = 86400.0
_FIX_TYPES = frozenset({"RMC", "GGA", "GLL", "GNS", "VTG", "ZDA", "GST"})
_POSITION_TYPES = frozenset({"RMC", "GGA", "GLL", "GNS", "VTG"})
_USED_TYPES = _FIX_TYPES | {"GSA", "GSV"}
# GGA quality 7 (manual input) and 8 (simulator) are not measurements of where we are.
_GGA_VALID_QUALITY = frozenset({1, 2, 3, 4, 5, 6})
_HEMISPHERES = frozenset({"N", "S", "E", "W"})
_POSITION_PRIORITY = {"GGA": 0, "GNS": 1, "RMC": 2, "GLL": 3}
_TIME_OF_DAY_FIELD = {"RMC": 0, "GGA": 0, "GNS": 0, "ZDA": 0, "GST": 0, "GLL": 4}
# Sentences are padded to this many fields so a parser never indexes past the end.
_MIN_FIELDS = 20
_EMPTY_FIELDS = [""] * _MIN_FIELDS


@dataclass(frozen=True, slots=True)
class Epoch:
    """A completed epoch: the Fix plus the receiver's UTC time of day in seconds.

    ``time_of_day_s`` is known whenever any sentence of the epoch carried a time, even
    when the date (and so ``fix.utc``) is not; replay uses it to build a timeline.
    """

    fix: Fix
    time_of_day_s: float | None


class _Malformed(ValueError):
    """A checksummed sentence whose fields do not convert."""


# Field conversions raise ValueError (float() itself, or _Malformed) on a bad field; the
# assembler counts the sentence as malformed. They run for every sentence, so they are
# written for speed: no try/except, ``v - v != 0.0`` for "inf or nan".


def _f(s: str) -> float | None:
    if not s:
        return None
    v = float(s)
    if v - v != 0.0:
        raise _Malformed(s)
    return v


def _i(s: str) -> int | None:
    v = _f(s)
    return None if v is None else int(v)


@functools.lru_cache(maxsize=8)  # RMC, GGA, GST... of one epoch carry the same time
def _tod_s(s: str) -> float | None:
    """``hhmmss[.sss]`` -> seconds of day (None when empty)."""
    if not s:
        return None
    if len(s) < 6 or not s[:6].isdigit() or not s.isascii():
        raise _Malformed(s)
    h, m, sec = int(s[0:2]), int(s[2:4]), float(s[4:])
    if h > 23 or m > 59 or not 0.0 <= sec < 61.0:  # also rejects nan
        raise _Malformed(s)
    return h * 3600.0 + m * 60.0 + sec


def _coord_deg(value: str, hemi: str, max_deg: float) -> float | None:
    """``dddmm.mmmm`` + hemisphere -> signed degrees (None when empty)."""
    if not value:
        return None
    v = float(value)
    if v - v != 0.0 or v < 0.0 or hemi not in _HEMISPHERES:
        raise _Malformed(value)
    deg = v // 100.0
    minutes = v - 100.0 * deg
    out = deg + minutes / 60.0
    if minutes >= 60.0 or out > max_deg:
        raise _Malformed(value)
    return -out if hemi in ("S", "W") else out


@functools.lru_cache(maxsize=8)  # RMC and GGA of one epoch carry the same position
def _latlon(lat: str, ns: str, lon: str, ew: str) -> tuple[float | None, float | None]:
    """Latitude and longitude fields -> signed degrees, (None, None) when either is empty."""
    lat_deg = _coord_deg(lat, ns, 90.0)
    lon_deg = _coord_deg(lon, ew, 180.0)
    if lat_deg is None or lon_deg is None:
        return None, None
    return lat_deg, lon_deg


def _date(day: int, month: int, year: int) -> _dt.date:
    try:
        return _dt.date(year, month, day)
    except ValueError:
        raise _Malformed(f"{day}/{month}/{year}") from None


class _Builder:
    """The fields gathered so far for one epoch (mutable, private)."""

    __slots__ = (
        "alt_err_m",
        "alt_m",
        "any_position_sentence",
        "course_deg",
        "date",
        "gsa_used",
        "gsv_in_view",
        "hdop",
        "invalid_talker",
        "last_key",
        "lat_err_m",
        "lon_err_m",
        "pdop",
        "pos",
        "quality",
        "sats",
        "seen",
        "speed_mps",
        "t_s",
        "tod_s",
        "vdop",
    )

    def __init__(self, t_s: float) -> None:
        self.t_s = t_s
        self.tod_s: float | None = None
        self.date: _dt.date | None = None
        self.pos: tuple[int, float, float, str] | None = None  # priority, lat, lon, talker
        self.any_position_sentence = False
        self.invalid_talker: str | None = None
        # Values of the epoch. A sentence that is the best source of a value overrides
        # what is there (``if v is not None: b.x = v``); others only fill a gap.
        self.alt_m: float | None = None
        self.speed_mps: float | None = None
        self.course_deg: float | None = None
        self.hdop: float | None = None
        self.sats: int | None = None
        self.pdop: float | None = None
        self.vdop: float | None = None
        self.lat_err_m: float | None = None
        self.lon_err_m: float | None = None
        self.alt_err_m: float | None = None
        self.quality = 0
        self.gsa_used: set[str] = set()
        self.gsv_in_view: dict[str, int] = {}
        self.seen: set[tuple[str, str]] = set()
        self.last_key: tuple[str, str] | None = None

    def position(
        self, kind: str, talker: str, lat: float | None, lon: float | None, ok: bool
    ) -> None:
        self.any_position_sentence = True
        if ok and lat is not None and lon is not None:
            prio = _POSITION_PRIORITY[kind]
            if self.pos is None or prio < self.pos[0]:
                self.pos = (prio, lat, lon, talker)
        elif self.invalid_talker is None:
            self.invalid_talker = talker


class EpochAssembler:
    """Merge a stream of NMEA lines into one :class:`Fix` per receiver epoch.

    Parameters
    ----------
    counters : SkipCounters, optional
        Tally of lines seen and skipped (``bad_checksum``, ``unknown`` sentence types,
        ``garbage``, ``malformed`` fields; ``extra['no_checksum']``, ``extra['late']``).

    Notes
    -----
    Checksums are enforced: a sentence without ``*hh`` or with a wrong one never
    contributes to a Fix (a line cut mid-field would otherwise parse with wrong data).
    """

    def __init__(self, counters: SkipCounters | None = None) -> None:
        self.counters = counters if counters is not None else SkipCounters()
        self._cur: _Builder | None = None
        self._date: _dt.date | None = None
        self._midnight_date: _dt.date | None = None  # one datetime per day, not per epoch
        self._midnight_utc = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
        self._last_tod_s: float | None = None
        self._last_emitted_tod_s: float | None = None
        self._last_seen: set[tuple[str, str]] = set()
        self._closed_by_ender = False
        self._ender: tuple[str, str] | None = None
        self._ender_candidate: tuple[str, str] | None = None
        # text -> _parse(text): receivers repeat GSA/GSV (and, standing, VTG) lines verbatim
        self._parsed: dict[str, _Parsed | str] = {}

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

    def push_epochs(self, t_s: float, line: str) -> list[Epoch]:
        """Like :meth:`push`, returning :class:`Epoch` (Fix plus time of day)."""
        c = self.counters
        c.lines += 1
        start = line.rfind("$")
        if start < 0:
            c.garbage += 1
            return []
        text = line[start:].strip()
        parsed = self._parsed.get(text)
        if parsed is None:
            parsed = _parse(text)
            if parsed is _MALFORMED:  # not kept: rare, and cheap to redo
                c.sentences += 1
                c.malformed += 1
                return []
            if len(self._parsed) >= _PARSED_CACHE_SIZE:
                self._parsed.clear()
            self._parsed[text] = parsed
        if isinstance(parsed, str):
            if parsed == UNKNOWN:
                c.sentences += 1
                c.unknown += 1
            elif parsed == BAD_CHECKSUM:
                c.bad_checksum += 1
            elif parsed == NO_CHECKSUM:
                c.extra["no_checksum"] = c.extra.get("no_checksum", 0) + 1
            else:
                c.garbage += 1
            return []
        c.sentences += 1
        # ------------------------------------------------------------ epoch logic
        key, is_fix_type, tod_s, last_key, update = parsed
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
            cur = self._cur = _Builder(t_s)
        if tod_s is not None:
            cur.tod_s = tod_s
        update(cur)
        if is_fix_type:
            cur.seen.add(key)
        cur.last_key = last_key
        if last_key is not None and last_key == self._ender:
            closed = self._close(boundary=False)
            if closed is not None:
                out.append(closed)
        return out

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
        return Epoch(self._fix(cur), cur.tod_s)

    def _fix(self, b: _Builder) -> Fix:
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
            utc = self._midnight_utc + _dt.timedelta(seconds=b.tod_s)
        valid = b.pos is not None
        sats = b.sats
        if sats is None and b.gsa_used:
            sats = len(b.gsa_used)
        return Fix(
            t_s=b.t_s,
            utc=utc,
            valid=valid,
            lat_deg=b.pos[1] if b.pos else None,
            lon_deg=b.pos[2] if b.pos else None,
            alt_m=b.alt_m if valid else None,
            speed_mps=b.speed_mps if valid else None,
            course_deg=b.course_deg if valid else None,
            fix_quality=b.quality if valid else 0,
            hdop=b.hdop,
            sats=int(sats) if sats is not None else None,
            pdop=b.pdop,
            vdop=b.vdop,
            sats_in_view=sum(b.gsv_in_view.values()) if b.gsv_in_view else None,
            lat_err_m=b.lat_err_m,
            lon_err_m=b.lon_err_m,
            alt_err_m=b.alt_err_m,
            talker=b.pos[3] if b.pos else b.invalid_talker,
        )


# --------------------------------------------------------------------- sentence parsers
_Apply = Callable[[_Builder], None]
# What _accept needs of a sentence: (talker, type); whether it is a fix type; its UTC
# time of day (s); (type, talker) when it may end a cycle (not a GSV before its last
# part), else None; the function that applies its fields.
_Parsed = tuple[tuple[str, str], bool, "float | None", "tuple[str, str] | None", _Apply]
_PARSED_CACHE_SIZE = 64
_MALFORMED = "malformed"


def _parse(text: str) -> _Parsed | str:
    """One sentence to what the assembler applies, or an outcome string.

    Pure, so its result can be reused for a repeated line. Everything converts here,
    before any epoch state is touched: a malformed sentence changes nothing.
    """
    split = split_sentence(text)
    if isinstance(split, str):
        return split
    talker, kind, data = split
    parser = _PARSERS.get(kind)
    if parser is None:
        return UNKNOWN
    n_fields = len(data)
    if n_fields < _MIN_FIELDS:  # absent trailing fields read as empty
        data = data + _EMPTY_FIELDS[n_fields:]
    try:
        tod_idx = _TIME_OF_DAY_FIELD.get(kind)
        tod_s = None if tod_idx is None else _tod_s(data[tod_idx])
        last_part = kind != "GSV" or _i(data[0]) == _i(data[1])
        update = parser(talker, data, n_fields)
    except (ValueError, IndexError):  # _Malformed, or a field no conversion expected
        return _MALFORMED
    return (
        (talker, kind), kind in _FIX_TYPES, tod_s, (kind, talker) if last_part else None, update
    )

# Each takes (talker, fields) and returns a function that applies them to a _Builder,
# so every conversion (and every _Malformed) happens before the epoch is touched.


def _rmc(talker: str, d: list[str], n_fields: int) -> _Apply:
    lat, lon = _latlon(d[2], d[3], d[4], d[5])
    mode = d[11]
    ok = d[1] == "A" and mode != "N"
    knots, course = _f(d[6]), _f(d[7])
    date = _rmc_date(d[8])

    def apply(b: _Builder) -> None:
        b.position("RMC", talker, lat, lon, ok)
        if date is not None:
            b.date = date
        if ok:
            if knots is not None:
                b.speed_mps = knots * KNOT_MPS
            if course is not None:
                b.course_deg = course
            b.quality = b.quality or 1

    return apply


@functools.lru_cache(maxsize=4)  # the same date string all day long
def _rmc_date(ds: str) -> _dt.date | None:
    """RMC ``ddmmyy``; a garbled date (week-rollover bugs) costs the date only."""
    if len(ds) == 6 and ds.isdigit() and ds.isascii():
        yy = int(ds[4:6])
        try:
            return _date(int(ds[0:2]), int(ds[2:4]), yy + (2000 if yy < 80 else 1900))
        except _Malformed:
            return None
    return None


def _gga(talker: str, d: list[str], n_fields: int) -> _Apply:
    lat, lon = _latlon(d[1], d[2], d[3], d[4])
    q = _i(d[5]) or 0
    sats, hdop, alt = _i(d[6]), _f(d[7]), _f(d[8])
    ok = q in _GGA_VALID_QUALITY

    def apply(b: _Builder) -> None:
        b.position("GGA", talker, lat, lon, ok)
        if sats is not None:
            b.sats = sats
        if hdop is not None:
            b.hdop = hdop
        if ok:
            b.quality = q
            if alt is not None:
                b.alt_m = alt

    return apply


def _gns(talker: str, d: list[str], n_fields: int) -> _Apply:
    lat, lon = _latlon(d[1], d[2], d[3], d[4])
    mode = d[5]
    ok = bool(mode) and any(ch not in "NV" for ch in mode)
    sats, hdop, alt = _i(d[6]), _f(d[7]), _f(d[8])

    def apply(b: _Builder) -> None:
        b.position("GNS", talker, lat, lon, ok)
        if sats is not None and b.sats is None:
            b.sats = sats
        if hdop is not None and b.hdop is None:
            b.hdop = hdop
        if ok:
            b.quality = b.quality or (2 if "D" in mode else 1)
            if alt is not None and b.alt_m is None:
                b.alt_m = alt

    return apply


def _gll(talker: str, d: list[str], n_fields: int) -> _Apply:
    lat, lon = _latlon(d[0], d[1], d[2], d[3])
    ok = d[5] == "A" and d[6] != "N"

    def apply(b: _Builder) -> None:
        b.position("GLL", talker, lat, lon, ok)
        if ok:
            b.quality = b.quality or 1

    return apply


def _vtg(talker: str, d: list[str], n_fields: int) -> _Apply:
    if d[1] == "T" or d[5] == "N" or n_fields >= 8:
        course, knots, kmh = _f(d[0]), _f(d[4]), _f(d[6])
        mode = d[8]
    else:  # NMEA 1.x: course true, course magnetic, knots, km/h without unit letters
        course, knots, kmh = _f(d[0]), _f(d[2]), _f(d[3])
        mode = ""
    speed = knots * KNOT_MPS if knots is not None else (kmh * KMH_MPS if kmh is not None else None)
    ok = mode != "N"

    def apply(b: _Builder) -> None:
        b.any_position_sentence = True
        if ok:  # RMC, when present, wins (it is the same Doppler value at more digits)
            if speed is not None and b.speed_mps is None:
                b.speed_mps = speed
            if course is not None and b.course_deg is None:
                b.course_deg = course

    return apply


def _gsa(talker: str, d: list[str], n_fields: int) -> _Apply:
    used = {talker + s for s in d[2:14] if s}
    pdop, hdop, vdop = _f(d[14]), _f(d[15]), _f(d[16])

    def apply(b: _Builder) -> None:
        b.gsa_used |= used
        if pdop is not None and b.pdop is None:
            b.pdop = pdop
        if hdop is not None and b.hdop is None:
            b.hdop = hdop
        if vdop is not None and b.vdop is None:
            b.vdop = vdop

    return apply


def _gsv(talker: str, d: list[str], n_fields: int) -> _Apply:
    n = _i(d[2])  # satellites in view; parts (d[0], d[1]) are checked by the assembler

    def apply(b: _Builder) -> None:
        if n is not None:
            b.gsv_in_view[talker] = max(n, b.gsv_in_view.get(talker, 0))

    return apply


def _gst(talker: str, d: list[str], n_fields: int) -> _Apply:
    lat_e, lon_e, alt_e = _f(d[5]), _f(d[6]), _f(d[7])

    def apply(b: _Builder) -> None:
        if lat_e is not None and b.lat_err_m is None:
            b.lat_err_m = lat_e
        if lon_e is not None and b.lon_err_m is None:
            b.lon_err_m = lon_e
        if alt_e is not None and b.alt_err_m is None:
            b.alt_err_m = alt_e

    return apply


def _zda(talker: str, d: list[str], n_fields: int) -> _Apply:
    day, month, year = _i(d[1]), _i(d[2]), _i(d[3])
    date = _date(day, month, year) if day and month and year else None

    def apply(b: _Builder) -> None:
        if date is not None and b.date is None:
            b.date = date

    return apply


_PARSERS = {
    "RMC": _rmc,
    "GGA": _gga,
    "GNS": _gns,
    "GLL": _gll,
    "VTG": _vtg,
    "GSA": _gsa,
    "GSV": _gsv,
    "GST": _gst,
    "ZDA": _zda,
}
