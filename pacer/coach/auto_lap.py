"""Auto-laps of a steady run: a split every kilometre or mile, each recorded as a Rep.

A steady step (``5km run``, an open ``run``, a free run) has no reps to judge, so it is
cut into laps of ``CueSettings.auto_lap_m`` (default 1 km, 1 mile with ``miles``): at
each lap line the coach says the distance so far and the lap's time ("3 k, five oh
two") and the lap is recorded as a :class:`~pacer.models.Rep` of the step's kind,
labelled "km 3" / "mile 3", so the review lists one row per lap. The step's last,
partial lap is recorded when the step ends (and said, if half a lap or more). Every
``STATUS_EVERY_S`` a status gives the time, distance and average pace so far, moved
away from the lap splits by ``STATUS_CLEAR_S``. Pure: time arrives as data.
"""

from __future__ import annotations

from dataclasses import replace

from pacer.coach import phrasing as say
from pacer.coach.candidates import make_cue
from pacer.coach.crossing import HermitePath
from pacer.coach.cues import CueSettings
from pacer.coach.language.parser import parse_workout
from pacer.coach.language.workout import PlannedStep, Step, Workout
from pacer.coach.step_tally import StepTally, record_rep
from pacer.models import Cue, CueKind, DistanceSource, Estimate, Rep, RepKind
from pacer.units import M_PER_MILE

STATUS_EVERY_S = 600.0  # a steady run's periodic status (time, distance, pace)
STATUS_CLEAR_S = 90.0  # ... not within this long of a lap's split
MIN_LAST_LAP_M = 20.0  # a lap line this close to the step's end is not a lap of its own


def lap_every_m(settings: CueSettings) -> float | None:
    """The auto-lap distance (None: off)."""
    if not settings.auto_lap:
        return None
    if settings.auto_lap_m is not None:
        return settings.auto_lap_m
    return M_PER_MILE if settings.miles else 1000.0


class AutoLap:
    """The laps of the running steady step (mutable state; inactive on other steps)."""

    def __init__(self, settings: CueSettings) -> None:
        self.settings = settings
        self.tally: StepTally | None = None  # the lap in progress; None: no auto-laps
        self.laps = 0  # laps finished in this step
        self._every_m = 0.0
        self._total_m = 0.0  # distance of the laps finished
        self._last_split_s = 0.0
        self._next_status_s = STATUS_EVERY_S

    def start(self, step: PlannedStep, t_s: float, d_m: float) -> None:
        every = lap_every_m(self.settings)
        self.laps = 0
        if step.kind is not RepKind.STEADY or every is None:
            self.tally = None
            return
        self.tally = StepTally(t_s, d_m)
        self._every_m = every
        self._total_m = 0.0
        self._last_split_s = t_s
        self._next_status_s = STATUS_EVERY_S

    def crossing_s(self, step: PlannedStep, path: HermitePath, step_run0_m: float) -> float | None:
        """Time within ``path`` at which the lap in progress reaches its distance (not
        where the step itself ends); ``step_run0_m``: the step's distance at ``path.t0``."""
        if self.tally is None:
            return None
        lap0_m = self.tally.elapsed_distance(path.t0, path.d0)[1]
        target_d = path.d0 + (self._every_m - lap0_m)
        if path.d1 < target_d - 1e-9:
            return None
        if step.distance_m is not None and \
                step_run0_m + (target_d - path.d0) > step.distance_m - MIN_LAST_LAP_M:
            return None  # the step's own end is the lap line  # fmt: skip
        return path.time_at(target_d)

    def lap(self, step: PlannedStep, t_s: float, d_m: float, index: int,
            source: DistanceSource, *, last: bool = False) -> tuple[Rep, list[Cue]]:  # fmt: skip
        """Record the lap ending at ``t_s``, ``d_m`` (``last``: the step's end) and start
        the next one: the Rep and the split cue."""
        assert self.tally is not None
        self.laps += 1
        unit = "mile" if self.settings.miles and self._every_m == M_PER_MILE else "km"
        lap_step = replace(step, label=f"{unit} {self.laps}",
                           distance_m=None if last else self._every_m, duration_s=None)
        rep = record_rep(lap_step, self.tally, t_s, d_m, index=index, stopping=False,
                         fallback_source=source)  # fmt: skip
        cues: list[Cue] = []
        self._total_m += rep.distance_m
        if not last or rep.distance_m >= self._every_m / 2:  # a last lap of half a lap or more
            where = say.distance(round(self._total_m, -1), self.settings.miles,
                                 self.settings.spell_numbers)  # fmt: skip
            lap_time = say.rep_time(rep.duration_s, self.settings.spell_numbers)
            kind = CueKind.REP_SUMMARY if last else CueKind.SPLIT  # the last: before the end
            cues.append(make_cue(t_s, kind, f"{where}, {lap_time}", 5.0))
            self._last_split_s = t_s
        self.tally = None if last else StepTally(t_s, d_m)
        return rep, cues

    def record_lap(self, step: PlannedStep, t_s: float, d_m: float, reps: list[Rep],
                   last: Estimate | None, cues: list[Cue]) -> tuple[float, float]:
        """A steady step's lap line at ``t_s``: the lap's Rep appended to ``reps``, its split
        to ``cues``; returns where the next lap starts."""
        source = last.distance_source if last is not None else DistanceSource.GPS
        rep, said = self.lap(step, t_s, d_m, len(reps), source)
        reps.append(rep)
        cues += said
        return t_s, d_m

    def status(self, est: Estimate, elapsed_s: float, run_m: float) -> list[Cue]:
        """The periodic status of the steady step: "20 minutes, 4.1 k, four fifty pace"."""
        if self.tally is None or elapsed_s < self._next_status_s:
            return []
        lap_m = self.tally.elapsed_distance(est.t_s, est.distance_m)[1]
        lap_eta_s = (self._every_m - lap_m) / max(est.speed_mps or 0.0, 0.5)
        if est.t_s - self._last_split_s < STATUS_CLEAR_S or lap_eta_s < STATUS_CLEAR_S:
            self._next_status_s += STATUS_CLEAR_S  # a split says as much: later
            return []
        self._next_status_s += STATUS_EVERY_S
        spell = self.settings.spell_numbers
        parts = [say.duration(round(elapsed_s / 60.0) * 60.0, spell)]
        if run_m >= 100.0:
            parts.append(say.distance(round(run_m, -2), self.settings.miles, spell))
            parts.append(f"{say.pace(elapsed_s * 1000.0 / run_m, self.settings.miles)} pace")
        return [make_cue(est.t_s, CueKind.STATUS, ", ".join(parts), 10.0)]


def free_run_workout() -> Workout:
    """The workout of a run without one: a single open steady step, "free run", that
    the auto-laps split (it ends on the lap button or at the end of the session)."""
    base = parse_workout("run")
    step = base.steps[0]
    assert isinstance(step, Step)
    return replace(base, name="free run", steps=(replace(step, label="free run"),))
