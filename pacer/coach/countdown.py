"""The countdown of a timed recovery: "30 seconds", "10", "3", "2", "1", "go".

The marks (seconds before the recovery ends) come from the verbosity profile. Each is
emitted up to one second ahead with its exact time, so the mixer places it exactly;
"go" is said at the end, when the next rep starts. Pure: time is an argument.
"""

from __future__ import annotations

from pacer.coach import phrasing as say
from pacer.coach.candidates import make_cue
from pacer.coach.cues import CueSettings
from pacer.coach.language.workout import PlannedStep
from pacer.models import Cue, CueKind


class Countdown:
    """The countdown cues of the current step (which marks were said)."""

    def __init__(self, settings: CueSettings) -> None:
        self.settings = settings
        self._said: set[float] = set()  # marks (s before the end) already emitted

    def start_step(self) -> None:
        self._said = set()

    def cues(self, now_s: float, end_s: float, next_step: PlannedStep | None,
             start_s: float | None = None) -> list[Cue]:  # fmt: skip
        """Countdown numbers and "go" due by ``now_s + 1`` for a recovery ending at
        ``end_s`` (none before ``start_s``, when the recovery began); nothing when no
        step follows."""
        out: list[Cue] = []
        if next_step is None:
            return out  # nothing to count down to after the last rep
        spell = self.settings.spell_numbers
        for mark in self.settings.profile_spec.countdown_marks_s:
            t = end_s - mark
            earliest = now_s - 0.5 if start_s is None else max(now_s - 1.5, start_s - 1e-6)
            if mark in self._said or t > now_s + 1.0 or t < earliest:
                continue  # not yet, or before the recovery began
            self._said.add(mark)
            if mark == 0:
                out.append(make_cue(t, CueKind.GO, "go", 1.0))
            elif mark >= 10:
                words = say.whole_seconds(mark, spell)
                text = f"{words} seconds" if mark >= 30 else words
                out.append(make_cue(t, CueKind.COUNTDOWN, text, 1.5))
            else:
                out.append(make_cue(t, CueKind.COUNTDOWN, say.whole_seconds(mark, spell), 0.3))
        return out

    def next_s(self, end_s: float, max_mark_s: float = float("inf"),
               not_before_s: float = float("-inf")) -> float | None:  # fmt: skip
        """Time of the next countdown cue not yet said (for the policy's reservation),
        among the marks up to ``max_mark_s`` before the end, not before ``not_before_s``."""
        pending = [end_s - m for m in self.settings.profile_spec.countdown_marks_s
                   if m not in self._said and m <= max_mark_s
                   and end_s - m >= not_before_s]  # fmt: skip
        return min(pending) if pending else None
