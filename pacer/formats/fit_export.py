"""FIT activity export with garmin-fit-sdk's encoder (the form Garmin Connect, Strava and
intervals.icu import).

Messages, in order: ``file_id`` (activity), ``workout`` + one ``workout_step`` per rep
(the targets: distance or time, and a speed band around the target pace), ``event``
timer start, one ``record`` per 1 Hz estimate (position, cumulative distance, speed,
cadence, heart rate), one ``lap`` per rep (``wkt_step_index`` links it to its step; with
its average and maximum heart rate), ``event`` timer stop, ``session``, ``activity``.
Cadence is strides per minute (``cadence_spm / 2``) with the half in
``fractional_cadence``, as Garmin running devices write it; heart rate in whole bpm.
"""

from __future__ import annotations

import datetime as dt

from pacer.errors import InputError
from pacer.formats.export_common import require_start_utc, utc_at
from pacer.formats.fit_message import FitMessage
from pacer.models import Estimate, Rep, RepKind
from pacer.review.heart_rate import RepHeartRate, rep_heart_rates
from pacer.review.summary import (
    session_distance_m,
    session_duration_s,
    target_pace,
    workout_name,
)
from pacer.session.reader import SessionData

#: a FIT string field is at most 255 bytes, its terminating zero included
MAX_FIT_STRING_BYTES = 254
#: the workout step's speed band is the target speed +- this fraction
TARGET_BAND_FRACTION = 0.015
DEG_TO_SEMICIRCLE = 2**31 / 180.0
_INTENSITY = {
    RepKind.WORK: "active", RepKind.RECOVERY: "rest", RepKind.WARMUP: "warmup",
    RepKind.COOLDOWN: "cooldown", RepKind.STEADY: "active",
}  # fmt: skip


def _step(rep: Rep, k: int) -> FitMessage:
    step: FitMessage = {"message_index": k, "intensity": _INTENSITY[rep.kind]}
    if rep.label:
        step["wkt_step_name"] = fit_string(rep.label)
    if rep.target_distance_m:
        step |= {"duration_type": "distance", "duration_value": round(rep.target_distance_m * 100)}
    elif rep.target_duration_s:
        step |= {"duration_type": "time", "duration_value": round(rep.target_duration_s * 1000)}
    else:
        step["duration_type"] = "open"
    pace = target_pace(rep)
    if pace:
        speed_mps = 1000.0 / pace
        step |= {
            "target_type": "speed", "target_value": 0,
            "custom_target_value_low": round(speed_mps * (1 - TARGET_BAND_FRACTION) * 1000),
            "custom_target_value_high": round(speed_mps * (1 + TARGET_BAND_FRACTION) * 1000),
        }  # fmt: skip
    else:
        step["target_type"] = "open"
    return step


def fit_string(text: str) -> str:
    """``text`` whole, as far as a FIT string field holds it (254 UTF-8 bytes and the
    terminating zero): a workout's name is its text, and a cut one does not parse."""
    return text.encode("utf-8")[:MAX_FIT_STRING_BYTES].decode("utf-8", errors="ignore")


def _cadence(spm: float | None) -> FitMessage:
    if spm is None:
        return {}
    strides = spm / 2.0
    whole = int(strides)
    return {"cadence": whole, "fractional_cadence": round(strides - whole, 3)}


def _record(data: SessionData, est: Estimate, mesg_num: int) -> FitMessage:
    """The ``record`` message of one estimate (position in semicircles, cadence in
    strides per minute)."""
    rec: FitMessage = {
        "mesg_num": mesg_num,
        "timestamp": utc_at(data, est.t_s, est.utc),
        "distance": est.distance_m,
    }
    if est.lat_deg is not None and est.lon_deg is not None:
        rec["position_lat"] = round(est.lat_deg * DEG_TO_SEMICIRCLE)
        rec["position_long"] = round(est.lon_deg * DEG_TO_SEMICIRCLE)
    if est.speed_mps is not None:
        rec["enhanced_speed"] = est.speed_mps
    rec |= _cadence(est.cadence_spm)
    if est.heart_rate_bpm is not None:
        rec["heart_rate"] = int(round(est.heart_rate_bpm))
    return rec


