"""Conversions between pacer records and session-database rows (both directions).

UTC times are stored as ISO 8601 text with an explicit ``+00:00`` offset; enums by
their value; booleans as 0/1. Column order matches :mod:`pacer.session.schema`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from pacer.models import (
    Cue,
    CueKind,
    DistanceSource,
    Estimate,
    Fix,
    HeartRateSample,
    Rep,
    RepKind,
)

#: one database row as the sqlite3 module takes and gives it
Row = tuple[Any, ...]  # Any: columns mix NULL, numbers and text; each converter checks its own
#: a JSON object (meta values, counters, the review JSON)
JsonDict = dict[str, Any]  # Any: JSON values of any shape, read by key where they are used

FIX_COLUMNS = (
    "t_s, utc, valid, lat_deg, lon_deg, alt_m, speed_mps, course_deg, fix_quality, hdop, "
    "sats, pdop, vdop, sats_in_view, lat_err_m, lon_err_m, alt_err_m, talker"
)
ESTIMATE_COLUMNS = (
    "t_s, utc, distance_m, speed_mps, speed_confidence, cadence_spm, cadence_confidence, "
    "distance_source, gps_ok, lat_deg, lon_deg, on_track, track_lap, track_position_m"
)
#: the estimate column of schema v6 (after ESTIMATE_COLUMNS)
ESTIMATE_HR_COLUMN = "heart_rate_bpm"
HEART_RATE_COLUMNS = "t_s, heart_rate_bpm, contact, rr_intervals_f8"
REP_COLUMNS = (
    "idx, kind, start_s, duration_s, distance_m, start_utc, target_distance_m, "
    "target_duration_s, target_pace_s_per_km, pace_s_per_km, cadence_spm, distance_source, label, "
    "completed"
)
CUE_COLUMNS = "id, t_s, kind, text, priority, expires_s, duration_s, dropped"
#: what the audio path reports about a cue beyond duration/dropped (schema v3 columns)
CUE_AUDIO_FIELDS = ("start_s", "latency_s", "engine", "truncated", "reason")


#: the last whole second formatted by utc_text: (its fields, its ISO text without offset)
_last_second: list[object] = [None, ""]


def utc_text(when: dt.datetime | None) -> str | None:
    """ISO 8601 UTC text of an aware datetime (naive ones are taken as UTC).

    The same text as ``when.astimezone(dt.UTC).isoformat()``. Records come several per
    second (5 Hz fixes, the 1 Hz estimate), so the date and time of day are formatted
    once per second and only the microseconds per call: ~3x cheaper than isoformat.
    """
    if when is None:
        return None
    if when.tzinfo is not dt.UTC:
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        when = when.astimezone(dt.UTC)
    key: object = (when.second, when.minute, when.hour, when.day, when.month, when.year)
    cached = _last_second
    if key != cached[0]:
        cached[0] = key
        cached[1] = when.replace(microsecond=0, tzinfo=None).isoformat()
    us = when.microsecond
    if us:
        return f"{cached[1]}.{us:06d}+00:00"
    return f"{cached[1]}+00:00"


def parse_utc(text: str | None) -> dt.datetime | None:
    """Inverse of :func:`utc_text`; accepts a trailing ``Z``."""
    if not text:
        return None
    when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when


#: the largest magnitude a stored number may have (10^10: 317 years in seconds, the pace
#: of a warm-up spent standing); beyond it, not finite, or text where a number belongs, a
#: row is damaged (a crafted database) and its reader says so in one short line
MAX_ABS_VALUE = 1e10


def _bad(value: object, what: str) -> ValueError:
    return ValueError(f"{type(value).__name__} {ascii(value)[:24]} where {what} belongs")


def num(value: object) -> float:
    """A stored number, checked: finite, within :data:`MAX_ABS_VALUE`."""
    if type(value) is float or type(value) is int:
        x = float(value)
        if abs(x) <= MAX_ABS_VALUE:  # False for NaN and inf too
            return x
    raise _bad(value, "a number")


def _int(value: object) -> int:
    if type(value) is int and abs(value) <= MAX_ABS_VALUE:
        return value
    raise _bad(value, "a whole number")


def _opt_int(value: object) -> int | None:
    return None if value is None else _int(value)


def _opt_float(value: object) -> float | None:
    return None if value is None else num(value)


def _text(value: object) -> str:
    if type(value) is str:
        return value
    raise _bad(value, "text")


def _opt_text(value: object) -> str | None:
    return None if value is None else _text(value)


def fix_row(fix: Fix) -> Row:
    return (
        fix.t_s, utc_text(fix.utc), int(fix.valid), fix.lat_deg, fix.lon_deg, fix.alt_m,
        fix.speed_mps, fix.course_deg, fix.fix_quality, fix.hdop, fix.sats, fix.pdop,
        fix.vdop, fix.sats_in_view, fix.lat_err_m, fix.lon_err_m, fix.alt_err_m, fix.talker,
    )  # fmt: skip


def fix_from_row(row: Row) -> Fix:
    return Fix(
        t_s=num(row[0]), utc=parse_utc(_opt_text(row[1])), valid=bool(_int(row[2])),
        lat_deg=_opt_float(row[3]), lon_deg=_opt_float(row[4]), alt_m=_opt_float(row[5]),
        speed_mps=_opt_float(row[6]), course_deg=_opt_float(row[7]), fix_quality=_int(row[8]),
        hdop=_opt_float(row[9]), sats=_opt_int(row[10]), pdop=_opt_float(row[11]),
        vdop=_opt_float(row[12]), sats_in_view=_opt_int(row[13]), lat_err_m=_opt_float(row[14]),
        lon_err_m=_opt_float(row[15]), alt_err_m=_opt_float(row[16]), talker=_opt_text(row[17]),
    )  # fmt: skip


def estimate_row(est: Estimate) -> Row:
    return (
        est.t_s, utc_text(est.utc), est.distance_m, est.speed_mps, est.speed_confidence,
        est.cadence_spm, est.cadence_confidence, est.distance_source.value, int(est.gps_ok),
        est.lat_deg, est.lon_deg, int(est.on_track), est.track_lap, est.track_position_m,
        est.heart_rate_bpm,
    )  # fmt: skip


def estimate_from_row(row: Row) -> Estimate:
    return Estimate(
        t_s=num(row[0]), utc=parse_utc(_opt_text(row[1])), distance_m=num(row[2]),
        speed_mps=_opt_float(row[3]), speed_confidence=num(row[4]),
        cadence_spm=_opt_float(row[5]), cadence_confidence=num(row[6]),
        distance_source=DistanceSource(row[7]), gps_ok=bool(_int(row[8])),
        lat_deg=_opt_float(row[9]), lon_deg=_opt_float(row[10]), on_track=bool(_int(row[11])),
        track_lap=_opt_int(row[12]), track_position_m=_opt_float(row[13]),
        heart_rate_bpm=_opt_float(row[14]) if len(row) > 14 else None,
    )  # fmt: skip


_F8 = np.dtype("<f8")


def heart_rate_row(sample: HeartRateSample) -> Row:
    rr = np.asarray(sample.rr_intervals_s, dtype=_F8).tobytes() if sample.rr_intervals_s else None
    contact = None if sample.contact is None else int(sample.contact)
    return (sample.t_s, sample.heart_rate_bpm, contact, rr)


def heart_rate_from_row(row: Row) -> HeartRateSample:
    rr = () if row[3] is None else tuple(float(x) for x in np.frombuffer(row[3], dtype=_F8))
    return HeartRateSample(t_s=num(row[0]), heart_rate_bpm=num(row[1]),
                           rr_intervals_s=rr, contact=None if row[2] is None else bool(row[2]))


def rep_row(rep: Rep) -> Row:
    return (
        rep.index, rep.kind.value, rep.start_s, rep.duration_s, rep.distance_m,
        utc_text(rep.start_utc), rep.target_distance_m, rep.target_duration_s,
        rep.target_pace_s_per_km, rep.pace_s_per_km, rep.cadence_spm,
        rep.distance_source.value, rep.label, int(rep.completed),
    )  # fmt: skip


def rep_from_row(row: Row) -> Rep:
    return Rep(
        index=_int(row[0]), kind=RepKind(row[1]), start_s=num(row[2]),
        duration_s=num(row[3]), distance_m=num(row[4]), start_utc=parse_utc(_opt_text(row[5])),
        target_distance_m=_opt_float(row[6]), target_duration_s=_opt_float(row[7]),
        target_pace_s_per_km=_opt_float(row[8]), pace_s_per_km=_opt_float(row[9]),
        cadence_spm=_opt_float(row[10]), distance_source=DistanceSource(row[11]),
        label=_text(row[12]), completed=bool(_int(row[13])),
    )  # fmt: skip


def cue_row(cue_id: int, cue: Cue) -> Row:
    return (
        cue_id, cue.t_s, cue.kind.value, cue.text, cue.priority, cue.expires_s,
        cue.duration_s, int(cue.dropped),
    )  # fmt: skip


def cue_from_row(row: Row) -> Cue:
    return Cue(
        t_s=num(row[1]), kind=CueKind(row[2]), text=_text(row[3]), priority=_int(row[4]),
        expires_s=_opt_float(row[5]), duration_s=_opt_float(row[6]), dropped=bool(_int(row[7])),
    )  # fmt: skip


def _insert(table: str, columns: str) -> str:
    n = len(columns.split(","))
    return f"INSERT INTO {table} ({columns}) VALUES ({','.join('?' * n)})"


#: the writer's statements (pacer.session.store)
INSERT_FIX = _insert("fixes", FIX_COLUMNS)
INSERT_EST = _insert("estimates", ESTIMATE_COLUMNS)  # schema v1-v5 (the legacy journal's)
INSERT_EST_V6 = _insert("estimates", f"{ESTIMATE_COLUMNS}, {ESTIMATE_HR_COLUMN}")
INSERT_HEART_RATE = _insert("heart_rate", HEART_RATE_COLUMNS)
INSERT_REP = _insert("reps", REP_COLUMNS)
INSERT_CUE = _insert("cues", CUE_COLUMNS)
INSERT_EVENT = _insert("events", "t_s, kind, message")
INSERT_NMEA = _insert("raw_nmea", "t_s, data")
INSERT_ACCEL = _insert("raw_accel", "t0_s, rate_hz, n, lost_samples, samples_f4")
UPSERT_META = "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"
UPSERT_COUNTERS = "INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)"
