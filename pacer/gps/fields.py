"""One checksummed NMEA sentence to the update it makes to an epoch (pure).

:func:`parse_sentence` is what :class:`~pacer.gps.nmea.EpochAssembler` does with a line
before touching any state: :func:`~pacer.gps.sentence.split_sentence` (checksum, talker,
type, fields), then our own typed conversions of the fields (``hhmmss.sss`` time of day,
``ddmm.mmmm`` coordinates, floats rejected when not finite, latitude above 90 or
minutes >= 60 rejected), because pynmea2's conversions return mixed types and report a
void fix as latitude 0.0. A field that does not convert makes the whole sentence
``MALFORMED``: it then changes nothing.

The result is a pure function of the text, so the assembler reuses it for a repeated
line. Each sentence parser returns a function that applies the converted values to the
assembler's epoch builder (``pacer.gps.nmea._Builder``).
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from pacer.gps.sentence import (
    BAD_CHECKSUM,
    CHECKSUM_DIGITS,
    PYNMEA2_TALKER_TYPES,
    UNKNOWN,
    USUAL_SHAPE,
    checksum,
    split_with_pynmea2,
)

if TYPE_CHECKING:
    from pacer.gps.nmea import _Builder

KNOT_MPS = 1852.0 / 3600.0
KMH_MPS = 1.0 / 3.6
FIX_TYPES = frozenset({"RMC", "GGA", "GLL", "GNS", "VTG", "ZDA", "GST"})  # see the converters
MALFORMED = "malformed"
# GGA quality 7 (manual input) and 8 (simulator) are not measurements of where we are.
_GGA_VALID_QUALITY = frozenset({1, 2, 3, 4, 5, 6})
_HEMISPHERES = frozenset({"N", "S", "E", "W"})
# Sentences are padded to this many fields so a parser never indexes past the end.
_MIN_FIELDS = 20
_EMPTY_FIELDS = [""] * _MIN_FIELDS


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

# --------------------------------------------------------------------- sentence parsers
Apply = Callable[["_Builder", tuple], None]
# What the assembler needs of a sentence: (talker, type); whether it is a fix type; its UTC
# time of day (s); (type, talker) when it may end a cycle (not a GSV before its last
# part), else None; the function that applies its converted values; those values.
Parsed = tuple[tuple[str, str], bool, "float | None", "tuple[str, str] | None", Apply, tuple]
# A converter: (key, ender key, fields padded to _MIN_FIELDS, number of fields sent) ->
# Parsed. It raises ValueError or IndexError when a field does not convert.
Convert = Callable[[tuple[str, str], tuple[str, str], list[str], int], Parsed]


def parse_sentence(text: str) -> Parsed | str:
    """One sentence to what the assembler applies, or an outcome string.

    Pure, so its result can be reused for a repeated line. Everything converts here,
    before any epoch state is touched: a malformed sentence changes nothing.

    The checksum and split are :func:`~pacer.gps.sentence.split_sentence`'s, inlined for
    the usual shape (one regex match, the folded checksum of
    :func:`~pacer.gps.sentence.checksum`, one ``split``); what the address means (talker,
    type, converter) is looked up once per address, not per line.
    """
    m = USUAL_SHAPE.fullmatch(text)  # (a regex costs less than the same tests in Python)
    if m is None:  # any other shape: pynmea2 itself decides
        split = split_with_pynmea2(text)
        if isinstance(split, str):
            return split
        talker, kind, data = split
        return _convert(_address_info(talker, kind), data)
    digits = m.group(3)
    body = text[1:-3].encode()  # ASCII: UTF-8 = bytes
    n = len(body)
    if n <= 128:  # checksum(body), inlined: this runs for every line
        x = int.from_bytes(body, "little")
        if n > 64:
            x ^= x >> 512
        if n > 32:
            x ^= x >> 256
        x ^= x >> 128
        x ^= x >> 64
        x ^= x >> 32
        x ^= x >> 16
        x = _XOR_OF_TWO_BYTES[x & 0xFFFF]
    else:
        x = checksum(body)
    if x != CHECKSUM_DIGITS[digits]:
        return BAD_CHECKSUM
    return parse_checked(text)  # (address and data_text are text[1:6] and text[7:-3])


def parse_checked(text: str) -> Parsed | str:
    """:func:`parse_sentence` of a sentence known to have the usual shape and a right
    checksum: the rest of it (address, split, conversion).

    File replay checks every line of a read at once with numpy (:mod:`pacer.gps.batch`)
    and calls this directly.
    """
    address = text[1:6]
    data_text = text[7:-3]
    info = _ADDRESSES.get(address)
    if info is None:
        upper = address.upper()  # as pynmea2 does
        info = _address_info(upper[:2], upper[2:])
        if len(_ADDRESSES) >= _ADDRESS_CACHE_SIZE:
            _ADDRESSES.clear()
        _ADDRESSES[address] = info
    if isinstance(info, str):  # UNKNOWN
        return info
    convert, key, last_key = info
    data = data_text.split(",")
    if " " in data_text:  # printable ASCII: a space is the only whitespace there can be
        data = [f.strip() for f in data]
    n = len(data)
    if n < _MIN_FIELDS:  # absent trailing fields read as empty
        data += _EMPTY_FIELDS[n:]
    try:
        return convert(key, last_key, data, n)
    except (ValueError, IndexError):  # _Malformed, or a field no conversion expected
        return MALFORMED


# What the address of a sentence means: its converter, (talker, type) key and (type,
# talker) cycle-ender key.
_Info = tuple[Convert, tuple[str, str], tuple[str, str]]
_ADDRESSES: dict[str, _Info | str] = {}
_ADDRESS_CACHE_SIZE = 256  # a corrupted stream can invent addresses; keep the table small
# the last fold step of the checksum as a lookup: 16-bit value -> XOR of its two bytes
_XOR_OF_TWO_BYTES = bytes((v ^ (v >> 8)) & 0xFF for v in range(1 << 16))


def _address_info(talker: str, kind: str) -> _Info | str:
    """(talker, type) -> what :func:`_convert` needs, or UNKNOWN."""
    convert = _PARSERS.get(kind)
    if convert is None or kind not in PYNMEA2_TALKER_TYPES:
        return UNKNOWN
    return convert, (talker, kind), (kind, talker)


def _convert(info: _Info | str, data: list[str]) -> Parsed | str:
    """Typed conversion of one sentence's fields (``data`` is ours to pad)."""
    if isinstance(info, str):
        return info
    convert, key, last_key = info
    n_fields = len(data)
    if n_fields < _MIN_FIELDS:  # absent trailing fields read as empty
        data += _EMPTY_FIELDS[n_fields:]
    try:
        return convert(key, last_key, data, n_fields)
    except (ValueError, IndexError):  # _Malformed, or a field no conversion expected
        return MALFORMED