def _lap(data: SessionData, lap: Rep, k: int, mesg_num: int, *, in_workout: bool,
         hr: RepHeartRate | None) -> FitMessage:
    """The ``lap`` message of lap ``k`` (a workout step's when ``in_workout``)."""
    lap_start = utc_at(data, lap.start_s, lap.start_utc)
    assert lap_start is not None  # start is known
    msg: FitMessage = {
        "mesg_num": mesg_num, "message_index": k,
        "timestamp": lap_start + dt.timedelta(seconds=lap.duration_s),
        "start_time": lap_start, "total_elapsed_time": lap.duration_s,
        "total_timer_time": lap.duration_s, "total_distance": lap.distance_m,
        "event": "lap", "event_type": "stop", "lap_trigger": "manual",
        "sport": "running", "intensity": _INTENSITY[lap.kind],
    }  # fmt: skip
    if in_workout:
        msg["wkt_step_index"] = k
    if lap.duration_s > 0:
        msg["enhanced_avg_speed"] = lap.distance_m / lap.duration_s
    if lap.cadence_spm is not None:
        msg["avg_cadence"] = int(round(lap.cadence_spm / 2.0))
    if hr is not None and hr.avg_bpm is not None and hr.max_bpm is not None:
        msg |= {"avg_heart_rate": round(hr.avg_bpm), "max_heart_rate": round(hr.max_bpm)}
    return msg


def to_fit(data: SessionData) -> bytes:
    """The FIT activity file bytes."""
    try:
        from garmin_fit_sdk import Encoder, Profile
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise InputError("FIT export needs garmin-fit-sdk (pip install 'pacer[review]')") from exc
    mesg = Profile["mesg_num"]
    start = require_start_utc(data, "FIT")
    duration_s = session_duration_s(data)
    end = start + dt.timedelta(seconds=duration_s)
    reps = list(data.reps)
    enc = Encoder()
    for opening in _opening(data, mesg, start, reps):
        enc.write_mesg(opening)
    for est in data.estimates:
        enc.write_mesg(_record(data, est, mesg["RECORD"]))
    laps = reps or [
        Rep(
            index=1,
            kind=RepKind.STEADY,
            start_s=0.0,
            duration_s=duration_s,
            distance_m=session_distance_m(data),
        )
    ]
    hr_of = {h.index: h for h in rep_heart_rates(data)}
    for k, lap in enumerate(laps):
        hr = hr_of.get(lap.index) if reps else None
        enc.write_mesg(_lap(data, lap, k, mesg["LAP"], in_workout=bool(reps), hr=hr))
    for closing in _closing(data, mesg, start, end, duration_s, len(laps)):
        enc.write_mesg(closing)
    return bytes(enc.close())


def _opening(data: SessionData, mesg: dict[str, int], start: dt.datetime, reps: list[Rep]
             ) -> list[FitMessage]:
    """``file_id``, the workout and its steps (when there are reps), timer start."""
    out: list[FitMessage] = [
        {
            "mesg_num": mesg["FILE_ID"],
            "type": "activity",
            "manufacturer": "development",
            "product": 1,
            "serial_number": 1,
            "time_created": start,
        }
    ]
    if reps:
        out.append(
            {
                "mesg_num": mesg["WORKOUT"],
                "sport": "running",
                "num_valid_steps": len(reps),
                "wkt_name": fit_string(workout_name(data) or "pacer"),
            }
        )
        out += [{"mesg_num": mesg["WORKOUT_STEP"], **_step(rep, k)} for k, rep in enumerate(reps)]
    out.append(
        {
            "mesg_num": mesg["EVENT"],
            "timestamp": start,
            "event": "timer",
            "event_type": "start",
            "timer_trigger": "manual",
        }
    )
    return out


def _closing(data: SessionData, mesg: dict[str, int], start: dt.datetime, end: dt.datetime,
             duration_s: float, n_laps: int) -> list[FitMessage]:
    """Timer stop, ``session`` (sub-sport track when any estimate was on one), ``activity``."""
    distance_m = session_distance_m(data)
    on_track = any(e.on_track for e in data.estimates)
    return [
        {
            "mesg_num": mesg["EVENT"],
            "timestamp": end,
            "event": "timer",
            "event_type": "stop_all",
            "timer_trigger": "manual",
        },
        {
            "mesg_num": mesg["SESSION"], "message_index": 0, "timestamp": end,
            "start_time": start, "total_elapsed_time": duration_s,
            "total_timer_time": duration_s, "total_distance": distance_m, "sport": "running",
            "sub_sport": "track" if on_track else "generic", "first_lap_index": 0,
            "num_laps": n_laps, "event": "session", "event_type": "stop",
            "trigger": "activity_end",
            **({"enhanced_avg_speed": distance_m / duration_s} if duration_s > 0 else {}),
        },  # fmt: skip
        {
            "mesg_num": mesg["ACTIVITY"],
            "timestamp": end,
            "num_sessions": 1,
            "type": "manual",
            "event": "activity",
            "event_type": "stop",
            "total_timer_time": duration_s,
            "local_timestamp": int(
                (end - dt.datetime(1989, 12, 31, tzinfo=dt.UTC)).total_seconds()
            ),
        },
    ]
