"""Plain-text review: the rep table, the session summary, the cue timeline, comparisons.

Pure formatting of :mod:`pacer.review.summary` results; the CLI prints the lines.
"""

from __future__ import annotations

from pacer.models import RepKind
from pacer.review.display import distance_text, pace_text, review_units, total_distance_text
from pacer.review.heart_rate import heart_rate_lines
from pacer.review.stats import RepStats, rep_splits, rep_stats, session_splits
from pacer.review.summary import (
    RepComparison,
    RepRow,
    SessionSummary,
    heard_cues,
    rep_rows,
    summarize,
)
from pacer.session.reader import SessionData
from pacer.units import format_clock

HEADER = ("#", "step", "target", "time", "dist", "pace", "target pace", "dev", "cadence", "source")


def _seconds(t_s: float) -> str:
    return f"{t_s:.1f} s" if t_s < 60 else format_clock(t_s, tenths=True)


def _target(row: RepRow, units: str = "km") -> str:
    dist = distance_text(row.target_distance_m or 0.0, units)
    if row.target_distance_m and row.target_duration_s:
        return f"{dist} in {_seconds(row.target_duration_s)}"
    if row.target_distance_m and row.target_pace_s_per_km:
        target_s = row.target_distance_m * row.target_pace_s_per_km / 1000.0
        return f"{dist} in {_seconds(target_s)}"
    if row.target_distance_m:
        return dist
    if row.target_duration_s and row.target_pace_s_per_km:
        pace = pace_text(row.target_pace_s_per_km, units)
        return f"{format_clock(row.target_duration_s)} at {pace}"
    if row.target_duration_s:
        return format_clock(row.target_duration_s)
    return ""


def _deviation(row: RepRow) -> str:
    if row.deviation_s is None:
        return ""
    return f"{row.deviation_s:+.1f} s"


def rep_cells(r: RepRow, units: str = "km") -> tuple[str, ...]:
    """The table cells of one rep, in :data:`HEADER` order (``#`` from 1; a rep stopped
    before its end says so after its label)."""
    label = r.label or r.kind
    if not r.completed and "stopped" not in label:
        label += ", stopped"
    return (
        str(r.number), label, _target(r, units),
        format_clock(r.duration_s, tenths=True), distance_text(r.distance_m, units),
        "--" if r.pace_s_per_km is None else pace_text(r.pace_s_per_km, units),
        pace_text(r.target_pace_s_per_km, units) if r.target_pace_s_per_km else "",
        _deviation(r), "" if r.cadence_spm is None else f"{r.cadence_spm:.0f} spm",
        r.distance_source,
    )  # fmt: skip


def rep_table(rows: list[RepRow], units: str = "km") -> list[str]:
    """Aligned table lines (header first)."""
    cells = [HEADER] + [rep_cells(r, units) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADER))]
    return ["  ".join(c[i].ljust(widths[i]) for i in range(len(HEADER))).rstrip() for c in cells]


def summary_lines(s: SessionSummary, units: str = "km") -> list[str]:
    when = s.start_utc.strftime("%a %d %b %Y %H:%M UTC") if s.start_utc else "time unknown"
    ended = ("ended normally" if s.ended == "normal" else "still being recorded"
             if s.ended == "live" else f"ended {s.ended}")
    lines = [
        f"session {s.id}  {when}  {s.workout or '(no workout)'}  ({ended})",
        f"total {format_clock(s.duration_s)}, {total_distance_text(s.distance_m, units)}",
    ]
    if s.work_reps:
        cad = f", {s.work_cadence_spm:.0f} spm" if s.work_cadence_spm else ""
        lines.append(
            f"work: {s.work_reps} reps, {distance_text(s.work_distance_m, units)} in "
            f"{format_clock(s.work_duration_s, tenths=True)} "
            f"({pace_text(s.work_pace_s_per_km, units)}"
            f"{cad}); {s.reps_on_target} of {s.work_reps} within 1 % of target"
        )
    lines.append(f"cues: {s.cues_spoken} spoken, {s.cues_dropped} dropped; events: {s.events}")
    return lines


