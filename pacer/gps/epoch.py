"""One receiver epoch in progress, and the typed records of what sentences do to it (pure).

:class:`EpochBuilder` gathers what the sentences of one epoch say. A parsed sentence is a
:data:`Parsed` record, one NamedTuple per sentence type (``RmcUpdate``, ``GgaUpdate``,
...): first what the assembler needs to place it in an epoch (``key``, ``tod_s``,
``ender_key``, ``is_fix_type``: the same four fields in every record), then its
converted values (units in the names); its ``apply_to`` writes them into the builder.
:mod:`pacer.gps.fields` makes the records from a sentence's fields,
:class:`pacer.gps.nmea.EpochAssembler` applies them and builds one
:class:`~pacer.models.Fix` per epoch.

Which sentence wins
-------------------
A sentence that is the best source of a value overrides what is there; others only fill
a gap. Position: GGA, then GNS, RMC, GLL (a lower priority number wins). Speed and course:
RMC over VTG (the same Doppler value, at more digits). HDOP, satellites used, altitude:
GGA over GNS and GSA. Satellites in view: GSV, the maximum per talker, summed.
"""

from __future__ import annotations

import datetime as _dt
from typing import NamedTuple

# GGA quality 7 (manual input) and 8 (simulator) are not measurements of where we are.
GGA_VALID_QUALITY = frozenset({1, 2, 3, 4, 5, 6})

# position priorities (lowest wins)
_GGA, _GNS, _RMC, _GLL = 0, 1, 2, 3

SentenceKey = tuple[str, str]  # (talker, type), or (type, talker) for a cycle ender


class EpochBuilder:
    """The fields gathered so far for one epoch (mutable; one per epoch in progress)."""

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
        # (talker, satellite fields) of each GSA; a set only if no GGA/GNS count comes
        self.gsa_used: tuple[tuple[str, list[str]], ...] = ()
        self.gsv_in_view: dict[str, int] | None = None  # talker -> satellites in view
        self.seen: set[tuple[str, str]] = set()
        self.last_key: tuple[str, str] | None = None

    def position(
        self, prio: int, talker: str, lat_deg: float | None, lon_deg: float | None, ok: bool
    ) -> None:
        """A position sentence; ``prio`` 0 GGA, 1 GNS, 2 RMC, 3 GLL (lowest wins)."""
        self.any_position_sentence = True
        if ok and lat_deg is not None and lon_deg is not None:
            if self.pos is None or prio < self.pos[0]:
                self.pos = (prio, lat_deg, lon_deg, talker)
        elif self.invalid_talker is None:
            self.invalid_talker = talker


class RmcUpdate(NamedTuple):
    key: SentenceKey  # (talker, type)
    tod_s: float | None  # UTC time of day the sentence carries
    ender_key: SentenceKey | None  # (type, talker) when it may end a cycle, else None
    is_fix_type: bool  # a fix type repeating within an epoch closes it
    lat_deg: float | None
    lon_deg: float | None
    ok: bool  # status A and mode not N
    speed_mps: float | None
    course_deg: float | None
    date: _dt.date | None

    def apply_to(self, b: EpochBuilder) -> None:
        key, _, _, _, lat_deg, lon_deg, ok, speed_mps, course_deg, date = self
        b.position(_RMC, key[0], lat_deg, lon_deg, ok)
        if date is not None:
            b.date = date
        if ok:
            if speed_mps is not None:
                b.speed_mps = speed_mps
            if course_deg is not None:
                b.course_deg = course_deg
            b.quality = b.quality or 1


class GgaUpdate(NamedTuple):
    key: SentenceKey
    tod_s: float | None
    ender_key: SentenceKey | None
    is_fix_type: bool
    lat_deg: float | None
    lon_deg: float | None
    quality: int
    sats: int | None
    hdop: float | None
    alt_m: float | None

    def apply_to(self, b: EpochBuilder) -> None:
        key, _, _, _, lat_deg, lon_deg, quality, sats, hdop, alt_m = self
        ok = quality in GGA_VALID_QUALITY
        b.position(_GGA, key[0], lat_deg, lon_deg, ok)
        if sats is not None:
            b.sats = sats
        if hdop is not None:
            b.hdop = hdop
        if ok:
            b.quality = quality
            if alt_m is not None:
                b.alt_m = alt_m


