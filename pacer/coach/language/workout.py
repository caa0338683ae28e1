"""The workout tree (frozen) and its expansion into concrete steps.

A :class:`Workout` is what :func:`pacer.coach.language.parser.parse_workout` returns: a tuple of
:class:`Step` and :class:`Repeat` items. :class:`StepCursor` walks the tree one step at a
time; it is fed the session time and distance at each step boundary so that ``until``
blocks end on what actually happened. :meth:`Workout.plan` drives the same cursor with
*estimated* step durations, so the plan and the live engine share one semantics.

Units: distances in metres, durations in seconds, paces in seconds per kilometre.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pacer.models import RepKind

#: Named paces (s/km) used when the runner's config gives none: a ~20 min 5 km runner.
DEFAULT_NAMED_PACES_S_PER_KM: dict[str, float] = {
    "mile": 222.0,  # 3:42/km, 5:57/mi
    "5k": 240.0,  # 4:00/km
    "10k": 250.0,  # 4:10/km
    "threshold": 255.0,  # 4:15/km
    "marathon": 285.0,  # 4:45/km
    "easy": 345.0,  # 5:45/km
}

#: Pace assumed for estimating how long an untargeted step lasts, by kind.
_ASSUMED_PACE_NAME: dict[RepKind, str] = {
    RepKind.WORK: "threshold",
    RepKind.STEADY: "marathon",
    RepKind.RECOVERY: "easy",
    RepKind.WARMUP: "easy",
    RepKind.COOLDOWN: "easy",
}


@dataclass(frozen=True, slots=True)
class Target:
    """What a step should be run at: a rep time, a pace, or a named pace (resolved).

    Exactly one of ``rep_time_s`` and ``pace_s_per_km`` is set. ``name`` is the named
    pace it came from ("5k", "threshold"...); ``per_mile`` records that the runner wrote
    the pace per mile, for display.
    """

    rep_time_s: float | None = None
    pace_s_per_km: float | None = None
    name: str | None = None
    per_mile: bool = False

    def pace_for(self, distance_m: float | None) -> float | None:
        """Target pace in s/km for a step of ``distance_m`` (a rep time needs a distance)."""
        if self.pace_s_per_km is not None:
            return self.pace_s_per_km
        if self.rep_time_s is not None and distance_m:
            return self.rep_time_s * 1000.0 / distance_m
        return None


#: Heart-rate bounds the language accepts, bpm (``@hr``, ``until hr < X``).
MIN_HR_BPM = 40.0
MAX_HR_BPM = 230.0
#: Zones ``@z1`` .. ``@z5`` (resolved from the config's zones at engine time).
MAX_HR_ZONE = 5
#: Estimated length of an ``until hr < X`` step (for the plan), s.
HR_STEP_EST_S = 120.0


@dataclass(frozen=True, slots=True)
class HrTarget:
    """A heart-rate target: a bpm range (``@hr 150-160``) or a zone (``@z2``).

    A zone is resolved to bpm from the runner's configured zones when the engine runs.
    """

    low_bpm: float | None = None
    high_bpm: float | None = None
    zone: int | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One thing to run. Neither distance nor duration: an open step, ended by the lap button."""

    kind: RepKind
    distance_m: float | None = None
    duration_s: float | None = None
    target: Target | None = None
    target_cadence_spm: float | None = None
    metronome: bool = False
    standing: bool = False  # a standing recovery
    label: str = ""  # e.g. "tempo", "strides", or a FIT step name
    hr_target: HrTarget | None = None  # @hr 150-160 / @z2
    until_hr_below_bpm: float | None = None  # ends once heart rate is below (until hr < X)

    @property
    def is_open(self) -> bool:
        return (self.distance_m is None and self.duration_s is None
                and self.until_hr_below_bpm is None)

    @property
    def target_pace_s_per_km(self) -> float | None:
        return None if self.target is None else self.target.pace_for(self.distance_m)

    @property
    def target_time_s(self) -> float | None:
        """Target time for the whole step (distance steps with a target only)."""
        pace = self.target_pace_s_per_km
        if pace is None or self.distance_m is None:
            return None
        return pace * self.distance_m / 1000.0