# One converter and one applier per sentence type. The converter does every conversion
# (and raises every _Malformed) before the epoch is touched and returns the Parsed
# tuple with the converted values; the applier puts those values into a _Builder. (A
# tuple and a module-level applier instead of a closure per sentence: a closure's cells
# cost ~0.8 us per line.) Fix types: RMC GGA GNS GLL VTG ZDA GST.


def _rmc(key: tuple[str, str], last: tuple[str, str], d: list[str], n: int) -> Parsed:
    tod_s = _tod_s(d[0])
    lat, lon = _latlon(d[2], d[3], d[4], d[5])
    knots, course = _f(d[6]), _f(d[7])
    return key, True, tod_s, last, _apply_rmc, (
        key[0], lat, lon, d[1] == "A" and d[11] != "N",
        None if knots is None else knots * KNOT_MPS, course, _rmc_date(d[8]),
    )


def _apply_rmc(b: _Builder, v: tuple) -> None:
    talker, lat, lon, ok, speed_mps, course, date = v
    b.position(2, talker, lat, lon, ok)
    if date is not None:
        b.date = date
    if ok:
        if speed_mps is not None:
            b.speed_mps = speed_mps
        if course is not None:
            b.course_deg = course
        b.quality = b.quality or 1


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


def _gga(key: tuple[str, str], last: tuple[str, str], d: list[str], n: int) -> Parsed:
    tod_s = _tod_s(d[0])
    lat, lon = _latlon(d[1], d[2], d[3], d[4])
    q = _i(d[5]) or 0
    return key, True, tod_s, last, _apply_gga, (
        key[0], lat, lon, q, _i(d[6]), _f(d[7]), _f(d[8])
    )


def _apply_gga(b: _Builder, v: tuple) -> None:
    talker, lat, lon, q, sats, hdop, alt = v
    ok = q in _GGA_VALID_QUALITY
    b.position(0, talker, lat, lon, ok)
    if sats is not None:
        b.sats = sats
    if hdop is not None:
        b.hdop = hdop
    if ok:
        b.quality = q
        if alt is not None:
            b.alt_m = alt


def _gns(key: tuple[str, str], last: tuple[str, str], d: list[str], n: int) -> Parsed:
    tod_s = _tod_s(d[0])
    lat, lon = _latlon(d[1], d[2], d[3], d[4])
    return key, True, tod_s, last, _apply_gns, (
        key[0], lat, lon, d[5], _i(d[6]), _f(d[7]), _f(d[8])
    )