class GnsUpdate(NamedTuple):
    key: SentenceKey
    tod_s: float | None
    ender_key: SentenceKey | None
    is_fix_type: bool
    lat_deg: float | None
    lon_deg: float | None
    mode: str  # one letter per constellation
    sats: int | None
    hdop: float | None
    alt_m: float | None

    def apply_to(self, b: EpochBuilder) -> None:
        key, _, _, _, lat_deg, lon_deg, mode, sats, hdop, alt_m = self
        ok = bool(mode) and any(ch not in "NV" for ch in mode)
        b.position(_GNS, key[0], lat_deg, lon_deg, ok)
        if sats is not None and b.sats is None:
            b.sats = sats
        if hdop is not None and b.hdop is None:
            b.hdop = hdop
        if ok:
            b.quality = b.quality or (2 if "D" in mode else 1)
            if alt_m is not None and b.alt_m is None:
                b.alt_m = alt_m


class GllUpdate(NamedTuple):
    key: SentenceKey
    tod_s: float | None
    ender_key: SentenceKey | None
    is_fix_type: bool
    lat_deg: float | None
    lon_deg: float | None
    ok: bool  # status A and mode not N

    def apply_to(self, b: EpochBuilder) -> None:
        key, _, _, _, lat_deg, lon_deg, ok = self
        b.position(_GLL, key[0], lat_deg, lon_deg, ok)
        if ok:
            b.quality = b.quality or 1


class VtgUpdate(NamedTuple):
    key: SentenceKey
    tod_s: None  # VTG carries no time
    ender_key: SentenceKey | None
    is_fix_type: bool
    ok: bool  # mode not N
    speed_mps: float | None
    course_deg: float | None

    def apply_to(self, b: EpochBuilder) -> None:
        b.any_position_sentence = True
        _, _, _, _, ok, speed_mps, course_deg = self
        if ok:  # RMC, when present, wins (it is the same Doppler value at more digits)
            if speed_mps is not None and b.speed_mps is None:
                b.speed_mps = speed_mps
            if course_deg is not None and b.course_deg is None:
                b.course_deg = course_deg


class GsaUpdate(NamedTuple):
    key: SentenceKey
    tod_s: None  # GSA carries no time
    ender_key: SentenceKey | None
    is_fix_type: bool
    used: tuple[str, list[str]]  # talker, satellite fields (a set only when needed)
    pdop: float | None
    hdop: float | None
    vdop: float | None

    def apply_to(self, b: EpochBuilder) -> None:
        _, _, _, _, used, pdop, hdop, vdop = self
        b.gsa_used += (used,)
        if pdop is not None and b.pdop is None:
            b.pdop = pdop
        if hdop is not None and b.hdop is None:
            b.hdop = hdop
        if vdop is not None and b.vdop is None:
            b.vdop = vdop


class GsvUpdate(NamedTuple):
    key: SentenceKey
    tod_s: None  # GSV carries no time
    ender_key: SentenceKey | None  # None before the last part of a GSV group
    is_fix_type: bool
    sats_in_view: int | None

    def apply_to(self, b: EpochBuilder) -> None:
        n = self.sats_in_view
        if n is not None:
            in_view = b.gsv_in_view
            if in_view is None:
                in_view = b.gsv_in_view = {}
            talker = self.key[0]
            in_view[talker] = max(n, in_view.get(talker, 0))


class GstUpdate(NamedTuple):
    key: SentenceKey
    tod_s: float | None
    ender_key: SentenceKey | None
    is_fix_type: bool
    lat_err_m: float | None
    lon_err_m: float | None
    alt_err_m: float | None

    def apply_to(self, b: EpochBuilder) -> None:
        _, _, _, _, lat_err_m, lon_err_m, alt_err_m = self
        if lat_err_m is not None and b.lat_err_m is None:
            b.lat_err_m = lat_err_m
        if lon_err_m is not None and b.lon_err_m is None:
            b.lon_err_m = lon_err_m
        if alt_err_m is not None and b.alt_err_m is None:
            b.alt_err_m = alt_err_m


class ZdaUpdate(NamedTuple):
    key: SentenceKey
    tod_s: float | None
    ender_key: SentenceKey | None
    is_fix_type: bool
    date: _dt.date | None

    def apply_to(self, b: EpochBuilder) -> None:
        date = self.date
        if date is not None and b.date is None:
            b.date = date


#: a checksummed sentence of a type we use, converted (see the module notes)
Parsed = (
    RmcUpdate | GgaUpdate | GnsUpdate | GllUpdate | VtgUpdate | GsaUpdate | GsvUpdate
    | GstUpdate | ZdaUpdate
)
