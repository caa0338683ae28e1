"""Where steps begin and end: the rules the workout engine applies.

* A rep after a warm-up, steady or cool-down step, or after a standing distance step,
  is *armed*: it waits for the runner (:func:`arms_next`).
* A runner has set off on a step at :func:`start_threshold_mps` (75 % of a rep's target
  speed, at least a jog).
* A running step ends inside an interval between two estimates where its distance is
  crossed on the interpolated path, or where its time is up (:func:`step_end_s`).
* A distance rep whose runner stopped within :data:`SHORT_TOLERANCE` of its distance is
  over; a work step ended by END short of it is recorded as not completed.
"""

from __future__ import annotations

from pacer.coach.crossing import HermitePath
from pacer.coach.language.workout import PlannedStep
from pacer.coach.onset import MOVING_SPEED_MPS
from pacer.models import RepKind

STOPPED_AFTER_S = 3.0  # no moving estimate (standing, or no fix) this long: stopped
SHORT_TOLERANCE = 0.10  # a distance rep stopped within this fraction of its distance ends
EARLY_START_FRACTION = 0.5  # a rep may start early once this much of its recovery is done
DEFAULT_REP_START_MPS = 3.0  # start threshold of a rep without a target pace


def arms_next(step: PlannedStep) -> bool:
    """A rep after ``step`` waits to be started (after a warm-up, steady, cool-down or a
    standing distance step)."""
    return step.kind in (RepKind.WARMUP, RepKind.STEADY, RepKind.COOLDOWN) or (
        step.standing and step.duration_s is None
    )


def start_threshold_mps(step: PlannedStep) -> float:
    """Speed at which the runner counts as having set off on ``step``."""
    if step.kind is RepKind.WORK:
        target = step.target_pace_s_per_km
        return max(MOVING_SPEED_MPS, 0.75 * 1000.0 / target) if target else DEFAULT_REP_START_MPS
    return MOVING_SPEED_MPS


def step_end_s(step: PlannedStep, path: HermitePath, elapsed0_s: float, run0_m: float,
               elapsed1_s: float) -> float | None:  # fmt: skip
    """Session time within ``(path.t0, path.t1]`` at which ``step`` ends, or None.

    ``elapsed0_s``/``run0_m`` are the step's time and distance at ``path.t0``,
    ``elapsed1_s`` its time at ``path.t1`` (paused time does not count).
    """
    if step.distance_m is not None:
        # session distance at which the step's distance is reached
        target_d = path.d0 + (step.distance_m - run0_m)
        if path.d1 >= target_d - 1e-9:
            return path.time_at(target_d)
    if step.duration_s is not None and elapsed1_s >= step.duration_s - 1e-9:
        return path.t0 + max(0.0, step.duration_s - elapsed0_s)
    return None


def fraction_done(step: PlannedStep, elapsed_s: float, run_m: float) -> float:
    """How much of ``step`` was done: by its distance, else its time (open steps: 1)."""
    if step.distance_m is not None:
        return run_m / step.distance_m
    if step.duration_s is not None:
        return elapsed_s / step.duration_s
    return 1.0
