"""The running step's clock and totals, and the :class:`~pacer.models.Rep` it becomes.

A step's elapsed time and distance leave out its pauses; its cadence is the
confidence-weighted mean of the estimates inside it and its distance source the one
most of them had. Pure: time arrives as data.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from pacer.coach.boundaries import SHORT_TOLERANCE, fraction_done
from pacer.coach.language.workout import PlannedStep
from pacer.models import DistanceSource, Estimate, Rep, RepKind

MIN_CADENCE_CONFIDENCE = 0.3  # estimates below this do not count toward a rep's cadence


class StepTally:
    """Time, distance, pauses, cadence and distance sources of the step in progress.

    Times are session seconds, distances session metres.
    """

    def __init__(self, start_s: float = 0.0, start_m: float = 0.0) -> None:
        self.start_s = start_s
        self.start_m = start_m
        self.floor: tuple[float, float] = (start_s, start_m)  # no step time before this
        self.paused_s = 0.0  # total paused time
        self.paused_m = 0.0  # distance covered while paused
        self.pause_s = 0.0  # where the current pause began
        self.pause_m = 0.0
        self.start_utc: dt.datetime | None = None
        self.stood = False  # the runner stood (or had no fix) during the step
        self._cadence_sum = 0.0
        self._cadence_weight = 0.0
        self._sources: Counter[DistanceSource] = Counter()

    def elapsed_distance(self, t_s: float, d_m: float) -> tuple[float, float]:
        """The step's time (s) and distance (m) at session time ``t_s``, distance ``d_m``."""
        return t_s - self.start_s - self.paused_s, d_m - self.start_m - self.paused_m

    def at_elapsed_s(self, elapsed_s: float) -> float:
        """Session time at which the step's time reaches ``elapsed_s`` (without new pauses)."""
        return self.start_s + self.paused_s + elapsed_s

    def pause(self, t_s: float, d_m: float) -> None:
        self.pause_s, self.pause_m = t_s, d_m

    def unpause(self, t_s: float, d_m: float) -> None:
        """End the pause begun at :meth:`pause`: its time and distance do not count."""
        self.paused_s += t_s - self.pause_s
        self.paused_m += d_m - self.pause_m

    def accumulate(self, est: Estimate) -> None:
        """Count ``est`` toward the step's cadence and distance source."""
        if est.cadence_spm is not None and est.cadence_confidence >= MIN_CADENCE_CONFIDENCE:
            self._cadence_sum += est.cadence_spm * est.cadence_confidence
            self._cadence_weight += est.cadence_confidence
        src = DistanceSource.TRACK if est.on_track else est.distance_source
        self._sources[src] += 1

    @property
    def cadence_spm(self) -> float | None:
        if self._cadence_weight <= 0:
            return None
        return self._cadence_sum / self._cadence_weight

    def main_source(self) -> DistanceSource | None:
        """The distance source of most of the step's estimates (None before any)."""
        return self._sources.most_common(1)[0][0] if self._sources else None


def record_rep(step: PlannedStep, tally: StepTally, t_s: float, d_m: float, *, index: int,
               stopping: bool, fallback_source: DistanceSource) -> Rep:  # fmt: skip
    """The finished ``step`` as a Rep, ending at session time ``t_s`` and distance ``d_m``.

    ``stopping``: the session ends inside the step; a work step short of
    ``1 - SHORT_TOLERANCE`` of its length is then recorded as stopped, not completed.
    ``fallback_source`` is its distance source when no estimate fell inside it.
    """
    elapsed, dist = tally.elapsed_distance(t_s, d_m)
    if step.distance_m is not None and abs(dist - step.distance_m) < 1e-6:
        dist = step.distance_m
    completed = not (stopping and step.kind is RepKind.WORK
                     and fraction_done(step, elapsed, dist) < 1.0 - SHORT_TOLERANCE)  # fmt: skip
    pace = elapsed * 1000.0 / dist if dist >= 1.0 and elapsed > 0 else None
    source = tally.main_source()
    return Rep(
        index=index,
        kind=step.kind,
        start_s=tally.start_s,
        duration_s=elapsed,
        distance_m=max(dist, 0.0),
        start_utc=tally.start_utc,
        target_distance_m=step.distance_m,
        # a distance rep with a time target ("400m @72s"): the target time is its duration
        target_duration_s=(
            step.duration_s if step.duration_s is not None else step.target_time_s
        ),
        target_pace_s_per_km=step.target_pace_s_per_km,
        pace_s_per_km=pace,
        cadence_spm=tally.cadence_spm,
        distance_source=source if source is not None else fallback_source,
        label=step.label if completed else f"{step.label}, stopped",
        completed=completed,
    )
