"""NMEA 0183 sentences to :class:`~pacer.models.Fix` records, one per receiver epoch.

Pure: standard library and pynmea2 only, no clock reads, no IO. Time arrives as data
(the ``t_s`` that the reader stamped on each line). pynmea2 is used for what it does
well -- checksum verification, talker/type split and field splitting -- and its objects
never leave this module: fields are converted here with our own typed helpers, because
pynmea2's conversions return mixed types and report a void fix as latitude 0.0.

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
import math
from collections.abc import Callable
from dataclasses import dataclass

import pynmea2

from pacer.models import Fix, SkipCounters

KNOT_MPS = 1852.0 / 3600.0
KMH_MPS = 1.0 / 3.6
_DAY_S = 86400.0
_FIX_TYPES = frozenset({"RMC", "GGA", "GLL", "GNS", "VTG", "ZDA", "GST"})
_POSITION_TYPES = frozenset({"RMC", "GGA", "GLL", "GNS", "VTG"})
_USED_TYPES = _FIX_TYPES | {"GSA", "GSV"}
# GGA quality 7 (manual input) and 8 (simulator) are not measurements of where we are.
_GGA_VALID_QUALITY = frozenset({1, 2, 3, 4, 5, 6})
_POSITION_PRIORITY = {"GGA": 0, "GNS": 1, "RMC": 2, "GLL": 3}


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


def _f(s: str) -> float | None:
    if s == "":
        return None
    try:
        v = float(s)
    except ValueError:
        raise _Malformed(s) from None
    if not math.isfinite(v):
        raise _Malformed(s)
    return v


def _i(s: str) -> int | None:
    v = _f(s)
    return None if v is None else int(v)


def _field(data: list[str], i: int) -> str:
    return data[i].strip() if i < len(data) else ""


def _tod_s(s: str) -> float | None:
    """``hhmmss[.sss]`` -> seconds of day (None when empty)."""
    if s == "":
        return None
    if len(s) < 6 or not s[:6].isdigit():
        raise _Malformed(s)
    h, m = int(s[0:2]), int(s[2:4])
    sec = _f(s[4:])
    if sec is None or h > 23 or m > 59 or not 0.0 <= sec < 61.0:
        raise _Malformed(s)
    return h * 3600.0 + m * 60.0 + sec


def _coord_deg(value: str, hemi: str, max_deg: float) -> float | None:
    """``dddmm.mmmm`` + hemisphere -> signed degrees (None when empty)."""
    v = _f(value)
    if v is None:
        return None
    if hemi not in ("N", "S", "E", "W") or v < 0.0:
        raise _Malformed(value)
    deg = int(v // 100.0)
    minutes = v - 100.0 * deg
    out = deg + minutes / 60.0
    if minutes >= 60.0 or out > max_deg:
        raise _Malformed(value)
    return -out if hemi in ("S", "W") else out


def _latlon(data: list[str], i: int) -> tuple[float | None, float | None]:
    lat = _coord_deg(_field(data, i), _field(data, i + 1), 90.0)
    lon = _coord_deg(_field(data, i + 2), _field(data, i + 3), 180.0)
    if lat is None or lon is None:
        return None, None
    return lat, lon


def _date(day: int, month: int, year: int) -> _dt.date:
    try:
        return _dt.date(year, month, day)
    except ValueError:
        raise _Malformed(f"{day}/{month}/{year}") from None


class _Builder:
    """The fields gathered so far for one epoch (mutable, private)."""

    def __init__(self, t_s: float) -> None:
        self.t_s = t_s
        self.tod_s: float | None = None
        self.date: _dt.date | None = None
        self.pos: tuple[int, float, float, str] | None = None  # priority, lat, lon, talker
        self.any_position_sentence = False
        self.invalid_talker: str | None = None
        self.values: dict[str, float | int | None] = {}
        self.quality = 0
        self.gsa_used: set[str] = set()
        self.gsv_in_view: dict[str, int] = {}
        self.seen: set[tuple[str, str]] = set()
        self.last_key: tuple[str, str] | None = None

    def put(self, name: str, value: float | None, override: bool = False) -> None:
        if value is not None and (override or self.values.get(name) is None):
            self.values[name] = value

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
        self._last_tod_s: float | None = None
        self._last_emitted_tod_s: float | None = None
        self._last_seen: set[tuple[str, str]] = set()
        self._closed_by_ender = False
        self._ender: tuple[str, str] | None = None
        self._ender_candidate: tuple[str, str] | None = None

    # ----------------------------------------------------------------- public

    def push(self, t_s: float, line: str) -> list[Fix]:
        """Feed one line received at ``t_s``; return the Fix(es) it completed."""
        return [e.fix for e in self.push_epochs(t_s, line)]

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
        try:
            msg = pynmea2.parse(text, check=True)
        except pynmea2.ChecksumError as e:
            if "missing" in str(e):
                c.extra["no_checksum"] = c.extra.get("no_checksum", 0) + 1
            else:
                c.bad_checksum += 1
            return []
        except pynmea2.SentenceTypeError:
            c.sentences += 1
            c.unknown += 1
            return []
        except (pynmea2.ParseError, ValueError, TypeError, AttributeError, IndexError):
            c.garbage += 1
            return []
        c.sentences += 1
        kind = getattr(msg, "sentence_type", None)
        talker = getattr(msg, "talker", None)
        if kind not in _USED_TYPES or not isinstance(talker, str):
            c.unknown += 1
            return []
        data = [str(d) for d in msg.data]
        try:
            return self._accept(t_s, talker, kind, data)
        except (_Malformed, IndexError):
            c.malformed += 1
            return []

    # ----------------------------------------------------------------- epochs

    def _accept(self, t_s: float, talker: str, kind: str, data: list[str]) -> list[Epoch]:
        tod_idx = {"RMC": 0, "GGA": 0, "GNS": 0, "ZDA": 0, "GST": 0, "GLL": 4}.get(kind)
        tod_s = _tod_s(_field(data, tod_idx)) if tod_idx is not None else None
        # Convert before touching state so a malformed sentence changes nothing.
        update = _PARSERS[kind](talker, data)
        out: list[Epoch] = []
        cur = self._cur
        key = (talker, kind)
        if (
            self._closed_by_ender
            and tod_s is not None
            and tod_s == self._last_emitted_tod_s
            and (cur is None or cur.tod_s is None)
            and key not in self._last_seen
        ):  # the learned ender was not the last sentence of the cycle after all
            self.counters.extra["late"] = self.counters.extra.get("late", 0) + 1
            self._ender = self._ender_candidate = None
            return out
        if cur is not None and (
            (tod_s is not None and cur.tod_s is not None and tod_s != cur.tod_s)
            or (kind in _FIX_TYPES and key in cur.seen)
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
        if kind in _FIX_TYPES:
            cur.seen.add(key)
        last_part = kind != "GSV" or _i(_field(data, 0)) == _i(_field(data, 1))
        cur.last_key = (kind, talker) if last_part else None
        if self._ender is not None and cur.last_key == self._ender:
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
            utc = _dt.datetime(date.year, date.month, date.day, tzinfo=_dt.UTC)
            utc += _dt.timedelta(seconds=b.tod_s)
        v = b.values
        valid = b.pos is not None
        sats = v.get("sats")
        if sats is None and b.gsa_used:
            sats = len(b.gsa_used)
        return Fix(
            t_s=b.t_s,
            utc=utc,
            valid=valid,
            lat_deg=b.pos[1] if b.pos else None,
            lon_deg=b.pos[2] if b.pos else None,
            alt_m=v.get("alt_m") if valid else None,
            speed_mps=v.get("speed_mps") if valid else None,
            course_deg=v.get("course_deg") if valid else None,
            fix_quality=b.quality if valid else 0,
            hdop=v.get("hdop"),
            sats=int(sats) if sats is not None else None,
            pdop=v.get("pdop"),
            vdop=v.get("vdop"),
            sats_in_view=sum(b.gsv_in_view.values()) if b.gsv_in_view else None,
            lat_err_m=v.get("lat_err_m"),
            lon_err_m=v.get("lon_err_m"),
            alt_err_m=v.get("alt_err_m"),
            talker=b.pos[3] if b.pos else b.invalid_talker,
        )


# --------------------------------------------------------------------- sentence parsers
_Apply = Callable[[_Builder], None]

# Each takes (talker, fields) and returns a function that applies them to a _Builder,
# so every conversion (and every _Malformed) happens before the epoch is touched.


def _rmc(talker: str, d: list[str]) -> _Apply:
    lat, lon = _latlon(d, 2)
    mode = _field(d, 11)
    ok = _field(d, 1) == "A" and mode != "N"
    knots, course = _f(_field(d, 6)), _f(_field(d, 7))
    ds = _field(d, 8)
    date = None
    if len(ds) == 6 and ds.isdigit():  # a garbled date (week-rollover bugs) costs the date only
        yy = int(ds[4:6])
        try:
            date = _date(int(ds[0:2]), int(ds[2:4]), yy + (2000 if yy < 80 else 1900))
        except _Malformed:
            date = None

    def apply(b: _Builder) -> None:
        b.position("RMC", talker, lat, lon, ok)
        if date is not None:
            b.date = date
        if ok:
            b.put("speed_mps", None if knots is None else knots * KNOT_MPS, override=True)
            b.put("course_deg", course, override=True)
            b.quality = b.quality or 1

    return apply


def _gga(talker: str, d: list[str]) -> _Apply:
    lat, lon = _latlon(d, 1)
    q = _i(_field(d, 5)) or 0
    sats, hdop, alt = _i(_field(d, 6)), _f(_field(d, 7)), _f(_field(d, 8))
    ok = q in _GGA_VALID_QUALITY

    def apply(b: _Builder) -> None:
        b.position("GGA", talker, lat, lon, ok)
        b.put("sats", sats, override=True)
        b.put("hdop", hdop, override=True)
        if ok:
            b.quality = q
            b.put("alt_m", alt, override=True)

    return apply


def _gns(talker: str, d: list[str]) -> _Apply:
    lat, lon = _latlon(d, 1)
    mode = _field(d, 5)
    ok = bool(mode) and any(ch not in "NV" for ch in mode)
    sats, hdop, alt = _i(_field(d, 6)), _f(_field(d, 7)), _f(_field(d, 8))

    def apply(b: _Builder) -> None:
        b.position("GNS", talker, lat, lon, ok)
        b.put("sats", sats)
        b.put("hdop", hdop)
        if ok:
            b.quality = b.quality or (2 if "D" in mode else 1)
            b.put("alt_m", alt)

    return apply


def _gll(talker: str, d: list[str]) -> _Apply:
    lat, lon = _latlon(d, 0)
    ok = _field(d, 5) == "A" and _field(d, 6) != "N"

    def apply(b: _Builder) -> None:
        b.position("GLL", talker, lat, lon, ok)
        if ok:
            b.quality = b.quality or 1

    return apply


def _vtg(talker: str, d: list[str]) -> _Apply:
    if _field(d, 1) == "T" or _field(d, 5) == "N" or len(d) >= 8:
        course, knots, kmh = _f(_field(d, 0)), _f(_field(d, 4)), _f(_field(d, 6))
        mode = _field(d, 8)
    else:  # NMEA 1.x: course true, course magnetic, knots, km/h without unit letters
        course, knots, kmh = _f(_field(d, 0)), _f(_field(d, 2)), _f(_field(d, 3))
        mode = ""
    speed = knots * KNOT_MPS if knots is not None else (kmh * KMH_MPS if kmh is not None else None)
    ok = mode != "N"

    def apply(b: _Builder) -> None:
        b.any_position_sentence = True
        if ok:  # RMC, when present, wins (it is the same Doppler value at more digits)
            b.put("speed_mps", speed)
            b.put("course_deg", course)

    return apply


def _gsa(talker: str, d: list[str]) -> _Apply:
    used = {f"{talker}{s.strip()}" for s in d[2:14] if s.strip()}
    pdop, hdop, vdop = _f(_field(d, 14)), _f(_field(d, 15)), _f(_field(d, 16))

    def apply(b: _Builder) -> None:
        b.gsa_used |= used
        b.put("pdop", pdop)
        b.put("hdop", hdop)
        b.put("vdop", vdop)

    return apply


def _gsv(talker: str, d: list[str]) -> _Apply:
    _i(_field(d, 0)), _i(_field(d, 1))
    n = _i(_field(d, 2))

    def apply(b: _Builder) -> None:
        if n is not None:
            b.gsv_in_view[talker] = max(n, b.gsv_in_view.get(talker, 0))

    return apply


def _gst(talker: str, d: list[str]) -> _Apply:
    lat_e, lon_e, alt_e = _f(_field(d, 5)), _f(_field(d, 6)), _f(_field(d, 7))

    def apply(b: _Builder) -> None:
        b.put("lat_err_m", lat_e)
        b.put("lon_err_m", lon_e)
        b.put("alt_err_m", alt_e)

    return apply


def _zda(talker: str, d: list[str]) -> _Apply:
    day, month, year = _i(_field(d, 1)), _i(_field(d, 2)), _i(_field(d, 3))
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
