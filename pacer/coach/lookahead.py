"""Cues placed ahead of a step's end, so that the next rep starts on time.

* a timed recovery's countdown and "go", at their exact times (up to a second ahead);
* a distance recovery's "next rep in 50 metres", then its "3", "2", "1" and "go" at
  the projected times (each placed once it is under a second away);
* the preview of a rep that will wait to be started, said early enough to end before
  the step ahead of it does (then the rep's "go" is never held up by it);
* the time of the next of these fixed-time cues, which the cue policy keeps clear.

Pure: estimates and the step's tally in, cues out. What follows the current step is
asked of the engine's workout cursor through ``rep_follows`` / ``next_step`` callables,
so that it is looked up only when needed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeGuard

from pacer.coach.boundaries import arms_next
from pacer.coach.cues import CuePolicy
from pacer.coach.language.workout import PlannedStep
from pacer.coach.narrator import Narrator
from pacer.coach.step_tally import StepTally
from pacer.models import Cue, CueKind, Estimate, RepKind

PREVIEW_LEAD_S = 2.0  # an armed rep's preview ends at least ~1 s before the step ahead ends
PREVIEW_MARGIN_S = 0.5  # ... and it must fit with this much to spare
PREDICTED_GO_AHEAD_S = 1.0  # a distance recovery's "go" is placed once its end is this near
PREDICTED_COUNT_S = 3.0  # ... and its "3", "2", "1" before it, from the projected end
WARN_M = 50.0  # "next rep in 50 metres" this far from a distance recovery's end ...
WARN_S = 20.0  # ... or this long before it, whichever comes later
#: below this speed the runner is standing (a slow walk is ~1 m/s): no step end is
#: projected from it. It also keeps the projections finite: a filtered speed that decays
#: towards zero (1e-300 m/s) would put a step's end at an overflowing time.
MIN_PROJECTION_SPEED_MPS = 0.5

#: (session time, session distance) -> the step that would come next there
NextStep = Callable[[float, float], PlannedStep | None]


class LookaheadCues:
    """The cues placed ahead of the current step's end (mutable state per step)."""

    def __init__(self, narrator: Narrator, policy: CuePolicy) -> None:
        self._narrator = narrator
        self._policy = policy
        self.go_at_s: float | None = None  # when the "go" of the coming rep is said
        self.reset_step()

    def reset_step(self) -> None:
        """A step starts: the next armed rep's preview has not been tried."""
        self._preview_tried = False  # the next armed rep's preview was tried early
        self._warned = False  # a distance recovery's "next rep in ..." was said
        self._count_end_s: float | None = None  # the end its "3, 2, 1" count to
        self.previewed = False  # ... and said
        self._preview_text: str | None = None

    def note_admitted(self, admitted: list[Cue]) -> None:
        """The policy's verdict on this pass's cues: was the early preview said?"""
        if self._preview_text is not None:
            self.previewed = any(c.kind is CueKind.PREVIEW and c.text == self._preview_text
                                 and not c.dropped for c in admitted)  # fmt: skip
            self._preview_text = None

    def countdown(self, step: PlannedStep, est: Estimate, tally: StepTally,
                  rep_follows: NextStep) -> list[Cue]:  # fmt: skip
        """The countdown numbers and "go" of a timed recovery due by ``est.t_s + 1 s``."""
        if step.kind is not RepKind.RECOVERY or step.duration_s is None:
            return []
        end_s = tally.at_elapsed_s(step.duration_s)
        nxt = rep_follows(end_s, est.distance_m)  # as the until limit will see it
        out = self._narrator.countdown(est.t_s, end_s, nxt, start_s=tally.start_s)
        if any(c.text == "go" for c in out):
            self.go_at_s = end_s
        return out

    def predicted_go(self, step: PlannedStep, est: Estimate, dist_m: float,
                     rep_follows: NextStep) -> list[Cue]:  # fmt: skip
        """The end of a distance recovery before a rep, from its projected time (``dist_m``
        is the distance run in the step): "next rep in 50 metres" once, then "3", "2",
        "1" and "go" each placed up to a second ahead at the projected moment."""
        if (step.kind is not RepKind.RECOVERY or step.distance_m is None or step.standing
                or self.go_at_s is not None or not _moving(est.speed_mps)):  # fmt: skip
            return []
        left_m = step.distance_m - dist_m
        eta_s = left_m / est.speed_mps
        if eta_s > WARN_S + 1.0 and left_m > WARN_M or rep_follows(est.t_s, est.distance_m) is None:
            return []
        out: list[Cue] = []
        if not self._warned and eta_s > PREDICTED_COUNT_S + 2.0:
            self._warned = True
            words = f"{round(left_m, -1):.0f} metres" if left_m > WARN_M / 2 else "a moment"
            out.append(self._narrator.cue(est.t_s, CueKind.TO_GO, f"next rep in {words}", 3.0))
        if eta_s <= PREDICTED_COUNT_S + PREDICTED_GO_AHEAD_S or self._count_end_s is not None:
            # the end projected when the count began holds for the rest of it (the numbers
            # stay a second apart); a runner far off it moves it
            end_s = est.t_s + eta_s
            if self._count_end_s is not None and abs(self._count_end_s - end_s) < 1.0:
                end_s = self._count_end_s
            counted = self._narrator.countdown(est.t_s, end_s, rep_follows(end_s, est.distance_m),
                                               start_s=max(end_s - PREDICTED_COUNT_S - 0.5,
                                                           est.t_s - 0.25))  # fmt: skip
            out += counted
            if counted and self._count_end_s is None:
                self._count_end_s = end_s
            if any(c.kind is CueKind.GO for c in counted):
                self.go_at_s = end_s
        return out

    def early_preview(self, step: PlannedStep, est: Estimate, elapsed_s: float, dist_m: float,
                      next_step: NextStep) -> list[Cue]:  # fmt: skip
        """The preview of a rep that will wait to be started, said so that it ends before
        ``step`` does; ``elapsed_s`` and ``dist_m`` are the step's time and distance."""
        if self._preview_tried or step.kind is RepKind.WORK or not arms_next(step):
            return []
        if step.duration_s is not None:
            left_s = step.duration_s - elapsed_s
        elif step.distance_m is not None and _moving(est.speed_mps):
            left_s = (step.distance_m - dist_m) / est.speed_mps
        else:
            return []
        nxt = next_step(est.t_s, est.distance_m)
        if nxt is None or nxt.kind is not RepKind.WORK:
            return []
        text = self._narrator.armed_text(nxt)
        speech_s = self._policy.duration_s(text)
        if left_s > speech_s + PREVIEW_LEAD_S:
            return []
        self._preview_tried = True
        spare_s = left_s - speech_s - PREVIEW_MARGIN_S  # latest start that still ends in time
        if spare_s < 0:
            return []  # too late: said when the rep is armed
        self._preview_text = text
        return [self._narrator.cue(est.t_s, CueKind.PREVIEW, text, spare_s)]

    def next_fixed_s(self, step: PlannedStep, last: Estimate, tally: StepTally,
                     rep_follows: NextStep) -> float | None:  # fmt: skip
        """Time of the next countdown number or "go" of the running ``step`` (None if it
        is not a recovery before a rep)."""
        if step.kind is not RepKind.RECOVERY or rep_follows(last.t_s, last.distance_m) is None:
            return None  # no rep follows: no countdown, no "go"
        if step.duration_s is not None:
            return self._narrator.next_countdown_s(tally.at_elapsed_s(step.duration_s))
        if step.distance_m is not None and not step.standing and _moving(last.speed_mps):
            _, dist = tally.elapsed_distance(last.t_s, last.distance_m)
            end_s = last.t_s + max(0.0, step.distance_m - dist) / last.speed_mps
            return self._narrator.next_countdown_s(end_s, PREDICTED_COUNT_S, last.t_s - 0.25)
        return None


def _moving(speed_mps: float | None) -> TypeGuard[float]:
    """Fast enough to project a step's end from (:data:`MIN_PROJECTION_SPEED_MPS`)."""
    return speed_mps is not None and speed_mps > MIN_PROJECTION_SPEED_MPS