@dataclass(frozen=True, slots=True)
class Repeat:
    """``count`` times the body, or until ``until_s`` / ``until_m`` is reached.

    With ``count`` None and no limit the body repeats until the runner ends the session
    (FIT "repeat until heart rate" steps become this). The limit of an ``until`` block is
    checked before each step of the body starts: a step in progress is finished.
    """

    count: int | None
    body: tuple[Step | Repeat, ...]
    until_s: float | None = None
    until_m: float | None = None


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """One concrete step of an expanded workout."""

    index: int  # 0-based position in the expanded sequence
    kind: RepKind
    distance_m: float | None
    duration_s: float | None
    target_pace_s_per_km: float | None
    target_time_s: float | None  # for distance steps with a target
    target_cadence_spm: float | None  # the metronome's and the cadence cues' target
    metronome: bool
    standing: bool
    label: str  # "rep 3 of 8", "recovery", "warm-up", "tempo"...
    rep_number: int | None  # 1-based number among work steps
    rep_count: int | None  # total work steps, None when open-ended (until blocks)
    est_duration_s: float  # estimated duration (0 for open steps)
    hr_target: HrTarget | None = None
    until_hr_below_bpm: float | None = None
    step: Step | None = field(repr=False, compare=False, default=None)

    @property
    def is_open(self) -> bool:
        """Ended by the lap button only (no distance, no duration, no heart-rate end)."""
        return (self.distance_m is None and self.duration_s is None
                and self.until_hr_below_bpm is None)


_KIND_LABEL = {
    RepKind.WARMUP: "warm-up",
    RepKind.COOLDOWN: "cool-down",
    RepKind.RECOVERY: "recovery",
    RepKind.STEADY: "steady",
    RepKind.WORK: "rep",
}


def _count_work(items: tuple[Step | Repeat, ...]) -> int | None:
    """Number of work steps, None when a repeat is not a fixed count."""
    n = 0
    for item in items:
        if isinstance(item, Step):
            n += item.kind is RepKind.WORK
        else:
            inner = _count_work(item.body)
            if inner is None or (item.count is None and inner > 0):
                return None
            if item.count is not None:
                n += item.count * inner
    return n


class _Frame:
    """Where a :class:`StepCursor` is in one level of the workout: the items of the
    workout or of a repeat's body, the next one's index, the repeat (None at the top),
    the repeat's iteration, and the time and distance the repeat started at."""

    __slots__ = ("items", "index", "repeat", "iteration", "start_t_s", "start_m")

    def __init__(self, items: Sequence[Step | Repeat], index: int, repeat: Repeat | None,
                 iteration: int, start_t_s: float, start_m: float) -> None:
        self.items = items
        self.index = index
        self.repeat = repeat
        self.iteration = iteration
        self.start_t_s = start_t_s
        self.start_m = start_m

    def copy(self) -> _Frame:
        return _Frame(self.items, self.index, self.repeat, self.iteration, self.start_t_s,
                      self.start_m)


