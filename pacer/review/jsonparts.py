"""Parts of the review JSON: splits and rep statistics rounded as the contract says, and
each cue as the runner heard it (docs/contracts.md, "Review JSON")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pacer.review.stats import RepStats, Split

if TYPE_CHECKING:  # the reader does IO; only its types are needed here
    from pacer.session.reader import SessionData
    from pacer.session.rows import JsonDict


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def heard_cues(data: SessionData) -> list[tuple[float, float | None]]:
    """Per cue, ``(t_s, duration_s)`` as the runner heard it: when its first sample
    played (the recorded audio outcome), else when it was due; and how long it sounded."""
    audio = data.cue_audio or tuple({} for _ in data.cues)
    out = []
    for cue, info in zip(data.cues, audio, strict=True):
        start = info.get("start_s")
        heard = float(start) if start is not None and not cue.dropped else cue.t_s
        out.append((heard, None if cue.dropped else cue.duration_s))
    return out


def split_json(split: Split) -> JsonDict:
    return {"distance_m": _r(split.distance_m), "elapsed_s": _r(split.elapsed_s),
            "duration_s": _r(split.duration_s), "pace_s_per_km": _r(split.pace_s_per_km, 2)}


def rep_stats_json(stats: RepStats) -> JsonDict:
    """The ``rep_stats`` object of the review JSON (rounded like the other fields)."""
    return {
        "reps": stats.reps, "basis": stats.basis,
        "mean_duration_s": _r(stats.mean_duration_s),
        "fastest_duration_s": _r(stats.fastest_duration_s),
        "slowest_duration_s": _r(stats.slowest_duration_s), "spread_s": _r(stats.spread_s),
        "mean_pace_s_per_km": _r(stats.mean_pace_s_per_km, 2),
        "fastest_pace_s_per_km": _r(stats.fastest_pace_s_per_km, 2),
        "slowest_pace_s_per_km": _r(stats.slowest_pace_s_per_km, 2),
        "spread_s_per_km": _r(stats.spread_s_per_km, 2),
        "fastest_index": stats.fastest_index, "slowest_index": stats.slowest_index,
        "fastest_number": stats.fastest_number, "slowest_number": stats.slowest_number,
        "consistency": _r(stats.consistency, 1),
    }  # fmt: skip
