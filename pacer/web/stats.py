"""Pure numbers for the pages: consistency of a run's reps and progress across runs.

No IO: functions of :class:`~pacer.session.reader.SessionData` and of the rows they
make. ``consistency_s_per_km`` is the population standard deviation of the completed
work reps' paces (0 = every rep at the same pace); None with fewer than two paces.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pacer.models import RepKind
from pacer.review.summary import meaningful_pace, summarize, workout_name

if TYPE_CHECKING:
    from pacer.session.reader import SessionData


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


def work_paces_s_per_km(data: SessionData) -> list[float]:
    """Paces of the completed work reps (those with a meaningful pace)."""
    out = []
    for rep in data.reps:
        if rep.kind is RepKind.WORK and rep.completed:
            pace = meaningful_pace(rep.duration_s, rep.distance_m, rep.pace_s_per_km)
            if pace is not None:
                out.append(pace)
    return out


def consistency_s_per_km(paces_s_per_km: list[float]) -> float | None:
    """Standard deviation of the rep paces (s/km); None with fewer than two."""
    return statistics.pstdev(paces_s_per_km) if len(paces_s_per_km) >= 2 else None


def session_row(data: SessionData) -> SessionRow:
    s = summarize(data)
    sources = data.meta.get("sources") or {}
    return SessionRow(
        id=data.id, start_utc=s.start_utc, workout=workout_name(data), title=s.workout,
        simulated=data.meta.get("kind") == "sim" or "sim" in sources, ended=data.ended,
        work_reps=s.work_reps, distance_m=s.distance_m, work_pace_s_per_km=s.work_pace_s_per_km,
        consistency_s_per_km=consistency_s_per_km(work_paces_s_per_km(data)),
        work_cadence_spm=s.work_cadence_spm,
        rep_times_s=tuple(r.duration_s for r in data.reps
                          if r.kind is RepKind.WORK and r.completed),
    )  # fmt: skip


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
