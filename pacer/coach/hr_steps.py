"""Heart rate in the workout engine: the cue policy on targeted steps, ``until hr < X`` ends.

* A step with a heart-rate target (``@hr 150-160``, or ``@z2`` resolved from the
  configured zones) feeds every estimate's heart rate to
  :class:`~pacer.coach.heart_rate.HeartRateCoach`; its cues (docs/heart-rate.md: grace,
  spacing, hysteresis, at most 3 alerts a step, nothing while paused) become
  ``heart_rate`` cues of the engine's cue schedule.
* A step ending ``until hr < X`` ends once :class:`~pacer.coach.heart_rate.RecoveryEnd`
  says so (heart rate below X for its dwell). When a rep follows, the end is put
  :data:`HR_COUNTDOWN_S` later and counted down ("3", "2", "1", "go") as at the end of a
  timed recovery; otherwise it ends at once.
* Without heart rate (no strap, no contact) such a step says so once and ends on the lap
  button, or after :data:`HR_STEP_MAX_S` of step time. The same maximum caps a step whose
  heart rate never comes down (unless the step has its own time or distance).

Pure: estimates in, cues and end times out.
"""

from __future__ import annotations

import math

from pacer.coach.heart_rate import (
    HeartRateCoach,
    HeartRatePolicy,
    HeartRateTarget,
    HeartRateZones,
    RecoveryEnd,
    StepContext,
)
from pacer.coach.language.workout import PlannedStep
from pacer.coach.lookahead import LookaheadCues, NextStep
from pacer.coach.narrator import Narrator
from pacer.coach.step_tally import StepTally
from pacer.models import Cue, CueKind, Estimate, RepKind

HR_STEP_MAX_S = 300.0  # an ``until hr`` step without its own length ends after this
HR_COUNTDOWN_S = 3.0  # its end is counted down "3, 2, 1, go" when a rep follows
NO_HEART_RATE_TEXT = "no heart rate: press lap to go on, or it ends after 5 minutes"
HR_CUE_EXPIRES_S = 8.0  # a heart-rate cue not said within this is stale


def resolve_target(step: PlannedStep | None,
                   zones: HeartRateZones | None) -> HeartRateTarget | None:  # fmt: skip
    """The bpm range of a step's heart-rate target (a zone needs configured zones; a zone
    the configuration does not have gives no target)."""
    goal = step.hr_target if step is not None else None
    if goal is None:
        return None
    if goal.zone is not None:
        if zones is None or goal.zone > zones.count:
            return None
        return HeartRateTarget.from_zone(zones, goal.zone)
    assert goal.low_bpm is not None and goal.high_bpm is not None
    return HeartRateTarget(goal.low_bpm, goal.high_bpm)


