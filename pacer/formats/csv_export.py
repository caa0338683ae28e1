"""CSV exports (the contract in docs/contracts.md): per-second samples and raw receiver epochs.

* ``csv``: ``t_s,utc,lat_deg,lon_deg,distance_m,speed_mps,pace_s_per_km,cadence_spm,
  rep_index,gps_ok,heart_rate_bpm`` -- one row per second of the session (the last 1 Hz
  estimate in each second), ``gps_ok`` as 1/0, ``rep_index`` empty outside reps,
  ``heart_rate_bpm`` empty without a (fresh) heart rate.
* ``fixes``: ``utc,lat_deg,lon_deg,alt_m,speed_mps,course_deg,hdop,sats,fix_quality,valid``
  -- one row per receiver epoch exactly as reported (speed in m/s), ``valid`` as 1/0.

Unknown values are empty cells; UTC is ISO 8601 with a ``Z`` suffix; floats are
written with the shortest text that reads back to the same value.
"""

from __future__ import annotations

import csv
import io

import numpy as np

from pacer.formats.export_common import rep_index_at, utc_at
from pacer.review.summary import utc_json
from pacer.session.reader import SessionData

CSV_COLUMNS = (
    "t_s", "utc", "lat_deg", "lon_deg", "distance_m", "speed_mps", "pace_s_per_km",
    "cadence_spm", "rep_index", "gps_ok", "heart_rate_bpm",
)  # fmt: skip
FIXES_COLUMNS = (
    "utc", "lat_deg", "lon_deg", "alt_m", "speed_mps", "course_deg", "hdop", "sats",
    "fix_quality", "valid",
)  # fmt: skip


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def per_second_csv(data: SessionData) -> str:
    """The ``--format csv`` text."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(CSV_COLUMNS)
    ests = data.estimates
    if ests:
        t = np.array([e.t_s for e in ests])
        second = np.floor(t).astype(np.int64)
        last_in_second = np.flatnonzero(np.append(second[1:] != second[:-1], True))
        reps = rep_index_at(data, t[last_in_second])
        for i, rep in zip(last_in_second, reps, strict=True):
            e = ests[i]
            out.writerow([_cell(v) for v in (
                round(e.t_s, 3), utc_json(utc_at(data, e.t_s, e.utc)), e.lat_deg, e.lon_deg,
                round(e.distance_m, 3), e.speed_mps,
                None if e.pace_s_per_km is None else round(e.pace_s_per_km, 3),
                e.cadence_spm, None if rep < 0 else int(rep), e.gps_ok, e.heart_rate_bpm,
            )])  # fmt: skip
    return buf.getvalue()


def fixes_csv(data: SessionData) -> str:
    """The ``--format fixes`` text."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(FIXES_COLUMNS)
    for f in data.fixes:
        out.writerow([_cell(v) for v in (
            utc_json(f.utc), f.lat_deg, f.lon_deg, f.alt_m, f.speed_mps, f.course_deg,
            f.hdop, f.sats, f.fix_quality, f.valid,
        )])  # fmt: skip
    return buf.getvalue()
