"""Where steps begin and end: the rules the workout engine applies.

How a step starts
    * the first step, and a rep after a warm-up, steady or standing-distance step, is
      armed: it starts on a START_LAP press, or (``StartMode.AUTO``) when the runner
      starts running -- speed above a threshold (and cadence above 130 spm when the
      cadence is known) on two consecutive estimates; the start is put back to the
      moment the speed crossed the threshold;
    * every other step starts the moment the previous one ends (a rep after a timed
      recovery starts at the "go" of the spoken countdown);
    * except, in AUTO and IMMEDIATE start modes: a rep whose "go" finds the runner not
      moving (standing, or no fix) waits, and starts when the runner moves again
      (backdated as the auto start); and a runner who stood in a timed recovery and sets
      off at rep speed once half of it is done starts the rep then.
How a step ends
    * at its distance: the crossing time is interpolated between the two estimates that
      straddle it (distance from ``Estimate.distance_m``, track-snapped on a track);
    * at its time (paused time does not count); open steps only by START_LAP;
    * a distance rep whose runner stops (no moving estimate for ``STOPPED_AFTER_S``:
      standing, or the fix gone) within ``SHORT_TOLERANCE`` of its distance ends at the
      last moving estimate, with the distance actually run;
    * START_LAP ends any running step (a lap); SKIP ends it and moves on; END finishes
      (a work step stopped before 90 % of its length is recorded ``completed=False``).

The start threshold is :func:`start_threshold_mps` (75 % of a rep's target speed, at
least a jog); the crossing is :func:`step_end_s`; stopping short is :func:`stopped_short`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pacer.coach.crossing import HermitePath
from pacer.coach.language.workout import PlannedStep
from pacer.coach.onset import MOVING_SPEED_MPS
from pacer.models import RepKind, StartMode

if TYPE_CHECKING:  # step_tally imports this module
    from pacer.coach.step_tally import StepTally

STOPPED_AFTER_S = 3.0  # no moving estimate (standing, or no fix) this long: stopped
SHORT_TOLERANCE = 0.10  # a distance rep stopped within this fraction of its distance ends
EARLY_START_FRACTION = 0.5  # a rep may start early once this much of its recovery is done
DEFAULT_REP_START_MPS = 3.0  # start threshold of a rep without a target pace


def arms_next(step: PlannedStep) -> bool:
    """A rep after ``step`` waits to be started (after a warm-up, steady, cool-down or a
    standing distance step)."""
    return step.kind in (RepKind.WARMUP, RepKind.STEADY, RepKind.COOLDOWN) or (
        step.standing and step.duration_s is None and step.until_hr_below_bpm is None
    )


def waits_for_runner(step: PlannedStep) -> bool:
    """A standing recovery given as a distance: it ends when the runner sets off (or on
    a lap press), not at its distance, which the runner does not cover."""
    return (step.kind is RepKind.RECOVERY and step.standing and step.duration_s is None
            and step.until_hr_below_bpm is None)  # ``stand until hr < X`` ends on heart rate


def start_threshold_mps(step: PlannedStep) -> float:
    """Speed at which the runner counts as having set off on ``step``."""
    if step.kind is RepKind.WORK:
        target = step.target_pace_s_per_km
        return max(MOVING_SPEED_MPS, 0.75 * 1000.0 / target) if target else DEFAULT_REP_START_MPS
    return MOVING_SPEED_MPS


def step_end_s(step: PlannedStep, path: HermitePath, elapsed0_s: float, run0_m: float,
               elapsed1_s: float, *, stood: bool = False) -> float | None:  # fmt: skip
    """Session time within ``(path.t0, path.t1]`` at which ``step`` ends, or None.

    ``elapsed0_s``/``run0_m`` are the step's time and distance at ``path.t0``,
    ``elapsed1_s`` its time at ``path.t1`` (paused time does not count); ``stood``: the
    runner stood in it (a standing distance recovery then waits for the runner).
    """
    if step.distance_m is not None and not (stood and waits_for_runner(step)):
        # session distance at which the step's distance is reached
        target_d = path.d0 + (step.distance_m - run0_m)
        if path.d1 >= target_d - 1e-9:
            return path.time_at(target_d)
    if step.duration_s is not None and elapsed1_s >= step.duration_s - 1e-9:
        return path.t0 + max(0.0, step.duration_s - elapsed0_s)
    return None


def stopped_short(step: PlannedStep, run_m: float) -> bool:
    """A distance rep whose runner stopped after ``run_m`` of it is over (within
    :data:`SHORT_TOLERANCE` of its distance)."""
    return (step.kind is RepKind.WORK and step.distance_m is not None
            and run_m >= (1.0 - SHORT_TOLERANCE) * step.distance_m)


def fraction_done(step: PlannedStep, elapsed_s: float, run_m: float) -> float:
    """How much of ``step`` was done: by its distance, else its time (open steps: 1)."""
    if step.distance_m is not None:
        return run_m / step.distance_m
    if step.duration_s is not None:
        return elapsed_s / step.duration_s
    return 1.0


def arms_or_holds(prev: PlannedStep | None, step: PlannedStep, start_mode: StartMode, *,
                  first: bool, by_button: bool, set_off: bool, standing: bool,
                  ever_moved: bool) -> tuple[bool, bool]:
    """Whether ``step``, following ``prev``, waits to be started (armed) and whether it
    is held: its "go" is said and it starts on moving. ``first``: the session's first
    step; ``by_button``: after a lap press (never armed); ``set_off``: the runner already
    set off; ``standing``: the runner stands now; ``ever_moved``: the session had a
    moving speed."""
    armed = first and start_mode is not StartMode.IMMEDIATE
    if prev is not None and step.kind is RepKind.WORK and not by_button:
        armed = arms_next(prev) and not set_off
        if (not armed and start_mode is not StartMode.BUTTON
                and prev.kind is RepKind.RECOVERY
                and prev.duration_s is not None and standing and ever_moved):  # fmt: skip
            # "go" found the runner standing: start on moving (not in a session
            # that never had a moving speed, which could not start it)
            return True, True
    return armed, False


def early_start_from_s(step: PlannedStep, tally: StepTally, elapsed_s: float) -> float | None:
    """From when (session s) a runner who stood during the recovery ``step`` may set off
    and start the rep: once EARLY_START_FRACTION of a timed recovery is done, at any
    time in a standing distance recovery. None: not (yet) in this step."""
    if step.kind is not RepKind.RECOVERY or not tally.stood:
        return None
    if waits_for_runner(step):
        return tally.start_s
    if step.duration_s is None or elapsed_s < EARLY_START_FRACTION * step.duration_s:
        return None
    return tally.at_elapsed_s(EARLY_START_FRACTION * step.duration_s)
