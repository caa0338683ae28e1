"""Work-rep statistics (average, fastest, slowest, spread, consistency) and splits within
reps, from a recorded session. Pure: :class:`~pacer.session.reader.SessionData` in,
frozen dataclasses out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pacer.models import Estimate, Rep, RepKind
from pacer.units import M_PER_MILE

if TYPE_CHECKING:  # the reader does IO; only its types are needed here
    from pacer.session.reader import SessionData

#: each 1 % of variation between rep paces (standard deviation over mean) costs this
#: many points of the 0-100 consistency score
CONSISTENCY_POINTS_PER_PCT = 10.0
#: below this distance a rep gets no splits
MIN_SPLIT_REP_M = 150.0


@dataclass(frozen=True)
class RepStats:
    """Completed work reps compared with each other.

    ``basis`` is ``"time"`` when every rep had the same target distance (then the
    ``*_duration_s`` fields are set and fastest/slowest are by time), else ``"pace"``.
    ``fastest_index`` / ``slowest_index`` are rep ``index`` values in the session.
    """

    reps: int
    basis: str
    mean_duration_s: float | None
    fastest_duration_s: float | None
    slowest_duration_s: float | None
    spread_s: float | None  # slowest minus fastest time
    mean_pace_s_per_km: float | None
    fastest_pace_s_per_km: float | None
    slowest_pace_s_per_km: float | None
    spread_s_per_km: float | None
    fastest_index: int
    slowest_index: int
    fastest_number: int  # the rep's ``#`` in the review (its place in the session, from 1)
    slowest_number: int
    consistency: float | None  # 0-100; None for a single rep


@dataclass(frozen=True)
class Split:
    """One split of a rep: ``distance_m`` and ``elapsed_s`` from the rep's start to the
    split's end, ``duration_s`` the split's own time."""

    distance_m: float
    elapsed_s: float
    duration_s: float
    pace_s_per_km: float | None


def completed_work_reps(data: SessionData) -> list[Rep]:
    return [r for r in data.reps if r.kind is RepKind.WORK and r.completed]


def _pace(rep: Rep) -> float | None:
    if rep.distance_m <= 0 or rep.duration_s <= 0:
        return None
    return rep.pace_s_per_km or rep.duration_s / rep.distance_m * 1000.0


def consistency_score(paces_s_per_km: list[float]) -> float | None:
    """100 minus :data:`CONSISTENCY_POINTS_PER_PCT` per 1 % coefficient of variation of
    the rep paces (population standard deviation over mean), floored at 0; None for
    fewer than two reps. A variation of 0.5 % scores 95, 3 % scores 70."""
    if len(paces_s_per_km) < 2:
        return None
    values = np.asarray(paces_s_per_km, dtype=float)
    cv_pct = float(values.std() / values.mean() * 100.0)
    return max(0.0, 100.0 - CONSISTENCY_POINTS_PER_PCT * cv_pct)


def rep_stats(data: SessionData) -> RepStats | None:
    """Statistics of the completed work reps with a pace; None when there are none."""
    reps = [r for r in completed_work_reps(data) if _pace(r) is not None]
    if not reps:
        return None
    paces = [float(_pace(r) or 0.0) for r in reps]
    targets = {r.target_distance_m for r in reps}
    by_time = len(targets) == 1 and None not in targets
    times = [r.duration_s for r in reps]
    key = times if by_time else paces
    fastest = int(np.argmin(key))
    slowest = int(np.argmax(key))
    return RepStats(
        reps=len(reps), basis="time" if by_time else "pace",
        mean_duration_s=float(np.mean(times)) if by_time else None,
        fastest_duration_s=times[fastest] if by_time else None,
        slowest_duration_s=times[slowest] if by_time else None,
        spread_s=times[slowest] - times[fastest] if by_time else None,
        mean_pace_s_per_km=sum(r.duration_s for r in reps) / sum(r.distance_m for r in reps)
        * 1000.0,
        fastest_pace_s_per_km=min(paces), slowest_pace_s_per_km=max(paces),
        spread_s_per_km=max(paces) - min(paces),
        fastest_index=reps[fastest].index, slowest_index=reps[slowest].index,
        fastest_number=data.reps.index(reps[fastest]) + 1,
        slowest_number=data.reps.index(reps[slowest]) + 1,
        consistency=consistency_score(paces),
    )  # fmt: skip


def split_length_m(rep_distance_m: float, *, miles: bool = False) -> float:
    """The split of a rep: 100 m up to 400 m, 200 m up to 1000 m, 400 m up to 2000 m,
    else 1 km. With ``miles``, reps from 0.9 mile are split by the quarter mile up to
    2 miles, by the mile beyond."""
    if miles and rep_distance_m >= 0.9 * M_PER_MILE:
        return M_PER_MILE / 4 if rep_distance_m <= 2.05 * M_PER_MILE else M_PER_MILE
    if rep_distance_m <= 400.5:
        return 100.0
    if rep_distance_m <= 1000.5:
        return 200.0
    if rep_distance_m <= 2000.5:
        return 400.0
    return 1000.0


def rep_splits(rep: Rep, estimates: tuple[Estimate, ...], *, miles: bool = False) -> list[Split]:
    """Splits of a completed rep from the 1 Hz estimates' cumulative distance.

    The estimates' distance over the rep is scaled to the rep's recorded distance, so the
    splits add up to the rep's time and distance. Empty when the rep is short, stopped, or
    the estimates do not cover it (at least one estimate per split).
    """
    if not rep.completed or rep.distance_m < MIN_SPLIT_REP_M or rep.duration_s <= 0:
        return []
    end_s = rep.start_s + rep.duration_s
    inside = [e for e in estimates if rep.start_s - 1.5 <= e.t_s <= end_s + 1.5]
    split_m = split_length_m(rep.distance_m, miles=miles)
    n_full = int(math.floor(rep.distance_m / split_m + 1e-6))
    if len(inside) < 2 or len(inside) < n_full + 1:
        return []
    t = np.array([e.t_s for e in inside])
    d = np.maximum.accumulate(np.array([e.distance_m for e in inside]))
    d0, d1 = np.interp([rep.start_s, end_s], t, d)
    if d1 - d0 <= 0:
        return []
    along_m = (d - d0) * rep.distance_m / (d1 - d0)
    # a tail under a tenth of a split joins the last one (1609 m by 400 m: 4 splits, not 5)
    marks_m = [k * split_m for k in range(1, n_full + 1)
               if rep.distance_m - k * split_m > 0.1 * split_m]  # fmt: skip
    out: list[Split] = []
    prev_m, prev_s = 0.0, 0.0
    for mark_m in [*marks_m, rep.distance_m]:
        if mark_m == rep.distance_m:
            elapsed_s = rep.duration_s
        else:
            elapsed_s = float(np.interp(mark_m, along_m, t)) - rep.start_s
        dur = elapsed_s - prev_s
        pace = dur / (mark_m - prev_m) * 1000.0 if mark_m - prev_m > 0 and dur > 0 else None
        out.append(Split(float(mark_m), elapsed_s, dur, pace))
        prev_m, prev_s = mark_m, elapsed_s
    return out


def session_splits(data: SessionData, *, miles: bool = False) -> list[Split]:
    """Splits of the whole session, every km (every mile with ``miles``), from the 1 Hz
    estimates: a watch's auto-lap. ``elapsed_s`` is session time; a last part under a
    tenth of a split joins the one before. Empty under one split or without estimates."""
    split_m = M_PER_MILE if miles else 1000.0
    if len(data.estimates) < 2:
        return []
    t = np.array([e.t_s for e in data.estimates])
    d = np.maximum.accumulate(np.array([e.distance_m for e in data.estimates]))
    total_m = float(d[-1] - d[0])
    if total_m < split_m:
        return []
    n_full = int(math.floor(total_m / split_m + 1e-9))
    marks_m = [k * split_m for k in range(1, n_full + 1) if total_m - k * split_m > 0.1 * split_m]
    out: list[Split] = []
    prev_m, prev_s = 0.0, 0.0
    for mark_m in [*marks_m, total_m]:
        elapsed_s = float(t[-1]) if mark_m == total_m else float(np.interp(mark_m, d - d[0], t))
        dur = elapsed_s - prev_s
        pace = dur / (mark_m - prev_m) * 1000.0 if dur > 0 and mark_m > prev_m else None
        out.append(Split(mark_m, elapsed_s, dur, pace))
        prev_m, prev_s = mark_m, elapsed_s
    return out
