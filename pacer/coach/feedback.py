"""Feedback while a work step runs: pace drift against the target, and cadence.

Pace: the step's projected pace -- its elapsed time plus the remaining distance at the
mean speed of the last :data:`RECENT_N` confident estimates (a timed step: its distance
plus the remaining time at that speed) -- against the target, so a late start or a slow
first half counts as the summary will count it; through a
:class:`~pacer.coach.cues.Hysteresis` (enter, exit, dwell), so a pace wandering around
a threshold cannot flap. Off target: "a bit slow, push" / "a bit quick, ease off" at
once, then reminders at doubling gaps; back on target: "that's it, on pace"; at least
``CueSettings.pace_gap_s`` between two pace cues, none in the last stretch
(:func:`last_stretch_s`) nor while the speed settles (:func:`settle_s`); on target for
a while: a periodic "on pace" where the profile asks for it. Cadence works the same
way with its own tolerance, in steps per minute, and reminders every
:data:`CADENCE_REPEAT_S` while off target. Pure: estimates in, cue candidates out.
"""

from __future__ import annotations

from pacer.coach import phrasing as say
from pacer.coach.candidates import make_cue
from pacer.coach.cues import CueSettings, Hysteresis
from pacer.coach.language.workout import PlannedStep
from pacer.models import Cue, CueKind, Estimate

RECENT_N = 4  # estimates (seconds) averaged for drift cues
MIN_DRIFT_ELAPSED_S = 8.0  # no drift cue in a step's first seconds (the speed settles)
CADENCE_DWELL_S = 5.0  # a cadence off target this long is said
CADENCE_REPEAT_S = 60.0  # then reminded this often while it stays off target
LAST_STRETCH_S = 10.0  # no pace cue this close to the end of a step ...
LAST_STRETCH_FRACTION = 0.15  # ... or this fraction of its length, if longer
SETTLE_FRACTION = 0.25  # no pace cue in this first fraction of a step (at least 8 s)
SETTLE_MAX_S = 20.0  # ... and at most this long


class PaceFeedback:
    """Pace drift cues of the running step (mutable state)."""

    def __init__(self, settings: CueSettings) -> None:
        self.settings = settings
        self._hysteresis = Hysteresis(settings.drift_tolerance, settings.drift_exit_tolerance,
                                      settings.drift_dwell_s)  # fmt: skip
        self._last_drift_s = float("-inf")
        self._last_on_target_s = float("-inf")
        self._said_off_target = False
        self._recent_mps: list[float] = []
        self._repeat_gap_s = settings.drift_repeat_s
        self._last_pace_cue_s = float("-inf")
        self._pending: str | None = None  # a state change not yet said

    def update_settings(self, settings: CueSettings) -> None:
        self.settings = settings
        self._hysteresis.enter = settings.drift_tolerance
        self._hysteresis.exit = settings.drift_exit_tolerance
        self._hysteresis.dwell_s = settings.drift_dwell_s

    def start_step(self, t_s: float) -> None:
        self._hysteresis.reset()
        self._said_off_target = False
        self._recent_mps = []
        self._last_on_target_s = self._last_drift_s = t_s
        self._last_pace_cue_s = float("-inf")
        self._pending = None
        self._repeat_gap_s = self.settings.drift_repeat_s

    def cues(self, step: PlannedStep, est: Estimate, elapsed_s: float, short: bool,
             dist_m: float | None = None) -> list[Cue]:  # fmt: skip
        """Cues for ``est``, ``elapsed_s`` and ``dist_m`` into ``step``; ``short``: a
        short rep (only "push" / "ease off"). Without ``dist_m`` the recent pace is
        judged instead of the projected one."""
        s = self.settings
        target = step.target_pace_s_per_km
        if (target is None or est.pace_s_per_km is None or elapsed_s < settle_s(step)
                or est.speed_confidence < s.min_speed_confidence):  # fmt: skip
            self._recent_mps.clear()
            return []
        # the speed of the last few confident seconds: steadier than one estimate
        self._recent_mps.append(est.speed_mps or 0.0)
        del self._recent_mps[:-RECENT_N]
        speed_mps = sum(self._recent_mps) / len(self._recent_mps)
        projection = project(step, elapsed_s, dist_m, speed_mps)
        if projection is None:
            return []
        pace, left_s = projection
        if left_s < last_stretch_s(step):
            return []  # the line is near: the rep's summary says how it went
        return self._judge(step, est.t_s, (pace - target) / target, pace, short)

    def _judge(self, step: PlannedStep, t: float, error: float, pace: float,
               short: bool) -> list[Cue]:  # fmt: skip
        s = self.settings
        change = self._hysteresis.update(t, error)
        state = self._hysteresis.state
        if change is not None:
            self._pending = change
        if t - self._last_pace_cue_s < s.pace_gap_s:
            return []  # said recently: a change waits (and is dropped if it reverts)
        change, self._pending = self._pending, None
        if change is not None and change != state:
            change = None  # it flapped back while waiting: nothing new to say
        out: list[Cue] = []
        # a reminder while still off target, each one twice as long after the last
        repeat = state != "on" and t - self._last_drift_s >= self._repeat_gap_s
        if change in ("above", "below"):
            self._repeat_gap_s = s.drift_repeat_s
        elif repeat:
            self._repeat_gap_s = min(2 * self._repeat_gap_s, 8 * s.drift_repeat_s)
        if change in ("above", "below") or (change is None and repeat):
            slow = state == "above"
            if short:
                text = "push" if slow else "ease off"
            else:
                text = (f"{self._figure(step, pace)}, "
                        + ("a bit slow, push" if slow else "a bit quick, ease off"))  # fmt: skip
            out.append(make_cue(t, CueKind.DRIFT, text, 3.0))
            self._last_drift_s = t
            self._said_off_target = True
        elif change == "on" and self._said_off_target:
            out.append(make_cue(t, CueKind.ON_TARGET, "that's it, on pace", 3.0))
            self._said_off_target = False
            self._last_on_target_s = t
        elif state == "on" and change is None:
            every = s.profile_spec.on_target_every_s
            if every is not None and t - self._last_on_target_s >= every:
                out.append(make_cue(t, CueKind.ON_TARGET,
                                    f"on pace, {say.pace(pace, s.miles)}", 5.0))  # fmt: skip
                self._last_on_target_s = t
        if out:
            self._last_pace_cue_s = t
        return out

    def _figure(self, step: PlannedStep, pace: float) -> str:
        """The projected figure said with a drift cue: the rep time of a distance rep
        with a time target ("heading for 74"), else the pace."""
        if step.distance_m is not None and step.target_time_s is not None:
            return f"heading for {say.rep_time(pace * step.distance_m / 1000.0)}"
        return say.pace(pace, self.settings.miles)


