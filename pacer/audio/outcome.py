"""What became of each spoken cue: the per-cue record kept by :class:`AudioOut` and the
:class:`CueOutcome` it turns into at close (stored with the session, shown by review).
"""

from __future__ import annotations

import bisect
import math

from pacer.audio.mixer import Mixer
from pacer.models import Cue, CueOutcome  # CueOutcome: a record the store keeps too


class CueRecord:
    """One ``say()``: the cue, when it was said, and what the audio path did with it."""

    __slots__ = (
        "cue",
        "engine",
        "first_wall_s",
        "pid",
        "reason",
        "say_mixer_s",
        "say_wall_s",
        "start_n",
    )

    def __init__(self, cue: Cue, say_wall_s: float, say_mixer_s: float) -> None:
        self.cue = cue
        self.say_wall_s = say_wall_s
        self.say_mixer_s = say_mixer_s
        self.pid: int | None = None
        self.reason = ""
        self.engine = ""
        self.first_wall_s: float | None = None
        self.start_n: int | None = None


def _overlaps(spans: list[tuple[int, int]], n0: int, n1: int) -> bool:
    """True if ``[n0, n1)`` meets one of the sorted, disjoint ``spans``."""
    k = bisect.bisect_right(spans, (n1, n1))
    return any(a < n1 and n0 < b for a, b in spans[max(0, k - 2) : k + 1])


def cue_outcomes(
    records: list[CueRecord],
    mixer: Mixer,
    *,
    live: bool,
    lost_spans: list[tuple[int, int]] | None = None,
) -> list[CueOutcome]:
    """One :class:`CueOutcome` per record, in ``say()`` order, from the mixer's outcomes.

    Live, a cue's start is moved from mixer time to session time by the offset between
    the two at ``say()``; offline mixer time is session time. ``lost_spans``: mixer
    sample ranges the sink could not deliver (a wedged or dead ``aplay``); a cue with
    audio in one is marked dropped ("not played").
    """
    spans = sorted(lost_spans or [])
    return [_unrendered(r) if r.pid is None else _played(r, r.pid, mixer, live, spans)
            for r in records]


def _unrendered(r: CueRecord) -> CueOutcome:
    """The outcome of a cue that never reached the mixer (its reason, or "not rendered")."""
    cue = r.cue
    return CueOutcome(
        cue.t_s,
        None,
        0.0,
        True,
        r.engine,
        cue.text,
        cue.kind.value,
        cue.priority,
        reason=r.reason or "not rendered",
    )


def _played(r: CueRecord, pid: int, mixer: Mixer, live: bool,
            spans: list[tuple[int, int]]) -> CueOutcome:
    """The outcome of a cue the mixer took as ``pid``: its start (session s), duration,
    latency (wall s, live only) and whether it was dropped, cut or lost in ``spans``."""
    cue = r.cue
    o = mixer.outcome(pid)
    start = None
    latency = None
    if o.start_s is not None:
        if live:
            start = cue.t_s + (o.start_s - r.say_mixer_s)
            if r.first_wall_s is not None and math.isfinite(r.first_wall_s):
                latency = r.first_wall_s - r.say_wall_s
        else:
            start = o.start_s
    reason = "expired" if o.dropped else ("pre-empted" if o.truncated else "")
    dropped = o.dropped
    if not dropped and o.start_s is not None and spans:
        n0 = round(o.start_s * mixer.rate_hz)
        if _overlaps(spans, n0, n0 + max(1, round(o.duration_s * mixer.rate_hz))):
            dropped, reason = True, "not played: the audio device took no audio"
    return CueOutcome(
        cue.t_s,
        start,
        o.duration_s,
        dropped,
        r.engine,
        cue.text,
        cue.kind.value,
        cue.priority,
        o.truncated,
        reason,
        latency,
    )