def stats_line(st: RepStats, units: str = "km") -> str:
    """``reps: average 1:10.9, fastest 1:09.9 (#7), slowest 1:12.1 (#13), spread 2.1 s;
    consistency 88/100`` (by pace when the reps differ in distance)."""
    where = f"(#{st.fastest_number})", f"(#{st.slowest_number})"
    score = "" if st.consistency is None else f"; consistency {st.consistency:.0f}/100"
    if st.basis == "time" and st.mean_duration_s is not None:
        assert st.fastest_duration_s is not None and st.slowest_duration_s is not None
        return (
            f"reps: average {format_clock(st.mean_duration_s, tenths=True)}, fastest "
            f"{format_clock(st.fastest_duration_s, tenths=True)} {where[0]}, slowest "
            f"{format_clock(st.slowest_duration_s, tenths=True)} {where[1]}, "
            f"spread {st.spread_s:.1f} s{score}"
        )
    spread = st.spread_s_per_km or 0.0
    spread_unit = spread * (1.609344 if units == "mi" else 1.0)
    return (
        f"reps: average {pace_text(st.mean_pace_s_per_km, units)}, fastest "
        f"{pace_text(st.fastest_pace_s_per_km, units)} {where[0]}, slowest "
        f"{pace_text(st.slowest_pace_s_per_km, units)} {where[1]}, "
        f"spread {spread_unit:.1f} s/{units}{score}"
    )


def split_lines(data: SessionData, units: str = "km") -> list[str]:
    """One line per work rep with splits: ``#1 rep 1 of 8: 100 m 17.3, 200 m 17.5, ...``."""
    out = []
    for number, rep in enumerate(data.reps, 1):
        if rep.kind is not RepKind.WORK:
            continue
        splits = rep_splits(rep, data.estimates, miles=units == "mi")
        if len(splits) < 2:
            continue
        parts = ", ".join(
            f"{distance_text(s.distance_m, units)} {_seconds(s.duration_s).removesuffix(' s')}"
            for s in splits
        )
        out.append(f"#{number} {rep.label or rep.kind.value}: {parts}")
    return out


def _lap_distance(distance_m: float, units: str) -> str:
    if units == "mi":
        return distance_text(distance_m, units)
    km = distance_m / 1000.0
    return f"{km:.0f} km" if abs(km - round(km)) < 0.005 else f"{km:.2f} km"


def session_split_lines(data: SessionData, units: str = "km") -> list[str]:
    """Auto-lap splits of the whole session (every km or mile): ``1 km  4:58  4:58/km``."""
    rows = [(_lap_distance(s.distance_m, units), format_clock(s.duration_s),
             pace_text(s.pace_s_per_km, units))
            for s in session_splits(data, miles=units == "mi")]  # fmt: skip
    if not rows:
        return []
    width = max(len(r[0]) for r in rows)
    return [f"{a:>{width}}  {b:>7}  {c}" for a, b, c in rows]


def cue_lines(data: SessionData) -> list[str]:
    """The cue timeline as heard: when each cue started sounding and for how long."""
    out = []
    audio = data.cue_audio or tuple({} for _ in data.cues)
    heard = heard_cues(data)
    for cue, info, (heard_s, _dur) in zip(data.cues, audio, heard, strict=True):
        dur = f"{cue.duration_s:4.1f} s" if cue.duration_s is not None else "   -  "
        notes = []
        if cue.dropped:
            notes.append("dropped" + (f": {info['reason']}" if info.get("reason") else ""))
        if info.get("truncated"):
            notes.append("cut short")
        if heard_s - cue.t_s >= 0.05:
            notes.append(f"started {heard_s - cue.t_s:.1f} s late")
        mark = f"  ({'; '.join(notes)})" if notes else ""
        out.append(
            f"{format_clock(heard_s, tenths=True):>8}  {dur}  {cue.kind.value:<15} {cue.text}{mark}"
        )
    return out


def review_text(
    data: SessionData,
    *,
    cues: bool = False,
    comparison: list[RepComparison] | None = None,
    units: str | None = None,
) -> str:
    """The text review; ``units`` km or mi (default: :func:`review_units`)."""
    units = review_units(data, units)
    lines = summary_lines(summarize(data), units)
    stats = rep_stats(data)
    if stats is not None:
        lines.append(stats_line(stats, units))
    lines.append("")
    lines.extend(rep_table(rep_rows(data), units) if data.reps else ["(no reps recorded)"])
    splits = split_lines(data, units)
    if splits:
        lines += ["", "splits:", *splits]
    if not any(r.kind is RepKind.WORK for r in data.reps):  # a free or steady run
        laps = session_split_lines(data, units)
        if laps:
            lines += ["", f"splits (every {'mile' if units == 'mi' else 'km'}):", *laps]
    if comparison:
        lines.append("")
        lines.extend(c.text for c in comparison)
    if hr_lines := heart_rate_lines(data):
        lines += ["", *hr_lines]
    if data.events:
        lines.append("")
        lines.extend(f"{format_clock(e.t_s):>8}  {e.kind}: {e.message}" for e in data.events)
    if cues:
        lines.append("")
        lines.append("cues:")
        lines.extend(cue_lines(data) or ["(no cues)"])
    return "\n".join(lines) + "\n"