class HeartRateSteps:
    """The engine's heart-rate state for the running step (mutable; pure)."""

    def __init__(self, narrator: Narrator, zones: HeartRateZones | None = None,
                 policy: HeartRatePolicy | None = None) -> None:  # fmt: skip
        self._narrator = narrator
        self.zones = zones
        self.coach = HeartRateCoach(policy or HeartRatePolicy(), zones)
        self._said_s = -math.inf  # when the last heart-rate cue was said (as scheduled)
        self.start_step(None, 0.0)

    def start_step(self, step: PlannedStep | None, t_s: float) -> None:
        """A step starts at ``t_s``: its target, its ``until hr`` detector, a new grace."""
        self._index = step.index if step is not None else -1
        self._start_s = t_s
        self._target = resolve_target(step, self.zones)
        bpm = step.until_hr_below_bpm if step is not None else None
        self._end = RecoveryEnd(bpm) if bpm is not None else None
        self._capped = step is not None and step.distance_m is None and step.duration_s is None
        self._end_s: float | None = None  # decided end of an ``until hr`` step
        self._decided_s = 0.0  # when it was decided
        self._fed_s = -math.inf  # last estimate fed to the detector
        self._no_hr_said = False

    def cues(self, est: Estimate, *, paused: bool) -> list[Cue]:
        """The heart-rate cue of this estimate, on a step with a heart-rate target."""
        if self._target is None or est.heart_rate_bpm is None:
            return []
        # the schedule may have said the last cue late: keep the spacing on said times
        quiet = paused or est.t_s - self._said_s < self.coach.policy.min_spacing_s
        ctx = StepContext(self._index, self._start_s, self._target, quiet)
        said = self.coach.update(est.t_s, est.heart_rate_bpm, ctx)
        if said is None:
            return []
        return [self._narrator.cue(said.t_s, CueKind.HEART_RATE, said.text, HR_CUE_EXPIRES_S)]

    def note_admitted(self, admitted: list[Cue]) -> None:
        """The cue policy's schedule: when the heart-rate cue was said, if it was."""
        for c in admitted:
            if c.kind is CueKind.HEART_RATE and not c.dropped:
                self._said_s = max(self._said_s, c.t_s)

    def step_end(self, step: PlannedStep, est: Estimate, tally: StepTally,
                 rep_follows: NextStep, end_t: float | None, t0: float,
                 ahead: LookaheadCues, cues: list[Cue]) -> float | None:  # fmt: skip
        """The step's end in ``(t0, est.t_s]`` (``end_t`` from its time or distance, None
        if it goes on), brought forward by ``until hr < X``; its cues go to ``cues``, and
        the "go" said is noted in ``ahead`` (the rep then does not say it again)."""
        hr_end, said = self.end(step, est, tally, rep_follows)
        cues += said
        if any(c.kind is CueKind.GO for c in said):
            ahead.go_at_s = self._end_s
        if hr_end is None:
            return end_t
        return max(hr_end, t0) if end_t is None else min(end_t, max(hr_end, t0))

    def end(self, step: PlannedStep, est: Estimate, tally: StepTally,
            rep_follows: NextStep) -> tuple[float | None, list[Cue]]:  # fmt: skip
        """An ``until hr`` step: (its end time if it ends by ``est.t_s``, the cues due:
        the countdown and "go", or the one "no heart rate" notice)."""
        if self._end is None:
            return None, []
        cues: list[Cue] = []
        nxt = rep_follows(est.t_s, est.distance_m) if step.kind is RepKind.RECOVERY else None
        if self._end_s is None and est.t_s > self._fed_s:
            self._fed_s = est.t_s
            cues += self._feed(est, nxt is not None)
            cap_s = tally.at_elapsed_s(HR_STEP_MAX_S)
            if self._end_s is None and self._capped and est.t_s + HR_COUNTDOWN_S + 1 >= cap_s:
                self._decide(est.t_s, max(cap_s, est.t_s))
        if self._end_s is None:
            return None, cues
        cues += self._narrator.countdown(est.t_s, self._end_s, nxt, start_s=self._decided_s)
        return (self._end_s if est.t_s >= self._end_s - 1e-9 else None), cues

    def _feed(self, est: Estimate, counted: bool) -> list[Cue]:
        """One estimate to the detector; decide the end when heart rate has come down."""
        assert self._end is not None
        bpm = est.heart_rate_bpm
        if bpm is None:
            if self._no_hr_said:
                return []
            self._no_hr_said = True
            return self._narrator.status(est.t_s, NO_HEART_RATE_TEXT)
        if self._end.update(est.t_s, bpm):
            self._decide(est.t_s, est.t_s + (HR_COUNTDOWN_S if counted else 0.0))
        return []

    def _decide(self, now_s: float, end_s: float) -> None:
        self._end_s, self._decided_s = end_s, now_s

    @property
    def end_s(self) -> float | None:
        """The decided end of the running ``until hr`` step (its "go"), if decided."""
        return self._end_s

    def next_fixed_s(self) -> float | None:
        """Time of the next countdown number or "go" of a decided ``until hr`` end."""
        if self._end_s is None:
            return None
        return self._narrator.next_countdown_s(self._end_s, HR_COUNTDOWN_S, self._decided_s)