def _apply_gns(b: _Builder, v: tuple) -> None:
    talker, lat, lon, mode, sats, hdop, alt = v
    ok = bool(mode) and any(ch not in "NV" for ch in mode)
    b.position(1, talker, lat, lon, ok)
    if sats is not None and b.sats is None:
        b.sats = sats
    if hdop is not None and b.hdop is None:
        b.hdop = hdop
    if ok:
        b.quality = b.quality or (2 if "D" in mode else 1)
        if alt is not None and b.alt_m is None:
            b.alt_m = alt


def _gll(key: tuple[str, str], last: tuple[str, str], d: list[str], n: int) -> Parsed:
    tod_s = _tod_s(d[4])
    lat, lon = _latlon(d[0], d[1], d[2], d[3])
    return key, True, tod_s, last, _apply_gll, (key[0], lat, lon, d[5] == "A" and d[6] != "N")


def _apply_gll(b: _Builder, v: tuple) -> None:
    talker, lat, lon, ok = v
    b.position(3, talker, lat, lon, ok)
    if ok:
        b.quality = b.quality or 1


def _vtg(key: tuple[str, str], last: tuple[str, str], d: list[str], n: int) -> Parsed:
    if d[1] == "T" or d[5] == "N" or n >= 8:
        course, knots, kmh = _f(d[0]), _f(d[4]), _f(d[6])
        mode = d[8]
    else:  # NMEA 1.x: course true, course magnetic, knots, km/h without unit letters
        course, knots, kmh = _f(d[0]), _f(d[2]), _f(d[3])
        mode = ""
    speed = knots * KNOT_MPS if knots is not None else (kmh * KMH_MPS if kmh is not None else None)
    return key, True, None, last, _apply_vtg, (mode != "N", speed, course)


def _apply_vtg(b: _Builder, v: tuple) -> None:
    b.any_position_sentence = True
    ok, speed, course = v
    if ok:  # RMC, when present, wins (it is the same Doppler value at more digits)
        if speed is not None and b.speed_mps is None:
            b.speed_mps = speed
        if course is not None and b.course_deg is None:
            b.course_deg = course


def _gsa(key: tuple[str, str], last: tuple[str, str], d: list[str], n: int) -> Parsed:
    # satellites used: only counted when no GGA/GNS gave the number (see nmea._fix), so
    # the fields are kept as they are and turned into a set only then
    return key, False, None, last, _apply_gsa, (
        (key[0], d[2:14]), _f(d[14]), _f(d[15]), _f(d[16])
    )


def _apply_gsa(b: _Builder, v: tuple) -> None:
    used, pdop, hdop, vdop = v
    b.gsa_used += (used,)
    if pdop is not None and b.pdop is None:
        b.pdop = pdop
    if hdop is not None and b.hdop is None:
        b.hdop = hdop
    if vdop is not None and b.vdop is None:
        b.vdop = vdop


def _gsv(key: tuple[str, str], last: tuple[str, str], d: list[str], n: int) -> Parsed:
    # a GSV before its last part cannot end a cycle
    part_is_last = _i(d[0]) == _i(d[1])
    return key, False, None, last if part_is_last else None, _apply_gsv, (key[0], _i(d[2]))


def _apply_gsv(b: _Builder, v: tuple) -> None:
    talker, n = v
    if n is not None:
        in_view = b.gsv_in_view
        if in_view is None:
            in_view = b.gsv_in_view = {}
        in_view[talker] = max(n, in_view.get(talker, 0))


def _gst(key: tuple[str, str], last: tuple[str, str], d: list[str], n: int) -> Parsed:
    tod_s = _tod_s(d[0])
    return key, True, tod_s, last, _apply_gst, (_f(d[5]), _f(d[6]), _f(d[7]))


def _apply_gst(b: _Builder, v: tuple) -> None:
    lat_e, lon_e, alt_e = v
    if lat_e is not None and b.lat_err_m is None:
        b.lat_err_m = lat_e
    if lon_e is not None and b.lon_err_m is None:
        b.lon_err_m = lon_e
    if alt_e is not None and b.alt_err_m is None:
        b.alt_err_m = alt_e


def _zda(key: tuple[str, str], last: tuple[str, str], d: list[str], n: int) -> Parsed:
    tod_s = _tod_s(d[0])
    day, month, year = _i(d[1]), _i(d[2]), _i(d[3])
    date = _date(day, month, year) if day and month and year else None
    return key, True, tod_s, last, _apply_zda, (date,)


def _apply_zda(b: _Builder, v: tuple) -> None:
    date = v[0]
    if date is not None and b.date is None:
        b.date = date


_PARSERS: dict[str, Convert] = {
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
