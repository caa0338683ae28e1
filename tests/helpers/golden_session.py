"""Build the golden test session with pacer's own SessionWriter from synthetic records.

The run: 60 s warm-up jog, then 4 x 200 m on a 400 m track (lane 1, Luton-ish
coordinates) with 60 s walking recoveries, targets 36 s (180 s/km). Rep times are
36.6, 35.8, 36.0, 37.2 s; cadence 178-184 spm in reps, 120 spm walking.
Everything is deterministic (no clock, no randomness), so the review JSON is golden.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from pacer.dsp.track_geometry import latlon_from_enu, measure_radius_m, track_to_enu, track_xy_m
from pacer.models import (
    AccelBlock,
    Cue,
    CueKind,
    DistanceSource,
    Estimate,
    Fix,
    Rep,
    RepKind,
)  # fmt: skip
from pacer.session.store import SessionWriter

START_UTC = dt.datetime(2026, 11, 17, 18, 0, 0, tzinfo=dt.UTC)  # a Tuesday
LAT0, LON0 = 51.86279, -0.423122
WORKOUT = "4x200m @ 36s, 60s walk"
REP_TIMES_S = (36.6, 35.8, 36.0, 37.2)
REP_CADENCE_SPM = (180.0, 184.0, 182.0, 178.0)


def _steps(rep_times_s=REP_TIMES_S):
    """(kind, duration_s, speed_mps, cadence_spm, target_distance_m, target_duration_s)."""
    steps = [(RepKind.WARMUP, 60.0, 2.5, 160.0, None, 60.0)]
    for k, t in enumerate(rep_times_s):
        steps.append((RepKind.WORK, t, 200.0 / t, REP_CADENCE_SPM[k], 200.0, 36.0))
        if k < len(rep_times_s) - 1:
            steps.append((RepKind.RECOVERY, 60.0, 1.5, 120.0, None, 60.0))
    return steps


def build(
    directory: Path, *, rep_times_s=REP_TIMES_S, start_utc=START_UTC, close: bool = True
) -> Path:
    steps = _steps(rep_times_s)
    writer = SessionWriter.create(
        directory,
        meta={
            "workout": WORKOUT,
            "start_utc": start_utc.isoformat(),
            "sources": {"gps": "sim", "accel": "sim"},
            "versions": {"pacer": "test"},
            "config": {"units": "metric"},
        },
    )
    radius = measure_radius_m(1)
    t_end = 0.0
    bounds = []
    for _kind, dur, *_ in steps:
        bounds.append((t_end, t_end + dur))
        t_end += dur
    # piecewise-constant speed -> distance at every whole second
    t = np.arange(0.0, np.floor(t_end) + 1.0)
    speed = np.zeros_like(t)
    cad = np.zeros_like(t)
    for (a, b), (_k, _d, v, c, *_r) in zip(bounds, steps, strict=True):
        inside = (t >= a) & (t < b)
        speed[inside], cad[inside] = v, c
    speed[-1], cad[-1] = steps[-1][2], steps[-1][3]
    edges = np.array([a for a, _ in bounds] + [t_end])
    seg_dist = np.array([s[2] * s[1] for s in steps])
    cum = np.concatenate([[0.0], np.cumsum(seg_dist)])
    dist = np.interp(t, edges, cum)
    x, y = track_xy_m(dist, radius)
    east, north = track_to_enu(x, y, 0.0, 0.0, 0.3)
    lat, lon = latlon_from_enu(east, north, LAT0, LON0)
    for i, ts in enumerate(t):
        utc = start_utc + dt.timedelta(seconds=float(ts))
        writer.append_nmea(float(ts), f"$GPRMC,fake,{i}*00\r\n".encode())
        writer.add_fix(
            Fix(
                t_s=float(ts),
                utc=utc,
                valid=True,
                lat_deg=float(lat[i]),
                lon_deg=float(lon[i]),
                alt_m=120.0,
                speed_mps=float(speed[i]),
                course_deg=90.0,
                fix_quality=1,
                hdop=0.9,
                sats=9,
            )
        )
        writer.add_estimate(
            Estimate(
                t_s=float(ts),
                utc=utc,
                distance_m=float(dist[i]),
                speed_mps=float(speed[i]),
                speed_confidence=0.9,
                cadence_spm=float(cad[i]),
                cadence_confidence=0.8,
                distance_source=DistanceSource.TRACK,
                gps_ok=True,
                lat_deg=float(lat[i]),
                lon_deg=float(lon[i]),
                on_track=True,
            )
        )
        rate = 100.0
        ax = np.column_stack([np.sin(np.arange(100) * 0.3), np.zeros(100), np.full(100, 9.8)])
        writer.append_accel(AccelBlock(t0_s=float(ts), rate_hz=rate, samples_mps2=ax))
    work = 0
    for k, ((a, b), (kind, dur, v, c, tdist, tdur)) in enumerate(zip(bounds, steps, strict=True)):
        if kind is RepKind.WORK:
            work += 1
        label = f"rep {work} of {len(rep_times_s)}" if kind is RepKind.WORK else kind.value
        writer.add_rep(
            Rep(
                index=k + 1,
                kind=kind,
                start_s=a,
                duration_s=dur,
                distance_m=v * dur,
                start_utc=start_utc + dt.timedelta(seconds=a),
                target_distance_m=tdist,
                target_duration_s=tdur,
                target_pace_s_per_km=180.0 if kind is RepKind.WORK else None,
                pace_s_per_km=1000.0 / v,
                cadence_spm=c,
                distance_source=DistanceSource.TRACK,
                label=label,
            )
        )
        cid = writer.add_cue(Cue(t_s=a, kind=CueKind.GO, text=f"{label}, go", priority=5))
        writer.update_cue(cid, duration_s=0.9)
        if kind is RepKind.WORK:
            cid = writer.add_cue(
                Cue(t_s=b, kind=CueKind.REP_SUMMARY, text=f"{dur:.1f}, on pace", priority=3)
            )
            writer.update_cue(cid, duration_s=1.4, dropped=(work == 3))
    writer.add_event(0.0, "device", "gps up")
    writer.set_counters("nmea", {"lines": len(t), "bad_checksum": 0})
    if close:
        writer.close()
    else:
        writer.flush()
    return directory
