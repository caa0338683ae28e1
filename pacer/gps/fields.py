"""A checksummed sentence's fields to the typed update it makes to an epoch (pure).

:func:`convert` is the second half of :func:`pacer.gps.sentence.parse_sentence`: given the
talker, the sentence type and the comma-separated fields, our own typed conversions
(``hhmmss.sss`` time of day, ``ddmm.mmmm`` coordinates, floats rejected when not finite,
latitude above 90 or minutes >= 60 rejected) -- not pynmea2's, which return mixed types
and report a void fix as latitude 0.0. A field that does not convert makes the whole
sentence ``MALFORMED``: it then changes nothing.

The result, a :data:`~pacer.gps.epoch.Parsed` record, is a pure function of the text, so
the assembler reuses it for a repeated line; its ``apply_to`` writes the values into the
epoch in progress.
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Callable

from pacer.gps.epoch import (
    GgaUpdate,
    GllUpdate,
    GnsUpdate,
    GsaUpdate,
    GstUpdate,
    GsvUpdate,
    Parsed,
    RmcUpdate,
    SentenceKey,
    VtgUpdate,
    ZdaUpdate,
)
from pacer.units import KMH_TO_MPS, KNOTS_TO_MPS

UNKNOWN = "unknown"  # checksummed, but a type (or a proprietary/query form) we do not use
MALFORMED = "malformed"  # checksummed, but a field does not convert
_HEMISPHERES = frozenset({"N", "S", "E", "W"})
# Sentences are padded to this many fields so a converter never indexes past the end.
MIN_FIELDS = 20
#: the empty fields a sentence of ``n`` fields is padded with, for each ``n``
PADDING = tuple([""] * (MIN_FIELDS - n) for n in range(MIN_FIELDS))


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


# --------------------------------------------------------------------- sentence converters
# A converter: (key, ender key, fields padded to MIN_FIELDS, number of fields sent) ->
# Parsed. It raises ValueError or IndexError when a field does not convert.
Convert = Callable[[SentenceKey, SentenceKey, list[str], int], Parsed]


def convert(talker: str, kind: str, fields: list[str]) -> Parsed | str:
    """The typed record of one checksummed talker sentence, ``UNKNOWN`` or ``MALFORMED``.

    ``fields`` (as split at the commas, stripped) is ours to pad.
    """
    converter = CONVERTERS.get(kind)
    if converter is None:
        return UNKNOWN
    n_fields = len(fields)
    if n_fields < MIN_FIELDS:  # absent trailing fields read as empty
        fields += PADDING[n_fields]
    try:
        return converter((talker, kind), (kind, talker), fields, n_fields)
    except (ValueError, IndexError):  # _Malformed, or a field no conversion expected
        return MALFORMED


def _rmc(key: SentenceKey, ender: SentenceKey, d: list[str], n: int) -> Parsed:
    tod_s = _tod_s(d[0])
    lat, lon = _latlon(d[2], d[3], d[4], d[5])
    knots, course = _f(d[6]), _f(d[7])
    return RmcUpdate(
        key, tod_s, ender, True, lat, lon, d[1] == "A" and d[11] != "N",
        None if knots is None else knots * KNOTS_TO_MPS, course, _rmc_date(d[8]),
    )


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


def _gga(key: SentenceKey, ender: SentenceKey, d: list[str], n: int) -> Parsed:
    tod_s = _tod_s(d[0])
    lat, lon = _latlon(d[1], d[2], d[3], d[4])
    q = _i(d[5]) or 0
    return GgaUpdate(key, tod_s, ender, True, lat, lon, q, _i(d[6]), _f(d[7]), _f(d[8]))


def _gns(key: SentenceKey, ender: SentenceKey, d: list[str], n: int) -> Parsed:
    tod_s = _tod_s(d[0])
    lat, lon = _latlon(d[1], d[2], d[3], d[4])
    return GnsUpdate(key, tod_s, ender, True, lat, lon, d[5], _i(d[6]), _f(d[7]), _f(d[8]))


def _gll(key: SentenceKey, ender: SentenceKey, d: list[str], n: int) -> Parsed:
    tod_s = _tod_s(d[4])
    lat, lon = _latlon(d[0], d[1], d[2], d[3])
    return GllUpdate(key, tod_s, ender, True, lat, lon, d[5] == "A" and d[6] != "N")


def _vtg(key: SentenceKey, ender: SentenceKey, d: list[str], n: int) -> Parsed:
    if d[1] == "T" or d[5] == "N" or n >= 8:
        course, knots, kmh = _f(d[0]), _f(d[4]), _f(d[6])
        mode = d[8]
    else:  # NMEA 1.x: course true, course magnetic, knots, km/h without unit letters
        course, knots, kmh = _f(d[0]), _f(d[2]), _f(d[3])
        mode = ""
    speed_mps = (knots * KNOTS_TO_MPS if knots is not None
                 else (kmh * KMH_TO_MPS if kmh is not None else None))
    return VtgUpdate(key, None, ender, True, mode != "N", speed_mps, course)


def _gsa(key: SentenceKey, ender: SentenceKey, d: list[str], n: int) -> Parsed:
    # satellites used: only counted when no GGA/GNS gave the number (see nmea), so the
    # fields are kept as they are and turned into a set only then
    return GsaUpdate(key, None, ender, False, (key[0], d[2:14]), _f(d[14]), _f(d[15]), _f(d[16]))


def _gsv(key: SentenceKey, ender: SentenceKey, d: list[str], n: int) -> Parsed:
    # a GSV before its last part cannot end a cycle
    part_is_last = _i(d[0]) == _i(d[1])
    return GsvUpdate(key, None, ender if part_is_last else None, False, _i(d[2]))


def _gst(key: SentenceKey, ender: SentenceKey, d: list[str], n: int) -> Parsed:
    tod_s = _tod_s(d[0])
    return GstUpdate(key, tod_s, ender, True, _f(d[5]), _f(d[6]), _f(d[7]))


def _zda(key: SentenceKey, ender: SentenceKey, d: list[str], n: int) -> Parsed:
    tod_s = _tod_s(d[0])
    day, month, year = _i(d[1]), _i(d[2]), _i(d[3])
    date = _date(day, month, year) if day and month and year else None
    return ZdaUpdate(key, tod_s, ender, True, date)


CONVERTERS: dict[str, Convert] = {
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
