"""A cue candidate: what to say, when, at its kind's priority, and until when it is true."""

from __future__ import annotations

from pacer.coach.cues import PRIORITY
from pacer.models import Cue, CueKind


def make_cue(t_s: float, kind: CueKind, text: str, expires_after_s: float) -> Cue:
    """A cue for session time ``t_s``, no longer worth saying ``expires_after_s`` later."""
    return Cue(t_s=t_s, kind=kind, text=text, priority=PRIORITY[kind],
               expires_s=t_s + expires_after_s)  # fmt: skip