class StepCursor:
    """Walks a workout one step at a time (mutable; pure: time arrives as arguments).

    Parameters
    ----------
    workout
        The workout to walk.
    named_paces_s_per_km
        Paces used to estimate untargeted steps (defaults to the workout's defaults).
    """

    def __init__(
        self, workout: Workout, *, named_paces_s_per_km: dict[str, float] | None = None
    ) -> None:
        self._paces = dict(DEFAULT_NAMED_PACES_S_PER_KM)
        self._paces.update(named_paces_s_per_km or {})
        self._stack: list[_Frame] = [_Frame(workout.steps, 0, None, 0, 0.0, 0.0)]
        self._index = 0
        self._rep_number = 0
        self._rep_count = _count_work(workout.steps)

    def clone(self) -> StepCursor:
        """An independent copy (to look ahead without moving this cursor)."""
        other = object.__new__(StepCursor)
        other._paces = self._paces
        other._stack = [frame.copy() for frame in self._stack]
        other._index = self._index
        other._rep_number = self._rep_number
        other._rep_count = self._rep_count
        return other

    def peek(self, t_s: float, distance_m: float) -> PlannedStep | None:
        """The step :meth:`next` would give, without moving this cursor."""
        return self.clone().next(t_s, distance_m)

    def peek_work(self, t_s: float, distance_m: float) -> PlannedStep | None:
        """The next work step (within 50 steps), without moving this cursor."""
        cursor = self.clone()
        for _ in range(50):
            nxt = cursor.next(t_s, distance_m)
            if nxt is None or nxt.kind is RepKind.WORK:
                return nxt
        return None

    def estimate_duration_s(self, step: Step) -> float:
        """How long ``step`` is expected to take (open steps: 0)."""
        if step.duration_s is not None:
            return step.duration_s
        if step.distance_m is None:
            return HR_STEP_EST_S if step.until_hr_below_bpm is not None else 0.0
        pace = step.target_pace_s_per_km
        if pace is None:
            pace = self._paces.get(_ASSUMED_PACE_NAME[step.kind], 345.0)
        return pace * step.distance_m / 1000.0

    def next(self, t_s: float, distance_m: float) -> PlannedStep | None:
        """The step that starts at session time ``t_s`` and distance ``distance_m``."""
        stack = self._stack
        while stack:
            frame = stack[-1]
            items, index, repeat = frame.items, frame.index, frame.repeat
            if index >= len(items):
                if repeat is None:
                    stack.clear()
                    return None
                frame.iteration += 1
                if repeat.count is not None and frame.iteration >= repeat.count:
                    stack.pop()
                    stack[-1].index += 1
                    continue
                frame.index = index = 0
            if repeat is not None and self._limit_reached(frame, repeat, t_s, distance_m):
                stack.pop()
                stack[-1].index += 1
                continue
            item = items[index]
            if isinstance(item, Repeat):
                if not item.body or item.count == 0:
                    frame.index += 1
                    continue
                stack.append(_Frame(item.body, 0, item, 0, t_s, distance_m))
                continue
            frame.index += 1
            return self._planned(item)
        return None

    @staticmethod
    def _limit_reached(frame: _Frame, repeat: Repeat, t_s: float, distance_m: float) -> bool:
        if repeat.until_s is not None and t_s - frame.start_t_s >= repeat.until_s - 1e-9:
            return True
        return (repeat.until_m is not None
                and distance_m - frame.start_m >= repeat.until_m - 1e-9)

    def _planned(self, step: Step) -> PlannedStep:
        rep_number = None
        if step.kind is RepKind.WORK:
            self._rep_number += 1
            rep_number = self._rep_number
            if self._rep_count is not None:
                label = f"rep {rep_number} of {self._rep_count}"
            else:
                label = f"rep {rep_number}"
            if step.label:
                label = f"{step.label}, {label}" if self._rep_count != 1 else step.label
        else:
            label = step.label or _KIND_LABEL[step.kind]
            if step.standing:
                label = "standing recovery"
        planned = PlannedStep(
            index=self._index,
            kind=step.kind,
            distance_m=step.distance_m,
            duration_s=step.duration_s,
            target_pace_s_per_km=step.target_pace_s_per_km,
            target_time_s=step.target_time_s,
            target_cadence_spm=step.target_cadence_spm,
            metronome=step.metronome,
            standing=step.standing,
            label=label,
            rep_number=rep_number,
            rep_count=self._rep_count if rep_number is not None else None,
            est_duration_s=self.estimate_duration_s(step),
            hr_target=step.hr_target,
            until_hr_below_bpm=step.until_hr_below_bpm,
            step=step,
        )
        self._index += 1
        return planned


@dataclass(frozen=True, slots=True)
class Workout:
    """A parsed workout: a name, the text it came from, and its items."""

    name: str
    source_text: str
    steps: tuple[Step | Repeat, ...]
    named_paces_s_per_km: dict[str, float] = field(
        default_factory=lambda: dict(DEFAULT_NAMED_PACES_S_PER_KM), compare=False, hash=False
    )

    def plan(self, max_s: float = 4 * 3600, *, max_steps: int = 10_000) -> list[PlannedStep]:
        """Expand repeats into the concrete steps a runner would follow.

        ``until`` blocks are expanded by estimated step durations (target pace, or the
        named pace for the step's kind). Expansion stops once the estimated session time
        reaches ``max_s`` (open repeats) or after ``max_steps`` steps.
        """
        cursor = StepCursor(self, named_paces_s_per_km=self.named_paces_s_per_km)
        out: list[PlannedStep] = []
        t_s = 0.0
        distance_m = 0.0
        while len(out) < max_steps and t_s < max_s:
            step = cursor.next(t_s, distance_m)
            if step is None:
                break
            out.append(step)
            duration_s = step.est_duration_s
            if step.distance_m is not None:
                distance_m += step.distance_m
            elif duration_s > 0 and not step.standing:
                pace = step.target_pace_s_per_km or self.named_paces_s_per_km.get(
                    _ASSUMED_PACE_NAME[step.kind], 345.0
                )
                distance_m += duration_s * 1000.0 / pace
            t_s += duration_s
        return out

    @property
    def rep_count(self) -> int | None:
        """Number of work steps, None when open-ended."""
        return _count_work(self.steps)

    def to_text(self) -> str:
        """Canonical one-line text that parses back to an equal workout."""
        from pacer.coach.language.format import format_items

        return format_items(self.steps)