def project(step: PlannedStep, elapsed_s: float, dist_m: float | None,
            speed_mps: float) -> tuple[float, float] | None:  # fmt: skip
    """(projected pace of the whole step in s/km, seconds left) if the runner holds
    ``speed_mps`` from here: a distance step's elapsed time plus its remaining distance
    at that speed; a timed step's distance plus its remaining time at that speed. An
    open step (or no distance given): the current pace, nothing left to judge by."""
    if speed_mps <= 0.5:
        return None
    if dist_m is not None and step.distance_m is not None:
        left_s = max(0.0, step.distance_m - dist_m) / speed_mps
        return (elapsed_s + left_s) * 1000.0 / step.distance_m, left_s
    if dist_m is not None and step.duration_s is not None:
        left_s = max(0.0, step.duration_s - elapsed_s)
        total_m = dist_m + left_s * speed_mps
        return (step.duration_s * 1000.0 / total_m, left_s) if total_m > 1.0 else None
    return 1000.0 / speed_mps, float("inf")


def settle_s(step: PlannedStep) -> float:
    """No pace cue this early in a step (the speed estimate catches up with a runner who
    has just set off): 8 s, or 25 % of a step with a known length, at most 20 s."""
    return max(MIN_DRIFT_ELAPSED_S, min(SETTLE_FRACTION * (_length_s(step) or 0.0), SETTLE_MAX_S))


def _length_s(step: PlannedStep) -> float | None:
    length_s = step.target_time_s or step.duration_s
    if length_s is None and step.distance_m is not None and step.target_pace_s_per_km:
        length_s = step.distance_m * step.target_pace_s_per_km / 1000.0
    return length_s


def last_stretch_s(step: PlannedStep) -> float:
    """No pace cue this close to a step's end (the summary follows): 10 s, or 15 % of a
    step with a known length."""
    return max(LAST_STRETCH_S, LAST_STRETCH_FRACTION * (_length_s(step) or 0.0))


class CadenceFeedback:
    """Cadence cues of the running step (mutable state)."""

    def __init__(self, settings: CueSettings) -> None:
        self.settings = settings
        self._hysteresis = Hysteresis(settings.cadence_tolerance_spm,
                                      settings.cadence_tolerance_spm / 2,
                                      CADENCE_DWELL_S)  # fmt: skip
        self._last_cadence_s = float("-inf")

    def update_settings(self, settings: CueSettings) -> None:
        self.settings = settings
        self._hysteresis.enter = settings.cadence_tolerance_spm
        self._hysteresis.exit = settings.cadence_tolerance_spm / 2

    def start_step(self, t_s: float) -> None:
        self._hysteresis.reset()
        self._last_cadence_s = t_s

    def cues(self, step: PlannedStep, est: Estimate) -> list[Cue]:
        """Cues for ``est`` on ``step`` (none without a cadence target)."""
        s = self.settings
        target = step.target_cadence_spm
        cad = est.cadence_spm
        if target is None or cad is None or est.cadence_confidence < s.min_cadence_confidence:
            return []
        t = est.t_s
        change = self._hysteresis.update(t, cad - target)
        state = self._hysteresis.state
        words = f"cadence {say.cadence(cad, s.spell_numbers)}"
        every = s.profile_spec.cadence_every_s
        due = bool(every) and t - self._last_cadence_s >= (every or 0.0)
        remind = t - self._last_cadence_s >= min(every or CADENCE_REPEAT_S, CADENCE_REPEAT_S)
        if change == "below" or (change is None and state == "below" and remind):
            text = f"{words}, quicken your step"
        elif change == "above" or (change is None and state == "above" and remind):
            text = f"{words}, lengthen your stride"
        elif change == "on":
            text = f"{words}, good"
        elif due:
            text = words
        else:
            return []
        self._last_cadence_s = t
        return [make_cue(t, CueKind.CADENCE, text, 5.0)]
