"""Pure review of a session: summary, per-rep rows, review JSON, comparison with an earlier run.

Everything here is a function of :class:`~pacer.session.reader.SessionData` (and, for
comparisons, a second one); no IO, no clock reads. ``review_json`` is the contract in
docs/contracts.md ("Review JSON").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pacer.models import Rep, RepKind
from pacer.review.display import review_units
from pacer.review.jsonparts import heard_cues as heard_cues  # re-exported: text, html
from pacer.review.jsonparts import rep_stats_json, split_json
from pacer.review.stats import rep_splits, rep_stats, session_splits

if TYPE_CHECKING:  # the reader does IO; only its types are needed here
    from pacer.session.reader import SessionData
    from pacer.session.rows import JsonDict


@dataclass(frozen=True)
class RepRow:
    """One line of the review table. Deviations are actual minus target (negative = quick)."""

    index: int
    kind: str
    label: str
    start_s: float
    duration_s: float
    distance_m: float
    target_duration_s: float | None
    target_distance_m: float | None
    target_pace_s_per_km: float | None
    pace_s_per_km: float | None
    deviation_s: float | None  # time over the target distance vs the target time
    deviation_s_per_km: float | None  # pace vs target pace
    cadence_spm: float | None
    distance_source: str
    completed: bool = True  # False: the rep was stopped before its end
    number: int = 0  # the ``#`` a person reads: the step's place in the session, from 1


@dataclass(frozen=True)
class SessionSummary:
    id: str
    start_utc: dt.datetime | None
    duration_s: float
    distance_m: float
    workout: str | None
    ended: str
    work_reps: int
    work_distance_m: float
    work_duration_s: float
    work_pace_s_per_km: float | None  # distance-weighted over work reps
    work_cadence_spm: float | None  # time-weighted over work reps that have cadence
    reps_on_target: int  # work reps within 1 % of target time/pace
    cues_spoken: int
    cues_dropped: int
    events: int


@dataclass(frozen=True)
class RepComparison:
    index: int
    label: str
    delta_s: float | None  # this run minus the earlier one: duration (same target) ...
    delta_s_per_km: float | None  # ... or pace when the distances differ
    text: str


#: a work rep within this fraction of its target counts as on target
ON_TARGET_FRACTION = 0.01
#: below this distance a step has no meaningful pace (a walk-in, a GPS wobble)
MIN_PACE_DISTANCE_M = 20.0
#: slower than this (30:00/km) a "pace" is standing still, not running or walking
MAX_PACE_S_PER_KM = 1800.0


def meaningful_pace(
    duration_s: float, distance_m: float, pace_s_per_km: float | None = None
) -> float | None:
    """The pace of a step, or None when it means nothing.

    ``pace_s_per_km`` (as recorded) or else duration over distance; None when the
    distance is under :data:`MIN_PACE_DISTANCE_M` or the pace is slower than
    :data:`MAX_PACE_S_PER_KM` (0.05 m in 2.4 h is not a pace of 157:51:45/km).
    """
    if distance_m < MIN_PACE_DISTANCE_M:
        return None
    pace = pace_s_per_km if pace_s_per_km is not None else duration_s / distance_m * 1000.0
    return pace if 0.0 < pace <= MAX_PACE_S_PER_KM else None


def utc_json(when: dt.datetime | None) -> str | None:
    """``2026-11-20T10:00:00Z`` style (UTC, ``Z`` suffix), None stays None."""
    if when is None:
        return None
    text = when.astimezone(dt.UTC).isoformat()
    return text.replace("+00:00", "Z")


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def session_start_utc(data: SessionData) -> dt.datetime | None:
    """Meta ``start_utc``, else back-computed from the first record that carries UTC."""
    text = data.meta.get("start_utc")
    if isinstance(text, str) and text:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    for fix in data.fixes:
        if fix.utc is not None:
            return fix.utc - dt.timedelta(seconds=fix.t_s)
    for est in data.estimates:
        if est.utc is not None:
            return est.utc - dt.timedelta(seconds=est.t_s)
    return None


def session_duration_s(data: SessionData) -> float:
    ends = [0.0]
    if data.estimates:
        ends.append(data.estimates[-1].t_s)
    if data.fixes:
        ends.append(data.fixes[-1].t_s)
    ends.extend(rep.start_s + rep.duration_s for rep in data.reps)
    ends.extend(cue.t_s + (cue.duration_s or 0.0) for cue in data.cues)
    return max(ends)


def session_distance_m(data: SessionData) -> float:
    if data.estimates:
        return max(e.distance_m for e in data.estimates)
    return sum(rep.distance_m for rep in data.reps)


def workout_title(data: SessionData) -> str | None:
    """For people: ``"6x400: 800m jog; 6x(400m @90s, 200m jog); 800m jog"`` when the
    workout has a library name (``meta.workout_name``), else the workout text."""
    text = workout_name(data)
    name = data.meta.get("workout_name")
    if name and text and str(name) != text:
        return f"{name}: {text}"
    return str(name) if name else text


def workout_name(data: SessionData) -> str | None:
    """The workout as recorded (``meta.workout``: the text, or a dict with name/text)."""
    workout = data.meta.get("workout")
    if workout is None:
        return None
    if isinstance(workout, dict):
        return str(workout.get("name") or workout.get("text") or "") or None
    return str(workout)


def target_time_s(rep: Rep) -> float | None:
    """The time the target asks for over the distance actually run (None if no target)."""
    if rep.target_pace_s_per_km is not None and rep.distance_m > 0:
        return rep.distance_m * rep.target_pace_s_per_km / 1000.0
    if rep.target_duration_s is not None and rep.target_distance_m:
        # a time target for a distance rep, scaled to the distance run
        return rep.target_duration_s * rep.distance_m / rep.target_distance_m
    return None


def target_pace(rep: Rep) -> float | None:
    if rep.target_pace_s_per_km is not None:
        return rep.target_pace_s_per_km
    if rep.target_duration_s and rep.target_distance_m:
        return rep.target_duration_s / rep.target_distance_m * 1000.0
    return None


def rep_rows(data: SessionData) -> list[RepRow]:
    out = []
    for number, rep in enumerate(data.reps, 1):
        pace = meaningful_pace(rep.duration_s, rep.distance_m, rep.pace_s_per_km)
        tpace = target_pace(rep)
        # a time deviation over a few metres is noise, like the pace
        ttime = target_time_s(rep) if rep.distance_m >= MIN_PACE_DISTANCE_M else None
        out.append(
            RepRow(
                index=rep.index,
                kind=rep.kind.value,
                label=rep.label,
                start_s=rep.start_s,
                duration_s=rep.duration_s,
                distance_m=rep.distance_m,
                target_duration_s=rep.target_duration_s,
                target_distance_m=rep.target_distance_m,
                target_pace_s_per_km=tpace,
                pace_s_per_km=pace,
                deviation_s=None if ttime is None else rep.duration_s - ttime,
                deviation_s_per_km=None if tpace is None or pace is None else pace - tpace,
                cadence_spm=rep.cadence_spm,
                distance_source=rep.distance_source.value, completed=rep.completed, number=number,
            )  # fmt: skip
        )
    return out


def summarize(data: SessionData) -> SessionSummary:
    # a rep stopped short (END mid-rep) is listed but not counted in the work totals
    work = [r for r in data.reps if r.kind is RepKind.WORK and r.completed]
    done = {r.index for r in work}
    work_rows = [r for r in rep_rows(data) if r.kind == RepKind.WORK.value and r.index in done]
    dist = sum(r.distance_m for r in work)
    dur = sum(r.duration_s for r in work)
    cad = [(r.cadence_spm, r.duration_s) for r in work if r.cadence_spm is not None]
    cad_t = sum(d for _, d in cad)
    on_target = sum(
        1 for r in work_rows
        if r.deviation_s_per_km is not None and r.target_pace_s_per_km
        and abs(r.deviation_s_per_km) <= ON_TARGET_FRACTION * r.target_pace_s_per_km
    )  # fmt: skip
    return SessionSummary(
        id=data.id, start_utc=session_start_utc(data), duration_s=session_duration_s(data),
        distance_m=session_distance_m(data), workout=workout_title(data), ended=data.ended,
        work_reps=len(work), work_distance_m=dist, work_duration_s=dur,
        work_pace_s_per_km=meaningful_pace(dur, dist),
        work_cadence_spm=sum(c * d for c, d in cad) / cad_t if cad_t > 0 else None,
        reps_on_target=on_target,
        cues_spoken=sum(1 for c in data.cues if not c.dropped),
        cues_dropped=sum(1 for c in data.cues if c.dropped), events=len(data.events),
    )  # fmt: skip


def review_json(data: SessionData, *, units: str | None = None) -> JsonDict:
    """The ``pacer review --json`` object (docs/contracts.md, "Review JSON").

    Numbers stay in SI units; ``session.units`` says which units the text, plot and HTML
    of the review use (``units``, else :func:`pacer.review.display.review_units`).
    Heart rate per rep and the zones are added by :mod:`pacer.review.heart_rate`.
    """
    from pacer.review.heart_rate import add_heart_rate_json

    doc = _review_json(data, units)
    add_heart_rate_json(doc, data)
    return doc


def _review_json(data: SessionData, units: str | None) -> JsonDict:
    start = session_start_utc(data)
    miles = review_units(data, units) == "mi"
    stats = rep_stats(data)
    return {
        "session": {
            "id": data.id,
            "start_utc": utc_json(start),
            "duration_s": _r(session_duration_s(data)),
            "distance_m": _r(session_distance_m(data)),
            "workout": workout_name(data),
            "sources": dict(data.meta.get("sources") or {}),
            "ended": data.ended,
            "units": "mi" if miles else "km",
            "splits": [split_json(s) for s in session_splits(data, miles=miles)],
        },
        "reps": [
            {
                "index": rep.index,
                "number": row.number,
                "kind": rep.kind.value,
                "label": rep.label,
                "completed": rep.completed,
                "start_utc": utc_json(
                    rep.start_utc or (start + dt.timedelta(seconds=rep.start_s) if start else None)
                ),
                "start_s": _r(rep.start_s),
                "duration_s": _r(rep.duration_s),
                "distance_m": _r(rep.distance_m),
                "target_distance_m": _r(rep.target_distance_m),
                "target_duration_s": _r(rep.target_duration_s),
                "target_pace_s_per_km": _r(rep.target_pace_s_per_km, 2),
                "pace_s_per_km": _r(row.pace_s_per_km, 2),
                "cadence_spm": _r(rep.cadence_spm, 1),
                "distance_source": rep.distance_source.value,
                "splits": [split_json(s) for s in (
                    rep_splits(rep, data.estimates, miles=miles)
                    if rep.kind is RepKind.WORK else [])],  # fmt: skip
            }
            for rep, row in zip(data.reps, rep_rows(data), strict=True)
        ],
        "rep_stats": None if stats is None else rep_stats_json(stats),
        "cues": [
            {
                "t_s": _r(heard_s),
                "planned_t_s": _r(cue.t_s),
                "duration_s": _r(heard_dur_s),
                "kind": cue.kind.value,
                "text": cue.text,
                "priority": cue.priority,
                "dropped": cue.dropped,
            }
            for cue, (heard_s, heard_dur_s) in zip(data.cues, heard_cues(data), strict=True)
        ],
    }


def comparison_json(comparison: list[RepComparison]) -> list[JsonDict]:
    """The ``comparison`` array of the review JSON."""
    return [
        {"index": c.index, "delta_s": _r(c.delta_s),
         "delta_s_per_km": _r(c.delta_s_per_km, 2), "text": c.text}
        for c in comparison
    ]  # fmt: skip


def relative_day(now_utc: dt.datetime, then_utc: dt.datetime) -> str:
    """How a runner names an earlier day: "earlier today", "yesterday", "last Tuesday",
    "on 3 Nov", "on 3 Nov 2025" (UTC dates)."""
    days = (now_utc.date() - then_utc.date()).days
    if days <= 0:
        return "earlier today"
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"last {then_utc.strftime('%A')}"
    if then_utc.year == now_utc.year:
        return f"on {then_utc.day} {then_utc.strftime('%b')}"
    return f"on {then_utc.day} {then_utc.strftime('%b %Y')}"


def _faster_slower(delta: float, unit: str, when: str, digits: int) -> str:
    if round(abs(delta), digits) == 0:
        return f"same as {when}"
    word = "faster" if delta < 0 else "slower"
    return f"{abs(delta):.{digits}f} {unit} {word} than {when}"


def compare_reps(current: SessionData, earlier: SessionData) -> list[RepComparison]:
    """Per-rep differences, work reps matched by their order in each session.

    Reps over the same target distance compare by time ("rep 3: 0.8 s faster than last
    Tuesday"); otherwise by pace (s/km; the text in s/mi when reviewed in miles).
    """
    per_mile = review_units(current) == "mi"
    now, then = session_start_utc(current), session_start_utc(earlier)
    when = relative_day(now, then) if now and then else f"session {earlier.id}"
    mine = [r for r in current.reps if r.kind is RepKind.WORK]
    theirs = [r for r in earlier.reps if r.kind is RepKind.WORK]
    out = []
    for n, (a, b) in enumerate(zip(mine, theirs, strict=False), 1):
        name = f"rep {n}"
        same_target = (
            a.target_distance_m is not None and a.target_distance_m == b.target_distance_m
        ) or (
            a.target_duration_s is not None
            and a.target_duration_s == b.target_duration_s
            and a.target_distance_m is None
        )
        if same_target and a.target_distance_m is not None:
            delta = round(a.duration_s - b.duration_s, 3)  # as the other times
            out.append(
                RepComparison(
                    a.index, name, delta, None, f"{name}: {_faster_slower(delta, 's', when, 1)}"
                )
            )
            continue
        pa = meaningful_pace(a.duration_s, a.distance_m, a.pace_s_per_km)
        pb = meaningful_pace(b.duration_s, b.distance_m, b.pace_s_per_km)
        if pa is None or pb is None:
            out.append(RepComparison(a.index, name, None, None, f"{name}: no pace to compare"))
            continue
        delta = round(pa - pb, 2)  # as the other paces
        out.append(
            RepComparison(
                a.index, name, None, delta,
                f"{name}: {_faster_slower(delta * 1.609344, 's/mi', when, 1)}" if per_mile
                else f"{name}: {_faster_slower(delta, 's/km', when, 1)}",
            )
        )
    return out
