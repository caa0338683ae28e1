"""Checks of what the coach said against what the runner did (issue 12's properties)."""

from __future__ import annotations

from pacer.models import CueKind, RepKind


def contradictions(engine, log, slack=0.015):
    """Drift cues that the rep's final figure contradicts: "push" in a rep that ends
    more than ``slack`` quick, "ease off" in one that ends more than ``slack`` slow,
    and any drift cue within a second of the line."""
    bad = []
    for rep in engine.reps:
        if rep.kind is not RepKind.WORK or not rep.completed or rep.target_pace_s_per_km is None:
            continue
        if rep.pace_s_per_km is None:
            continue
        end = rep.start_s + rep.duration_s
        error = (rep.pace_s_per_km - rep.target_pace_s_per_km) / rep.target_pace_s_per_km
        for c in log.said:
            if c.kind is not CueKind.DRIFT or not rep.start_s <= c.t_s < end:
                continue
            slow = "push" in c.text
            if (slow and error < -slack) or (not slow and error > slack) or end - c.t_s < 1.0:
                bad.append((rep.label, round(c.t_s, 1), c.text, round(error, 3)))
    return bad
