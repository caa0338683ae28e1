"""Pure numbers for the pages: the sessions list's rows, consistency, progress.

No IO and no numpy (the server process imports this; the rows are made from a session
by :func:`pacer.web.render.session_row` in a child process). ``consistency_s_per_km``
is the population standard deviation of the completed work reps' paces (0 = every rep
at the same pace); None with fewer than two paces.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pacer.session.rows import JsonDict


@dataclass(frozen=True)
class SessionRow:
    """One line of the sessions list (and one point of a progress chart)."""

    id: str
    start_utc: dt.datetime | None
    workout: str | None  # the workout as recorded (text or library name)
    title: str | None  # for people: "6x400: 800m jog; ..."
    simulated: bool
    ended: str
    work_reps: int
    distance_m: float
    work_pace_s_per_km: float | None
    consistency_s_per_km: float | None
    work_cadence_spm: float | None
    rep_times_s: tuple[float, ...]  # completed work reps, in order


def consistency_s_per_km(paces_s_per_km: list[float]) -> float | None:
    """Standard deviation of the rep paces (s/km); None with fewer than two."""
    return statistics.pstdev(paces_s_per_km) if len(paces_s_per_km) >= 2 else None


def row_json(row: SessionRow) -> str:
    """One row as JSON (what the child process sends and the rows cache keeps)."""
    doc = dataclasses.asdict(row)
    doc["start_utc"] = row.start_utc.isoformat() if row.start_utc else None
    return json.dumps(doc)


def row_from_json(doc: JsonDict) -> SessionRow:
    doc = dict(doc)
    doc["start_utc"] = dt.datetime.fromisoformat(doc["start_utc"]) if doc["start_utc"] else None
    doc["rep_times_s"] = tuple(doc["rep_times_s"])
    return SessionRow(**doc)


@dataclass(frozen=True)
class Progress:
    """One repeated workout across runs, oldest first."""

    workout: str
    title: str
    runs: tuple[SessionRow, ...]


def progress_by_workout(rows: list[SessionRow], min_runs: int = 2) -> list[Progress]:
    """Workouts run at least ``min_runs`` times, each with its runs oldest first
    (by start time, then id); the most often run workout first."""
    groups: dict[str, list[SessionRow]] = {}
    for row in rows:
        if row.workout and row.work_reps:
            groups.setdefault(row.workout, []).append(row)
    far_past = dt.datetime.min.replace(tzinfo=dt.UTC)
    out = [
        Progress(workout=w, title=runs[-1].title or w,
                 runs=tuple(sorted(runs, key=lambda r: (r.start_utc or far_past, r.id))))
        for w, runs in groups.items() if len(runs) >= min_runs
    ]  # fmt: skip
    return sorted(out, key=lambda p: (-len(p.runs), p.workout))
