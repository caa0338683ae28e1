"""Plain-text review: the rep table, the session summary, the cue timeline, comparisons.

Pure formatting of :mod:`pacer.review.summary` results; the CLI prints the lines.
"""

from __future__ import annotations

from pacer.review.heart_rate import heart_rate_lines
from pacer.review.summary import (
    RepComparison,
    RepRow,
    SessionSummary,
    rep_rows,
    summarize,
)
from pacer.session.reader import SessionData
from pacer.units import format_clock, format_pace

HEADER = ("#", "step", "target", "time", "dist", "pace", "target pace", "dev", "cadence", "source")


def _seconds(t_s: float) -> str:
    return f"{t_s:.1f} s" if t_s < 60 else format_clock(t_s, tenths=True)


def _target(row: RepRow) -> str:
    if row.target_distance_m and row.target_duration_s:
        return f"{row.target_distance_m:.0f} m in {_seconds(row.target_duration_s)}"
    if row.target_distance_m and row.target_pace_s_per_km:
        target_s = row.target_distance_m * row.target_pace_s_per_km / 1000.0
        return f"{row.target_distance_m:.0f} m in {_seconds(target_s)}"
    if row.target_distance_m:
        return f"{row.target_distance_m:.0f} m"
    if row.target_duration_s and row.target_pace_s_per_km:
        return f"{format_clock(row.target_duration_s)} at {format_pace(row.target_pace_s_per_km)}"
    if row.target_duration_s:
        return format_clock(row.target_duration_s)
    return ""


def _deviation(row: RepRow) -> str:
    if row.deviation_s is None:
        return ""
    return f"{row.deviation_s:+.1f} s"


def rep_cells(r: RepRow) -> tuple[str, ...]:
    """The table cells of one rep, in :data:`HEADER` order."""
    return (
        str(r.index), r.label or r.kind, _target(r),
        format_clock(r.duration_s, tenths=True), f"{r.distance_m:.0f} m",
        "--" if r.pace_s_per_km is None else format_pace(r.pace_s_per_km),
        format_pace(r.target_pace_s_per_km) if r.target_pace_s_per_km else "",
        _deviation(r), "" if r.cadence_spm is None else f"{r.cadence_spm:.0f} spm",
        r.distance_source,
    )  # fmt: skip


def rep_table(rows: list[RepRow]) -> list[str]:
    """Aligned table lines (header first)."""
    cells = [HEADER] + [rep_cells(r) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADER))]
    return ["  ".join(c[i].ljust(widths[i]) for i in range(len(HEADER))).rstrip() for c in cells]


def summary_lines(s: SessionSummary) -> list[str]:
    when = s.start_utc.strftime("%a %d %b %Y %H:%M UTC") if s.start_utc else "time unknown"
    ended = ("ended normally" if s.ended == "normal" else "still being recorded"
             if s.ended == "live" else f"ended {s.ended}")
    lines = [
        f"session {s.id}  {when}  {s.workout or '(no workout)'}  ({ended})",
        f"total {format_clock(s.duration_s)}, {s.distance_m / 1000:.2f} km",
    ]
    if s.work_reps:
        cad = f", {s.work_cadence_spm:.0f} spm" if s.work_cadence_spm else ""
        lines.append(
            f"work: {s.work_reps} reps, {s.work_distance_m:.0f} m in "
            f"{format_clock(s.work_duration_s, tenths=True)} ({format_pace(s.work_pace_s_per_km)}"
            f"{cad}); {s.reps_on_target} of {s.work_reps} within 1 % of target"
        )
    lines.append(f"cues: {s.cues_spoken} spoken, {s.cues_dropped} dropped; events: {s.events}")
    return lines


def cue_lines(data: SessionData) -> list[str]:
    out = []
    audio = data.cue_audio or tuple({} for _ in data.cues)
    for cue, info in zip(data.cues, audio, strict=True):
        dur = f"{cue.duration_s:4.1f} s" if cue.duration_s is not None else "   -  "
        notes = []
        if cue.dropped:
            notes.append("dropped" + (f": {info['reason']}" if info.get("reason") else ""))
        if info.get("truncated"):
            notes.append("cut short")
        if info.get("start_s") is not None and not cue.dropped:
            late_s = info["start_s"] - cue.t_s
            if late_s >= 0.05:
                notes.append(f"started {late_s:.1f} s late")
        mark = f"  ({'; '.join(notes)})" if notes else ""
        out.append(
            f"{format_clock(cue.t_s, tenths=True):>8}  {dur}  {cue.kind.value:<15} {cue.text}{mark}"
        )
    return out


def review_text(
    data: SessionData, *, cues: bool = False, comparison: list[RepComparison] | None = None
) -> str:
    lines = summary_lines(summarize(data))
    lines.append("")
    lines.extend(rep_table(rep_rows(data)) if data.reps else ["(no reps recorded)"])
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
